"""Energy totals of a time range and per-day summaries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from .amounts import ZERO, decimal_str, to_decimal
from .demand import PeakDemand
from .errors import LedgerError
from .slots import CHANNELS, Slot


@dataclass(frozen=True, slots=True)
class EnergyTotals:
    """Sums of slot channels (kWh; m³ for gas and water)."""

    # The fields are the slot channels (:data:`.slots.CHANNELS`), as in :class:`.slots.Slot`,
    # on purpose: totals are built and compared field by field with slots.
    purchase: Decimal = ZERO
    sale: Decimal = ZERO
    generation: Decimal = ZERO
    battery_charge: Decimal = ZERO
    battery_discharge: Decimal = ZERO
    gas: Decimal = ZERO
    water: Decimal = ZERO

    @property
    def consumption(self) -> Decimal:
        """House consumption: purchase - sale + generation + discharge - charge.

        Not clamped: a negative value means inconsistent inputs (e.g. a generation sensor
        lagging the meter), and clamping would break additivity.
        """
        return (
            self.purchase
            - self.sale
            + self.generation
            + self.battery_discharge
            - self.battery_charge
        )

    @property
    def self_consumed(self) -> Decimal:
        """Generation used in the house (or stored): generation - sale, within [0, generation]."""
        return min(self.generation, max(ZERO, self.generation - self.sale))

    def __add__(self, other: EnergyTotals) -> EnergyTotals:
        return EnergyTotals(*(getattr(self, name) + getattr(other, name) for name in CHANNELS))

    @classmethod
    def of(cls, items: Iterable[Slot | EnergyTotals]) -> EnergyTotals:
        """Sum of slots or totals."""
        sums = dict.fromkeys(CHANNELS, ZERO)
        for item in items:
            for name in CHANNELS:
                sums[name] += getattr(item, name)
        return cls(*(sums[name] for name in CHANNELS))

    def to_dict(self) -> dict[str, str]:
        """Non-zero channels as strings."""
        return {
            item.name: decimal_str(getattr(self, item.name))
            for item in fields(self)
            if getattr(self, item.name)
        }

    @classmethod
    def from_dict(cls, data: Any) -> EnergyTotals:
        """Inverse of :meth:`to_dict`."""
        try:
            unknown = set(data) - set(CHANNELS)
            if unknown:
                raise ValueError(f"unknown channel(s) {', '.join(sorted(unknown))}")
            return cls(*(to_decimal(data.get(name, 0)) for name in CHANNELS))
        except (AttributeError, TypeError, ValueError) as err:
            raise LedgerError(f"unreadable totals {data!r}: {err}") from None


@dataclass(frozen=True, slots=True)
class DaySummary:
    """One local day: totals, how many of its slots are known, and its peak demand."""

    day: date
    totals: EnergyTotals
    slot_count: int
    expected_slots: int
    peak: PeakDemand | None

    @property
    def complete(self) -> bool:
        """True when every slot of the day is known."""
        return self.slot_count >= self.expected_slots

    def to_dict(self) -> dict[str, Any]:
        """``{"day": ISO date, "totals": {...}, "slots": n, "expected": n, "peak": {...}}``."""
        return {
            "day": self.day.isoformat(),
            "totals": self.totals.to_dict(),
            "slots": self.slot_count,
            "expected": self.expected_slots,
            "peak": None if self.peak is None else self.peak.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Any) -> DaySummary:
        """Inverse of :meth:`to_dict`."""
        try:
            return cls(
                day=date.fromisoformat(data["day"]),
                totals=EnergyTotals.from_dict(data.get("totals", {})),
                slot_count=int(data["slots"]),
                expected_slots=int(data["expected"]),
                peak=None if data.get("peak") is None else PeakDemand.from_dict(data["peak"]),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise LedgerError(f"unreadable day summary {data!r}: {err}") from None
