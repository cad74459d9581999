"""House consumption, self-sufficiency and self-consumption.

Rates are fractions (0-1, ``None`` when undefined); a sensor shows them x 100 as %.
"""

from __future__ import annotations

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


def self_consumption(totals: EnergyTotals) -> Decimal | None:
    """Share of the generation used at home (not sold): (generation - sale) / generation.

    ``None`` when nothing was generated.
    """
    if totals.generation <= 0:
        return None
    return _clamp(totals.self_consumed / totals.generation)


def generation_ratio(totals: EnergyTotals) -> Decimal | None:
    """Generation / consumption, the "energy self-sufficiency" some HEMS displays show (can
    exceed 1 on sunny days).  ``None`` when there was no consumption."""
    consumption = totals.consumption
    if consumption <= 0:
        return None
    return totals.generation / consumption
