"""Hub lifecycle against the virtual house: push, polling, availability, dynamic devices,
IP changes, controls that confirm, unload/reload, repairs, removal."""

from __future__ import annotations

from datetime import timedelta
import inspect
import socket
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.hems.const import DOMAIN
from simulator import behaviours as b
from simulator.house import NodeSpec, _obj

from .conftest import HouseFactory, hub_entry, settle, setup_hub

MODE = "select.storage_battery_operation_mode"
SOC = "sensor.storage_battery_state_of_charge"


async def test_push_updates_state_without_polling(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house = await make_house()
    # No poll can come in between: the update must be the push itself.
    entry = await setup_hub(hass, poll_interval=3600, fast_poll_interval=3600)
    controller = entry.runtime_data.controller
    assert hass.states.get(MODE).state == "auto"
    battery = controller.node_at(house.node("battery").address)
    assert battery is not None
    asked = battery.stats.requests
    house.obj("battery").update({0xDA: b"\x42"})  # the battery announces (INF) a new mode
    await settle(hass)
    assert hass.states.get(MODE).state == "charging"
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
    for _ in range(40):  # the node announces its new instance list (INF 0xD5)
        await settle(hass)
        await entry.runtime_data.controller.wait_for_setups()
        if hass.states.get("sensor.temperature_sensor_3_temperature") is not None:
            break
    assert hass.states.get("sensor.temperature_sensor_3_temperature") is not None
    late = await make_house(
        specs=[NodeSpec("late-light", [_obj(0x029001, b.Light(), values={0x80: b.ON})])],
        announce=True,
    )
    late.node("late-light").announce_instances()
    for _ in range(20):
        await entry.runtime_data.controller.wait_for_setups()
        await hass.async_block_till_done()
        if len(er.async_entries_for_config_entry(registry, entry.entry_id)) > before + 2:
            break
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
    await node.move(new_address)
    for _ in range(20):
        await entry.runtime_data.controller.wait_for_setups()
        await hass.async_block_till_done()
        if entry.runtime_data.controller.node_at(new_address):
            break
    assert registry.async_get(MODE).unique_id == entity.unique_id
    assert len([e for e in registry.entities.values() if e.unique_id == entity.unique_id]) == 1
    house.obj("battery").update({0xDA: b"\x44"})
    await settle(hass)
    assert hass.states.get(MODE).state == "standby"
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
    parent = registry.async_get(device.via_device_id)
    assert parent is not None and (DOMAIN, battery.node.uid) in parent.identifiers
    ac = next(o for o in hub.controller.objects() if o.class_code == 0x0130)
    ac_device = _device(hass, entry.entry_id, f"{ac.node.uid}-{ac.eoj}")
    assert ac_device is not None and ac_device.suggested_area in ("Living room", "Room")
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
