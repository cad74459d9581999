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
    boundaries = _boundaries(channel, slots)
    rows = hour_rows(anchor, boundaries, end, count_kwh=count_kwh, modulus=modulus)
    expected = round((end - floor_hour(anchor.start)) / HOUR) - 1
    return rows, len(rows) >= expected


def _boundaries(channel: Channel, slots: Sequence[MeterSlot]) -> dict[datetime, int | None]:
    """The channel's counter at each hour boundary the slots hold (None: the meter's no data)."""
    return {
        slot.time.astimezone(UTC): slot.import_raw if channel == "import" else slot.export_raw
        for slot in slots
        if slot.time.minute == 0
    }


@dataclass(slots=True)
class HistoryCursor:
    """How far the newest-first import of one statistic got.

    Every hour from ``moment`` up to the statistic's first live hour is written; ``counts`` is
    the meter's counter at ``moment`` (raw counts) and ``total`` the statistic's sum there
    (counts; 0 at the zero point, negative before it).  ``ended``: the meter reported no data
    at the boundary before ``moment``, so nothing older can meet the rows.  Kept across
    restarts (:meth:`as_dict`), so an interrupted import resumes where it stopped.
    """

    moment: datetime
    counts: int
    total: int
    ended: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (see :meth:`from_dict`)."""
        return {
            "moment": self.moment.isoformat(),
            "counts": self.counts,
            "total": self.total,
            "ended": self.ended,
        }

    @classmethod
    def from_dict(cls, data: Any) -> HistoryCursor | None:
        """The cursor :meth:`as_dict` stored; None when ``data`` is not one."""
        if not isinstance(data, dict):
            return None
        counts, total, ended = data.get("counts"), data.get("total"), data.get("ended")
        if not (type(counts) is int and type(total) is int and isinstance(ended, bool)):
            return None
        try:
            moment = datetime.fromisoformat(str(data.get("moment")))
        except ValueError:
            return None
        if moment.tzinfo is None:
            return None
        return cls(moment.astimezone(UTC), counts, total, ended)


def history_cursor(
    channel: Channel,
    slots: Sequence[MeterSlot],
    zero_kwh: float,
    live_hour: datetime,
    *,
    count_kwh: float,
    modulus: int | None,
) -> HistoryCursor | None:
    """Where the import of a sensor's history starts: at its first live hour, whose sum is
    the counter there - the zero point (``zero_kwh``, the sensor's first recorded value, where
    Home Assistant's sum is 0; a boundary after the zero point counts as 0).

    None while ``slots`` do not hold that boundary (an older meter day will); an ended cursor
    when the meter has no data there (nothing can meet the live statistics).
    """
    live_hour = floor_hour(live_hour)
    boundaries = _boundaries(channel, slots)
    if live_hour not in boundaries:
        return None
    counts = boundaries[live_hour]
    if counts is None:
        return HistoryCursor(live_hour, 0, 0, ended=True)
    zero = to_counts(zero_kwh, count_kwh, modulus)
    return HistoryCursor(live_hour, counts, min(0, signed_delta(zero, counts, modulus)))


def extend_history(
    cursor: HistoryCursor,
    channel: Channel,
    slots: Sequence[MeterSlot],
    *,
    count_kwh: float,
    modulus: int | None,
) -> list[HourRow]:
    """The hourly rows before ``cursor.moment`` that ``slots`` give (time order); moves the
    cursor back over them.

    Each hour's ``sum`` is the sum at its end, its ``state`` the meter's counter there, so the
    rows meet the ones written before (and the live ones) without a step.  A boundary that
    ``slots`` do not hold waits for the next (older) meter day; one the meter reports as no
    data ends the cursor (a missing value stays missing: nothing older is written).  A step
    back of the counter (a glitch) counts as no energy.
    """
    boundaries = _boundaries(channel, slots)
    rows: list[HourRow] = []
    while not cursor.ended and (earlier_hour := cursor.moment - HOUR) in boundaries:
        earlier = boundaries[earlier_hour]
        if earlier is None:
            cursor.ended = True
            break
        rows.append(
            HourRow(
                start=earlier_hour,
                sum=round(cursor.total * count_kwh, 6),
                state=round(cursor.counts * count_kwh, 6),
            )
        )
        cursor.total -= max(0, signed_delta(earlier, cursor.counts, modulus))
        cursor.counts = earlier
        cursor.moment = earlier_hour
    rows.reverse()
    return rows


def history_rows(
    channel: Channel,
    slots: Sequence[MeterSlot],
    zero_kwh: float,
    live_hour: datetime,
    *,
    count_kwh: float,
    modulus: int | None,
) -> list[HourRow]:
    """The hourly rows of the meter's history before a sensor's first live hour, all at once
    (:func:`history_cursor` and :func:`extend_history` over every slot).

    Home Assistant compiles a new sensor's statistics from its first recorded value (the *zero
    point* ``zero_kwh``, read in ``live_hour``): its sum is 0 there.  Every earlier hour gets
    ``sum`` = the meter's counter at the hour's end - the zero point (negative: only the
    differences count), so the first live hour shows exactly the meter's energy of that hour
    (the part before the first reading from the history, the rest from the live sensor) and
    nothing is counted twice.  The rows run back from ``live_hour`` as long as the meter has a
    value at every hour boundary (the first missing one ends them).  Returns the rows in time
    order.
    """
    cursor = history_cursor(
        channel, slots, zero_kwh, live_hour, count_kwh=count_kwh, modulus=modulus
    )
    if cursor is None:
        return []
    return extend_history(cursor, channel, slots, count_kwh=count_kwh, modulus=modulus)


__all__ = [
    "ANCHOR_LOOKBACK",
    "DEFAULT_MARGIN",
    "MAX_DAYS",
    "BackfillResult",
    "Channel",
    "HistoryCursor",
    "MeterSlot",
    "backfill_end",
    "extend_history",
    "first_boundary",
    "history_cursor",
    "history_rows",
    "rows_to_write",
]
