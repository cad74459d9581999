"""The generic fallback on every class the definitions know (the "full" house).

Each class gets one simulated object that supports every property of its class.  The generic
entities are disabled by default; here the user enables all of them, and they show values
and control the simulated devices like the curated ones.
"""

from __future__ import annotations

import json
from typing import Any
from unittest.mock import patch

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest

from custom_components.hems.echonet.controller import Controller
from custom_components.hems.echonet.definitions import get_class
from custom_components.hems.echonet.propmap import encode_property_map
from custom_components.hems.hub.generic import GenericEntities, Kind, generic_entities, kind_of
from simulator import behaviours as b
from simulator.device import SimObject
from simulator.house import House, NodeSpec, _obj

from .conftest import HouseFactory, settle, setup_hub
from .platform_helpers import START, discovery_of, start, state_of


@pytest.fixture
async def full_house(hass: HomeAssistant, make_house: HouseFactory) -> House:
    """The full house, with every entity of the hub enabled."""
    house = await make_house("full", start=START, speed=1e-9)
    with patch.object(Controller, "async_discover", discovery_of(len(house.nodes))):
        entry = await setup_hub(hass)
    await settle(hass)
    registry = er.async_get(hass)
    for e in er.async_entries_for_config_entry(registry, entry.entry_id):
        if e.disabled_by is not None:
            registry.async_update_entity(e.entity_id, disabled_by=None)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    entry.runtime_data.controller.timeout = 0.3
    return house


def _sim(house: House, class_code: int) -> SimObject:
    (obj,) = house.find(class_code)
    return obj


def _entity(hass: HomeAssistant, domain: str, obj: SimObject, epc: int) -> str:
    assert obj.node is not None
    unique_id = f"{obj.node.uid.hex()}-{obj.eoj}-x{epc:02x}"
    found = er.async_get(hass).async_get_entity_id(domain, "hems", unique_id)
    assert found is not None, unique_id
    return found


async def _call(hass: HomeAssistant, domain: str, service: str, entity: str, **data: Any) -> None:
    await hass.services.async_call(domain, service, {"entity_id": entity, **data}, blocking=True)


async def test_every_generic_entity_has_a_state(hass: HomeAssistant, full_house: House) -> None:
    states = [s for s in hass.states.async_all() if s.entity_id.split(".")[0] != "event"]
    assert len(states) > 1000
    assert not [s.entity_id for s in states if s.state == STATE_UNAVAILABLE]
    sensors = [s for s in states if s.domain == "sensor"]
    enums = [s for s in sensors if s.attributes.get("device_class") == SensorDeviceClass.ENUM]
    assert enums
    for state in enums:
        assert state.state in (*state.attributes["options"], STATE_UNKNOWN), state.entity_id
    # Structured values: a compact JSON state with the whole value as an attribute.
    structured = [s for s in sensors if "value" in s.attributes]
    assert structured
    for state in structured:
        # (at most 255 characters: a longer one is cut)
        assert len(state.state) == 255 or json.loads(state.state) == state.attributes["value"]
    # Units the MRA names and Home Assistant knows are used as such.
    units = {s.attributes.get("unit_of_measurement") for s in sensors}
    assert {"W", "kWh", "°C", "%", "A", "V"} <= units


async def test_generic_switch_select_number_button(hass: HomeAssistant, full_house: House) -> None:
    washer = _sim(full_house, 0x03D3)
    # A switch over a two-state property.
    switch = _entity(hass, "switch", washer, 0x80)
    await _call(hass, "switch", "turn_off", switch)
    assert washer.values[0x80] == b"\x31"
    assert state_of(hass, switch).state == "off"
    await _call(hass, "switch", "turn_on", switch)
    assert washer.values[0x80] == b"\x30"
    assert state_of(hass, switch).state == "on"
    # A select over an enumeration.
    select = _entity(hass, "select", washer, 0xD2)
    options = state_of(hass, select).attributes["options"]
    choice = next(o for o in options if o != state_of(hass, select).state)
    await _call(hass, "select", "select_option", select, option=choice)
    assert state_of(hass, select).state == choice
    # A number with a range, and one with levels.
    cls = get_class(0x03D3)
    assert cls is not None
    ranged = next(
        e
        for e in generic_entities(_hub_obj(hass, washer)).numbers
        if kind_of(cls.get(e.epcs[0])) is Kind.NUMBER
    )
    number = _entity(hass, "number", washer, ranged.epcs[0])
    value = ranged.native_max_value
    await _call(hass, "number", "set_value", number, value=value)
    assert float(state_of(hass, number).state) == value
    # A button writes the one value of a set-only property.
    ac = _sim(full_house, 0x0130)
    button = _entity(hass, "button", ac, 0xD0)
    await _call(hass, "button", "press", button)
    assert 0xD0 in ac.values
    assert state_of(hass, button).state != STATE_UNKNOWN  # the time of the last press


def _hub_obj(hass: HomeAssistant, obj: SimObject) -> Any:
    entry = hass.config_entries.async_entries("hems")[0]
    assert obj.node is not None
    return entry.runtime_data.controller.get_object(obj.node.uid.hex(), obj.eoj)


async def test_generic_entities_are_cached(hass: HomeAssistant, full_house: House) -> None:
    obj = _hub_obj(hass, _sim(full_house, 0x03D3))
    first = generic_entities(obj)
    assert isinstance(first, GenericEntities)
    assert generic_entities(obj) is first


async def test_generic_mapping_of_a_volume_counter(hass: HomeAssistant, full_house: House) -> None:
    """Every m3 property of the MRA is curated; the generic mapping would still fit one."""
    from homeassistant.components.sensor import SensorStateClass

    from custom_components.hems.hub.generic import _sensor, translation_key

    gas = _hub_obj(hass, _sim(full_house, 0x0282))
    description = _sensor(gas, 0xE0, translation_key(gas, 0xE0), gas.prop(0xE0))
    assert description.device_class is SensorDeviceClass.VOLUME
    assert description.state_class is SensorStateClass.TOTAL_INCREASING
    assert description.native_unit_of_measurement == "m³"
    assert isinstance(description.value(gas), float | int)
    gas.values[0xE0] = b"\x00"  # garbled: no number
    assert description.value(gas) is None


async def test_set_only_property_with_several_values(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """A washer that lets its course (0xD2) be set but not read: with several values there is
    nothing to show and no single value for a button, so no entity."""
    washer = _obj(0x03D301, b.Base())
    assert 0xD2 in washer.set_map
    washer.get_map.discard(0xD2)
    washer.values[0x9F] = encode_property_map(washer.get_map)  # its Get property map
    await start(hass, make_house, [NodeSpec("washer", [washer])])
    generic = generic_entities(_hub_obj(hass, washer))
    groups = (generic.sensors, generic.switches, generic.selects, generic.numbers)
    assert (0xD2,) not in [d.epcs for group in (*groups, generic.buttons) for d in group]
    assert (0x80,) in [d.epcs for d in generic.switches]
