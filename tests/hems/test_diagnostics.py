"""Diagnostics of a hub entry and of its devices, against the virtual house."""

from __future__ import annotations

from datetime import timedelta
import json
import socket
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.hems.const import DOMAIN
from custom_components.hems.diagnostics import (
    async_get_config_entry_diagnostics,
    async_get_device_diagnostics,
)
from custom_components.hems.echonet.controller import Controller
from simulator.house import House

from .conftest import HouseFactory, hub_entry, settle, setup_hub
from .platform_helpers import START, discovery_of
from .test_services import hems_device

#: The failed entry's address: no other test binds it.
OWN_ADDRESS = "127.0.0.61"


async def _start(hass: HomeAssistant, make_house: HouseFactory) -> tuple[House, MockConfigEntry]:
    """The default house; the air conditioner answers at most 3 properties per Get."""
    house = await make_house(start=START, speed=1e-9)
    house.node("living-ac").quirks.truncate_above = 3
    house.node("ecocute").quirks.duplicate_answers = True  # every answer comes twice
    with patch.object(Controller, "async_discover", discovery_of(len(house.nodes))):
        entry = await setup_hub(hass)
    entry.runtime_data.controller.timeout = 0.2
    return house, entry


def _node(data: dict[str, Any], address: str) -> dict[str, Any]:
    nodes = data["controller"]["nodes"]
    return next(n for n in nodes if n["address"] == address)


async def test_entry_diagnostics(
    hass: HomeAssistant, make_house: HouseFactory, hass_client: ClientSessionGenerator
) -> None:
    house, entry = await _start(hass, make_house)
    # The battery stops answering: its polls time out.
    house.node("battery").quirks.silent = True
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11))
    await settle(hass)
    data = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert isinstance(data, dict)
    json.dumps(data)  # JSON all the way down
    assert data["entry"] == {
        "data": {"kind": "echonet", "interface": "lo", "address": "127.0.0.1", "hosts": []},
        "options": {"freshness": 10},
    }
    controller = data["controller"]
    assert controller["interface"] == "127.0.0.1"
    assert controller["frames_sent"] > 0 and controller["frames_received"] > 0
    assert len(controller["nodes"]) == len(house.nodes)
    # Nodes, their objects and maps.
    ac = _node(data, house.node("living-ac").address)
    assert ac["uid"] == house.node("living-ac").uid.hex()
    assert ac["manufacturer_code"] == "0x000008"
    assert ac["available"] is True
    (ac_obj,) = ac["objects"]
    assert ac_obj["eoj"] == "0x013001"
    assert ac_obj["class"] == "Home air conditioner"
    assert {"0x80", "0xB0", "0xB3", "0xBB"} <= set(ac_obj["get_map"])
    assert {"0x80", "0xB0", "0xB3"} <= set(ac_obj["set_map"])
    assert "0xB0" in ac_obj["inf_map"]
    assert ac_obj["values"]["0xB3"] == "16"  # 22 °C
    # The learned batch capacity of the device that truncates its answers.
    assert ac_obj["batch_capacity"] == 3
    assert ac_obj["batch_capacity_source"] == "truncated"
    # (the silent battery's Gets went unanswered: halved by silence)
    battery = _node(data, house.node("battery").address)
    others = [
        o for n in controller["nodes"] if n is not battery for o in n["objects"] if o is not ac_obj
    ]
    assert all(o["batch_capacity"] is None for o in others)
    # Latency of every node that answered; timeouts of the silent one.
    assert ac["stats"]["latency_avg_ms"] is not None
    assert ac["stats"]["latency_max_ms"] >= ac["stats"]["latency_avg_ms"] > 0
    battery = _node(data, house.node("battery").address)
    assert battery["available"] is False
    assert battery["stats"]["timeouts"] >= 1
    assert data["polling"][battery["uid"]]["last_update_success"] is False
    assert data["polling"][battery["uid"]]["update_interval_s"] == 20  # backed off
    assert data["polling"][ac["uid"]]["update_interval_s"] == 10
    assert "0xD3" in data["polling"][battery["uid"]]["fast_epcs"]["0x027D01"]  # power
    # Duplicated answers are ignored, and counted.
    ecocute = _node(data, house.node("ecocute").address)
    assert ecocute["stats"]["ignored_frames"] >= 1
    assert controller["ignored_frames"] >= ecocute["stats"]["ignored_frames"]
    # No secrets: there are none in a hub entry; nothing looks like a B-route ID or password.
    text = json.dumps(data).lower()
    assert "password" not in text and "rbid" not in text


async def test_device_diagnostics(
    hass: HomeAssistant, make_house: HouseFactory, hass_client: ClientSessionGenerator
) -> None:
    house, entry = await _start(hass, make_house)
    registry = dr.async_get(hass)
    node = house.node("living-ac")
    obj = house.obj("living-ac")
    device = hems_device(hass, f"{node.uid.hex()}-{obj.eoj}")
    data = await get_diagnostics_for_device(hass, hass_client, entry, device)
    assert isinstance(data, dict)
    json.dumps(data)
    assert data["node"]["uid"] == node.uid.hex()
    assert data["node"]["address"] == node.address
    assert data["node"]["available"] is True
    assert data["node"]["stats"]["answers"] > 0
    assert data["object"]["batch_capacity"] == 3
    assert data["object"]["values"]["0x80"] == "30"
    # A node with several objects has a device of its own.
    sensors = house.node("sensors")
    node_device = hems_device(hass, sensors.uid.hex())
    data = await get_diagnostics_for_device(hass, hass_client, entry, node_device)
    assert isinstance(data, dict)
    assert data["uid"] == sensors.uid.hex()
    assert len(data["objects"]) == len(sensors.objects) > 1
    # A device of the entry that the hub no longer knows has nothing to show.
    stale = registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, "gone")}
    )
    assert await async_get_device_diagnostics(hass, entry, stale) == {}


async def test_diagnostics_redact_secrets(hass: HomeAssistant, make_house: HouseFactory) -> None:
    """Keys that hold credentials are redacted wherever they appear."""
    _house, entry = await _start(hass, make_house)
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, "extra": [{"password": "secret", "rbid": "00112233"}]}
    )
    data = await async_get_config_entry_diagnostics(hass, entry)
    assert data["entry"]["options"]["extra"] == [
        {"password": "**REDACTED**", "rbid": "**REDACTED**"}
    ]
    assert "secret" not in json.dumps(data)


async def test_diagnostics_of_an_entry_that_failed_to_set_up(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """Port 3610 is busy: the entry waits to retry, and its diagnostics still download.

    The entry is on an address of its own (an interface Home Assistant does not list falls
    back to the stored address), which no other test binds: the port is busy because this
    test holds it, never because another test's socket is still closing."""
    blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    blocker.bind((OWN_ADDRESS, 3610))
    try:
        entry = hub_entry(interface="hems-gone0", address=OWN_ADDRESS)
        entry.add_to_hass(hass)
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.SETUP_RETRY
        data = await get_diagnostics_for_config_entry(hass, hass_client, entry)
        assert isinstance(data, dict)
        assert set(data) == {"entry"}
        device = dr.async_get(hass).async_get_or_create(
            config_entry_id=entry.entry_id, identifiers={(DOMAIN, "x")}
        )
        assert await async_get_device_diagnostics(hass, entry, device) == {}
    finally:
        blocker.close()
