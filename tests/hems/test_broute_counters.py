"""The B-route energy counters: half-hour values the meter does not answer, restored totals
across a counter wrap and a restart, a counter that never goes back, values the meter cannot
give (virtual dongle on a real pty, a real Home Assistant)."""

from __future__ import annotations

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, State
import pytest
from pytest_homeassistant_custom_component.common import mock_restore_cache_with_extra_data

from custom_components.hems.wisun import meter as m
from simulator.clock import SimClock
from simulator.dongle import MeterResponder
from simulator.meter_model import MeterModel

from .test_broute_entities import EXPORT, FIXED_IMPORT, IMPORT, POWER, _poll, _value
from .test_broute_support import DongleFactory, _fast_broute, make_dongle, setup_broute, sim_clock

#: Fixtures of the support module that this module's tests use.
FIXTURES = (_fast_broute, make_dongle, sim_clock)


class _NoFixedTimeValues(MeterResponder):
    """A meter that never answers a request for the half-hour values (0xEA)."""

    def handle(self, data: bytes) -> list[bytes]:
        answers = super().handle(data)
        if 0xEA in self.stats.requests[-1][1]:
            return []
        return answers


async def test_half_hour_values_not_answered(
    hass: HomeAssistant, make_dongle: DongleFactory, sim_clock: SimClock
) -> None:
    """The meter leaves the half-hour values unanswered: the other values are shown all the
    same, and the half-hour values are asked for again at the next poll."""
    meter = MeterModel(sim_clock, history_days=2)
    responder = _NoFixedTimeValues(meter)
    dongle = await make_dongle(meter=meter, responder=responder)
    entry = await setup_broute(hass, dongle)
    assert _value(hass, IMPORT) == pytest.approx(meter.registers()[0] * 0.1, abs=0.2)
    assert entry.runtime_data.coordinator.fixed is None
    assert hass.states.get(FIXED_IMPORT).state == STATE_UNKNOWN  # no number, none made up

    def asked() -> int:
        return sum(0xEA in epcs for _esv, epcs in responder.stats.requests)

    before = asked()
    await _poll(hass)
    assert asked() > before
    assert entry.runtime_data.coordinator.fixed is None
    assert hass.states.get(FIXED_IMPORT).state == STATE_UNKNOWN
    assert hass.states.get(POWER).state != STATE_UNAVAILABLE


async def test_counter_continues_across_a_wrap_and_a_restart(
    hass: HomeAssistant, make_dongle: DongleFactory
) -> None:
    """The meter's counter wrapped (6 digits of 0.1 kWh) while Home Assistant was off: the
    restored total continues instead of dropping to the register value."""
    dongle = await make_dongle()
    imp_kwh = dongle.meter.registers()[0] * 0.1
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(IMPORT, "105000.0"),
                {"native_value": 105000.0, "native_unit_of_measurement": "kWh"},
            )
        ],
    )
    await setup_broute(hass, dongle)
    assert _value(hass, IMPORT) == pytest.approx(imp_kwh + 100000)


async def test_counter_never_goes_back(hass: HomeAssistant, make_dongle: DongleFactory) -> None:
    """A restored total above what the meter reads: the counter fell, so the sensor is
    unavailable (never a lower number) until the meter passes the restored total."""
    dongle = await make_dongle()
    imp_kwh = dongle.meter.registers()[0] * 0.1
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(IMPORT, str(imp_kwh + 5)),
                {"native_value": imp_kwh + 5, "native_unit_of_measurement": "kWh"},
            )
        ],
    )
    await setup_broute(hass, dongle)
    assert hass.states.get(IMPORT).state == STATE_UNAVAILABLE


async def test_restored_state_without_a_number(
    hass: HomeAssistant, make_dongle: DongleFactory
) -> None:
    """A restored state that holds no number (unknown before the restart) is no total to
    continue: the counter starts from the meter's register."""
    dongle = await make_dongle()
    mock_restore_cache_with_extra_data(
        hass,
        [(State(IMPORT, "unknown"), {"native_value": None, "native_unit_of_measurement": "kWh"})],
    )
    await setup_broute(hass, dongle)
    assert _value(hass, IMPORT) == pytest.approx(dongle.meter.registers()[0] * 0.1)


async def test_counter_the_meter_answers_badly(
    hass: HomeAssistant, make_dongle: DongleFactory
) -> None:
    """The meter answers its export counter one byte short: the sensor shows the meter's
    half-hour value (0xEB, measured too) instead; when that is broken as well, no number at
    all (unavailable: never a stale or made-up one).  The other sensors are shown either way."""
    dongle = await make_dongle()
    meter = dongle.meter
    dongle.responder.truncated = {m.EPC_EXPORT}
    entry = await setup_broute(hass, dongle)
    values = meter.boundary_kwh(meter.last_boundary())
    assert values is not None
    assert _value(hass, EXPORT) == pytest.approx(meter.register(values[1]) * 0.1)
    assert _value(hass, IMPORT) == pytest.approx(meter.registers()[0] * 0.1)
    assert await hass.config_entries.async_unload(entry.entry_id)
    dongle.responder.truncated = {m.EPC_EXPORT, m.EPC_FIXED_EXPORT}
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(EXPORT).state == STATE_UNAVAILABLE
    assert _value(hass, IMPORT) == pytest.approx(meter.registers()[0] * 0.1)
    assert hass.states.get(POWER).state != STATE_UNAVAILABLE
