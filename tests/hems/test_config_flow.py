"""Config flow of the ECHONET Lite hub and the start-up discovery: every step and error,
against the virtual house."""

from __future__ import annotations

from collections.abc import Iterator
import socket
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_INTEGRATION_DISCOVERY, SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType
from homeassistant.setup import async_setup_component
import pytest

from custom_components.hems.config_flow import HemsConfigFlow
from custom_components.hems.const import (
    CONF_ADDRESS,
    CONF_DISABLED_DEVICES,
    CONF_FRESHNESS,
    CONF_HOST,
    CONF_HOSTS,
    CONF_INTERFACE,
    CONF_KIND,
    DOMAIN,
    KIND_ECHONET,
)
from simulator import behaviours as b
from simulator.house import NodeSpec, _obj

from .conftest import HouseFactory, hub_entry, setup_hub

ADAPTERS = "custom_components.hems.hub.discovery.network.async_get_adapters"

#: Loopback is the only network adapter (tests may add others).
pytestmark = pytest.mark.usefixtures("adapters")


def adapter(name: str, address: str, *, default: bool = False) -> dict[str, Any]:
    """A network adapter as Home Assistant's network integration reports it."""
    return {
        "name": name,
        "index": 1,
        "enabled": True,
        "auto": True,
        "default": default,
        "ipv4": [{"address": address, "network_prefix": 8}],
        "ipv6": [],
    }


@pytest.fixture
def adapters() -> Iterator[list[dict[str, Any]]]:
    """Loopback only (the tests never use another interface); tests may add entries."""
    listed = [adapter("lo", "127.0.0.1")]
    with patch(ADAPTERS, side_effect=lambda _hass: list(listed)):
        yield listed


async def start_flow(hass: HomeAssistant) -> FlowResult:
    """Open the user flow and go to the ECHONET Lite step (through the menu if there is one)."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    if result["type"] is FlowResultType.MENU:
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"next_step_id": "echonet"}
        )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "echonet"
    return result


def multicast_off_spec() -> NodeSpec:
    return NodeSpec("lonely-ac", [_obj(0x013001, b.AirConditioner(), power=True)])


async def test_user_flow_finds_the_house_and_creates_the_hub(
    hass: HomeAssistant, make_house: HouseFactory, adapters: list[dict[str, Any]]
) -> None:
    house = await make_house()
    result = await start_flow(hass)
    schema = result["data_schema"].schema
    assert next(iter(schema)).default() == "lo"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_INTERFACE: "lo"}
    )
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "confirm"
    placeholders = result["description_placeholders"]
    assert placeholders["nodes"] == str(len(house.nodes))
    objects = sum(len(n.objects) for n in house.nodes.values())
    assert placeholders["objects"] == str(objects)
    assert "Air conditioner ×2" in placeholders["classes"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "finish"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "ECHONET Lite (lo)"
    assert result["data"] == {
        CONF_KIND: KIND_ECHONET,
        CONF_INTERFACE: "lo",
        CONF_ADDRESS: "127.0.0.1",
        CONF_HOSTS: [],
    }
    entry = result["result"]
    assert entry.unique_id == "echonet_lo"
    await hass.async_block_till_done()
    assert hass.states.get("sensor.storage_battery_state_of_charge") is not None


async def test_default_interface_is_the_one_with_the_default_route(
    hass: HomeAssistant, adapters: list[dict[str, Any]]
) -> None:
    adapters.append(adapter("eth9", "203.0.113.7", default=True))
    result = await start_flow(hass)
    assert next(iter(result["data_schema"].schema)).default() == "eth9"
    adapters[1]["default"] = False
    result = await start_flow(hass)
    assert next(iter(result["data_schema"].schema)).default() == "eth9"  # first non-loopback


async def test_one_hub_per_interface(hass: HomeAssistant, adapters: list[dict[str, Any]]) -> None:
    hub_entry().add_to_hass(hass)
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_INTERFACE: "lo"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_no_interfaces(hass: HomeAssistant, adapters: list[dict[str, Any]]) -> None:
    adapters.clear()
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    if result["type"] is FlowResultType.MENU:
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"next_step_id": "echonet"}
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_interfaces"


async def test_port_in_use_names_the_owner(
    hass: HomeAssistant, adapters: list[dict[str, Any]]
) -> None:
    blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    blocker.bind(("127.0.0.1", 3610))
    try:
        result = await start_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_INTERFACE: "lo"}
        )
    finally:
        blocker.close()
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "port_in_use"}
    assert "pid" in result["description_placeholders"]["owner"]
    assert "this Home Assistant" in result["description_placeholders"]["owner"]
    # Once the port is free the same flow goes on.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_INTERFACE: "lo"}
    )
    assert result["type"] is FlowResultType.MENU


async def test_address_that_cannot_be_bound(
    hass: HomeAssistant, adapters: list[dict[str, Any]]
) -> None:
    # An address that is not on this machine: binding fails before anything is sent.
    adapters.append(adapter("gone0", "203.0.113.7"))
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_INTERFACE: "gone0"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_open_interface"}
    assert "203.0.113.7" in result["description_placeholders"]["error"]


async def test_add_a_device_by_ip_address(
    hass: HomeAssistant, make_house: HouseFactory, adapters: list[dict[str, Any]]
) -> None:
    house = await make_house(specs=[multicast_off_spec()], multicast=False)
    address = house.node("lonely-ac").address
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_INTERFACE: "lo"}
    )
    assert result["description_placeholders"]["nodes"] == "0"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "manual"}
    )
    assert result["step_id"] == "manual"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "not-an-address"}
    )
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.9.99"}
    )
    assert result["errors"] == {CONF_HOST: "no_device_at_host"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_HOST: address})
    assert result["type"] is FlowResultType.MENU
    assert result["description_placeholders"]["nodes"] == "1"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "finish"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_HOSTS] == [address]


async def test_discovery_flow(hass: HomeAssistant, adapters: list[dict[str, Any]]) -> None:
    data = {
        CONF_INTERFACE: "lo",
        CONF_ADDRESS: "127.0.0.1",
        "nodes": 3,
        "objects": 5,
        "classes": "Air conditioner, Light ×4",
    }
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_INTEGRATION_DISCOVERY}, data=data
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert result["description_placeholders"]["objects"] == "5"
    flows = hass.config_entries.flow.async_progress()
    assert flows[0]["context"]["title_placeholders"] == {"interface": "lo", "objects": "5"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_INTERFACE] == "lo"
    await hass.async_block_till_done()
    again = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_INTEGRATION_DISCOVERY}, data=data
    )
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "already_configured"


async def test_startup_discovery_offers_the_house(
    hass: HomeAssistant, make_house: HouseFactory, adapters: list[dict[str, Any]]
) -> None:
    house = await make_house()
    adapters[0]["default"] = True  # in these tests the default route is loopback
    from homeassistant.setup import async_setup_component

    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done(wait_background_tasks=True)
    flows = [f for f in hass.config_entries.flow.async_progress() if f["handler"] == DOMAIN]
    assert len(flows) == 1
    placeholders = flows[0]["context"]["title_placeholders"]
    assert placeholders["objects"] == str(sum(len(n.objects) for n in house.nodes.values()))


async def test_startup_discovery_is_quiet_when_a_hub_exists(
    hass: HomeAssistant, make_house: HouseFactory, adapters: list[dict[str, Any]]
) -> None:
    await make_house()
    adapters[0]["default"] = True
    entry = hub_entry()
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not hass.config_entries.flow.async_progress()


async def test_reconfigure_moves_the_hub_to_another_interface(
    hass: HomeAssistant, make_house: HouseFactory, adapters: list[dict[str, Any]]
) -> None:
    await make_house()
    adapters.append(adapter("lo-alias", "127.0.0.1"))
    entry = await setup_hub(hass)
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_INTERFACE: "lo-alias"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.data[CONF_INTERFACE] == "lo-alias"
    assert entry.unique_id == "echonet_lo-alias"
    assert entry.title == "ECHONET Lite (lo-alias)"
    assert hass.states.get("sensor.storage_battery_state_of_charge") is not None


async def test_reconfigure_to_an_interface_that_already_has_a_hub(
    hass: HomeAssistant, make_house: HouseFactory, adapters: list[dict[str, Any]]
) -> None:
    adapters.append(adapter("lo-alias", "127.0.0.1"))
    entry = await setup_hub(hass)
    other = hub_entry()
    other.add_to_hass(hass)
    hass.config_entries.async_update_entry(other, unique_id="echonet_lo-alias")
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_INTERFACE: "lo-alias"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reconfigure_error_keeps_the_hub_running(
    hass: HomeAssistant, make_house: HouseFactory, adapters: list[dict[str, Any]]
) -> None:
    await make_house()
    adapters.append(adapter("gone0", "203.0.113.7"))
    entry = await setup_hub(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_INTERFACE: "gone0"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_open_interface"}
    await hass.async_block_till_done()
    assert entry.data[CONF_INTERFACE] == "lo"
    assert hass.states.get("sensor.storage_battery_state_of_charge") is not None


async def test_options_flow(
    hass: HomeAssistant, make_house: HouseFactory, adapters: list[dict[str, Any]]
) -> None:
    await make_house()
    entry = await setup_hub(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    schema = {str(k): k for k in result["data_schema"].schema}
    devices = (
        schema[CONF_DISABLED_DEVICES].container
        if hasattr(schema[CONF_DISABLED_DEVICES], "container")
        else None
    )
    assert devices is None or devices  # (selector options are checked below)
    options = result["data_schema"].schema[schema[CONF_DISABLED_DEVICES]].config["options"]
    battery = next(o["value"] for o in options if "Storage battery" in o["label"])

    bad = {CONF_FRESHNESS: 30, CONF_DISABLED_DEVICES: [], CONF_HOSTS: "1.2.3"}
    result = await hass.config_entries.options.async_configure(result["flow_id"], bad)
    assert result["errors"] == {CONF_HOSTS: "invalid_host"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            **bad,
            CONF_DISABLED_DEVICES: [battery],
            CONF_HOSTS: "127.0.5.5",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options[CONF_FRESHNESS] == 30
    assert entry.options[CONF_DISABLED_DEVICES] == [battery]
    assert entry.data[CONF_HOSTS] == ["127.0.5.5"]
    # The hub reloaded: the ignored device has no entities any more.
    state = hass.states.get("sensor.storage_battery_state_of_charge")
    assert state is None or state.state == "unavailable"
    hub = entry.runtime_data
    assert hub.freshness == 30
    coordinator = next(iter(hub.coordinators.values()))
    assert coordinator.planner.freshness == 30


async def test_user_step_without_a_menu(hass: HomeAssistant, make_house: HouseFactory) -> None:
    """With ECHONET Lite the only thing to set up, the user step is the interface form."""
    await make_house()
    with patch.object(HemsConfigFlow, "USER_MENU", ("echonet",)):
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "echonet"


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
            CONF_FRESHNESS: 20,
            CONF_DISABLED_DEVICES: [],
            CONF_HOSTS: " 127.0.5.5 ",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert dict(entry.data) == data_before
    assert entry.options[CONF_FRESHNESS] == 20


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
    adapters: list[dict[str, Any]],
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


async def test_startup_discovery_skips_adapters_without_devices(
    hass: HomeAssistant,
    adapters: list[dict[str, Any]],
) -> None:
    """No IPv4, not the default route, port busy, nothing answering: no flow is offered."""
    adapters[0]["default"] = True
    adapters.insert(0, {**adapter("wlan0", "127.0.0.1", default=True), "ipv4": []})
    adapters.append(adapter("eth1", "127.0.0.5"))  # not the default route
    blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    blocker.bind(("127.0.0.1", 3610))
    try:
        assert await async_setup_component(hass, DOMAIN, {})
        await hass.async_block_till_done(wait_background_tasks=True)
    finally:
        blocker.close()
    assert not hass.config_entries.flow.async_progress()


async def test_startup_discovery_with_nothing_answering(
    hass: HomeAssistant,
    adapters: list[dict[str, Any]],
) -> None:
    adapters[0]["default"] = True
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not hass.config_entries.flow.async_progress()
