"""Backfilling hourly energy statistics from a smart meter's history: what to write.

The pure half of the B-route backfill (the recorder half, which reads and writes Home
Assistant's statistics, is the integration's ``statistics_backfill`` module; its docstring
tells the design).  Here: which hours one run covers, and the rows each energy statistic gets
from the meter's cumulative values at the hour boundaries (the arithmetic is
:mod:`.meter_hours`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal, Protocol

from .meter_hours import HOUR, Anchor, HourRow, floor_hour, hour_rows, signed_delta, to_counts

Channel = Literal["import", "export"]

#: Hours are written this long after their end (the recorder compiles an hour 10 s after it).
DEFAULT_MARGIN: Final = timedelta(minutes=10)
#: How far back the anchor row is looked for.
ANCHOR_LOOKBACK: Final = timedelta(days=60)
#: Meter days read at most (meters keep about 45 days of history 1).
MAX_DAYS: Final = 45


class MeterSlot(Protocol):
    """One :00/:30 value of the meter's history (the B-route driver's ``HistorySlot``)."""

    @property
    def time(self) -> datetime:
        """The boundary (aware)."""

    @property
    def import_raw(self) -> int | None:
        """The cumulative import counter there (raw counts), None: no data."""

    @property
    def export_raw(self) -> int | None:
        """The cumulative export counter there (raw counts), None: no data."""


@dataclass(slots=True)
class BackfillResult:
    """What one run did (for diagnostics and tests)."""

    since: datetime | None
    end: datetime | None = None
    rows: dict[str, int] = field(default_factory=dict)  # statistic id -> rows written
    first: dict[str, datetime] = field(default_factory=dict)  # statistic id -> first hour
    reads: list[str] = field(default_factory=list)  # "EC x12", "E2 day 3", ...
    complete: bool = True  # False: the newest hours were not available yet (run again)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "since": None if self.since is None else self.since.isoformat(),
            "end": None if self.end is None else self.end.isoformat(),
            "rows": dict(self.rows),
            "first": {k: v.isoformat() for k, v in self.first.items()},
            "reads": list(self.reads),
            "complete": self.complete,
        }


def backfill_end(now: datetime, margin: timedelta = DEFAULT_MARGIN) -> datetime:
    """The end of the last hour a run may write: the recorder compiled it ``margin`` ago."""
    return floor_hour(now - margin)


def first_boundary(anchors: Iterable[Anchor]) -> datetime:
    """The first hour boundary the meter's history must cover (after the oldest anchor)."""
    return min(floor_hour(anchor.start) + HOUR for anchor in anchors)


def rows_to_write(
    anchor: Anchor,
    channel: Channel,
    slots: Sequence[MeterSlot],
    end: datetime,
    *,
    count_kwh: float,
    modulus: int | None,
) -> tuple[list[HourRow], bool]:
    """The hourly rows after ``anchor`` up to ``end`` from the meter's slots on the hour.

    Returns the rows and whether they cover every hour up to ``end`` (False: the meter had
    no data for the newest ones yet; a later run writes them).
    """
    boundaries = {
        slot.time.astimezone(UTC): slot.import_raw if channel == "import" else slot.export_raw
        for slot in slots
        if slot.time.minute == 0
    }
    rows = hour_rows(anchor, boundaries, end, count_kwh=count_kwh, modulus=modulus)
    expected = round((end - floor_hour(anchor.start)) / HOUR) - 1
    return rows, len(rows) >= expected


def history_rows(
    channel: Channel,
    slots: Sequence[MeterSlot],
    zero_kwh: float,
    live_hour: datetime,
    *,
    count_kwh: float,
    modulus: int | None,
) -> list[HourRow]:
    """The hourly rows of the meter's history before a sensor's first live hour.

    Home Assistant compiles a new sensor's statistics from its first recorded value (the *zero
    point* ``zero_kwh``, read in ``live_hour``): its sum is 0 there.  Every earlier hour gets
    ``sum`` = the meter's counter at the hour's end - the zero point (negative: only the
    differences count), so the first live hour shows exactly the meter's energy of that hour
    (the part before the first reading from the history, the rest from the live sensor) and
    nothing is counted twice.  The rows run back from ``live_hour`` as long as the meter has a
    value at every hour boundary (the first missing one ends them); a step back of the counter
    (a glitch) counts as no energy.  Returns the rows in time order.
    """
    live_hour = floor_hour(live_hour)
    boundaries = {
        slot.time.astimezone(UTC): slot.import_raw if channel == "import" else slot.export_raw
        for slot in slots
        if slot.time.minute == 0
    }
    counts = boundaries.get(live_hour)
    if counts is None:
        return []
    zero = to_counts(zero_kwh, count_kwh, modulus)
    total = min(0, signed_delta(zero, counts, modulus))  # the boundary is before the zero point
    rows: list[HourRow] = []
    moment = live_hour
    while (earlier := boundaries.get(moment - HOUR)) is not None:
        rows.append(
            HourRow(
                start=moment - HOUR,
                sum=round(total * count_kwh, 6),
                state=round(counts * count_kwh, 6),
            )
        )
        total -= max(0, signed_delta(earlier, counts, modulus))
        counts = earlier
        moment -= HOUR
    rows.reverse()
    return rows


__all__ = [
    "ANCHOR_LOOKBACK",
    "DEFAULT_MARGIN",
    "MAX_DAYS",
    "BackfillResult",
    "Channel",
    "MeterSlot",
    "backfill_end",
    "first_boundary",
    "history_rows",
    "rows_to_write",
]
