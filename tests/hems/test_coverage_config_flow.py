"""The remaining paths of the ECHONET Lite config flow (see test_config_flow.py for the rest)."""

from __future__ import annotations

import socket
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.hems.config_flow import HemsConfigFlow
from custom_components.hems.const import (
    CONF_DISABLED_DEVICES,
    CONF_FAST_POLL_INTERVAL,
    CONF_HOST,
    CONF_HOSTS,
    CONF_INTERFACE,
    CONF_POLL_INTERVAL,
    DOMAIN,
)
from simulator import behaviours as b
from simulator.house import NodeSpec, _obj

from .conftest import HouseFactory, hub_entry, setup_hub
from .test_config_flow import adapter, adapters, start_flow  # noqa: F401  (adapters: a fixture)

#: Loopback is the only network adapter (as in test_config_flow.py).
pytestmark = pytest.mark.usefixtures("adapters")


async def test_user_step_without_a_menu(hass: HomeAssistant, make_house: HouseFactory) -> None:
    """With ECHONET Lite the only thing to set up, the user step is the interface form."""
    await make_house()
    with patch.object(HemsConfigFlow, "USER_MENU", ("echonet",)):
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "echonet"


async def test_confirm_step_with_input_creates_the_hub(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """``confirm`` is a menu; called with input (not from the UI) it creates the hub."""
    await make_house()
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_INTERFACE: "lo"}
    )
    assert result["step_id"] == "confirm"
    flow = hass.config_entries.flow._progress[result["flow_id"]]
    assert isinstance(flow, HemsConfigFlow)
    created = await flow.async_step_confirm({})
    assert created["type"] is FlowResultType.CREATE_ENTRY
    assert created["data"][CONF_INTERFACE] == "lo"
    hass.config_entries.flow.async_abort(result["flow_id"])


async def test_manual_step_same_host_again_after_a_busy_port(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house = await make_house(
        specs=[NodeSpec("lonely-ac", [_obj(0x013001, b.AirConditioner(), power=True)])],
        multicast=False,
    )
    address = house.node("lonely-ac").address
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_INTERFACE: "lo"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "manual"}
    )
    blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    blocker.bind(("127.0.0.1", 3610))
    try:
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_HOST: address}
        )
    finally:
        blocker.close()
    assert result["errors"] == {"base": "port_in_use"}
    # The port is free again: the same address, once more, is added once.
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_HOST: address})
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "finish"}
    )
    assert result["data"][CONF_HOSTS] == [address]


async def test_reconfigure_on_the_same_interface(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """Choosing the hub's own interface again re-reads it (no "already configured")."""
    await make_house()
    entry = await setup_hub(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_INTERFACE: "lo"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get("sensor.storage_battery_state_of_charge") is not None


async def test_options_keep_the_hosts(hass: HomeAssistant, make_house: HouseFactory) -> None:
    await make_house()
    entry = await setup_hub(hass)
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_HOSTS: ["127.0.5.5"]})
    data_before = dict(entry.data)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_POLL_INTERVAL: 120,
            CONF_FAST_POLL_INTERVAL: 20,
            CONF_DISABLED_DEVICES: [],
            CONF_HOSTS: " 127.0.5.5 ",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert dict(entry.data) == data_before
    assert entry.options[CONF_POLL_INTERVAL] == 120


async def test_options_of_a_hub_waiting_to_retry(hass: HomeAssistant) -> None:
    """Port 3610 busy: the options still open (with no devices to choose from)."""
    blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    blocker.bind(("127.0.0.1", 3610))
    try:
        entry = hub_entry()
        entry.add_to_hass(hass)
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.SETUP_RETRY
        result = await hass.config_entries.options.async_init(entry.entry_id)
    finally:
        blocker.close()
    assert result["type"] is FlowResultType.FORM
    schema = {str(k): k for k in result["data_schema"].schema}
    selector = result["data_schema"].schema[schema[CONF_DISABLED_DEVICES]]
    assert selector.config["options"] == []


async def test_interface_gone_before_the_form_is_sent(
    hass: HomeAssistant,
    make_house: HouseFactory,
    adapters: list[dict[str, Any]],  # noqa: F811
) -> None:
    """The chosen adapter disappeared (a USB adapter unplugged): it cannot be opened."""
    await make_house()
    adapters.append(adapter("usb0", "127.0.0.1"))
    result = await start_flow(hass)
    adapters.pop()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_INTERFACE: "usb0"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_open_interface"}
    assert result["description_placeholders"]["address"] == ""
