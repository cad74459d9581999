"""Fans: air cleaners (0x0135) and ventilation fans (0x0133, 0x0134)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.fan import FanEntityFeature
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest

from custom_components.hems.hub.catalog import PLATFORM_EPCS
from custom_components.hems.hub.fan import FAN, FAN_CLASSES
from simulator import behaviours as b
from simulator.house import NodeSpec, _obj
from tests.golden import assert_golden

from .conftest import HouseFactory
from .platform_helpers import (
    device_name,
    entity_id,
    read_only,
    snapshot_view,
    start,
    state_of,
    wait_for_state,
)

ALL = (
    FanEntityFeature.SET_SPEED
    | FanEntityFeature.PRESET_MODE
    | FanEntityFeature.TURN_ON
    | FanEntityFeature.TURN_OFF
)


async def _call(hass: HomeAssistant, service: str, entity: str, **data: Any) -> None:
    await hass.services.async_call("fan", service, {"entity_id": entity, **data}, blocking=True)


def test_platform_epcs_match_the_catalog() -> None:
    for code in FAN_CLASSES:
        assert set(FAN.epcs) == PLATFORM_EPCS[code], hex(code)


async def test_air_cleaner(hass: HomeAssistant, make_house: HouseFactory) -> None:
    house, _entry = await start(hass, make_house)
    cleaner = house.obj("air-cleaner")
    entity = entity_id(hass, "fan", cleaner, "fan")
    state = state_of(hass, entity)
    assert state.state == STATE_ON
    assert device_name(hass, entity) == "Living room air cleaner"
    assert state.attributes["supported_features"] == ALL
    assert state.attributes["preset_modes"] == ["auto"]
    assert (state.attributes["percentage"], state.attributes["preset_mode"]) == (50, None)
    assert state.attributes["percentage_step"] == 12.5
    assert_golden("fan_air_cleaner", snapshot_view(hass, [state]))

    await _call(hass, "set_percentage", entity, percentage=100)
    assert cleaner.values[0xA0] == b"\x38"
    assert state_of(hass, entity).attributes["percentage"] == 100
    await _call(hass, "set_preset_mode", entity, preset_mode="auto")
    assert cleaner.values[0xA0] == b"\x41"
    state = state_of(hass, entity)
    assert (state.attributes["percentage"], state.attributes["preset_mode"]) == (None, "auto")
    await _call(hass, "turn_off", entity)
    assert cleaner.values[0x80] == b.OFF
    state = state_of(hass, entity)
    assert (state.state, state.attributes["percentage"]) == (STATE_OFF, 0)
    await _call(hass, "turn_on", entity, percentage=25)
    assert (cleaner.values[0x80], cleaner.values[0xA0]) == (b.ON, b"\x32")
    state = state_of(hass, entity)
    assert (state.state, state.attributes["percentage"]) == (STATE_ON, 25)
    await _call(hass, "set_percentage", entity, percentage=0)
    assert cleaner.values[0x80] == b.OFF
    await _call(hass, "turn_on", entity, preset_mode="auto")
    assert (cleaner.values[0x80], cleaner.values[0xA0]) == (b.ON, b"\x41")

    cleaner.update({0xA0: b"\x36"})  # changed on the unit
    await wait_for_state(hass, entity, lambda s: s.attributes["percentage"] == 75)
    cleaner.update({0x80: b.OFF})
    await wait_for_state(hass, entity, lambda s: s.state == STATE_OFF)


async def test_fan_refused_and_silent(hass: HomeAssistant, make_house: HouseFactory) -> None:
    house, _entry = await start(hass, make_house)
    cleaner = house.obj("air-cleaner")
    entity = entity_id(hass, "fan", cleaner, "fan")
    cleaner.set_map.discard(0xA0)
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "set_percentage", entity, percentage=100)
    assert err.value.translation_key == "set_rejected"
    assert state_of(hass, entity).attributes["percentage"] == 50

    house.node("air-cleaner").quirks.silent = True
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "turn_off", entity)
    assert err.value.translation_key == "set_timeout"
    assert state_of(hass, entity).state == STATE_UNAVAILABLE


async def test_ventilation_fans(hass: HomeAssistant, make_house: HouseFactory) -> None:
    fan = _obj(0x013301, b.Base(), values={0x80: b.OFF, 0xA0: b"\x41"})
    exchanger = _obj(0x013401, b.Base(), values={0x80: b.ON, 0xA0: b"\x31"}, omit=(0xB2,))
    await start(hass, make_house, [NodeSpec("ventilation", [fan, exchanger])])
    entity = entity_id(hass, "fan", fan, "fan")
    state = state_of(hass, entity)
    assert state.state == STATE_OFF
    assert state.attributes["supported_features"] == ALL
    assert state.attributes["preset_mode"] == "auto"
    await _call(hass, "turn_on", entity)
    assert fan.values[0x80] == b.ON
    state = state_of(hass, entity)
    assert (state.state, state.attributes["preset_mode"]) == (STATE_ON, "auto")

    entity = entity_id(hass, "fan", exchanger, "fan")
    assert state_of(hass, entity).attributes["percentage"] == 12
    await _call(hass, "set_percentage", entity, percentage=60)
    assert exchanger.values[0xA0] == b"\x35"
    assert state_of(hass, entity).attributes["percentage"] == 62


async def test_fans_with_read_only_properties(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """A fan whose on/off cannot be set (a speed is set alone) and one whose air flow cannot
    be set (on and off only)."""
    speed_only = read_only(_obj(0x013301, b.Base(), values={0x80: b.ON, 0xA0: b"\x41"}), 0x80)
    switch_only = read_only(_obj(0x013302, b.Base(), values={0x80: b.ON, 0xA0: b"\x31"}), 0xA0)
    await start(hass, make_house, [NodeSpec("ventilation", [speed_only, switch_only])])
    entity = entity_id(hass, "fan", speed_only, "fan")
    features = state_of(hass, entity).attributes["supported_features"]
    assert features == FanEntityFeature.SET_SPEED | FanEntityFeature.PRESET_MODE
    await _call(hass, "set_percentage", entity, percentage=100)
    assert speed_only.values[0xA0] == b"\x38"
    assert state_of(hass, entity).attributes["percentage"] == 100

    entity = entity_id(hass, "fan", switch_only, "fan")
    features = state_of(hass, entity).attributes["supported_features"]
    assert features == FanEntityFeature.TURN_ON | FanEntityFeature.TURN_OFF
    await _call(hass, "turn_off", entity)
    assert switch_only.values[0x80] == b.OFF
