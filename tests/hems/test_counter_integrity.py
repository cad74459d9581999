"""Nothing reaches Home Assistant's statistics that the meter did not measure.

A real Home Assistant with the recorder, the simulated house's smart meter over IP and the
virtual Wi-SUN dongle's meter on a pty.  The meter answers 0xD3 = 0 for a minute (as some do
until configured), then one reading jumps by 1,000 kWh, then it reads correctly again: the
statistics compiled over the period must add up to exactly what the meter's registers
counted, with no phantom of the whole counter (Home Assistant takes any fall of a
``total_increasing`` sensor as a reset and would count the next value from zero).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
import time
from typing import Any
from unittest.mock import patch

from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory, StepTickTimeFactory, real_monotonic
from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
)

from custom_components.hems.echonet.controller import Controller
from custom_components.hems.hub import KIND as HUB
from custom_components.hems.kinds import runtime_of
from simulator.clock import JST, SimClock
from simulator.house import house_specs
from simulator.meter_model import MeterModel

from .conftest import HouseFactory, setup_hub
from .platform_helpers import discovery_of
from .test_broute_support import (
    DongleFactory,
    _fast_broute,
    make_dongle,
    setup_broute,
    sim_clock,
)
from .test_energy_support import sync_house

#: Fixtures of the support module that this module's tests use.
FIXTURES = (_fast_broute, make_dongle, sim_clock)

START = datetime(2026, 5, 20, 10, 0, 0, tzinfo=JST)
STEP = 20  # seconds between two readings
DURATION = timedelta(minutes=90)
#: (from, to) seconds after the start: the meter answers 0xD3 = 0 ...
COEFFICIENT_ZERO = (600, 660)
#: ... and one reading shows 1,000 kWh (10,000 counts) too much.
GLITCH = (1200, 1200 + STEP)
GLITCH_COUNTS = 10_000


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder is set up before Home Assistant (the shared fixture would start it first)."""


def _apply_faults(meter: MeterModel, elapsed: float) -> None:
    meter.fault_coefficient_zero = COEFFICIENT_ZERO[0] <= elapsed < COEFFICIENT_ZERO[1]
    meter.fault_glitch_counts = GLITCH_COUNTS if GLITCH[0] <= elapsed < GLITCH[1] else 0


def _record_states(hass: HomeAssistant, entity_id: str) -> list[str]:
    seen: list[str] = []

    def changed(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if event.data["entity_id"] == entity_id and new is not None:
            seen.append(new.state)

    hass.bus.async_listen("state_changed", changed)
    return seen


def _floor5(when: datetime) -> datetime:
    when = when.astimezone(UTC)
    return when.replace(minute=when.minute - when.minute % 5, second=0, microsecond=0)


async def _compiled_change(
    hass: HomeAssistant, entity_id: str, end: datetime, start: datetime = START
) -> float:
    """Compile every 5 minutes (and so every hour) from ``start`` to ``end``; return the sum of
    the changes, the hourly ones checked against the 5-minute ones."""
    await async_wait_recording_done(hass)
    start = _floor5(start)
    period = start
    while period < end:
        do_adhoc_statistics(hass, start=period)
        period += timedelta(minutes=5)
    await async_wait_recording_done(hass)

    def rows(kind: str) -> list[dict[str, Any]]:
        found = statistics_during_period(
            hass, start, end, {entity_id}, kind, None, {"change", "sum", "state"}
        )
        return [dict(r) for r in found.get(entity_id, [])]

    hourly = await hass.async_add_executor_job(rows, "hour")
    short = await hass.async_add_executor_job(rows, "5minute")
    assert short
    hours = sum(r["change"] for r in hourly)
    hour_end = start + timedelta(hours=len(hourly))
    in_hours = sum(r["change"] for r in short if datetime.fromtimestamp(r["start"], UTC) < hour_end)
    assert hours == pytest.approx(in_hours, abs=1e-9)
    return float(sum(r["change"] for r in short))


async def _run(
    freezer: FrozenDateTimeFactory | StepTickTimeFactory | None,
    meter: MeterModel,
    advance: Callable[[float], None],
    read: Callable[[], Awaitable[None]],
) -> None:
    """Read every STEP seconds for DURATION, with the faults at their times."""
    elapsed = 0.0
    while elapsed < DURATION.total_seconds():
        if freezer is not None:
            freezer.tick(STEP)
        elapsed += STEP
        _apply_faults(meter, elapsed)
        advance(STEP)
        await read()


async def test_meter_over_ip_statistics_count_only_what_was_measured(
    hass: HomeAssistant, make_house: HouseFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    await hass.config.async_set_time_zone("Asia/Tokyo")
    # Home Assistant's clock is moved by the test; the event loop keeps real time (UDP).
    monkeypatch.setattr(asyncio.get_running_loop(), "time", real_monotonic)
    entity_id = "sensor.smart_meter_grid_import_energy"
    with freeze_time(START, tick=True) as freezer:
        specs = [s for s in house_specs() if s.name == "smart-meter"]
        house = await make_house(specs=specs, start=START, speed=1e-9)
        meter = house.meter
        assert meter is not None
        seen = _record_states(hass, entity_id)
        with patch.object(Controller, "async_discover", discovery_of(1)):
            entry = await setup_hub(hass)
        coordinator = next(iter(runtime_of(entry, HUB).coordinators.values()))
        first = meter.registers()[0]
        assert float(hass.states.get(entity_id).state) == pytest.approx(first * 0.1)

        async def read() -> None:
            # Every property at every step (the poll planner reads counters less often; the
            # test wants every fault in front of the policy).
            await coordinator.poller.read_all(time.monotonic())
            await hass.async_block_till_done()

        await _run(freezer, meter, lambda _s: sync_house(house), read)
        last = meter.registers()[0]
        end = datetime.now(UTC)
        assert last - first >= 4  # the house used energy meanwhile
        assert float(hass.states.get(entity_id).state) == pytest.approx(last * 0.1)
        # Both faults were seen, as unavailable, and never as a number.
        assert seen.count(STATE_UNAVAILABLE) >= 2
        numbers = [float(s) for s in seen if s != STATE_UNAVAILABLE]
        assert numbers == sorted(numbers)
        assert max(numbers) == pytest.approx(last * 0.1)
        counters = coordinator.diagnostics()["counters"]
        counter = next(c for uid, c in counters.items() if uid.endswith("grid_import_energy"))
        assert counter["rejections"] == {"jumped": 1}
        change = await _compiled_change(hass, entity_id, end)
    assert change == pytest.approx((last - first) * 0.1, abs=1e-6)


async def test_broute_statistics_count_only_what_was_measured(
    hass: HomeAssistant, make_dongle: DongleFactory, sim_clock: SimClock
) -> None:
    """The same over the B-route (the virtual dongle on a pty; Home Assistant in real time,
    the meter's clock moved on by the test): the meter starts with 0xD3 = 0 (not configured
    yet), is configured a minute later, then one reading jumps."""
    entity_id = "sensor.smart_meter_grid_import_energy"
    begin = datetime.now(UTC)
    clock = sim_clock
    meter = MeterModel(clock, history_days=1, coefficient=10, unit_code=0x02)
    meter.set_net_power(1500.0)
    meter.fault_coefficient_zero = True
    dongle = await make_dongle(clock=clock, meter=meter)
    seen = _record_states(hass, entity_id)
    entry = await setup_broute(hass, dongle)
    coordinator = entry.runtime_data.coordinator
    assert hass.states.get(entity_id).state == STATE_UNAVAILABLE  # never 0 kWh

    async def read() -> None:
        await coordinator.async_refresh()
        await hass.async_block_till_done()

    # Configured a minute later: its first reading then is the baseline.
    clock.advance(60)
    meter.fault_coefficient_zero = False
    await read()
    first = meter.registers()[0]
    assert float(hass.states.get(entity_id).state) == pytest.approx(first * 0.1)
    await _run(None, meter, clock.advance, read)
    last = meter.registers()[0]
    assert last - first > 15
    assert float(hass.states.get(entity_id).state) == pytest.approx(last * 0.1)
    numbers = [float(s) for s in seen if s not in (STATE_UNAVAILABLE, "unknown")]
    assert numbers == sorted(numbers)
    assert 0.0 not in numbers
    assert coordinator.diagnostics()["counters"]["grid_import_energy"]["rejections"] == {
        "jumped": 1
    }
    change = await _compiled_change(hass, entity_id, datetime.now(UTC), begin)
    assert change == pytest.approx((last - first) * 0.1, abs=1e-6)
