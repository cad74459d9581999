"""Consumption, rates, CO2, targets, demand alerts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from custom_components.hems.energy import (
    AmpereLevel,
    EcoRecords,
    EnergyTotals,
    ampere_status,
    co2_balance,
    estimated_line_current,
    generation_ratio,
    house_consumption,
    peak_demand,
    self_consumption,
    self_sufficiency,
    target_progress,
)
from custom_components.hems.energy.totals import DaySummary

from .helpers import D, jst


def totals(**values: str) -> EnergyTotals:
    return EnergyTotals(**{name: D(value) for name, value in values.items()})


def test_house_consumption() -> None:
    # purchase 1.2 - sale 0.5 + generation 3.0 + discharge 0.4 - charge 1.1 = 3.0
    assert house_consumption("1.2", "0.5", "3.0", "0.4", "1.1") == 3
    assert house_consumption(100, 300, 150) == 0
    assert house_consumption(100, 300, 150, clamp=False) == -50
    assert (
        totals(
            purchase="1.2",
            sale="0.5",
            generation="3",
            battery_discharge="0.4",
            battery_charge="1.1",
        ).consumption
        == 3
    )


def test_self_sufficiency_and_self_consumption() -> None:
    day = totals(purchase="4", sale="6", generation="12")  # consumption 10
    assert self_sufficiency(day) == D("0.6")
    assert self_consumption([day]) == D("0.5")
    assert generation_ratio(day) == D("1.2")
    night = totals(purchase="3")
    assert self_sufficiency(night) == 0
    assert self_consumption([night]) is None
    assert self_sufficiency(EnergyTotals()) is None
    assert generation_ratio(EnergyTotals()) is None


def test_self_consumption_follows_the_energy_dashboard_with_a_battery() -> None:
    """Issue 10 ("37 % where the dashboard said 73 %"): generation - sale over generation
    counted the battery's evening export against the panels and the generation still stored in
    the battery as used.  The dashboard's split, bucket by bucket, last in first out through
    the battery: noon, 6 kWh generated, 1 used, 3 stored, 2 sold; evening, the battery gives
    2 to the house and 1 to the grid (solar both); night, 2 bought into the battery, 2 sold
    back out of it (grid energy: neither consumed nor returned)."""
    noon = totals(generation="6", battery_charge="3", sale="2")
    evening = totals(battery_discharge="3", sale="1")
    night = totals(purchase="2", battery_charge="2")
    late = totals(battery_discharge="2", sale="2")
    consumed, returned = D(1) + D(2), D(2) + D(1)
    assert self_consumption([noon, evening, night, late]) == consumed / (consumed + returned)
    # The whole day in one bucket (the old arithmetic's view) says something else.
    assert self_consumption([noon, evening, night, late]) != self_consumption(
        [EnergyTotals.of([noon, evening, night, late])]
    )
    # Stored and not yet given back: in neither (1 used, 2 sold).
    assert self_consumption([noon]) == D(1) / D(3)
    # Generation charges the battery before the grid does: here all of it is stored.
    assert self_consumption([totals(purchase="3", generation="1", battery_charge="2")]) is None
    assert self_consumption([totals(purchase="3", generation="2", battery_charge="1")]) == 1
    # Nothing generated, or all of it still stored: undefined.
    assert self_consumption([totals(generation="1", battery_charge="1")]) is None


def test_co2() -> None:
    balance = co2_balance(totals(purchase="300", generation="400"), "0.45")
    assert (balance.emitted_kg, balance.avoided_kg, balance.net_kg) == (D(135), D(180), D(-45))
    with pytest.raises(ValueError, match="negative"):
        co2_balance(EnergyTotals(), -1)


def test_target_progress_rules() -> None:
    start, end = jst("2026-11-01T00:00"), jst("2026-12-01T00:00")
    # After 15 days (half), 160 of 300: projection 320 > 300 -> about to exceed.
    progress = target_progress(160, 300, start=start, end=end, now=jst("2026-11-16T00:00"))
    assert progress.elapsed_fraction == D("0.5")
    assert progress.projected == 320
    assert progress.fraction == D(160) / D(300)
    assert progress.remaining == 140
    assert (progress.exceeded, progress.about_to_exceed) == (False, True)
    # 140 of 300 at half time: projection 280 -> fine.
    assert not target_progress(
        140, 300, start=start, end=end, now=jst("2026-11-16T00:00")
    ).about_to_exceed
    # Early in the month the projection is ignored (fewer than 3 days) ...
    early = target_progress(20, 300, start=start, end=end, now=jst("2026-11-02T00:00"))
    assert early.projected == 600
    assert not early.about_to_exceed
    # ... but 90 % of the target always warns.
    assert target_progress(
        270, 300, start=start, end=end, now=jst("2026-11-02T00:00")
    ).about_to_exceed
    over = target_progress(301, 300, start=start, end=end, now=jst("2026-11-29T00:00"))
    assert (over.exceeded, over.about_to_exceed) == (True, False)
    # Data coverage instead of calendar time.
    covered = target_progress(
        100, 300, start=start, end=end, now=jst("2026-11-16T00:00"), elapsed_fraction="0.25"
    )
    assert covered.projected == 400
    assert covered.about_to_exceed
    with pytest.raises(ValueError, match="positive"):
        target_progress(1, 0, start=start, end=end, now=start)
    with pytest.raises(ValueError, match="end after"):
        target_progress(1, 1, start=end, end=start, now=start)
    # custom rule parameters
    lax = target_progress(
        160,
        300,
        start=start,
        end=end,
        now=jst("2026-11-16T00:00"),
        warn_fraction="0.95",
        min_elapsed=timedelta(days=20),
    )
    assert not lax.about_to_exceed


def test_ampere_alert() -> None:
    assert ampere_status(40, [12, 25]).level is AmpereLevel.OK
    warning = ampere_status(40, ["33.5", 10])
    assert (warning.level, warning.current, warning.ratio) == (
        AmpereLevel.WARNING,
        D("33.5"),
        D("33.5") / 40,
    )
    assert ampere_status(40, [41, 10]).level is AmpereLevel.OVER
    assert ampere_status(40, [40]).level is AmpereLevel.WARNING
    assert ampere_status(40, [35], warn_fraction="0.9").level is AmpereLevel.OK
    assert ampere_status(40, []).current == 0
    assert estimated_line_current(6000) == 30
    assert estimated_line_current(6000, three_wire=False) == 60
    assert estimated_line_current(-100) == 0
    with pytest.raises(ValueError, match="positive"):
        ampere_status(0, [1])


def test_peak_demand_of_slots() -> None:
    from custom_components.hems.energy import Slot

    assert peak_demand([]) is None
    slots = [
        Slot.make(jst("2026-11-27T18:00"), purchase="1.1"),
        Slot.make(jst("2026-11-27T18:30"), purchase="1.6"),
        Slot.make(jst("2026-11-27T19:00"), purchase="0.2"),
    ]
    peak = peak_demand(slots)
    assert peak is not None
    assert (peak.start, peak.kwh, peak.average_kw) == (jst("2026-11-27T18:30"), D("1.6"), D("3.2"))


def test_records_ignore_incomplete_days_and_merge() -> None:
    from datetime import date

    partial = DaySummary(date(2026, 11, 27), totals(generation="30"), 40, 48, None)
    full = DaySummary(
        date(2026, 11, 26), totals(generation="20", sale="8", purchase="5"), 48, 48, None
    )
    records, broken = EcoRecords().consider(partial)
    assert (records, broken) == (EcoRecords(), [])
    records, broken = records.consider(full)
    assert records.best_sale is not None
    assert records.best_sale.value == 8
    round_trip = EcoRecords.from_dict(records.to_dict())
    assert round_trip == records
    assert EcoRecords().merge(records) == records
    assert records.merge(EcoRecords()) == records
