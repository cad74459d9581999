"""CO2 emitted by purchased electricity and avoided by generation."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .amounts import Number, to_decimal
from .totals import EnergyTotals


@dataclass(frozen=True, slots=True)
class Co2Balance:
    """kg-CO2: ``emitted`` = purchased kWh x factor, ``avoided`` = generated kWh x factor."""

    emitted_kg: Decimal
    avoided_kg: Decimal

    @property
    def net_kg(self) -> Decimal:
        """emitted - avoided (negative when the house avoided more than it emitted)."""
        return self.emitted_kg - self.avoided_kg


def co2_balance(totals: EnergyTotals, factor_kg_per_kwh: Number) -> Co2Balance:
    """CO2 of ``totals`` with an emission factor (kg-CO2/kWh, the retailer's published one)."""
    factor = to_decimal(factor_kg_per_kwh)
    if factor < 0:
        raise ValueError("the emission factor must not be negative")
    return Co2Balance(totals.purchase * factor, totals.generation * factor)
