"""One call that computes every "today / this month" figure the sensors show.

:func:`energy_snapshot` combines the ledger and the tariff at an instant: prices in force,
energy totals, running costs, the bill projection, peak demand, rates and CO2 for today and the
billing month.  "This month" is the tariff's billing month (the calendar month unless a
billing start day is set); "today" is the local day in the tariff's time zone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from .accounting import Ledger
from .bill import BillProjection, CostBreakdown, cost_of_slots, period_usage, projected_bill
from .calendar import BillingMonth
from .co2 import Co2Balance, co2_balance
from .demand import PeakDemand, peak_demand
from .metrics import self_consumption, self_sufficiency
from .slots import Slot
from .tariff import PriceInfo, SalePriceInfo, Tariff, price_at, sale_price_at
from .totals import EnergyTotals


@dataclass(frozen=True, slots=True)
class PeriodFigures:
    """Figures of one range (today or the billing month so far); amounts exact, unrounded."""

    start: datetime
    end: datetime
    totals: EnergyTotals
    costs: CostBreakdown
    self_sufficiency: Decimal | None
    self_consumption: Decimal | None
    co2: Co2Balance | None
    water_cost: Decimal | None
    gas_cost: Decimal | None
    peak: PeakDemand | None


@dataclass(frozen=True, slots=True)
class EnergySnapshot:
    """Everything at ``now``; ``month.start``/``month.end`` bound the billing month."""

    now: datetime
    billing_month: BillingMonth
    price: PriceInfo
    sale_price: SalePriceInfo | None
    today: PeriodFigures
    month: PeriodFigures
    bill: BillProjection


def _hour(slot: Slot) -> datetime:
    """The hour of Home Assistant's hourly statistics a slot is in (UTC hours)."""
    return slot.start.astimezone(UTC).replace(minute=0)


def energy_snapshot(tariff: Tariff, ledger: Ledger, now: datetime) -> EnergySnapshot:
    """Compute the snapshot (a billing month of slots: a few tens of milliseconds)."""
    local = tariff.local(now)
    month = tariff.billing_month_of(local)
    month_start, month_end = tariff.billing_period(month)
    slots = ledger.slots(month_start, month_end)
    day_start = datetime.combine(local.date(), time(), tzinfo=tariff.tz)
    day_end = datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=tariff.tz)

    def figures(start: datetime, end: datetime, bucket: Callable[[Slot], Any]) -> PeriodFigures:
        selected = [slot for slot in slots if start <= slot.start < end]
        totals = EnergyTotals.of(selected)
        buckets: dict[Any, list[Slot]] = {}
        for slot in selected:
            buckets.setdefault(bucket(slot), []).append(slot)
        return PeriodFigures(
            start=start,
            end=end,
            totals=totals,
            costs=cost_of_slots(tariff, slots, since=start, until=end),
            self_sufficiency=self_sufficiency(totals),
            self_consumption=self_consumption(
                EnergyTotals.of(buckets[key]) for key in sorted(buckets)
            ),
            co2=(
                None
                if tariff.emission_factor is None
                else co2_balance(totals, tariff.emission_factor)
            ),
            water_cost=None if tariff.water is None else tariff.water.unit_price * totals.water,
            gas_cost=None if tariff.gas is None else tariff.gas.unit_price * totals.gas,
            peak=peak_demand(selected),
        )

    return EnergySnapshot(
        now=local,
        billing_month=month,
        price=price_at(tariff, local, period_usage=period_usage(tariff, slots, month)),
        sale_price=sale_price_at(tariff, local),
        today=figures(max(day_start, month_start), min(day_end, month_end), _hour),
        month=figures(month_start, month_end, lambda slot: tariff.local(slot.start).date()),
        bill=projected_bill(tariff, slots, local),
    )
