"""Climate: air conditioners (0x0130) and floor heaters (0x027B) against the virtual house."""

from __future__ import annotations

from typing import Any

from homeassistant.components.climate import ClimateEntityFeature, HVACMode
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest

from custom_components.hems.hub.catalog import PLATFORM_EPCS
from custom_components.hems.hub.climate import AIR_CONDITIONER, FLOOR_HEATER
from simulator import behaviours as b
from simulator.house import NodeSpec, _obj
from simulator.quirks import Quirks
from tests.golden import assert_golden

from .conftest import HouseFactory
from .platform_helpers import (
    device_name,
    entity_id,
    obj_spec,
    read_only,
    snapshot_view,
    start,
    state_of,
    wait_for_state,
)

AC_FEATURES = (
    ClimateEntityFeature.TARGET_TEMPERATURE
    | ClimateEntityFeature.FAN_MODE
    | ClimateEntityFeature.SWING_MODE
    | ClimateEntityFeature.TURN_ON
    | ClimateEntityFeature.TURN_OFF
)


async def _call(hass: HomeAssistant, service: str, entity: str, **data: Any) -> None:
    await hass.services.async_call("climate", service, {"entity_id": entity, **data}, blocking=True)


def test_platform_epcs_match_the_catalog() -> None:
    assert set(AIR_CONDITIONER.epcs) == PLATFORM_EPCS[0x0130]
    assert set(FLOOR_HEATER.epcs) == PLATFORM_EPCS[0x027B]


async def test_climate_entities_of_the_house(hass: HomeAssistant, make_house: HouseFactory) -> None:
    house, _entry = await start(hass, make_house)
    living_id = entity_id(hass, "climate", house.obj("living-ac"), "climate")
    living = state_of(hass, living_id)
    assert living.state == HVACMode.HEAT  # a January noon: the family heats the living room
    attrs = living.attributes
    # the entity takes the device's name: its place and class
    assert device_name(hass, living_id) == "Living room air conditioner"
    assert attrs["supported_features"] == AC_FEATURES
    assert attrs["hvac_modes"] == ["off", "heat_cool", "cool", "heat", "dry", "fan_only"]
    assert attrs["fan_modes"] == ["auto", "1", "2", "3", "4", "5", "6", "7", "8"]
    assert attrs["swing_modes"] == ["off", "vertical", "horizontal", "both"]
    assert (attrs["temperature"], attrs["current_temperature"]) == (22, 22)
    assert attrs["current_humidity"] == 44  # dry winter air
    assert (attrs["fan_mode"], attrs["swing_mode"]) == ("auto", "off")
    bedroom = state_of(hass, entity_id(hass, "climate", house.obj("bedroom-ac"), "climate"))
    assert bedroom.state == HVACMode.OFF
    assert bedroom.attributes["fan_mode"] == "3"
    floor = state_of(hass, entity_id(hass, "climate", house.obj("floor-heater"), "climate"))
    assert floor.state == HVACMode.OFF
    assert floor.attributes["hvac_modes"] == ["off", "heat"]
    assert floor.attributes["supported_features"] == (
        ClimateEntityFeature.TARGET_TEMPERATURE
        | ClimateEntityFeature.TURN_ON
        | ClimateEntityFeature.TURN_OFF
    )
    assert floor.attributes["temperature"] == 22
    # the room (0xE2, the living room the air conditioner heats), not the floor (0xE3)
    assert floor.attributes["current_temperature"] == 22
    states = sorted(hass.states.async_all("climate"), key=lambda s: s.entity_id)
    assert_golden("climate_climate_entities_of_the_house", snapshot_view(hass, states))


async def test_air_conditioner_follows_pushed_changes(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house, _entry = await start(hass, make_house)
    ac = house.obj("living-ac")
    entity = entity_id(hass, "climate", ac, "climate")
    ac.update({0xB0: b"\x43", 0xB3: bytes((23,)), 0xA0: b"\x35", 0xA3: b"\x41"})
    state = await wait_for_state(hass, entity, lambda s: s.attributes["temperature"] == 23)
    assert state.state == HVACMode.HEAT
    assert (state.attributes["fan_mode"], state.attributes["swing_mode"]) == ("5", "vertical")
    ac.update({0x80: b.OFF})
    await wait_for_state(hass, entity, lambda s: s.state == HVACMode.OFF)


async def test_air_conditioner_actions_reach_the_device(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house, _entry = await start(hass, make_house)
    ac = house.obj("bedroom-ac")
    entity = entity_id(hass, "climate", ac, "climate")

    await _call(hass, "set_hvac_mode", entity, hvac_mode=HVACMode.DRY)
    assert (ac.values[0x80], ac.values[0xB0]) == (b.ON, b"\x44")
    assert state_of(hass, entity).state == HVACMode.DRY

    await _call(hass, "set_temperature", entity, temperature=21)
    assert ac.values[0xB3] == bytes((21,))
    assert state_of(hass, entity).attributes["temperature"] == 21

    await _call(hass, "set_temperature", entity, temperature=25, hvac_mode=HVACMode.HEAT_COOL)
    assert (ac.values[0xB0], ac.values[0xB3]) == (b"\x41", bytes((25,)))
    state = state_of(hass, entity)
    assert (state.state, state.attributes["temperature"]) == (HVACMode.HEAT_COOL, 25)

    await _call(hass, "set_fan_mode", entity, fan_mode="7")
    assert ac.values[0xA0] == b"\x37"
    assert state_of(hass, entity).attributes["fan_mode"] == "7"
    await _call(hass, "set_fan_mode", entity, fan_mode="auto")
    assert ac.values[0xA0] == b"\x41"
    assert state_of(hass, entity).attributes["fan_mode"] == "auto"

    await _call(hass, "set_swing_mode", entity, swing_mode="both")
    assert ac.values[0xA3] == b"\x43"
    assert state_of(hass, entity).attributes["swing_mode"] == "both"

    await _call(hass, "turn_off", entity)
    assert ac.values[0x80] == b.OFF
    assert state_of(hass, entity).state == HVACMode.OFF
    await _call(hass, "turn_on", entity)
    assert ac.values[0x80] == b.ON
    assert state_of(hass, entity).state == HVACMode.HEAT_COOL
    await _call(hass, "set_hvac_mode", entity, hvac_mode=HVACMode.OFF)
    assert ac.values[0x80] == b.OFF


async def test_air_conditioner_refused_and_silent(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house, _entry = await start(hass, make_house)
    ac = house.obj("living-ac")
    entity = entity_id(hass, "climate", ac, "climate")
    # The unit accepts 16-32 °C only: 15 °C is refused (SetC_SNA) and nothing changes.
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "set_temperature", entity, temperature=15)
    assert err.value.translation_key == "set_rejected"
    assert ac.values[0xB3] == bytes((22,))
    assert state_of(hass, entity).attributes["temperature"] == 22

    house.node("living-ac").quirks.silent = True
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "set_hvac_mode", entity, hvac_mode=HVACMode.HEAT)
    assert err.value.translation_key == "set_timeout"
    assert state_of(hass, entity).state == STATE_UNAVAILABLE


async def test_floor_heater_heats_to_a_temperature(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house, _entry = await start(hass, make_house)
    heater = house.obj("floor-heater")
    entity = entity_id(hass, "climate", heater, "climate")
    await _call(hass, "set_hvac_mode", entity, hvac_mode=HVACMode.HEAT)
    assert heater.values[0x80] == b.ON
    assert state_of(hass, entity).state == HVACMode.HEAT
    await _call(hass, "set_temperature", entity, temperature=28)
    assert heater.values[0xE0] == bytes((28,))
    assert state_of(hass, entity).attributes["temperature"] == 28
    heater.update({0xE0: bytes((24,))})  # changed at the heater's own panel
    await wait_for_state(hass, entity, lambda s: s.attributes["temperature"] == 24)
    await _call(hass, "turn_off", entity)
    assert heater.values[0x80] == b.OFF
    assert state_of(hass, entity).state == HVACMode.OFF
    # A temperature with a mode: both in one Set.
    await _call(hass, "set_temperature", entity, temperature=26, hvac_mode=HVACMode.HEAT)
    assert (heater.values[0x80], heater.values[0xE0]) == (b.ON, bytes((26,)))
    assert state_of(hass, entity).state == HVACMode.HEAT


async def test_floor_heater_with_levels_uses_presets(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    spec = obj_spec(
        "level-heater",
        0x027B01,
        b.FloorHeater(),
        omit=(0xE0,),
        values={0x80: b.ON, 0xD1: bytes((9,)), 0xE1: b"\x35"},
        inf=(0x80, 0xE1),
    )
    house, _entry = await start(hass, make_house, [spec])
    heater = house.obj("level-heater")
    entity = entity_id(hass, "climate", heater, "climate")
    state = state_of(hass, entity)
    assert state.state == HVACMode.HEAT
    assert state.attributes["supported_features"] == (
        ClimateEntityFeature.PRESET_MODE
        | ClimateEntityFeature.TURN_ON
        | ClimateEntityFeature.TURN_OFF
    )
    assert state.attributes["preset_modes"] == ["auto"] + [f"level_{n}" for n in range(1, 10)]
    assert state.attributes["preset_mode"] == "level_5"
    assert "temperature" not in state.attributes or state.attributes["temperature"] is None

    await _call(hass, "set_preset_mode", entity, preset_mode="level_7")
    assert heater.values[0xE1] == b"\x37"
    assert state_of(hass, entity).attributes["preset_mode"] == "level_7"
    await _call(hass, "set_preset_mode", entity, preset_mode="auto")
    assert heater.values[0xE1] == b"\x41"
    assert state_of(hass, entity).attributes["preset_mode"] == "auto"
    heater.update({0xE1: b"\x32"})
    await wait_for_state(hass, entity, lambda s: s.attributes["preset_mode"] == "level_2")


async def test_an_air_conditioner_that_only_reports(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """Network control switched off at the unit: its state is shown, no control offered.
    One that will not give its operation status: the mode is unknown, not guessed."""
    watched = _obj(0x013001, b.AirConditioner(), values={0x80: b.ON, 0xB0: b"\x42"})
    read_only(watched, *set(watched.set_map))
    hidden = _obj(0x013001, b.AirConditioner(), values={0x80: b.ON, 0xB0: b"\x42"})
    specs = [
        NodeSpec("watched", [watched]),
        NodeSpec("hidden", [hidden], quirks=Quirks(refuse_get={0x80})),
    ]
    await start(hass, make_house, specs)
    state = state_of(hass, entity_id(hass, "climate", watched, "climate"))
    assert state.state == HVACMode.COOL
    assert state.attributes["supported_features"] == 0
    assert state.attributes["hvac_modes"] == []
    assert "fan_modes" not in state.attributes and "swing_modes" not in state.attributes
    assert state_of(hass, entity_id(hass, "climate", hidden, "climate")).state == STATE_UNKNOWN


async def test_a_floor_heater_level_it_cannot_read_is_no_preset(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    heater = _obj(0x027B01, b.FloorHeater(), omit=(0xE0,), values={0x80: b.ON, 0xE1: b"\x35"})
    spec = NodeSpec("level-heater", [heater], quirks=Quirks(wrong_length={0xE1}))
    await start(hass, make_house, [spec])
    state = state_of(hass, entity_id(hass, "climate", heater, "climate"))
    assert state.attributes["supported_features"] & ClimateEntityFeature.PRESET_MODE
    assert state.attributes["preset_mode"] is None  # a malformed level is not "level_5"
