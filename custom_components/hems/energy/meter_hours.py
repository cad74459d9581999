"""Hourly statistics rows from a smart meter's cumulative history: the pure arithmetic.

The meter keeps its cumulative counters at every :00 and :30 (history 0xE2/0xE4 per day,
0xEC for the last hours).  Home Assistant's long-term statistics are hourly rows (``start``
on the hour, ``sum`` = running total at the end of the hour, ``state`` = the counter there).
:func:`hour_rows` turns the counter values at the hour boundaries into such rows, continuing
an *anchor* row the recorder already holds:

* the counters are raw register counts; a decrease by more than half the modulus (10 ** D7)
  is a wrap, a smaller one a glitch (treated as no energy);
* ``sum`` of every row is the anchor's sum plus the counts since the window's first boundary,
  so each hour's increase is exactly the meter's (``counts x kWh per count``);
* missing boundaries ("no data" slots) inside the window are interpolated linearly; missing
  ones at the end shorten the window (a later run fills them);
* when the first boundary is missing or far from the anchor's state (a counter the anchor
  does not belong to), the anchor's state is used as the first boundary: the rows stay
  continuous with the recorder, the first hour takes the difference.

No Home Assistant imports: :mod:`.backfill` says what to write; the integration's
``statistics_backfill`` module is the recorder glue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
import itertools
from typing import Final
from zoneinfo import ZoneInfo

HOUR: Final = timedelta(hours=1)
SLOT: Final = timedelta(minutes=30)
JST: Final = ZoneInfo("Asia/Tokyo")
#: Slots of history 2 (0xEC) in one request.
HISTORY2_MAX_SLOTS: Final = 12
#: The first boundary is trusted when it is this close to the anchor's state (kWh).
ANCHOR_TOLERANCE_KWH: Final = 2.0


def floor_hour(moment: datetime) -> datetime:
    """The UTC hour at or before ``moment`` (aware)."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def hour_boundaries(start: datetime, end: datetime) -> list[datetime]:
    """Every hour from ``start`` to ``end`` inclusive (UTC)."""
    start, end = floor_hour(start), floor_hour(end)
    out: list[datetime] = []
    moment = start
    while moment <= end:
        out.append(moment)
        moment += HOUR
    return out


def signed_delta(old: int, new: int, modulus: int | None) -> int:
    """Counts from ``old`` to ``new``: across one wrap when the counter went down by more than
    half the modulus, negative for a smaller step back."""
    if modulus is None:
        return new - old
    delta = (new - old) % modulus
    if delta > modulus // 2:
        delta -= modulus
    return delta


def to_counts(kwh: float, count_kwh: float, modulus: int | None) -> int:
    """The register value that shows ``kwh`` (wrapped at the modulus)."""
    counts = round(kwh / count_kwh)
    return counts % modulus if modulus else counts


@dataclass(frozen=True, slots=True)
class HourRow:
    """One hourly statistics row (kWh)."""

    start: datetime  # UTC, on the hour
    sum: float
    state: float


@dataclass(frozen=True, slots=True)
class Anchor:
    """The recorder's row just before the window: its sum and state (kWh)."""

    start: datetime
    sum: float
    state: float


def hour_rows(
    anchor: Anchor,
    boundaries: Mapping[datetime, int | None],
    end: datetime,
    *,
    count_kwh: float,
    modulus: int | None,
) -> list[HourRow]:
    """Rows for the hours from the anchor's next hour up to ``end`` (exclusive).

    ``boundaries`` maps UTC hours to the meter's raw counter at that moment (None or absent:
    no data).  Returns the rows in order; fewer when the last boundaries are missing.
    """
    start = floor_hour(anchor.start) + HOUR
    times = hour_boundaries(start, end) if end > start else []
    if len(times) < 2:
        return []
    anchor_counts = to_counts(anchor.state, count_kwh, modulus)
    values: list[int | None] = [boundaries.get(t) for t in times]
    first = values[0]
    if (
        first is None
        or abs(signed_delta(anchor_counts, first, modulus)) * count_kwh > ANCHOR_TOLERANCE_KWH
    ):
        first = anchor_counts
    # positions on a continuous (unwrapped) axis, relative to the first boundary
    positions: list[int | None] = [0]
    last_known = first
    offset = 0
    for value in values[1:]:
        if value is None:
            positions.append(None)
            continue
        offset += signed_delta(last_known, value, modulus)
        last_known = value
        positions.append(offset)
    positions = _interpolate(positions)
    start_state = anchor.state + signed_delta(anchor_counts, first, modulus) * count_kwh
    rows: list[HourRow] = []
    total = 0
    for moment, position in zip(times[:-1], positions[1:], strict=True):
        if position is None:
            break
        total = max(total, position)  # glitches never make the sum go down
        rows.append(
            HourRow(
                start=moment,
                sum=round(anchor.sum + total * count_kwh, 6),
                state=round(start_state + total * count_kwh, 6),
            )
        )
    return rows


def _interpolate(positions: list[int | None]) -> list[int | None]:
    """Fill inner gaps linearly (whole counts); trailing gaps stay None."""
    out = list(positions)
    known = [i for i, p in enumerate(out) if p is not None]
    for left, right in itertools.pairwise(known):
        a, b = out[left], out[right]
        assert a is not None and b is not None
        for i in range(left + 1, right):
            out[i] = a + round((b - a) * (i - left) / (right - left))
    return out


@dataclass(frozen=True, slots=True)
class HistoryPlan:
    """What to read from the meter: one history-2 request, or history-1 days."""

    recent_end: datetime | None  # meter time (JST) of the newest slot for 0xEC
    recent_count: int
    days_ago: tuple[int, ...]  # for 0xE5 + 0xE2/0xE4, newest first


def history_plan(
    first: datetime, last: datetime, meter_today: date, *, history2: bool = True
) -> HistoryPlan:
    """The cheapest reads that cover the boundaries ``first`` ... ``last`` (aware, on :00).

    Up to 12 half-hour slots: one 0xEC request.  Longer: one 0xE2/0xE4 request per meter day.
    """
    first_jst, last_jst = first.astimezone(JST), last.astimezone(JST)
    slots = round((last_jst - first_jst) / SLOT) + 1
    if history2 and slots <= HISTORY2_MAX_SLOTS:
        return HistoryPlan(last_jst, slots, ())
    days: list[int] = []
    day = last_jst.date()
    while day >= first_jst.date():
        days.append((meter_today - day).days)
        day -= timedelta(days=1)
    return HistoryPlan(None, 0, tuple(d for d in days if d >= 0))


__all__ = [
    "HISTORY2_MAX_SLOTS",
    "HOUR",
    "Anchor",
    "HistoryPlan",
    "HourRow",
    "floor_hour",
    "history_plan",
    "hour_boundaries",
    "hour_rows",
    "signed_delta",
    "to_counts",
]
