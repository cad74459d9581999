"""Per-slot purchase and sale prices from the energy entry's tariff.

Prices come from the energy library (:func:`..price_at`, :func:`..sale_price_at`): the
all-in marginal price of the period (energy price + fuel cost adjustment + renewable
surcharge, first tier) and the sale price of the stage in force.  A lookup is cached by what
decides it (billing month, day type, time of day; the date for the sale price), so a 96-slot
horizon costs a few dictionary lookups once the month has been seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from .. import BillingMonth, DayType, Tariff, price_at, sale_price_at
from .model import SLOT


class TariffPrices:
    """Prices of one tariff, by slot.  Keep one per tariff: it caches."""

    def __init__(self, tariff: Tariff) -> None:
        self.tariff = tariff
        self._purchase: dict[tuple[BillingMonth, DayType, int], float] = {}
        self._sale: dict[date, float] = {}

    def purchase_price(self, when: datetime) -> float:
        """Yen per kWh bought in the slot starting at ``when`` (aware)."""
        local = self.tariff.local(when)
        key = (
            self.tariff.billing_month_of(local),
            self.tariff.day_type(local.date()),
            (local.hour * 60 + local.minute) // 30,
        )
        price = self._purchase.get(key)
        if price is None:
            price = self._purchase[key] = float(price_at(self.tariff, local).price_per_kwh)
        return price

    def sale_price(self, when: datetime) -> float:
        """Yen per kWh the house sells in the slot starting at ``when``: 0 without a sale plan,
        and 0 under full feed-in (全量買取), where the solar is sold through its own meter and
        nothing the house exports is paid for."""
        if self.tariff.full_feed_in:
            return 0.0
        day = self.tariff.local(when).date()
        price = self._sale.get(day)
        if price is None:
            info = sale_price_at(self.tariff, when)
            price = self._sale[day] = 0.0 if info is None else float(info.price_per_kwh)
        return price

    def horizon(self, start: datetime, slots: int) -> tuple[list[float], list[float]]:
        """(purchase, sale) prices of ``slots`` slots from ``start``."""
        times = [start + index * SLOT for index in range(slots)]
        return (
            [self.purchase_price(when) for when in times],
            [self.sale_price(when) for when in times],
        )


def solar_for_house(
    tariff: Tariff, solar_kwh: Sequence[float] | None, slots: int
) -> list[float] | None:
    """The forecast solar the house itself can use, per slot (``None``: not known): all of it
    under surplus sale, none (known: ``slots`` zeros) under full feed-in (全量買取), where every
    kWh generated goes out through the sale meter.  A planner that shifted load onto that solar
    would only buy more from the grid."""
    if tariff.full_feed_in:
        return [0.0] * slots
    return None if solar_kwh is None else [float(value) for value in solar_kwh]
