"""Water heaters: the EcoCute (0x026B) and gas water heaters (0x0272)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.water_heater import WaterHeaterEntityFeature
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest

from custom_components.hems.hub.catalog import PLATFORM_EPCS
from custom_components.hems.hub.water_heater import WATER_HEATERS
from simulator import behaviours as b
from simulator.house import NodeSpec, _obj
from tests.golden import assert_golden

from .conftest import HouseFactory
from .platform_helpers import (
    entity_id,
    obj_spec,
    read_only,
    snapshot_view,
    start,
    state_of,
    wait_for_state,
)


async def _call(hass: HomeAssistant, service: str, entity: str, **data: Any) -> None:
    await hass.services.async_call(
        "water_heater", service, {"entity_id": entity, **data}, blocking=True
    )


def test_platform_epcs_match_the_catalog() -> None:
    for code, description in WATER_HEATERS.items():
        assert set(description.epcs) == PLATFORM_EPCS[code], hex(code)


async def test_ecocute(hass: HomeAssistant, make_house: HouseFactory) -> None:
    house, _entry = await start(hass, make_house)
    ecocute = house.obj("ecocute")
    entity = entity_id(hass, "water_heater", ecocute, "water_heater")
    state = state_of(hass, entity)
    assert state.state == "auto"
    assert state.attributes["friendly_name"] == "EcoCute"
    assert state.attributes["operation_list"] == ["auto", "manual_no_heating", "manual_heating"]
    assert state.attributes["supported_features"] == (
        WaterHeaterEntityFeature.TARGET_TEMPERATURE | WaterHeaterEntityFeature.OPERATION_MODE
    )
    assert (state.attributes["temperature"], state.attributes["current_temperature"]) == (65, 65)
    assert_golden("water_heater_ecocute", snapshot_view(hass, [state]))
    # litres are shown as whole litres
    registry = er.async_get(hass)
    for key in ("remaining_hot_water", "tank_capacity"):
        entry = registry.async_get(entity_id(hass, "sensor", ecocute, key))
        assert entry is not None and entry.options["sensor"]["suggested_display_precision"] == 0

    await _call(hass, "set_operation_mode", entity, operation_mode="manual_heating")
    assert ecocute.values[0xB0] == b"\x42"
    assert state_of(hass, entity).state == "manual_heating"
    await _call(hass, "set_temperature", entity, temperature=75)
    assert ecocute.values[0xB3] == bytes((75,))
    assert state_of(hass, entity).attributes["temperature"] == 75

    # Extra boiling ends by itself once the tank is full: the EcoCute announces it.
    ecocute.update({0xB0: b"\x43"})
    await wait_for_state(hass, entity, lambda s: s.state == "manual_no_heating")


async def test_ecocute_refused_and_silent(hass: HomeAssistant, make_house: HouseFactory) -> None:
    house, _entry = await start(hass, make_house)
    ecocute = house.obj("ecocute")
    entity = entity_id(hass, "water_heater", ecocute, "water_heater")
    ecocute.set_map.discard(0xB3)  # the unit refuses temperature changes
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "set_temperature", entity, temperature=80)
    assert err.value.translation_key == "set_rejected"
    assert state_of(hass, entity).attributes["temperature"] == 65

    house.node("ecocute").quirks.silent = True
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "set_operation_mode", entity, operation_mode="manual_heating")
    assert err.value.translation_key == "set_timeout"
    assert ecocute.values[0xB0] == b"\x41"
    assert state_of(hass, entity).state == STATE_UNAVAILABLE


async def test_gas_water_heater(hass: HomeAssistant, make_house: HouseFactory) -> None:
    spec = obj_spec(
        "gas", 0x027201, b.Base(), values={0x80: b.ON, 0xD1: bytes((40,))}, inf=(0x80, 0xD1)
    )
    house, _entry = await start(hass, make_house, [spec])
    heater = house.obj("gas")
    entity = entity_id(hass, "water_heater", heater, "water_heater")
    state = state_of(hass, entity)
    assert state.state == "on"
    assert state.attributes["operation_list"] == ["on", "off"]
    assert state.attributes["supported_features"] == (
        WaterHeaterEntityFeature.TARGET_TEMPERATURE
        | WaterHeaterEntityFeature.OPERATION_MODE
        | WaterHeaterEntityFeature.ON_OFF
    )
    assert (state.attributes["temperature"], state.attributes["current_temperature"]) == (40, None)

    await _call(hass, "set_temperature", entity, temperature=42)
    assert heater.values[0xD1] == bytes((42,))
    assert state_of(hass, entity).attributes["temperature"] == 42
    await _call(hass, "turn_off", entity)
    assert heater.values[0x80] == b.OFF
    assert state_of(hass, entity).state == "off"
    await _call(hass, "set_operation_mode", entity, operation_mode="on")
    assert heater.values[0x80] == b.ON
    assert state_of(hass, entity).state == "on"
    heater.update({0x80: b.OFF, 0xD1: bytes((38,))})
    state = await wait_for_state(hass, entity, lambda s: s.state == "off")
    await wait_for_state(hass, entity, lambda s: s.attributes["temperature"] == 38)
    await _call(hass, "turn_on", entity)
    assert heater.values[0x80] == b.ON


async def test_water_heater_with_nothing_to_set(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """A gas water heater whose temperature and operation status are read-only: shown, with
    no features."""
    heater = read_only(
        _obj(0x027201, b.Base(), values={0x80: b.ON, 0xD1: bytes((40,))}), 0x80, 0xD1
    )
    await start(hass, make_house, [NodeSpec("gas", [heater])])
    state = state_of(hass, entity_id(hass, "water_heater", heater, "water_heater"))
    assert (state.state, state.attributes["temperature"]) == ("on", 40)
    assert state.attributes["supported_features"] == 0
