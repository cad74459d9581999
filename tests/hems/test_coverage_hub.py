"""Hub edge cases against the virtual house: values a device cannot take, failures while
setting, special values, devices the user switched off, odd identities, boards that are
slow to answer."""

from __future__ import annotations

from datetime import timedelta
import inspect
from unittest.mock import patch

from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.hems.const import CONF_DISABLED_DEVICES
from custom_components.hems.echonet import RequestTimeoutError
from custom_components.hems.hub.runtime import EchonetHub
from simulator import behaviours as b
from simulator.house import NodeSpec, _obj

from .conftest import HouseFactory, settle, setup_hub
from .platform_helpers import entity_id, start, state_of
from .test_services import hems_device

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
    hub = entry.runtime_data
    assert isinstance(hub, EchonetHub)
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
    """A node without a product code or version; an object without place, release, product."""
    spec = NodeSpec("plain", [_obj(0x001101, b.Sensor(), omit=(0x81, 0x82, 0x8C, 0x8D))])
    house = await make_house(specs=[spec])
    node = house.node("plain")
    node.profile.values.pop(0x82)
    node.profile.values.pop(0x8C)
    node.profile.get_map.difference_update({0x82, 0x8C})
    await setup_hub(hass)
    obj = house.obj("plain")
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

    with patch("custom_components.hems.hub.coordinator.refresh_board_channels", failing):
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
    node = house.node("sparse")
    sensor = house.obj("sparse", 0x001101)
    assert hems_device(hass, f"{node.uid.hex()}-{sensor.eoj}").sw_version == "Release R"


async def test_a_node_that_answers_cannot_be_removed(
    hass: HomeAssistant, make_house: HouseFactory, hass_ws_client: WebSocketGenerator
) -> None:
    house = await make_house()
    entry = await setup_hub(hass)
    assert await async_setup_component(hass, "config", {})
    node = hems_device(hass, house.node("battery").uid.hex())
    client = await hass_ws_client(hass)
    # pytest-homeassistant-custom-component 0.13.375 (HA 2026.10) removes a device as a
    # whole; 0.13.316 (HA 2026.2) removes it from one config entry.
    if len(inspect.signature(client.remove_device).parameters) == 2:
        response = await client.remove_device(node.id, entry.entry_id)
    else:
        response = await client.remove_device(node.id)
    assert not response["success"]
    assert dr.async_get(hass).async_get(node.id) is not None
