"""Lights: general (0x0290), mono functional (0x0291) and lighting systems (0x02A3)."""

from __future__ import annotations

from typing import Any

from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest

from custom_components.hems.hub.catalog import PLATFORM_EPCS
from custom_components.hems.hub.light import LIGHT, nearest_color
from simulator import behaviours as b
from simulator.house import House, NodeSpec, _obj
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

LIVING = 0x029001
ENTRANCE = 0x029101


async def _call(hass: HomeAssistant, service: str, entity: str, **data: Any) -> None:
    await hass.services.async_call("light", service, {"entity_id": entity, **data}, blocking=True)


async def _living_light_on(hass: HomeAssistant, house: House) -> str:
    """Switch the living room light on at the wall (at noon the family leaves it off)."""
    light = house.obj("lighting", LIVING)
    entity = entity_id(hass, "light", light, "light")
    assert light.write(0x80, b.ON)  # its level stays at yesterday's 80 %
    await wait_for_state(hass, entity, lambda s: s.state == STATE_ON)
    return entity


def test_platform_epcs_match_the_catalog() -> None:
    assert set(LIGHT.epcs) == PLATFORM_EPCS[0x0290]
    assert set(LIGHT.epcs) - {0xB1} == PLATFORM_EPCS[0x0291] == PLATFORM_EPCS[0x02A3]


def test_colour_presets_snap_to_the_nearest() -> None:
    assert nearest_color(2000) == "incandescent"
    assert nearest_color(3400) == "incandescent"
    assert nearest_color(3500) == "white"
    assert nearest_color(4700) == "daylight_white"
    assert nearest_color(5800) == "daylight_color"
    assert nearest_color(9000) == "daylight_color"


async def test_lights_of_the_house(hass: HomeAssistant, make_house: HouseFactory) -> None:
    house, _entry = await start(hass, make_house)
    living_id = await _living_light_on(hass, house)
    living = state_of(hass, living_id)
    assert living.state == STATE_ON
    assert device_name(hass, living_id) == "Living room light"
    assert living.attributes["supported_color_modes"] == ["color_temp"]
    assert living.attributes["color_mode"] == "color_temp"
    assert living.attributes["brightness"] == 204  # 80 %
    assert living.attributes["color_temp_kelvin"] == 4200  # white
    assert (
        living.attributes["min_color_temp_kelvin"],
        living.attributes["max_color_temp_kelvin"],
    ) == (
        2700,
        6500,
    )
    entrance = state_of(hass, entity_id(hass, "light", house.obj("lighting", ENTRANCE), "light"))
    assert entrance.state == STATE_OFF
    assert entrance.attributes["supported_color_modes"] == ["onoff"]
    states = sorted(hass.states.async_all("light"), key=lambda s: s.entity_id)
    assert_golden("light_lights_of_the_house", snapshot_view(hass, states))


async def test_light_follows_pushed_changes(hass: HomeAssistant, make_house: HouseFactory) -> None:
    house, _entry = await start(hass, make_house)
    light = house.obj("lighting", LIVING)
    entity = await _living_light_on(hass, house)
    light.update({0xB0: bytes((50,)), 0xB1: b"\x41"})
    state = await wait_for_state(hass, entity, lambda s: s.attributes["brightness"] == 128)
    assert state.attributes["color_temp_kelvin"] == 2700
    light.update({0x80: b.OFF})
    await wait_for_state(hass, entity, lambda s: s.state == STATE_OFF)


async def test_light_actions_reach_the_device(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house, _entry = await start(hass, make_house)
    light = house.obj("lighting", LIVING)
    entity = entity_id(hass, "light", light, "light")

    await _call(hass, "turn_on", entity, brightness=128, color_temp_kelvin=4700)
    assert (light.values[0xB0], light.values[0xB1]) == (bytes((50,)), b"\x43")
    state = state_of(hass, entity)
    assert (state.attributes["brightness"], state.attributes["color_temp_kelvin"]) == (128, 5000)

    await _call(hass, "turn_on", entity, brightness=1)  # the lowest brightness stays on
    assert light.values[0xB0] == bytes((1,))
    await _call(hass, "turn_off", entity)
    assert light.values[0x80] == b.OFF
    assert state_of(hass, entity).state == STATE_OFF
    await _call(hass, "turn_on", entity, color_temp_kelvin=6500)
    assert (light.values[0x80], light.values[0xB1]) == (b.ON, b"\x44")
    assert state_of(hass, entity).state == STATE_ON

    entrance = house.obj("lighting", ENTRANCE)
    entity = entity_id(hass, "light", entrance, "light")
    await _call(hass, "turn_on", entity)
    assert entrance.values[0x80] == b.ON
    assert state_of(hass, entity).state == STATE_ON


async def test_light_refused_and_silent(hass: HomeAssistant, make_house: HouseFactory) -> None:
    house, _entry = await start(hass, make_house)
    light = house.obj("lighting", LIVING)
    entity = await _living_light_on(hass, house)
    light.set_map.discard(0xB0)  # the device stops accepting the light level
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "turn_on", entity, brightness=25)
    assert err.value.translation_key == "set_rejected"
    assert light.values[0xB0] == bytes((80,))
    assert state_of(hass, entity).attributes["brightness"] == 204

    house.node("lighting").quirks.silent = True
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "turn_off", entity)
    assert err.value.translation_key == "set_timeout"
    assert state_of(hass, entity).state == STATE_UNAVAILABLE


async def test_dimmable_and_read_only_lights(hass: HomeAssistant, make_house: HouseFactory) -> None:
    mono = _obj(0x029101, b.Light(), values={0x80: b.ON, 0xB0: bytes((30,))})
    system = _obj(0x02A301, b.Light(), values={0x80: b.ON, 0xB0: bytes((100,))})
    read_only(system, 0x80)  # a lighting system whose on/off cannot be set
    await start(hass, make_house, [NodeSpec("lights", [mono, system])])

    entity = entity_id(hass, "light", mono, "light")
    state = state_of(hass, entity)
    assert state.attributes["supported_color_modes"] == ["brightness"]
    assert state.attributes["brightness"] == 76
    await _call(hass, "turn_on", entity, brightness=255)
    assert mono.values[0xB0] == bytes((100,))
    assert state_of(hass, entity).attributes["brightness"] == 255

    entity = entity_id(hass, "light", system, "light")
    assert state_of(hass, entity).attributes["supported_color_modes"] == ["brightness"]
    await _call(hass, "turn_on", entity, brightness=128)  # only the level is set
    assert system.values[0xB0] == bytes((50,))
    for service in ("turn_off", "turn_on"):  # nothing to set without a brightness
        with pytest.raises(HomeAssistantError) as err:
            await _call(hass, service, entity)
        assert err.value.translation_key == "not_settable"
    assert system.values[0x80] == b.ON
    assert state_of(hass, entity).state == STATE_ON
