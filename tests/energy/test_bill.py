"""Bill and cost arithmetic against hand-computed cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from custom_components.hems.energy import (
    BillingMonth,
    RoundingMode,
    RoundingRules,
    SalePlan,
    Slot,
    Tariff,
    UtilityRate,
    bill_for_slots,
    compute_bill,
    cost_of_slots,
    period_usage,
    preset_tariff,
    price_slots,
    projected_bill,
    round_amount,
    sale_statement,
    utility_bill,
    utility_cost,
)

from .helpers import D, jst, slot_times, uniform_slots

NOV = BillingMonth(2026, 11)


def tepco_b(fuel: str = "-1.23", surcharge: str = "3.98") -> Tariff:
    """30 A 従量電灯B-like example with November 2026 rates set (surcharge values made up)."""
    return (
        preset_tariff("tiered_b")
        .with_fuel_adjustment("2026-11", fuel)
        .with_surcharge(2026, surcharge)
    )


def test_tiered_bill_hand_computed() -> None:
    # 347.6 kWh: 120 x 29.80 = 3576.00; 180 x 36.40 = 6552.00; 47.6 x 40.49 = 1927.324
    # basic 935.25; fuel 347.6 x -1.23 = -427.548
    # subtotal 935.25 + 12055.324 - 427.548 = 12563.026 -> 12563 (切り捨て)
    # surcharge 347.6 x 3.98 = 1383.448 -> 1383; total 13946
    bill = compute_bill(tepco_b(), NOV, {"standard": "347.6"})
    assert [(line.kwh, line.amount) for line in bill.energy_lines] == [
        (D(120), D("3576.00")),
        (D(180), D("6552.00")),
        (D("47.6"), D("1927.324")),
    ]
    assert bill.basic == D("935.25")
    assert bill.energy == D("12055.324")
    assert bill.fuel_adjustment == D("-427.548")
    assert bill.subtotal == 12563
    assert bill.surcharge == 1383
    assert bill.total == 13946
    assert not bill.rates_estimated
    assert (bill.start, bill.end) == (jst("2026-11-01T00:00"), jst("2026-12-01T00:00"))


@pytest.mark.parametrize(
    ("kwh", "energy"),
    [
        ("0", "0"),
        ("119.9", "3573.02"),  # 119.9 x 29.80
        ("120", "3576.00"),
        ("120.1", "3579.64"),  # 3576 + 0.1 x 36.40
        ("300", "10128.00"),  # 3576 + 6552
        ("300.1", "10132.049"),  # + 0.1 x 40.49
    ],
)
def test_tier_boundaries(kwh: str, energy: str) -> None:
    assert compute_bill(tepco_b(), NOV, {"standard": kwh}).energy == D(energy)


def test_no_usage_halves_the_basic_charge() -> None:
    bill = compute_bill(tepco_b(), NOV, {})
    assert bill.basic == D("467.625")
    assert (bill.subtotal, bill.surcharge, bill.total) == (D(467), D(0), D(467))


def test_negative_fuel_adjustment_and_rounding_modes() -> None:
    # 250 kWh: 3576 + 130 x 36.40 = 8308.00; fuel 250 x -1.23 = -307.50
    # subtotal 935.25 + 8308 - 307.5 = 8935.75
    tariff = tepco_b()
    assert compute_bill(tariff, NOV, {"standard": 250}).subtotal == 8935
    half_up = replace(tariff, rounding=RoundingRules(subtotal=RoundingMode.HALF_UP))
    assert compute_bill(half_up, NOV, {"standard": 250}).subtotal == 8936
    none = replace(tariff, rounding=RoundingRules(subtotal=RoundingMode.NONE))
    assert compute_bill(none, NOV, {"standard": 250}).subtotal == D("8935.75")
    # The fuel adjustment alone rounded towards zero (切り捨て) vs floor.
    down = replace(tariff, rounding=RoundingRules(fuel_adjustment=RoundingMode.DOWN))
    floor = replace(tariff, rounding=RoundingRules(fuel_adjustment=RoundingMode.FLOOR))
    assert compute_bill(down, NOV, {"standard": 250}).fuel_adjustment == -307
    assert compute_bill(floor, NOV, {"standard": 250}).fuel_adjustment == -308


def test_round_amount_modes() -> None:
    assert round_amount(D("-12.5"), RoundingMode.DOWN) == -12
    assert round_amount(D("-12.5"), RoundingMode.FLOOR) == -13
    assert round_amount(D("12.5"), RoundingMode.HALF_UP) == 13
    assert round_amount(D("12.01"), RoundingMode.CEILING) == 13
    assert round_amount(D("12.99"), RoundingMode.DOWN) == 12
    assert round_amount(D("12.99"), RoundingMode.NONE) == D("12.99")


def test_surcharge_is_rounded_separately() -> None:
    # 100.3 kWh x 3.49 = 350.047 -> 350; energy 100.3 x 29.80 = 2988.94;
    # subtotal 935.25 + 2988.94 = 3924.19 -> 3924; a single rounding of the whole would give 4274.
    tariff = tepco_b(fuel="0", surcharge="3.49")
    bill = compute_bill(tariff, NOV, {"standard": "100.3"})
    assert (bill.subtotal, bill.surcharge, bill.total) == (D(3924), D(350), D(4274))
    bill = compute_bill(tariff, NOV, {"standard": "100.4"})
    # 100.4 x 29.80 = 2991.92 -> 3927.17 -> 3927; 100.4 x 3.49 = 350.396 -> 350
    assert (bill.subtotal, bill.surcharge, bill.total) == (D(3927), D(350), D(4277))


def test_minimum_charge_plan() -> None:
    tariff = preset_tariff("minimum_a").with_surcharge(2026, "3.98")
    # 100 kWh: minimum 522.58 covers 15 kWh; 85 x 20.21 = 1717.85; subtotal 2240.43 -> 2240;
    # surcharge 398.00; total 2638
    bill = compute_bill(tariff, NOV, {"standard": 100})
    assert bill.energy == D("1717.85")
    assert (bill.subtotal, bill.surcharge, bill.total) == (D(2240), D(398), D(2638))
    # 10 kWh: no energy charge; surcharge 39.8 -> 39
    bill = compute_bill(tariff, NOV, {"standard": 10})
    assert (bill.energy, bill.subtotal, bill.total) == (D(0), D(522), D(561))


def test_time_of_use_bill() -> None:
    # 40 A スマートライフ-like: basic 311.75 x 4 = 1247.00
    # day 300.5 x 35.76 = 10745.88; night 200.25 x 27.86 = 5578.965
    # fuel 500.75 x -2.5 = -1251.875; subtotal 16319.97 -> 16319
    # surcharge 500.75 x 3.98 = 1992.985 -> 1992; total 18311
    tariff = (
        preset_tariff("smart_life").with_fuel_adjustment(NOV, "-2.5").with_surcharge(2026, "3.98")
    )
    bill = compute_bill(tariff, NOV, {"day": "300.5", "night": "200.25"})
    assert bill.basic == D("1247.00")
    assert bill.energy == D("16324.845")
    assert (bill.subtotal, bill.surcharge, bill.total) == (D(16319), D(1992), D(18311))
    # Whole-kWh billing: 301 and 200 kWh (四捨五入); lines rounded to yen as well.
    rounded = replace(
        tariff,
        rounding=RoundingRules(usage_kwh=RoundingMode.HALF_UP, line=RoundingMode.HALF_UP),
    )
    bill = compute_bill(rounded, NOV, {"day": "300.5", "night": "200.25"})
    assert bill.period_kwh == {"day": 301, "night": 200}
    # 301 x 35.76 = 10763.76 -> 10764; 200 x 27.86 = 5572; fuel -1252.5; basic 1247
    assert bill.energy == 16336
    assert bill.subtotal == 16330  # 1247 + 16336 - 1252.5 = 16330.5 -> 16330
    with pytest.raises(KeyError):
        compute_bill(tariff, NOV, {"standard": 1})


def test_time_of_use_slots_across_midnight() -> None:
    tariff = preset_tariff("smart_life").with_fuel_adjustment(NOV, "0").with_surcharge(2026, "0")
    slots = [
        Slot.make(jst("2026-11-26T23:30"), purchase=1),  # day
        Slot.make(jst("2026-11-27T00:30"), purchase=1),  # day (until 01:00)
        Slot.make(jst("2026-11-27T01:00"), purchase=2),  # night
        Slot.make(jst("2026-11-27T05:30"), purchase=2),  # night
        Slot.make(jst("2026-11-27T06:00"), purchase=1),  # day
    ]
    assert period_usage(tariff, slots, NOV) == {"day": 3, "night": 4}
    cost = cost_of_slots(tariff, slots)
    assert cost.energy == 3 * D("35.76") + 4 * D("27.86")
    assert cost.by_period["night"].kwh == 4
    bill = bill_for_slots(tariff, NOV, slots)
    assert bill.energy == cost.energy
    today = cost_of_slots(tariff, slots, since=jst("2026-11-27T00:00"))
    assert today.purchase_kwh == 6


def test_holiday_slots_use_holiday_periods() -> None:
    tariff = preset_tariff("seasonal_tou").with_fuel_adjustment(NOV, "0")
    slots = [
        Slot.make(jst("2026-11-23T12:00"), purchase=1),  # 勤労感謝の日: living
        Slot.make(jst("2026-11-24T12:00"), purchase=1),  # Tuesday: day
    ]
    priced = price_slots(tariff, slots)
    assert [item.period_key for item in priced] == ["living", "day"]
    assert [item.energy for item in priced] == [D("22.80"), D("26.24")]


def test_month_change_resets_tiers_and_rates() -> None:
    tariff = (
        preset_tariff("tiered_b")
        .with_fuel_adjustment("2026-10", "1.00")
        .with_fuel_adjustment("2026-11", "-1.00")
        .with_surcharge(2026, "3.98")
    )
    slots = [
        Slot.make(jst("2026-10-31T23:00"), purchase=119),
        Slot.make(jst("2026-10-31T23:30"), purchase=2),  # crosses 120 kWh in October
        Slot.make(jst("2026-11-01T00:00"), purchase=2),  # November starts at tier 1 again
    ]
    priced = price_slots(tariff, slots)
    assert priced[1].energy == D("29.80") + D("36.40")
    assert priced[1].tier_index == 1
    assert priced[1].fuel_adjustment == 2
    assert priced[2].energy == 2 * D("29.80")
    assert priced[2].tier_index == 0
    assert priced[2].fuel_adjustment == -2
    assert priced[2].billing_month == NOV
    assert priced[0].surcharge == 119 * D("3.98")


def test_running_costs_add_up_to_the_unrounded_bill() -> None:
    tariff = tepco_b()
    start = jst("2026-11-01T00:00")
    slots = uniform_slots(start, start + timedelta(days=10), "0.7")  # 336 kWh
    month = cost_of_slots(tariff, slots)
    days = [
        cost_of_slots(
            tariff, slots, since=start + timedelta(days=n), until=start + timedelta(days=n + 1)
        )
        for n in range(10)
    ]
    assert sum((day.energy for day in days), D(0)) == month.energy
    bill = compute_bill(
        replace(
            tariff,
            rounding=RoundingRules(subtotal=RoundingMode.NONE, surcharge=RoundingMode.NONE),
        ),
        NOV,
        {"standard": month.purchase_kwh},
    )
    assert bill.energy == month.energy
    assert bill.fuel_adjustment == month.fuel_adjustment
    assert bill.surcharge == month.surcharge
    # The first days are cheaper per kWh than the later ones (tiers).
    assert days[0].energy < days[9].energy


def test_projected_bill() -> None:
    # November 2026 has 30 days; slots for the first 15 days at 0.2 kWh each: 144 kWh.
    tariff = tepco_b(fuel="-1.00")
    start = jst("2026-11-01T00:00")
    now = jst("2026-11-16T00:00")
    slots = uniform_slots(start, now, "0.2", sale="0.1")
    projection = projected_bill(tariff, slots, now)
    assert projection.coverage == D("0.5")
    # so far: 3576 + 24 x 36.40 = 4449.6; fuel -144; 935.25 + 4449.6 - 144 = 5240.85 -> 5240
    # surcharge 144 x 3.98 = 573.12 -> 573
    assert projection.so_far.kwh == 144
    assert (projection.so_far.subtotal, projection.so_far.total) == (D(5240), D(5813))
    # projected 288 kWh: 3576 + 168 x 36.40 = 9691.2; 935.25 + 9691.2 - 288 = 10338.45 -> 10338
    # surcharge 288 x 3.98 = 1146.24 -> 1146
    assert projection.projected.kwh == 288
    assert (projection.projected.subtotal, projection.projected.total) == (D(10338), D(11484))
    assert projection.sale_so_far is None  # the tariff has no sale plan
    with_sale = replace(tariff, sale=SalePlan.flat(16))
    projection = projected_bill(with_sale, slots, now)
    assert projection.sale_so_far is not None
    assert projection.sale_projected is not None
    assert (projection.sale_so_far.kwh, projection.sale_so_far.amount) == (D(72), D(1152))
    assert projection.sale_projected.amount == 2304


def test_projection_uses_data_coverage_not_calendar() -> None:
    # Data only from 16 November 00:00 to 16 November 12:00 (24 slots, 2.4 kWh).
    tariff = tepco_b()
    slots = uniform_slots(jst("2026-11-16T00:00"), jst("2026-11-16T12:00"), "0.1")
    now = jst("2026-11-16T12:10")
    projection = projected_bill(tariff, slots, now)
    assert projection.coverage == D(24 * 1800) / D(30 * 86400)
    assert projection.projected.kwh == D("2.4") * 60


def test_projection_without_data_is_the_bill_so_far() -> None:
    projection = projected_bill(tepco_b(), [], jst("2026-11-27T12:00"))
    assert projection.coverage == 0
    assert projection.projected == projection.so_far
    assert projection.so_far.total == 467  # half basic charge, no usage


def test_projection_counts_the_slot_in_progress_partially() -> None:
    tariff = tepco_b()
    slots = [Slot.make(jst("2026-11-01T00:00"), purchase="0.1")]
    projection = projected_bill(tariff, slots, jst("2026-11-01T00:15"))
    assert projection.coverage == D(900) / D(30 * 86400)


def test_sale_statement_with_stage_switch_mid_month() -> None:
    from datetime import date

    tariff = replace(preset_tariff("flat"), sale=SalePlan.two_stage(24, "8.3", date(2026, 11, 15)))
    slots = [
        Slot.make(jst("2026-11-14T12:00"), sale="1.5"),
        Slot.make(jst("2026-11-15T12:00"), sale="2.5"),
    ]
    statement = sale_statement(tariff, NOV, slots)
    assert statement is not None
    # 1.5 x 24 = 36; 2.5 x 8.3 = 20.75; 56.75 -> 56
    assert [(line.stage_index, line.amount) for line in statement.lines] == [
        (0, D("36.0")),
        (1, D("20.75")),
    ]
    assert statement.amount == 56
    cost = cost_of_slots(tariff, slots)
    assert cost.sale_revenue == D("56.75")
    assert cost.net_cost == -D("56.75")


def test_water_and_gas() -> None:
    water = UtilityRate(D("250"), D("800"))
    assert utility_cost(water, "12.3") == D("3075.0")
    assert utility_bill(water, "12.3") == 3875
    gas = UtilityRate.from_dict({"unit_price": "180.5", "basic_charge": "1056"})
    assert utility_bill(gas, 20.1, RoundingMode.HALF_UP) == 4684  # 1056 + 3628.05


def test_duplicate_slots_are_refused() -> None:
    from custom_components.hems.energy import LedgerError

    slot = Slot.make(jst("2026-11-01T00:00"), purchase=1)
    with pytest.raises(LedgerError):
        price_slots(tepco_b(), [slot, slot])


def test_slot_times_helper() -> None:
    assert len(list(slot_times(jst("2026-11-01T00:00"), jst("2026-11-02T00:00")))) == 48


def test_energy_snapshot() -> None:
    from custom_components.hems.energy import Ledger, energy_snapshot

    tariff = replace(
        tepco_b(fuel="0", surcharge="0"),
        sale=SalePlan.flat(16),
        water=UtilityRate(D(250)),
    )
    ledger = Ledger()
    # 26 days x 48 slots x 0.1 kWh = 124.8 kWh before today; today 12 slots x 0.5 kWh = 6 kWh
    ledger.set_slots(uniform_slots(jst("2026-11-01T00:00"), jst("2026-11-27T00:00"), "0.1"))
    ledger.set_slots(
        uniform_slots(
            jst("2026-11-27T00:00"),
            jst("2026-11-27T06:00"),
            "0.5",
            sale="0.2",
            generation="1",
            water="0.01",
        )
    )
    snap = energy_snapshot(tariff, ledger, jst("2026-11-27T06:10"))
    assert snap.billing_month == NOV
    assert snap.today.totals.purchase == 6
    assert snap.month.totals.purchase == D("130.8")
    # today's 6 kWh are all beyond 124.8 + ... crossing 120 happened earlier: tier 2 price
    assert snap.today.costs.energy == 6 * D("36.40")
    assert snap.today.costs.sale_revenue == D("2.4") * 16
    assert snap.price.tier_index == 1
    assert snap.price.energy_price == D("36.40")
    assert snap.sale_price is not None
    assert snap.sale_price.price_per_kwh == 16
    assert snap.today.water_cost == D("0.12") * 250
    assert snap.today.gas_cost is None
    assert snap.today.co2 is not None
    assert snap.today.co2.emitted_kg == 6 * D("0.45")
    # consumption today 6 - 2.4 + 12 = 15.6; self-sufficiency 1 - 6 / 15.6
    assert snap.today.self_sufficiency == 1 - D(6) / D("15.6")
    assert snap.today.self_consumption == D("0.8")
    assert snap.today.peak is not None
    assert snap.today.peak.kwh == D("0.5")
    assert snap.bill.so_far.kwh == D("130.8")
    assert snap.month.start == jst("2026-11-01T00:00")
