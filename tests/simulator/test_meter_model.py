"""The meter model and the house profiles."""

from __future__ import annotations

from datetime import datetime, timedelta
import itertools

import pytest

from simulator.clock import JST, SimClock
from simulator.meter_model import SLOT, MeterModel, floor_slot
from simulator.profiles import base_load_w, daylight_hours, net_power_w, solar_power_w

START = datetime(2026, 5, 10, 13, 17, 0, tzinfo=JST)


def _fine_integral(start: datetime, end: datetime, step: float = 20.0) -> tuple[float, float]:
    """An independent integration of the default profile (trapezoid, 20 s)."""
    imp = exp = 0.0
    t = start
    prev = net_power_w(t)
    while t < end:
        nxt = min(end, t + timedelta(seconds=step))
        cur = net_power_w(nxt)
        h = (nxt - t).total_seconds()
        for a, b in ((prev, cur),):
            imp += (max(a, 0) + max(b, 0)) / 2 * h
            exp += (max(-a, 0) + max(-b, 0)) / 2 * h
        t, prev = nxt, cur
    return imp / 3.6e6, exp / 3.6e6


def test_history_is_the_integral_of_the_profile() -> None:
    """Each 30-minute history slot grows by the profile's integral over the slot."""
    model = MeterModel(SimClock(start=START))
    day, values = model.history_day(3)
    assert day == (START - timedelta(days=3)).date()
    assert all(v is not None for v in values)
    start = datetime(day.year, day.month, day.day, tzinfo=JST)
    for i in (0, 14, 20, 24, 30, 38, 47):  # night, morning, around noon, evening
        a, b = values[i], (values[i + 1] if i < 47 else model.history_day(2)[1][0])
        assert a is not None and b is not None
        expected = _fine_integral(start + SLOT * i, start + SLOT * (i + 1))
        assert b[0] - a[0] == pytest.approx(expected[0], abs=2e-3, rel=5e-3)
        assert b[1] - a[1] == pytest.approx(expected[1], abs=2e-3, rel=5e-3)
    # and exactly what the model itself reports for the same interval
    a, b = values[24], values[25]
    assert a is not None and b is not None
    own = model.energy_between(start + SLOT * 24, start + SLOT * 25)
    assert (b[0] - a[0], b[1] - a[1]) == pytest.approx(own, abs=1e-9)


def test_history_covers_45_days_and_ends_at_the_counters() -> None:
    """>= 45 days of 30-minute values, monotonic, ending at the initial counters."""
    model = MeterModel(SimClock(start=START), initial_import_kwh=3000.0, initial_export_kwh=900.0)
    assert all(v is not None for v in model.history_day(45)[1])
    assert all(v is None for v in model.history_day(46)[1])
    series: list[tuple[float, float]] = []
    for days_ago in range(45, -1, -1):
        series += [v for v in model.history_day(days_ago)[1] if v is not None]
    assert len(series) == 45 * 48 + 27  # today up to 13:00
    assert all(b[0] >= a[0] and b[1] >= a[1] for a, b in itertools.pairwise(series))
    assert series[-1][0] <= 3000.0 <= series[-1][0] + 1.5
    assert model.cumulative_kwh() == pytest.approx((3000.0, 900.0), abs=1e-3)  # real time runs
    # a month and a half of a sunny house: both directions move
    assert 200 < 3000.0 - series[0][0] < 2000
    assert 50 < 900.0 - series[0][1] < 2000
    today = model.history_day(0)[1]
    assert today[26] is not None and today[27] is None  # 13:00 passed, 13:30 not yet


def test_live_integration_and_fixed_times() -> None:
    """After the start the model integrates live; each :00/:30 is recorded on the way."""
    clock = SimClock(start=START)
    model = MeterModel(clock)
    before = model.cumulative_kwh()
    clock.advance(3 * 3600)
    after = model.cumulative_kwh()
    expected = _fine_integral(clock.now() - timedelta(hours=3), clock.now())
    assert after[0] - before[0] == pytest.approx(expected[0], abs=0.01, rel=0.01)
    assert after[1] - before[1] == pytest.approx(expected[1], abs=0.01, rel=0.01)
    when, imp, exp = model.fixed_time()
    assert when == floor_slot(clock.now())
    assert when.minute in (0, 30)
    # the boundary value is the start value plus the integral up to the boundary
    part = model.energy_between(START, when)
    assert imp - before[0] == pytest.approx(part[0], abs=0.01)
    assert exp - before[1] == pytest.approx(part[1], abs=0.01)
    slots = model.history_slots(when, 12)
    assert [t for t, _ in slots] == [when - SLOT * i for i in range(12)]
    assert all(v is not None for _, v in slots)
    assert model.history_slots(when + SLOT, 1)[0][1] is None  # the future: no data


def test_fed_net_power() -> None:
    """Someone else drives the net power: exact energy, import and export."""
    # Only the advances move the clock (at speed 1, 4 ms of a loaded machine were 2 mWh more).
    clock = SimClock(speed=1e-9, start=START.replace(minute=0))
    model = MeterModel(clock, net_power_fn=lambda _t: 0.0)
    imp0, exp0 = model.cumulative_kwh()
    model.set_net_power(1000.0)
    clock.advance(1800)
    model.set_net_power(-2000.0)
    clock.advance(900)
    imp, exp = model.cumulative_kwh()
    assert imp - imp0 == pytest.approx(0.5)
    assert exp - exp0 == pytest.approx(0.5)
    assert model.instantaneous_power_w() == -2000
    assert model.currents_a() == (-10.0, -10.0)
    boundary = model.boundary_kwh(START.replace(minute=30))
    assert boundary == pytest.approx((imp0 + 0.5, exp0))
    model.set_net_power(None)
    assert model.net_power_w() == 0.0


def test_registers_unit_coefficient_and_wrap() -> None:
    """Register = kWh / (unit x coefficient), modulo 10**digits."""
    clock = SimClock(start=START)
    model = MeterModel(clock, unit_code=0x02, coefficient=10, digits=5, initial_import_kwh=1234.56)
    assert model.count_kwh == pytest.approx(0.1)
    assert model.registers()[0] == 12345
    wrapped = MeterModel(clock, digits=5, unit_code=0x01, initial_import_kwh=10000.3)
    assert wrapped.registers()[0] == 3  # 100003 counts % 10**5
    two_wire = MeterModel(clock, two_wire=True, net_power_fn=lambda _t: 1500.0)
    assert two_wire.currents_a() == (15.0, None)
    with pytest.raises(ValueError):
        MeterModel(clock, initial_import_kwh=1.0)  # not enough for the history


def test_profiles() -> None:
    """Deterministic, zero at night, seasonal, plausible household loads, continuous."""
    summer = datetime(2026, 6, 21, 11, 45, tzinfo=JST)
    winter = datetime(2026, 12, 21, 11, 45, tzinfo=JST)
    assert solar_power_w(summer) == solar_power_w(summer)
    assert solar_power_w(summer.replace(hour=2)) == 0.0
    assert solar_power_w(winter.replace(hour=17, minute=30)) == 0.0
    assert daylight_hours(summer) > 14
    assert daylight_hours(winter) < 10
    peak_summer = max(solar_power_w(summer + timedelta(days=d)) for d in range(30))
    peak_winter = max(solar_power_w(winter + timedelta(days=d)) for d in range(30))
    assert 3000 < peak_summer <= 4500 and 0 < peak_winter < peak_summer
    assert solar_power_w(summer, peak_w=9000) == pytest.approx(2 * solar_power_w(summer))
    t = datetime(2026, 1, 1, tzinfo=JST)
    loads = [base_load_w(t + timedelta(minutes=m)) for m in range(0, 366 * 24 * 60, 37)]
    assert 100 < min(loads) < 400 and 1500 < max(loads) < 5000
    daily = [
        sum(base_load_w(t + timedelta(days=d, minutes=m)) for m in range(0, 1440, 10)) / 6000
        for d in (0, 180)
    ]  # kWh per day, winter and summer
    assert all(6 < kwh < 25 for kwh in daily)
    for minute in range(3 * 24 * 60):
        a = t + timedelta(minutes=minute)
        assert abs(base_load_w(a + timedelta(minutes=1)) - base_load_w(a)) < 150
        assert abs(solar_power_w(a + timedelta(minutes=1)) - solar_power_w(a)) < 200
    assert net_power_w(summer) == pytest.approx(base_load_w(summer) - solar_power_w(summer))
