"""How entities show odd values: counters that step back, values a device garbles,
states the device reports that no option knows."""

from __future__ import annotations

from datetime import timedelta
import time
from unittest.mock import patch

from homeassistant.components.binary_sensor import BinarySensorDeviceClass
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
)

from custom_components.hems.const import DOMAIN
from custom_components.hems.echonet.controller import Controller
from custom_components.hems.echonet.node import EchonetObject
from custom_components.hems.hub.catalog import SENSORS
from custom_components.hems.hub.descriptions import HemsBinarySensorDescription
from custom_components.hems.hub.sensor import counter_scale, scale_problem
from simulator import behaviours as b
from simulator.device import SimObject
from simulator.house import House

from .conftest import HouseFactory, settle, setup_hub
from .platform_helpers import START, discovery_of, entity_id, start, state_of


async def _full_poll(hass: HomeAssistant) -> None:
    """Every property of every device read once (what the polls spread over their plan)."""
    for entry in hass.config_entries.async_entries(DOMAIN):
        for coordinator in entry.runtime_data.coordinators.values():
            await coordinator.poller.read_all(time.monotonic())
    await settle(hass)


def _hub_obj(entry: MockConfigEntry, obj: SimObject) -> EchonetObject:
    assert obj.node is not None
    return entry.runtime_data.controller.get_object(obj.node.uid.hex(), obj.eoj)


async def _house(hass: HomeAssistant, make_house: HouseFactory) -> tuple[House, MockConfigEntry]:
    return await start(hass, make_house)


async def test_counter_glitches_are_unavailable_never_a_number(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """The one counter policy on a device over IP: a counter that falls or jumps is
    unavailable (logged, counted in diagnostics), the next good reading continues, and a
    counter that really restarted is followed without a drop."""
    house, entry = await _house(hass, make_house)
    gas = house.obj("meters", 0x028201)
    sensor = entity_id(hass, "sensor", gas, "gas_consumption")
    before = float(state_of(hass, sensor).state)
    raw = int.from_bytes(gas.values[0xE0], "big")
    meter = gas.behaviour
    assert isinstance(meter, b.Meter)

    def answer(count: int) -> None:
        # The model too: another device's Set makes the house publish its values again.
        meter.total = count / 1000
        gas.values[0xE0] = count.to_bytes(4, "big")

    answer(raw - 5)  # a late, lower answer: a glitch
    await _full_poll(hass)
    assert state_of(hass, sensor).state == STATE_UNAVAILABLE
    answer(raw + 1)
    await _full_poll(hass)
    assert float(state_of(hass, sensor).state) == round(before + 0.001, 6)
    answer(raw + 100_000)  # 100 m³ in no time: a glitch
    await _full_poll(hass)
    assert state_of(hass, sensor).state == STATE_UNAVAILABLE
    answer(raw + 2)
    await _full_poll(hass)
    assert float(state_of(hass, sensor).state) == round(before + 0.002, 6)
    # The meter was replaced: it starts again near 0 and counts up; after a few agreeing
    # readings the total continues from where it was (what it counted since is added).
    for count in (12, 13, 14):
        answer(count)
        await _full_poll(hass)
    assert float(state_of(hass, sensor).state) == round(before + 0.002 + 0.002, 6)
    unique_id = er.async_get(hass).async_get(sensor).unique_id
    coordinator = entry.runtime_data.coordinators[_hub_obj(entry, gas).node.uid]
    assert coordinator.diagnostics()["counters"][unique_id]["rejections"] == {
        "fell": 3,
        "jumped": 1,
    }


async def test_counters_continue_from_what_was_saved(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """A counter's saved state (raw value, time, offset) is continued across a restart; a
    saved total only (an older state) is the baseline; an unreadable one is ignored."""
    saved = (dt_util.utcnow() - timedelta(minutes=10)).isoformat()
    house = await make_house(start=START, speed=1e-9)
    gas = house.obj("meters", 0x028201)
    raw = int.from_bytes(gas.values[0xE0], "big") / 1000
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State("sensor.gas_meter_gas_consumption", "2000.0"),
                {"counter": {"last_raw": raw - 0.1, "last_time": saved, "offset": 1000.0}},
            ),
            (State("sensor.water_meter_water_consumption", "unknown"), {}),
        ],
    )
    with patch.object(Controller, "async_discover", discovery_of(len(house.nodes))):
        entry = await setup_hub(hass)
    gas_entity = entity_id(hass, "sensor", gas, "gas_consumption")
    assert gas_entity == "sensor.gas_meter_gas_consumption"
    assert float(state_of(hass, gas_entity).state) == pytest.approx(raw + 1000.0)
    water = house.obj("meters", 0x028101)
    water_entity = entity_id(hass, "sensor", water, "water_consumption")
    assert water_entity == "sensor.water_meter_water_consumption"
    assert state_of(hass, water_entity).state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)
    # The coefficient rule: a smart meter's counter without its unit is not a reading.
    meter = _hub_obj(entry, house.obj("smart-meter"))
    assert scale_problem(meter, 0xE0) is None
    unit = meter.values.pop(0xE1)
    problem = scale_problem(meter, 0xE0)
    assert problem is not None
    assert problem.startswith("0xE1 (Unit for cumulative amounts of electric energy")
    assert problem.endswith("is unknown")
    meter.values[0xE1] = unit
    assert counter_scale(meter, 0xEA) == counter_scale(meter, 0xE0)
    board = _hub_obj(entry, house.obj("board"))
    assert counter_scale(board, 0xB3) == (None, None)  # a list: no single counter


async def test_counters_that_may_answer_no_data_know_their_count_and_wrap(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """The smart meter's and the board's energy counters are a number or "no data": one count
    of them (0xE1 / 0xC2 units) is never a jump, and the meter's wraps at 10 ** 0xD7 counts.
    Without that, two readings a second apart across one count made the sensor unavailable."""
    house, entry = await _house(hass, make_house)
    meter = _hub_obj(entry, house.obj("smart-meter"))
    assert house.meter is not None
    one = house.meter.count_kwh
    digits = meter.value(0xD7)
    assert isinstance(digits, int)
    assert counter_scale(meter, 0xE0) == (pytest.approx(one), pytest.approx(10**digits * one))
    board = _hub_obj(entry, house.obj("board"))
    assert counter_scale(board, 0xC0) == (0.01, pytest.approx(1_000_000.0))
    await _full_poll(hass)
    counters = entry.runtime_data.coordinators[board.node.uid].counters
    counter = next(c for key, c in counters.items() if key.endswith("grid_import_energy"))
    assert counter.resolution == 0.01
    assert counter.modulus == pytest.approx(1_000_000.0)
    assert counter.last_raw is not None and counter.last_time is not None
    # One count at the very instant of the last reading: a measurement, not a jump.
    total = counter.feed(counter.last_raw + 0.01, counter.last_time)
    assert total is not None and counter.rejections == {}


async def test_garbled_values_show_as_unknown(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house, entry = await _house(hass, make_house)
    board = house.obj("board")
    current = entity_id(hass, "sensor", board, "current_r")
    assert state_of(hass, current).state != STATE_UNKNOWN
    # The board answers its currents with one byte too many (and EcoCute an unknown state).
    house.node("board").quirks.wrong_length = {0xC7}
    ecocute = house.obj("ecocute")
    ecocute.values[0xB0] = b"\x4f"
    await _full_poll(hass)
    assert state_of(hass, current).state == STATE_UNKNOWN
    boiling = entity_id(hass, "switch", ecocute, "manual_boiling")
    assert state_of(hass, boiling).state == STATE_UNKNOWN
    # The fixed-time reading's time cannot be told from a garbled value either.
    meter = _hub_obj(entry, house.obj("smart-meter"))
    fixed = next(d for d in SENSORS[0x0288] if d.key == "fixed_time_import_energy")
    assert fixed.attrs_fn is not None
    assert fixed.attrs_fn(meter) == {"measured_at": "2026-01-15T12:00:00"}
    meter.values[0xEA] = b"\x00"
    assert fixed.attrs_fn(meter) is None
    assert fixed.value(meter) is None


async def test_curated_switch_controls_the_device(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house, entry = await _house(hass, make_house)
    ecocute = house.obj("ecocute")
    seen = _hub_obj(entry, ecocute)
    boiling = entity_id(hass, "switch", ecocute, "manual_boiling")
    assert state_of(hass, boiling).state == "off"
    await hass.services.async_call("switch", "turn_on", {"entity_id": boiling}, blocking=True)
    assert seen.prop(0xB0).decode(ecocute.values[0xB0], {}) == "manual_heating"
    assert state_of(hass, boiling).state == "on"
    await hass.services.async_call("switch", "turn_off", {"entity_id": boiling}, blocking=True)
    assert seen.prop(0xB0).decode(ecocute.values[0xB0], {}) == "auto"
    assert state_of(hass, boiling).state == "off"


async def test_binary_sensor_description_with_a_value_function(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house, entry = await _house(hass, make_house)
    ac = _hub_obj(entry, house.obj("living-ac"))
    running = HemsBinarySensorDescription(
        key="running",
        epcs=(0x80,),
        device_class=BinarySensorDeviceClass.RUNNING,
        value_fn=lambda o: o.value(0x80) == "true",
    )
    assert running.value(ac) is True
