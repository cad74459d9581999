"""Costs of slots, monthly bills and their projection to the end of the month.

Two views of money, on purpose:

* **Running costs** (:func:`price_slots`, :func:`cost_of_slots`): every slot is priced at the
  marginal price of its kWh (tier reached so far in the billing month, per period), plus fuel
  cost adjustment and renewable surcharge per kWh, and the sale price for exported kWh.  These
  are exact and unrounded, and additive: the costs of the days of a month sum to the cost of
  the month.  Sensors "purchase cost today / this month" and "sale revenue" use them.
* **Bills** (:func:`compute_bill`, :func:`bill_for_slots`, :func:`projected_bill`): what the
  retailer charges for a billing month, rounded like the bill.

Rounding rules (:class:`.tariff.RoundingRules`, defaults in brackets):

1. ``usage_kwh`` [none]: each period's kWh of the month is rounded to whole kWh before pricing
   (for retailers that bill whole kWh).
2. ``line`` [none]: the basic charge and each energy line (one per tier reached, per period) is
   rounded to whole yen.
3. ``fuel_adjustment`` [none]: kWh × fuel cost adjustment rate is rounded to whole yen.
4. ``subtotal`` [down, 切り捨て]: basic + energy + fuel cost adjustment is rounded to whole
   yen.  This is TEPCO's and most retailers' rule.
5. ``surcharge`` [down]: kWh × renewable surcharge rate is rounded separately.
6. ``sale`` [down]: a month's sale revenue (each price stage's kWh × price, summed) is rounded.

``total = subtotal + surcharge``.  A month without any purchase halves the basic charge when
the tariff says so (``half_if_no_usage``); a minimum charge's ``included_kwh`` are not charged
as energy (they are still subject to fuel adjustment and surcharge).  Discounts (payment
method, sets) and taxes are not modelled: Japanese residential prices include consumption tax.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from .amounts import ONE, ZERO, Number, RoundingMode, round_amount, to_decimal
from .calendar import BillingMonth
from .charges import BasicKind, UtilityRate
from .errors import LedgerError
from .periods import Period, Season, Tier
from .slots import Slot, slot_index
from .tariff import Tariff

PROJECTION_QUANTUM = Decimal("0.001")
"""Projected kWh are rounded to Wh (a projection has no more precision than that)."""

# --------------------------------------------------------------------------------------------
# Running costs


@dataclass(frozen=True, slots=True)
class PricedSlot:
    """One slot with its costs (exact, unrounded)."""

    slot: Slot
    billing_month: BillingMonth
    season_key: str
    period_key: str
    tier_index: int
    """Tier of the slot's last kWh."""
    energy: Decimal
    fuel_adjustment: Decimal
    surcharge: Decimal
    sale_revenue: Decimal

    @property
    def purchase_cost(self) -> Decimal:
        """Energy + fuel cost adjustment + renewable surcharge."""
        return self.energy + self.fuel_adjustment + self.surcharge


@dataclass(frozen=True, slots=True)
class PeriodCost:
    """kWh purchased in one period and its energy charge."""

    kwh: Decimal = ZERO
    energy: Decimal = ZERO

    def __add__(self, other: PeriodCost) -> PeriodCost:
        return PeriodCost(self.kwh + other.kwh, self.energy + other.energy)


@dataclass(frozen=True, slots=True)
class CostBreakdown:
    """Sum of priced slots (exact, unrounded)."""

    purchase_kwh: Decimal = ZERO
    sale_kwh: Decimal = ZERO
    energy: Decimal = ZERO
    fuel_adjustment: Decimal = ZERO
    surcharge: Decimal = ZERO
    sale_revenue: Decimal = ZERO
    by_period: Mapping[str, PeriodCost] = field(default_factory=dict)
    slot_count: int = 0

    @property
    def purchase_cost(self) -> Decimal:
        """Energy + fuel cost adjustment + renewable surcharge (no basic charge)."""
        return self.energy + self.fuel_adjustment + self.surcharge

    @property
    def net_cost(self) -> Decimal:
        """Purchase cost minus sale revenue."""
        return self.purchase_cost - self.sale_revenue

    def __add__(self, other: CostBreakdown) -> CostBreakdown:
        periods = dict(self.by_period)
        for key, cost in other.by_period.items():
            periods[key] = periods.get(key, PeriodCost()) + cost
        return CostBreakdown(
            purchase_kwh=self.purchase_kwh + other.purchase_kwh,
            sale_kwh=self.sale_kwh + other.sale_kwh,
            energy=self.energy + other.energy,
            fuel_adjustment=self.fuel_adjustment + other.fuel_adjustment,
            surcharge=self.surcharge + other.surcharge,
            sale_revenue=self.sale_revenue + other.sale_revenue,
            by_period=periods,
            slot_count=self.slot_count + other.slot_count,
        )

    @classmethod
    def of(cls, priced: Iterable[PricedSlot]) -> CostBreakdown:
        """Sum of ``priced``."""
        totals = [ZERO] * 6
        periods: dict[str, PeriodCost] = {}
        count = 0
        for item in priced:
            count += 1
            for index, value in enumerate(
                (
                    item.slot.purchase,
                    item.slot.sale,
                    item.energy,
                    item.fuel_adjustment,
                    item.surcharge,
                    item.sale_revenue,
                )
            ):
                totals[index] += value
            periods[item.period_key] = periods.get(item.period_key, PeriodCost()) + PeriodCost(
                item.slot.purchase, item.energy
            )
        return cls(
            purchase_kwh=totals[0],
            sale_kwh=totals[1],
            energy=totals[2],
            fuel_adjustment=totals[3],
            surcharge=totals[4],
            sale_revenue=totals[5],
            by_period=periods,
            slot_count=count,
        )


def _tier_cost(tiers: Sequence[Tier], start: Decimal, end: Decimal) -> Decimal:
    """Energy charge of the kWh from cumulative ``start`` to ``end`` of one period."""
    cost = ZERO
    lower = ZERO
    for tier in tiers:
        upper = tier.up_to_kwh
        low = max(lower, start)
        high = end if upper is None else min(upper, end)
        if high > low:
            cost += (high - low) * tier.price
        if upper is None or upper >= end:
            break
        lower = upper
    return cost


def _free_kwh(tariff: Tariff) -> Decimal:
    basic = tariff.basic
    return basic.included_kwh if basic.kind is BasicKind.MINIMUM else ZERO


def price_slots(tariff: Tariff, slots: Iterable[Slot]) -> list[PricedSlot]:
    """Price every slot, in time order.

    Tiers accumulate per billing month and period in time order, so for exact tier prices pass
    every slot of each billing month from its start (slots not given count as zero usage).
    Two slots with the same start raise :class:`.errors.LedgerError`.
    """
    ordered = sorted(slots, key=lambda slot: slot.start.astimezone(UTC))
    for first, second in pairwise(ordered):
        if first.start == second.start:
            raise LedgerError(f"two slots start at {second.start.isoformat()}")
    free = _free_kwh(tariff)
    used: dict[tuple[BillingMonth, str], Decimal] = {}
    rates: dict[BillingMonth, tuple[Season, Decimal, Decimal]] = {}
    result: list[PricedSlot] = []
    for slot in ordered:
        local = tariff.local(slot.start)
        month = tariff.billing_month_of(local)
        if month not in rates:
            rates[month] = (
                tariff.season_for(month),
                tariff.fuel_adjustment_for(month)[0],
                tariff.surcharge_for(month)[0],
            )
        season, fuel, surcharge = rates[month]
        period = season.period_at(tariff.day_type(local.date()), slot_index(local))
        before = used.get((month, period.key), ZERO)
        after = before + slot.purchase
        used[(month, period.key)] = after
        # A minimum charge's included kWh (single-period plans only, validated) are free.
        energy = _tier_cost(period.tiers, max(before, free), max(after, free))
        sale_price = ZERO
        if tariff.sale is not None and slot.sale:
            sale_price = tariff.sale.stages[tariff.sale.stage_index(local.date())].price
        result.append(
            PricedSlot(
                slot=slot,
                billing_month=month,
                season_key=season.key,
                period_key=period.key,
                tier_index=_last_tier(period, after) if slot.purchase else period.tier_index(after),
                energy=energy,
                fuel_adjustment=slot.purchase * fuel,
                surcharge=slot.purchase * surcharge,
                sale_revenue=slot.sale * sale_price,
            )
        )
    return result


def _last_tier(period: Period, after: Decimal) -> int:
    for index, tier in enumerate(period.tiers):
        if tier.up_to_kwh is None or after <= tier.up_to_kwh:
            return index
    return len(period.tiers) - 1  # pragma: no cover - the last tier is open


def cost_of_slots(
    tariff: Tariff,
    slots: Iterable[Slot],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> CostBreakdown:
    """Costs of the slots starting in ``[since, until)`` (all when not given).

    All ``slots`` are priced (in time order, tiers per billing month), only those in the range
    are summed: pass the billing month's slots and ``since=start of today`` for "cost today".
    """
    return CostBreakdown.of(
        item
        for item in price_slots(tariff, slots)
        if (since is None or item.slot.start >= since)
        and (until is None or item.slot.start < until)
    )


def period_usage(
    tariff: Tariff, slots: Iterable[Slot], month: BillingMonth | None = None
) -> dict[str, Decimal]:
    """kWh purchased per period key in billing month ``month`` (every month when ``None``);
    the ``period_usage`` argument of :func:`.tariff.price_at`."""
    usage: dict[str, Decimal] = {}
    for slot in slots:
        local = tariff.local(slot.start)
        slot_month = tariff.billing_month_of(local)
        if month is not None and slot_month != month:
            continue
        season = tariff.season_for(slot_month)
        period = season.period_at(tariff.day_type(local.date()), slot_index(local))
        usage[period.key] = usage.get(period.key, ZERO) + slot.purchase
    return usage


# --------------------------------------------------------------------------------------------
# Bills


@dataclass(frozen=True, slots=True)
class EnergyLine:
    """One line of the energy charge: kWh of one tier of one period."""

    period_key: str
    tier_index: int
    kwh: Decimal
    price: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Bill:
    """A billing month's electricity bill (purchase side), rounded per the tariff's rules."""

    billing_month: BillingMonth
    start: datetime
    end: datetime
    season_key: str
    kwh: Decimal
    """Billed kWh (after ``usage_kwh`` rounding)."""
    period_kwh: Mapping[str, Decimal]
    basic: Decimal
    energy_lines: tuple[EnergyLine, ...]
    energy: Decimal
    fuel_adjustment_rate: Decimal
    fuel_adjustment: Decimal
    subtotal: Decimal
    """basic + energy + fuel_adjustment, rounded (``rounding.subtotal``)."""
    surcharge_rate: Decimal
    surcharge: Decimal
    total: Decimal
    """subtotal + surcharge: the amount billed."""
    rates_estimated: bool
    """True when the fuel adjustment or surcharge of this month was not entered (fallback)."""


def compute_bill(tariff: Tariff, month: BillingMonth, period_kwh: Mapping[str, Number]) -> Bill:
    """The bill of ``month`` for the given kWh per period key (unknown keys raise KeyError)."""
    rules = tariff.rounding
    season = tariff.season_for(month)
    keys = {period.key for period in season.periods}
    unknown = set(period_kwh) - keys
    if unknown:
        raise KeyError(f"no period {', '.join(sorted(unknown))} in season {season.key!r}")
    billed: dict[str, Decimal] = {}
    for period in season.periods:
        value = to_decimal(period_kwh.get(period.key, 0))
        if value < 0:
            raise ValueError(f"negative kWh {value} for period {period.key!r}")
        billed[period.key] = round_amount(value, rules.usage_kwh, ONE)
    kwh = sum(billed.values(), ZERO)
    free = _free_kwh(tariff)
    lines = [
        line
        for period in season.periods
        for line in _energy_lines(period, billed[period.key], free, rules.line)
    ]
    energy = sum((line.amount for line in lines), ZERO)
    basic = round_amount(tariff.basic.monthly_amount(no_usage=kwh == 0), rules.line)
    fuel_rate, fuel_exact = tariff.fuel_adjustment_for(month)
    fuel = round_amount(kwh * fuel_rate, rules.fuel_adjustment)
    subtotal = round_amount(basic + energy + fuel, rules.subtotal)
    surcharge_rate, surcharge_exact = tariff.surcharge_for(month)
    surcharge = round_amount(kwh * surcharge_rate, rules.surcharge)
    start, end = tariff.billing_period(month)
    return Bill(
        billing_month=month,
        start=start,
        end=end,
        season_key=season.key,
        kwh=kwh,
        period_kwh=billed,
        basic=basic,
        energy_lines=tuple(lines),
        energy=energy,
        fuel_adjustment_rate=fuel_rate,
        fuel_adjustment=fuel,
        subtotal=subtotal,
        surcharge_rate=surcharge_rate,
        surcharge=surcharge,
        total=subtotal + surcharge,
        rates_estimated=not (fuel_exact and surcharge_exact),
    )


def _energy_lines(
    period: Period, total: Decimal, free: Decimal, rounding: RoundingMode
) -> list[EnergyLine]:
    """The lines of one period's ``total`` kWh, tier by tier (the first ``free`` kWh free)."""
    lines: list[EnergyLine] = []
    lower = ZERO
    for index, tier in enumerate(period.tiers):
        upper = total if tier.up_to_kwh is None else min(tier.up_to_kwh, total)
        amount_kwh = max(ZERO, upper - max(lower, free))
        if amount_kwh > 0:
            amount = round_amount(amount_kwh * tier.price, rounding)
            lines.append(EnergyLine(period.key, index, amount_kwh, tier.price, amount))
        if tier.up_to_kwh is None or tier.up_to_kwh >= total:
            break
        lower = tier.up_to_kwh
    return lines


def bill_for_slots(tariff: Tariff, month: BillingMonth, slots: Iterable[Slot]) -> Bill:
    """The bill of ``month`` from its slots (slots of other months are ignored)."""
    return compute_bill(tariff, month, period_usage(tariff, slots, month))


@dataclass(frozen=True, slots=True)
class SaleLine:
    """kWh sold at one sale price stage."""

    stage_index: int
    kwh: Decimal
    price: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class SaleStatement:
    """A billing month's sale revenue (買取金額), rounded with ``rounding.sale``."""

    billing_month: BillingMonth
    kwh: Decimal
    lines: tuple[SaleLine, ...]
    amount: Decimal


def sale_statement(
    tariff: Tariff, month: BillingMonth, slots: Iterable[Slot], *, scale: Number = 1
) -> SaleStatement | None:
    """Sale revenue of ``month`` from its slots (``None`` without a sale plan).  ``scale``
    multiplies every stage's kWh (used for the projection)."""
    if tariff.sale is None:
        return None
    factor = to_decimal(scale)
    per_stage: dict[int, Decimal] = {}
    for slot in slots:
        local = tariff.local(slot.start)
        if tariff.billing_month_of(local) != month or not slot.sale:
            continue
        index = tariff.sale.stage_index(local.date())
        per_stage[index] = per_stage.get(index, ZERO) + slot.sale
    lines = tuple(
        SaleLine(
            index,
            per_stage[index] * factor,
            tariff.sale.stages[index].price,
            per_stage[index] * factor * tariff.sale.stages[index].price,
        )
        for index in sorted(per_stage)
    )
    return SaleStatement(
        billing_month=month,
        kwh=sum((line.kwh for line in lines), ZERO),
        lines=lines,
        amount=round_amount(sum((line.amount for line in lines), ZERO), tariff.rounding.sale),
    )


@dataclass(frozen=True, slots=True)
class BillProjection:
    """This billing month's bill so far and projected to the month's end.

    The projection scales each period's kWh so far by ``1 / coverage`` (rounded to Wh), where
    ``coverage`` is the fraction of the billing month that the given slots cover up to ``now``
    (so a ledger started mid-month still projects sensibly).  With no slots ``coverage`` is 0
    and the projection equals the bill so far.
    """

    now: datetime
    so_far: Bill
    projected: Bill
    coverage: Decimal
    sale_so_far: SaleStatement | None
    sale_projected: SaleStatement | None


def projected_bill(tariff: Tariff, slots: Iterable[Slot], now: datetime) -> BillProjection:
    """Bill of the billing month containing ``now``, so far and projected (see
    :class:`BillProjection`).  Slots outside that month, or starting after ``now``, are
    ignored."""
    month = tariff.billing_month_of(now)
    start, end = tariff.billing_period(month)
    current = [slot for slot in slots if start <= slot.start < end and slot.start < now]
    micro = timedelta(microseconds=1)
    observed = Decimal(sum((min(slot.end, now) - slot.start) // micro for slot in current))
    total = Decimal((end - start) // micro)
    coverage = min(ONE, observed / total)
    usage = period_usage(tariff, current, month)
    so_far = compute_bill(tariff, month, usage)
    if observed > 0:
        scale = max(ONE, total / observed)
        projected = compute_bill(
            tariff,
            month,
            {key: (kwh * scale).quantize(PROJECTION_QUANTUM) for key, kwh in usage.items()},
        )
    else:
        scale = ONE
        projected = so_far
    return BillProjection(
        now=now,
        so_far=so_far,
        projected=projected,
        coverage=coverage,
        sale_so_far=sale_statement(tariff, month, current),
        sale_projected=sale_statement(tariff, month, current, scale=scale),
    )


# --------------------------------------------------------------------------------------------
# Water and gas


def utility_cost(rate: UtilityRate, volume_m3: Number) -> Decimal:
    """Volume charge of ``volume_m3`` (exact; no basic charge)."""
    return rate.unit_price * to_decimal(volume_m3)


def utility_bill(
    rate: UtilityRate, volume_m3: Number, rounding: RoundingMode = RoundingMode.DOWN
) -> Decimal:
    """A month's water or gas bill: basic charge + volume charge, rounded to whole yen."""
    return round_amount(rate.basic_charge + utility_cost(rate, volume_m3), rounding)
