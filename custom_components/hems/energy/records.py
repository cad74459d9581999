"""Eco records: best days for generation and sale, lowest consumption and purchase.

Only complete days (every slot known) count, and a record must be beaten strictly, so on a tie
the earlier day keeps it.  Lowest consumption ignores days without consumption (missing data
rather than a real record).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .amounts import decimal_str, to_decimal
from .errors import LedgerError
from .totals import DaySummary, EnergyTotals


class RecordKind(StrEnum):
    """The records kept."""

    BEST_GENERATION = "best_generation"
    BEST_SALE = "best_sale"
    LOWEST_CONSUMPTION = "lowest_consumption"
    LOWEST_PURCHASE = "lowest_purchase"


@dataclass(frozen=True, slots=True)
class DayRecord:
    """A record value and the day it was set."""

    day: date
    value: Decimal


_RULES: dict[RecordKind, tuple[Callable[[EnergyTotals], Decimal], bool]] = {
    RecordKind.BEST_GENERATION: (lambda totals: totals.generation, True),
    RecordKind.BEST_SALE: (lambda totals: totals.sale, True),
    RecordKind.LOWEST_CONSUMPTION: (lambda totals: totals.consumption, False),
    RecordKind.LOWEST_PURCHASE: (lambda totals: totals.purchase, False),
}


@dataclass(frozen=True, slots=True)
class EcoRecords:
    """Current records (``None`` until a qualifying day exists)."""

    best_generation: DayRecord | None = None
    best_sale: DayRecord | None = None
    lowest_consumption: DayRecord | None = None
    lowest_purchase: DayRecord | None = None

    def get(self, kind: RecordKind) -> DayRecord | None:
        """The record of ``kind``."""
        record: DayRecord | None = getattr(self, kind.value)
        return record

    def consider(self, summary: DaySummary) -> tuple[EcoRecords, list[RecordKind]]:
        """Records after ``summary`` (skipped unless complete), and the kinds it broke."""
        if not summary.complete:
            return self, []
        broken: list[RecordKind] = []
        updated = self
        for kind, (measure, highest) in _RULES.items():
            value = measure(summary.totals)
            if highest and value <= 0:
                continue
            if kind is RecordKind.LOWEST_CONSUMPTION and value <= 0:
                continue
            if kind is RecordKind.LOWEST_PURCHASE and value < 0:
                continue
            current = self.get(kind)
            better = current is None or (
                value > current.value if highest else value < current.value
            )
            if current is not None and value == current.value and summary.day < current.day:
                better = True
            if better:
                updated = replace(updated, **{kind.value: DayRecord(summary.day, value)})
                broken.append(kind)
        return updated, broken

    def merge(self, other: EcoRecords) -> EcoRecords:
        """The better of two sets of records, per kind."""
        result = self
        for kind, (_, highest) in _RULES.items():
            mine, theirs = self.get(kind), other.get(kind)
            if theirs is None:
                continue
            if (
                mine is None
                or (theirs.value > mine.value if highest else theirs.value < mine.value)
                or (theirs.value == mine.value and theirs.day < mine.day)
            ):
                result = replace(result, **{kind.value: theirs})
        return result

    def to_dict(self) -> dict[str, Any]:
        """``{kind: {"day": ISO date, "value": "12.3"} | None}``."""
        out: dict[str, Any] = {}
        for kind in RecordKind:
            record = self.get(kind)
            out[kind.value] = (
                None
                if record is None
                else {"day": record.day.isoformat(), "value": decimal_str(record.value)}
            )
        return out

    @classmethod
    def from_dict(cls, data: Any) -> EcoRecords:
        """Inverse of :meth:`to_dict`."""
        values: dict[str, DayRecord] = {}
        try:
            for kind in RecordKind:
                item = data.get(kind.value)
                if item is not None:
                    values[kind.value] = DayRecord(
                        date.fromisoformat(item["day"]), to_decimal(item["value"])
                    )
        except (AttributeError, KeyError, TypeError, ValueError) as err:
            raise LedgerError(f"unreadable records {data!r}: {err}") from None
        return cls(**values)


def eco_records(summaries: Iterable[DaySummary]) -> EcoRecords:
    """Records over ``summaries`` (incomplete days are skipped)."""
    records = EcoRecords()
    for summary in summaries:
        records, _ = records.consider(summary)
    return records
