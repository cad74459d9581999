"""House consumption, self-sufficiency and self-consumption.

Rates are fractions (0-1, ``None`` when undefined); a sensor shows them x 100 as %.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .amounts import ONE, ZERO, Number, to_decimal
from .totals import EnergyTotals


def house_consumption(
    purchase: Number,
    sale: Number = 0,
    generation: Number = 0,
    battery_discharge: Number = 0,
    battery_charge: Number = 0,
    *,
    clamp: bool = True,
) -> Decimal:
    """purchase - sale + generation + battery discharge - battery charge.

    Works for power (W) and energy (kWh) alike.  With ``clamp`` (default) a negative result
    (inputs sampled at slightly different moments) becomes 0.
    """
    value = (
        to_decimal(purchase)
        - to_decimal(sale)
        + to_decimal(generation)
        + to_decimal(battery_discharge)
        - to_decimal(battery_charge)
    )
    return max(ZERO, value) if clamp else value


def _clamp(value: Decimal) -> Decimal:
    return min(ONE, max(ZERO, value))


def self_sufficiency(totals: EnergyTotals) -> Decimal | None:
    """Share of the consumption not bought from the grid: 1 - purchase / consumption.

    This is Home Assistant's definition (the Energy dashboard's self-sufficiency gauge).
    ``None`` when there was no consumption.
    """
    consumption = totals.consumption
    if consumption <= 0:
        return None
    return _clamp(ONE - totals.purchase / consumption)


def self_consumption(buckets: Iterable[EnergyTotals]) -> Decimal | None:
    """Share of the generation used at home, as Home Assistant's Energy dashboard computes
    it ("self-consumed solar energy"), from the totals of consecutive buckets (the dashboard
    uses hours for a day, days for a month).

    In each bucket the flows are split in the dashboard's order (grid in excess of the
    consumption charges the battery first; then generation charges the battery, generation
    goes to the grid, the battery to the grid, the grid charges the battery; the rest is used
    at home, generation first, then the battery, then the grid).  Generation used at home
    counts as consumed, generation sold as returned; generation stored in the battery counts
    only when the battery gives it back (last in, first out: to the house it is consumed, to
    the grid returned), so energy still stored at the end is in neither.  Returns
    consumed / (consumed + returned); ``None`` when no generation was used or sold.

    Without a battery this is (generation - sale) / generation in every bucket.
    """
    consumed = returned = ZERO
    stored: list[tuple[bool, Decimal]] = []  # (from generation, kWh), last in first out
    for bucket in buckets:
        flows = _split(bucket)
        consumed += flows.used_generation
        returned += flows.generation_to_grid
        if flows.grid_to_battery:
            stored.append((False, flows.grid_to_battery))
        if flows.generation_to_battery:
            stored.append((True, flows.generation_to_battery))
        for amount, to_house in ((flows.used_battery, True), (flows.battery_to_grid, False)):
            while amount > 0 and stored:
                solar, kwh = stored.pop()
                taken = min(amount, kwh)
                if taken < kwh:
                    stored.append((solar, kwh - taken))
                if solar and to_house:
                    consumed += taken
                elif solar:
                    returned += taken
                amount -= taken
    total = consumed + returned
    if total <= 0:
        return None
    return _clamp(consumed / total)


@dataclass(frozen=True, slots=True)
class Flows:
    """Where one bucket's energy went (kWh), in the Energy dashboard's order of priority."""

    used_generation: Decimal
    used_battery: Decimal
    generation_to_grid: Decimal
    generation_to_battery: Decimal
    grid_to_battery: Decimal
    battery_to_grid: Decimal


def _split(totals: EnergyTotals) -> Flows:
    """The dashboard's split of one bucket (its ``computeConsumptionSingle``)."""
    to_grid = max(ZERO, totals.sale)
    to_battery = max(ZERO, totals.battery_charge)
    generation = max(ZERO, totals.generation)
    from_grid = max(ZERO, totals.purchase)
    from_battery = max(ZERO, totals.battery_discharge)
    remaining = max(ZERO, from_grid + generation + from_battery - to_grid - to_battery)
    grid_to_battery = max(ZERO, min(to_battery, from_grid - remaining))
    to_battery -= grid_to_battery
    from_grid -= grid_to_battery
    generation_to_battery = min(generation, to_battery)
    to_battery -= generation_to_battery
    generation -= generation_to_battery
    generation_to_grid = min(generation, to_grid)
    to_grid -= generation_to_grid
    generation -= generation_to_grid
    battery_to_grid = min(from_battery, to_grid)
    from_battery -= battery_to_grid
    grid_to_battery += min(from_grid, to_battery)
    used_generation = min(remaining, generation)
    remaining -= used_generation
    return Flows(
        used_generation=used_generation,
        used_battery=min(from_battery, remaining),
        generation_to_grid=generation_to_grid,
        generation_to_battery=generation_to_battery,
        grid_to_battery=grid_to_battery,
        battery_to_grid=battery_to_grid,
    )


def generation_ratio(totals: EnergyTotals) -> Decimal | None:
    """Generation / consumption, the "energy self-sufficiency" some HEMS displays show (can
    exceed 1 on sunny days).  ``None`` when there was no consumption."""
    consumption = totals.consumption
    if consumption <= 0:
        return None
    return totals.generation / consumption
