"""Peak demand (largest 30-minute purchase) and the contract-ampere alert."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .amounts import ZERO, Number, decimal_str, to_decimal
from .errors import LedgerError
from .slots import SLOT, Slot


@dataclass(frozen=True, slots=True)
class PeakDemand:
    """The largest purchase in one 30-minute slot: ``kwh`` in ``[start, start + 30 min)``."""

    start: datetime
    kwh: Decimal

    @property
    def end(self) -> datetime:
        """End of the slot."""
        return (self.start.astimezone(UTC) + SLOT).astimezone(self.start.tzinfo)

    @property
    def average_kw(self) -> Decimal:
        """Average power over the slot: kWh per half hour x 2."""
        return self.kwh * 2

    def to_dict(self) -> dict[str, str]:
        """``{"start": ISO, "kwh": "1.23"}``."""
        return {"start": self.start.isoformat(), "kwh": decimal_str(self.kwh)}

    @classmethod
    def from_dict(cls, data: Any) -> PeakDemand:
        """Inverse of :meth:`to_dict`."""
        try:
            start = datetime.fromisoformat(data["start"])
            if start.tzinfo is None:
                raise ValueError("the time has no time zone")
            return cls(start, to_decimal(data["kwh"]))
        except (KeyError, TypeError, ValueError) as err:
            raise LedgerError(f"unreadable peak {data!r}: {err}") from None


def _better(candidate: PeakDemand, best: PeakDemand | None) -> bool:
    if best is None or candidate.kwh > best.kwh:
        return True
    return candidate.kwh == best.kwh and candidate.start < best.start


def peak_demand(slots: Iterable[Slot]) -> PeakDemand | None:
    """Largest ``purchase`` among ``slots`` (the earliest on a tie); ``None`` without slots."""
    best: PeakDemand | None = None
    for slot in slots:
        candidate = PeakDemand(slot.start, slot.purchase)
        if _better(candidate, best):
            best = candidate
    return best


def combine_peaks(peaks: Iterable[PeakDemand | None]) -> PeakDemand | None:
    """Largest of several peaks (e.g. the days of a month), the earliest on a tie."""
    best: PeakDemand | None = None
    for peak in peaks:
        if peak is not None and _better(peak, best):
            best = peak
    return best


class AmpereLevel(StrEnum):
    """Contract-ampere alert level."""

    OK = "ok"
    WARNING = "warning"
    OVER = "over"


@dataclass(frozen=True, slots=True)
class AmpereStatus:
    """Highest line current against the contract current."""

    current: Decimal
    contract: Decimal
    ratio: Decimal
    level: AmpereLevel


DEFAULT_WARN_FRACTION = Decimal("0.8")


def ampere_status(
    contract_amperes: Number,
    line_currents: Iterable[Number],
    *,
    warn_fraction: Number = DEFAULT_WARN_FRACTION,
) -> AmpereStatus:
    """Alert level for the current draw against the contract.

    ``line_currents`` are the currents of each line (the smart meter's R and T phase currents,
    EPC 0xE8, on a single-phase three-wire supply); the breaker trips when any line exceeds the
    contract current, so the highest counts.  ``warning`` from ``warn_fraction`` (default 80 %)
    of the contract, ``over`` above the contract.
    """
    contract = to_decimal(contract_amperes)
    if contract <= 0:
        raise ValueError("the contract current must be positive")
    currents = [to_decimal(value) for value in line_currents]
    current = max(currents, default=ZERO)
    ratio = current / contract
    if current > contract:
        level = AmpereLevel.OVER
    elif ratio >= to_decimal(warn_fraction):
        level = AmpereLevel.WARNING
    else:
        level = AmpereLevel.OK
    return AmpereStatus(current, contract, ratio, level)


def estimated_line_current(
    power_w: Number, *, three_wire: bool = True, voltage: Number = 100
) -> Decimal:
    """Rough line current from purchase power when the meter's currents are unknown.

    Single-phase three-wire (100/200 V, the usual home supply): ``W / (2 x 100 V)``, exact for
    balanced lines and an underestimate otherwise; two-wire: ``W / 100 V``.
    """
    watts = max(ZERO, to_decimal(power_w))
    return watts / (to_decimal(voltage) * (2 if three_wire else 1))
