"""Hub lifecycle against the virtual house: push, polling, availability, dynamic devices,
IP changes, controls that confirm, unload/reload, repairs, removal."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
from datetime import timedelta
import inspect
import socket
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.entity_platform import async_get_platforms
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.hems.const import CONF_DISABLED_DEVICES, DOMAIN
from custom_components.hems.echonet import RequestTimeoutError
from custom_components.hems.hub import KIND as HUB
from custom_components.hems.kinds import runtime_of
from simulator import behaviours as b
from simulator.house import NodeSpec, _obj
from tests.waiting import wait_for

from .conftest import HouseFactory, hub_entry, settle, setup_hub
from .platform_helpers import entity_id, start, state_of
from .test_services import hems_device

MODE = "select.storage_battery_operation_mode"
SOC = "sensor.storage_battery_state_of_charge"


async def test_push_updates_state_without_polling(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house = await make_house()
    # No poll can come in between: the update must be the push itself.
    entry = await setup_hub(hass, freshness=600)
    controller = entry.runtime_data.controller
    assert hass.states.get(MODE).state == "auto"
    battery = controller.node_at(house.node("battery").address)
    assert battery is not None
    asked = battery.stats.requests
    house.obj("battery").update({0xDA: b"\x42"})  # the battery announces (INF) a new mode
    await wait_for(lambda: hass.states.get(MODE).state == "charging", what="the pushed mode")
    assert battery.stats.requests == asked  # nothing was asked of the battery


async def test_polling_picks_up_unannounced_changes(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house = await make_house()
    await setup_hub(hass)
    battery = house.obj("battery")
    battery.values[0xE4] = bytes((91,))  # changed silently: 0xE4 is not announced
    await hass.async_block_till_done()
    assert hass.states.get(SOC).state != "91"
    # The full refresh comes every sixth poll (60 s / 10 s).
    for step in range(1, 7):
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11 * step))
        await settle(hass)
    assert hass.states.get(SOC).state == "91"


async def test_fast_interval_refreshes_power(hass: HomeAssistant, make_house: HouseFactory) -> None:
    house = await make_house()
    await setup_hub(hass)
    house.obj("solar").values[0xE0] = (1234).to_bytes(2, "big")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11))
    await settle(hass)
    assert hass.states.get("sensor.solar_power_solar_power").state == "1234"


async def test_select_confirms_with_the_device(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house = await make_house()
    await setup_hub(hass)
    await hass.services.async_call(
        "select", "select_option", {"entity_id": MODE, "option": "discharging"}, blocking=True
    )
    assert house.obj("battery").values[0xDA] == b"\x43"
    assert hass.states.get(MODE).state == "discharging"


async def test_refused_set_raises_a_translated_error(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house = await make_house()
    await setup_hub(hass)
    house.node("battery").quirks.refuse_set = {0xDA}
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "select", "select_option", {"entity_id": MODE, "option": "charging"}, blocking=True
        )
    assert err.value.translation_key == "set_rejected"
    assert err.value.translation_placeholders["property"] == "Operation mode setting"
    assert hass.states.get(MODE).state == "auto"  # the device's real state


async def test_silent_device_timeout_unavailable_and_back(
    hass: HomeAssistant, make_house: HouseFactory, caplog: pytest.LogCaptureFixture
) -> None:
    house = await make_house()
    entry = await setup_hub(hass)
    entry.runtime_data.controller.timeout = 0.2
    house.node("battery").quirks.silent = True
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "select", "select_option", {"entity_id": MODE, "option": "charging"}, blocking=True
        )
    assert err.value.translation_key == "set_timeout"
    assert hass.states.get(MODE).state == STATE_UNAVAILABLE
    assert hass.states.get(SOC).state == STATE_UNAVAILABLE
    # Other devices are unaffected.
    assert hass.states.get("sensor.solar_power_solar_power").state != STATE_UNAVAILABLE
    # Polls keep failing quietly (logged once), then the device answers again.
    for step in (1, 2):
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=120 * step))
        await settle(hass)
    house.node("battery").quirks.silent = False
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=700))
    await settle(hass)
    assert hass.states.get(SOC).state != STATE_UNAVAILABLE
    messages = [r.getMessage() for r in caplog.records]
    assert sum("stopped answering" in m for m in messages) == 1
    assert sum("answering again" in m for m in messages) == 1


async def test_new_object_and_new_node_appear_without_reload(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house = await make_house()
    entry = await setup_hub(hass)
    registry = er.async_get(hass)
    before = len(er.async_entries_for_config_entry(registry, entry.entry_id))
    house.node("sensors").add_object(_obj(0x001103, b.Sensor(), name="Attic temperature"))
    controller = entry.runtime_data.controller

    def found(condition: Callable[[], bool]) -> Callable[[], Awaitable[bool]]:
        async def check() -> bool:
            await controller.wait_for_setups()
            await settle(hass)  # background tasks too (nothing left running at teardown)
            return condition()

        return check

    # The node announces its new instance list (INF 0xD5).
    sensors = house.node("sensors")
    attic_id = f"{sensors.uid.hex()}-0x001103-temperature"

    def attic() -> str | None:
        return registry.async_get_entity_id("sensor", DOMAIN, attic_id)

    await wait_for(found(lambda: attic() is not None), what="the new object")
    # The other temperature sensors have a place; this one has none: it is just the class.
    assert attic() == "sensor.temperature_sensor_temperature"
    assert hass.states.get(attic() or "") is not None
    late = await make_house(
        specs=[NodeSpec("late-light", [_obj(0x029001, b.Light(), values={0x80: b.ON})])],
        announce=True,
    )
    late.node("late-light").announce_instances()

    def count() -> int:
        return len(er.async_entries_for_config_entry(registry, entry.entry_id))

    await wait_for(found(lambda: count() > before + 2), what="the new node's entities")
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert any(d.model_id == "0x0290" and d.via_device_id for d in devices)
    assert len(er.async_entries_for_config_entry(registry, entry.entry_id)) > before + 2


async def test_ip_change_keeps_the_same_entities(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house = await make_house()
    entry = await setup_hub(hass)
    registry = er.async_get(hass)
    entity = registry.async_get(MODE)
    assert entity is not None
    node = house.node("battery")
    new_address = node.address.rsplit(".", 1)[0] + ".222"
    controller = entry.runtime_data.controller
    # The move is accepted once the old address stays silent (no quicker on loopback).
    controller.timeout = 0.3
    await node.move(new_address)

    async def moved() -> bool:
        await controller.wait_for_setups()
        await hass.async_block_till_done()
        return controller.node_at(new_address) is not None

    await wait_for(moved, what="the node at its new address")
    assert registry.async_get(MODE).unique_id == entity.unique_id
    assert len([e for e in registry.entities.values() if e.unique_id == entity.unique_id]) == 1
    house.obj("battery").update({0xDA: b"\x44"})
    await wait_for(lambda: hass.states.get(MODE).state == "standby", what="the pushed mode")
    await hass.services.async_call(
        "select", "select_option", {"entity_id": MODE, "option": "charging"}, blocking=True
    )
    assert house.obj("battery").values[0xDA] == b"\x42"


async def test_unload_and_reload_leave_nothing_behind(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    await make_house()
    entry = await setup_hub(hass)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get(SOC).state != STATE_UNAVAILABLE
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    # The port is free again (sockets closed); lingering tasks/timers fail the test harness.
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 3610))
    probe.close()


async def test_busy_port_repair_issue(hass: HomeAssistant, make_house: HouseFactory) -> None:
    await make_house()
    blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    blocker.bind(("127.0.0.1", 3610))
    entry = hub_entry()
    entry.add_to_hass(hass)
    try:
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.SETUP_RETRY
        issue = ir.async_get(hass).async_get_issue(DOMAIN, f"port_in_use_{entry.entry_id}")
        assert issue is not None
        assert issue.translation_key == "port_in_use"
        assert "pid" in issue.translation_placeholders["owner"]
    finally:
        blocker.close()
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"port_in_use_{entry.entry_id}") is None


async def test_unbindable_address_is_not_ready(hass: HomeAssistant) -> None:
    entry = hub_entry()
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, "interface": "gone0", "address": "203.0.113.7"}
    )
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_devices_and_removal_of_a_silent_one(
    hass: HomeAssistant, make_house: HouseFactory, hass_ws_client: WebSocketGenerator
) -> None:
    house = await make_house()
    entry = await setup_hub(hass)
    entry.runtime_data.controller.timeout = 0.2
    assert await async_setup_component(hass, "config", {})
    registry = dr.async_get(hass)
    hub = entry.runtime_data
    battery = next(o for o in hub.controller.objects() if o.class_code == 0x027D)
    device = _device(hass, entry.entry_id, f"{battery.node.uid}-{battery.eoj}")
    assert device is not None
    assert device.manufacturer == "Nichicon"
    assert device.model == "ESS-U4M1"
    assert device.model_id == "0x027D"
    assert device.serial_number
    # The battery is its node's only object: one device, no empty node device above it.
    assert device.via_device_id is None
    assert _device(hass, entry.entry_id, battery.node.uid) is None
    sensor = next(o for o in hub.controller.objects() if o.class_code == 0x0011)
    sensor_device = _device(hass, entry.entry_id, f"{sensor.node.uid}-{sensor.eoj}")
    assert sensor_device is not None and sensor_device.via_device_id is not None
    parent = registry.async_get(sensor_device.via_device_id)
    assert parent is not None and (DOMAIN, sensor.node.uid) in parent.identifiers
    ac = next(o for o in hub.controller.objects() if o.class_code == 0x0130)
    ac_device = _device(hass, entry.entry_id, f"{ac.node.uid}-{ac.eoj}")
    assert ac_device is not None and ac_device.area_id in ("living_room", "room_1")
    client = await hass_ws_client(hass)
    response = await _remove(client, device.id, entry.entry_id)
    assert not response["success"]  # it still answers
    house.node("battery").quirks.silent = True
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11))
    await settle(hass)
    assert not battery.node.available
    response = await _remove(client, device.id, entry.entry_id)
    assert response["success"]
    assert registry.async_get(device.id) is None


def _device(hass: HomeAssistant, entry_id: str, identifier: str) -> dr.DeviceEntry | None:
    """The entry's device with an identifier (async_get_device is deprecated in 2026.10)."""
    for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry_id):
        if (DOMAIN, identifier) in device.identifiers:
            return device
    return None


async def _remove(client: Any, device_id: str, entry_id: str) -> dict[str, Any]:
    """Remove a device through the websocket API (2026.10's test client removes it as a
    whole; 2026.2's from one config entry)."""
    if len(inspect.signature(client.remove_device).parameters) == 2:
        response: dict[str, Any] = await client.remove_device(device_id, entry_id)
    else:
        response = await client.remove_device(device_id)
    return response


async def test_shutdown_closes_the_sockets(hass: HomeAssistant, make_house: HouseFactory) -> None:
    await make_house()
    entry = await setup_hub(hass)
    await hass.async_stop()
    assert not entry.runtime_data.controller.transport.started


MODE = "select.storage_battery_operation_mode"


async def test_number_value_the_device_cannot_take(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house, _entry = await start(hass, make_house)
    v2h = house.obj("v2h")
    number = entity_id(hass, "number", v2h, "charge_amount")
    await hass.services.async_call(
        "number", "set_value", {"entity_id": number, "value": 2500}, blocking=True
    )
    assert int.from_bytes(v2h.values[0xE7], "big") == 2500
    assert float(state_of(hass, number).state) == 2500
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "number", "set_value", {"entity_id": number, "value": 2500.5}, blocking=True
        )
    assert err.value.translation_key == "invalid_value"
    assert int.from_bytes(v2h.values[0xE7], "big") == 2500


async def test_set_fails_when_the_hub_cannot_send(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house, entry = await start(hass, make_house)
    transport = entry.runtime_data.controller.transport
    transport.close()
    await transport.wait_closed()
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "select", "select_option", {"entity_id": MODE, "option": "charging"}, blocking=True
        )
    assert err.value.translation_key == "set_failed"
    assert err.value.translation_placeholders["device"] == "Storage battery"
    assert house.obj("battery").values[0xDA] == b"\x46"


async def test_special_values_show_as_unknown(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house, _entry = await start(hass, make_house)
    ac = house.obj("living-ac")
    room = entity_id(hass, "sensor", ac, "room_temperature")
    assert state_of(hass, room).state == "22"
    ac.values[0xBB] = b"\x7e"  # "overflow": the device cannot tell (not announced)
    for step in range(1, 7):  # the full refresh comes every sixth poll
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11 * step))
        await settle(hass)
    assert state_of(hass, room).state == STATE_UNKNOWN


async def test_devices_switched_off_in_the_options(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house = await make_house()
    battery = house.obj("battery")
    assert battery.node is not None
    identifier = f"{battery.node.uid.hex()}-{battery.eoj}"
    entry = await setup_hub(hass, **{CONF_DISABLED_DEVICES: [identifier]})
    hub = runtime_of(entry, HUB)
    assert hass.states.get(MODE) is None
    assert hass.states.get("sensor.solar_power_solar_power") is not None
    coordinator = hub.coordinators[battery.node.uid.hex()]
    assert coordinator.objects == []
    # Polls skip it: a silent change is never read.
    battery.values[0xE4] = bytes((12,))
    for step in range(1, 7):
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11 * step))
        await settle(hass)
    obj = hub.controller.get_object(battery.node.uid.hex(), battery.eoj)
    assert obj.values[0xE4] != bytes((12,))


async def test_identity_without_product_or_release(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """A node without a product code or version; objects without place, release, product."""
    spec = NodeSpec(
        "plain",
        [
            _obj(0x001101, b.Sensor(), omit=(0x81, 0x82, 0x8C, 0x8D)),
            _obj(0x001201, b.Sensor(), omit=(0x81, 0x82, 0x8C, 0x8D)),
        ],
    )
    house = await make_house(specs=[spec])
    node = house.node("plain")
    node.profile.values.pop(0x82)
    node.profile.values.pop(0x8C)
    node.profile.get_map.difference_update({0x82, 0x8C})
    await setup_hub(hass)
    obj = house.obj("plain", 0x001101)
    device = hems_device(hass, f"{node.uid.hex()}-{obj.eoj}")
    assert device.model == "Temperature sensor"  # the class, as the product is unknown
    assert device.sw_version is None
    assert device.serial_number is None
    parent = hems_device(hass, node.uid.hex())
    assert parent.name == f"ECHONET Lite {node.address}"
    assert parent.sw_version is None
    assert device.via_device_id == parent.id


async def test_board_circuits_read_late_when_the_board_is_slow(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """The board's node has another object; the first circuit read fails, a poll retries."""
    board = b.DistributionBoard(circuits=4)
    spec = NodeSpec(
        "board-node",
        [
            _obj(0x028701, board, values={0xB2: b"\x01\x04", 0xB4: b"\x01\x04", 0xB6: b"\x01\x04"}),
            _obj(0x001101, b.Sensor()),
        ],
    )
    house = await make_house(specs=[spec])
    node = house.node("board-node")
    calls = 0

    async def failing(*_args: object, **_kw: object) -> None:
        nonlocal calls
        calls += 1
        raise RequestTimeoutError("board did not answer")

    with patch("custom_components.hems.echonet.poller.refresh_board_channels", failing):
        entry = await setup_hub(hass)
        await settle(hass)
    assert calls == 1
    hub = entry.runtime_data
    assert node.uid.hex() in hub.coordinators
    registry = er.async_get(hass)
    assert any(
        e.unique_id.endswith("-main_power")
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
    )


async def test_devices_without_the_properties_of_curated_entities(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """Objects that lack what a curated entity needs simply do not get that entity."""
    spec = NodeSpec(
        "sparse",
        [
            _obj(0x026B01, b.WaterHeater(), omit=(0xE3,)),  # no bath auto mode
            _obj(0x026F01, b.Lock(), omit=(0xE4,)),  # no occupancy
            _obj(0x027D01, b.Battery(), omit=(0xDA,)),  # no operation mode
            _obj(0x027E01, b.EvCharger(), omit=(0xE7,)),  # no charge amount
            # A board that lists no circuits (no per-circuit lists or channel properties):
            # no circuit sensors.
            _obj(
                0x028701,
                b.DistributionBoard(circuits=2),
                omit=(0xB3, 0xB7, *range(0xD0, 0xF0)),
            ),
            # An object with an appendix release (0x82: 00 00 'R' 00).
            _obj(0x001101, b.Sensor(), values={0x82: b"\x00\x00R\x00"}),
        ],
    )
    house = await make_house(specs=[spec])
    entry = await setup_hub(hass)
    keys = {
        e.unique_id.split("-", 1)[1]
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    }
    assert "0x026B01-manual_boiling" in keys and "0x026B01-bath_auto" not in keys
    assert "0x026F01-door" in keys and "0x026F01-occupancy" not in keys
    assert "0x027D01-state_of_charge" in keys and "0x027D01-operation_mode" not in keys
    assert "0x027E01-ev_power" in keys and "0x027E01-charge_amount" not in keys
    assert "0x028701-main_power" in keys
    assert not any(key.startswith("0x028701-circuit_") for key in keys)
    node = house.node("sparse")
    sensor = house.obj("sparse", 0x001101)
    assert hems_device(hass, f"{node.uid.hex()}-{sensor.eoj}").sw_version == "Release R"


async def test_a_node_that_answers_cannot_be_removed(
    hass: HomeAssistant, make_house: HouseFactory, hass_ws_client: WebSocketGenerator
) -> None:
    house = await make_house()
    entry = await setup_hub(hass)
    assert await async_setup_component(hass, "config", {})
    battery = house.node("battery")
    node = hems_device(hass, f"{battery.uid.hex()}-0x027D01")  # its node's only object
    client = await hass_ws_client(hass)
    # pytest-homeassistant-custom-component 0.13.375 (HA 2026.10) removes a device as a
    # whole; 0.13.316 (HA 2026.2) removes it from one config entry.
    if len(inspect.signature(client.remove_device).parameters) == 2:
        response = await client.remove_device(node.id, entry.entry_id)
    else:
        response = await client.remove_device(node.id)
    assert not response["success"]
    assert dr.async_get(hass).async_get(node.id) is not None


async def test_a_silent_device_does_not_hold_up_commands_to_another(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """PARALLEL_UPDATES = 0: one action on every climate entity does not wait for a silent
    air conditioner before setting the next one (the controller serialises per node only)."""
    house = await make_house()
    entry = await setup_hub(hass)
    controller = runtime_of(entry, HUB).controller
    controller.timeout = controller.max_timeout = 60.0  # the silent one stays pending
    registry = er.async_get(hass)
    node_of = {house.node(name).uid.hex(): name for name in ("living-ac", "bedroom-ac")}
    platform = next(p for p in async_get_platforms(hass, DOMAIN) if p.domain == "climate")
    # The air conditioners in the order the action handles them (the platform's order).
    order = [
        node_of[uid]
        for entity in platform.entities
        if (item := registry.async_get(entity)) is not None
        for uid in node_of
        if item.unique_id.startswith(uid)
    ]
    first, last = order[0], order[-1]
    assert first != last
    silent = house.node(first)
    silent.quirks.silent = True
    node = next(n for n in controller.nodes.values() if n.address == silent.address)
    pending = hass.async_create_task(
        hass.services.async_call(
            "climate", "set_temperature", {"entity_id": "all", "temperature": 24}, blocking=True
        )
    )
    await wait_for(lambda: node.lock.locked, what="the request to the silent device")
    await wait_for(
        lambda: house.obj(last).values[0xB3] == bytes((24,)),
        what="the other air conditioner to be set",
    )
    assert not pending.done()  # still waiting for the silent device
    pending.cancel()
    with contextlib.suppress(asyncio.CancelledError, HomeAssistantError):
        await pending
