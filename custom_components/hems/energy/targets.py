"""Progress against a usage target for a period (a month of electricity, gas or water).

Rule for ``about_to_exceed`` (not yet exceeded, and either):

* the usage has reached ``warn_fraction`` (default 90 %) of the target, or
* at least ``min_elapsed`` (default 3 days) of the period has passed and the linear projection
  to the period's end (``used / elapsed fraction``) is above the target.

``exceeded`` is ``used > target``.  The elapsed fraction is time-based by default; pass
``elapsed_fraction`` to use the coverage of the data instead (e.g. a ledger started mid-month).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from .amounts import ONE, ZERO, Number, to_decimal

DEFAULT_WARN_FRACTION = Decimal("0.9")
DEFAULT_MIN_ELAPSED = timedelta(days=3)


@dataclass(frozen=True, slots=True)
class TargetProgress:
    """Usage so far against a target."""

    used: Decimal
    target: Decimal
    fraction: Decimal
    """used / target (may exceed 1)."""
    elapsed_fraction: Decimal
    projected: Decimal
    """Linear projection of the usage at the end of the period."""
    remaining: Decimal
    """target - used (negative once exceeded)."""
    exceeded: bool
    about_to_exceed: bool


def target_progress(
    used: Number,
    target: Number,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    warn_fraction: Number = DEFAULT_WARN_FRACTION,
    min_elapsed: timedelta = DEFAULT_MIN_ELAPSED,
    elapsed_fraction: Number | None = None,
) -> TargetProgress:
    """Progress of ``used`` against ``target`` in the period ``[start, end)`` at ``now``."""
    used_value, target_value = to_decimal(used), to_decimal(target)
    if target_value <= 0:
        raise ValueError("the target must be positive")
    if end <= start:
        raise ValueError("the period must end after it starts")
    micro = timedelta(microseconds=1)
    elapsed = min(max(now - start, timedelta()), end - start)
    if elapsed_fraction is None:
        elapsed_units, total_units = Decimal(elapsed // micro), Decimal((end - start) // micro)
    else:
        elapsed_units = min(ONE, max(ZERO, to_decimal(elapsed_fraction)))
        total_units = ONE
    fraction_elapsed = elapsed_units / total_units
    # One division, so that round cases stay exact (used x total / elapsed).
    projected = used_value * total_units / elapsed_units if elapsed_units > 0 else used_value
    exceeded = used_value > target_value
    about = not exceeded and (
        used_value >= to_decimal(warn_fraction) * target_value
        or (elapsed >= min_elapsed and projected > target_value)
    )
    return TargetProgress(
        used=used_value,
        target=target_value,
        fraction=used_value / target_value,
        elapsed_fraction=fraction_elapsed,
        projected=projected,
        remaining=target_value - used_value,
        exceeded=exceeded,
        about_to_exceed=about,
    )
