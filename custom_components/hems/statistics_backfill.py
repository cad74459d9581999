"""Fill the hours the recorder missed with the smart meter's own history (recorder glue).

Design: the missing hours are imported into the energy sensors' *own* statistic ids
(``recorder.statistics.async_import_statistics``, source ``recorder``), so the Energy dashboard
keeps using the sensors the user chose and shows no gap.  External statistics (``hems:...``)
were not used: the user would have to pick them instead of the sensors, and the sensors'
statistics would keep their gaps and the spike of the first reading after an outage.

How the rows stay continuous with what the live sensor records:

* ``since`` is the last time a live reading was recorded (kept by the caller across restarts).
  The *anchor* is the newest hourly row that starts before ``since``'s hour: it was compiled
  from live readings.  Every hour from the anchor's next hour up to the last hour that ended
  at least ``margin`` ago is (re)written from the meter's cumulative values at the hour
  boundaries: ``sum = anchor.sum + counts since the first boundary x kWh per count``.  So each
  written hour shows exactly the meter's energy for that hour, however the recorder had filled
  it (missing, flat rows compiled while Home Assistant was down, the partial hour in which the
  outage began).
* The live sensor's rows continue from the recorder's short-term statistics, whose
  ``sum - state`` offset is the anchor's: the first live hour after the outage shows only the
  energy since the last written boundary (its readings continue the same counter), never the
  outage again.  The only difference left is the energy between the anchor's last reading and
  the boundary (one poll interval at most), which lands in the first live hour instead of the
  anchor's: nothing is counted twice or lost.
* Hours are written only once the recorder has compiled them (``margin`` after their end): an
  import racing the recorder's own hourly compile would make that compile fail.  Re-running
  writes the same rows (idempotent).

What to write (which hours, which rows) is the energy library's :mod:`.energy.backfill`, and
the arithmetic (wraps, no-data slots, interpolation) its :mod:`.energy.meter_hours`; neither
imports Home Assistant.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
import contextlib
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
import logging
from typing import Any, Final, Protocol

from homeassistant.components.recorder.history import state_changes_during_period
from homeassistant.components.recorder.models import (
    StatisticData,
    StatisticMeanType,
    StatisticMetaData,
)
from homeassistant.components.recorder.statistics import (
    async_import_statistics,
    get_metadata,
    statistics_during_period,
)
from homeassistant.const import UnitOfEnergy
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_conversion import EnergyConverter

from .energy.backfill import (
    ANCHOR_LOOKBACK,
    DEFAULT_MARGIN,
    MAX_DAYS,
    BackfillResult,
    Channel,
    HistoryCursor,
    backfill_end,
    extend_history,
    first_boundary,
    history_cursor,
    rows_to_write,
)
from .energy.meter_hours import HOUR, JST, Anchor, HourRow, floor_hour, history_plan
from .wisun import BRouteSession, HistoryDay, HistorySlot, MeterInfo, MeterRejectedError

_LOGGER = logging.getLogger(__name__)

KWH: Final = UnitOfEnergy.KILO_WATT_HOUR


@dataclass(slots=True)
class _Target:
    statistic_id: str
    channel: Channel
    metadata: StatisticMetaData
    anchor: Anchor


def recorder_available(hass: HomeAssistant) -> bool:
    """Whether the recorder runs (statistics can be read and written)."""
    return "recorder" in hass.config.components and get_instance(hass).is_running


async def async_backfill(
    hass: HomeAssistant,
    session: BRouteSession,
    statistic_ids: Mapping[str, Channel],
    since: datetime | None,
    *,
    now: datetime | None = None,
    margin: timedelta = DEFAULT_MARGIN,
) -> BackfillResult:
    """Rewrite the hours since ``since`` (see the module docstring).

    ``statistic_ids`` maps the energy sensors' entity ids to their channel.  ``since``: the
    last live reading before the interruption; None: treat the newest recorded hour as
    incomplete.  Raises the driver's errors (the caller retries later).
    """
    result = BackfillResult(since)
    if not recorder_available(hass):
        return result
    now = now or dt_util.utcnow()
    end = backfill_end(now, margin)
    result.end = end
    instance = get_instance(hass)
    await instance.async_block_till_done()  # the recorder's own catch-up runs first
    targets: list[_Target] = []
    for statistic_id, channel in statistic_ids.items():
        target = await _target(hass, statistic_id, channel, since, end)
        if target is not None:
            targets.append(target)
    if not targets:
        return result
    slots = await _read_history(session, first_boundary(t.anchor for t in targets), end, result)
    info = await session.read_meter_info()
    count_kwh = info.unit_kwh * info.coefficient
    for target in targets:
        rows, covered = rows_to_write(
            target.anchor, target.channel, slots, end, count_kwh=count_kwh, modulus=info.modulus
        )
        if not covered:
            result.complete = False
        if rows:
            _import(hass, target.metadata, rows)
            result.rows[target.statistic_id] = len(rows)
            result.first[target.statistic_id] = rows[0].start
    if floor_hour(now) > end:
        result.complete = False  # the last hour is written after the margin
    _LOGGER.debug("B-route backfill: %s", result.as_dict())
    return result


async def _target(
    hass: HomeAssistant,
    statistic_id: str,
    channel: Channel,
    since: datetime | None,
    end: datetime,
) -> _Target | None:
    """The statistic's metadata and anchor row, or None when it cannot be backfilled."""
    instance = get_instance(hass)
    metadata = await instance.async_add_executor_job(
        lambda: get_metadata(hass, statistic_ids={statistic_id})
    )
    if statistic_id not in metadata:
        return None
    meta = metadata[statistic_id][1]
    unit = meta["unit_of_measurement"]
    if unit is None or unit not in EnergyConverter.VALID_UNITS or not meta["has_sum"]:
        return None
    row = await _anchor_row(hass, statistic_id, unit, since, end)
    if row is None:
        return None
    start = datetime.fromtimestamp(row["start"], UTC)
    if start + HOUR >= end:
        return None

    def kwh(value: Any) -> float:
        return float(EnergyConverter.convert(float(value or 0.0), unit, KWH))

    anchor = Anchor(start=start, sum=kwh(row["sum"]), state=kwh(row.get("state")))
    return _Target(statistic_id, channel, _metadata(statistic_id, unit), anchor)


async def _anchor_row(
    hass: HomeAssistant, statistic_id: str, unit: str, since: datetime | None, end: datetime
) -> Any | None:
    """The newest hourly row before ``since``'s hour (else the first after it)."""
    instance = get_instance(hass)
    units = {EnergyConverter.UNIT_CLASS: unit}

    def rows(start: datetime, stop: datetime) -> list[Any]:
        found = statistics_during_period(
            hass, start, stop, {statistic_id}, "hour", units, {"sum", "state"}
        )
        return [r for r in found.get(statistic_id, []) if r.get("sum") is not None]

    if since is None:
        recent = await instance.async_add_executor_job(rows, end - ANCHOR_LOOKBACK, end)
        if not recent:
            return None
        since = datetime.fromtimestamp(recent[-1]["start"], UTC)
    window = floor_hour(since)
    before = await instance.async_add_executor_job(rows, window - ANCHOR_LOOKBACK, window)
    if before:
        return before[-1]
    after = await instance.async_add_executor_job(rows, window, end)
    return after[0] if after else None


async def _read_history(
    session: BRouteSession, first: datetime, end: datetime, result: BackfillResult
) -> list[HistorySlot]:
    """The meter's slots covering the boundaries ``first`` ... ``end``."""
    plan = history_plan(first, end, datetime.now(UTC).date())
    if plan.recent_end is not None:
        try:
            slots = await session.read_history_recent(plan.recent_end, plan.recent_count)
        except MeterRejectedError:
            _LOGGER.debug("B-route: no history 2 (0xEC); reading history 1")
        else:
            result.reads.append(f"EC x{plan.recent_count}")
            return slots
    meter_today = (await session.read_meter_time()).date()
    plan = history_plan(first, end, meter_today, history2=False)
    slots = []
    for days_ago in plan.days_ago:
        if days_ago > MAX_DAYS:
            break
        day = await session.read_history_day(days_ago)
        result.reads.append(f"E2 day {days_ago}")
        slots.extend(day.slots)
    return slots


# ----------------------------------------------------------------------------- first setup

#: How far back the first recorded state of a new sensor is looked for.
ZERO_LOOKBACK: Final = timedelta(days=10)


@dataclass(slots=True)
class HistoryImport:
    """What the import of a meter's history at its first setup did."""

    done: bool = False  # False: the sensors have recorded nothing yet (try again later)
    days: int = 0  # meter days read
    rows: dict[str, int] = field(default_factory=dict)  # statistic id -> hours written
    first: dict[str, datetime] = field(default_factory=dict)  # statistic id -> first hour
    skipped: list[str] = field(default_factory=list)  # statistics that had older hours

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "done": self.done,
            "days": self.days,
            "rows": dict(self.rows),
            "first": {k: v.isoformat() for k, v in self.first.items()},
            "skipped": list(self.skipped),
        }


#: A statistic still imported, with its cursor (None: not started yet).
type _Cursor = tuple[str, HistoryCursor | None]


class HistorySource(Protocol):
    """Where a meter's history 1 is read: the B-route session, or the meter over IP."""

    async def read_meter_info(self) -> MeterInfo:
        """The meter's scaling (unit, coefficient, digits)."""

    async def read_history_day(self, days_ago: int) -> HistoryDay:
        """The 48 values of one meter day; :class:`MeterRejectedError` when it keeps none."""


@dataclass(slots=True)
class ImportState:
    """How far an import got (the caller keeps it, e.g. in a ``Store``, so that an import
    interrupted by a restart, a reload or a lost session resumes where it stopped): the
    oldest meter day written and each statistic's cursor."""

    day: date | None = None
    cursors: dict[str, HistoryCursor] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (see :meth:`from_dict`)."""
        return {
            "day": None if self.day is None else self.day.isoformat(),
            "cursors": {k: v.as_dict() for k, v in self.cursors.items()},
        }

    def copy(self) -> ImportState:
        """A copy that later moves of the cursors leave alone."""
        return ImportState(self.day, {k: replace(v) for k, v in self.cursors.items()})

    @classmethod
    def from_dict(cls, data: Any) -> ImportState:
        """The state :meth:`as_dict` stored; what is not one is left out (starts afresh)."""
        state = cls()
        if not isinstance(data, dict):
            return state
        cursors = data.get("cursors")
        for statistic_id, raw in (cursors if isinstance(cursors, dict) else {}).items():
            if (cursor := HistoryCursor.from_dict(raw)) is not None:
                state.cursors[str(statistic_id)] = cursor
        day = data.get("day")
        if isinstance(day, str):
            with contextlib.suppress(ValueError):
                state.day = date.fromisoformat(day)
        return state


async def async_import_history(
    hass: HomeAssistant,
    session: HistorySource,
    statistic_ids: Mapping[str, Channel],
    *,
    days: int = MAX_DAYS,
    progress: Callable[[int, int], None] | None = None,
    state: ImportState | None = None,
    save: Callable[[ImportState], Awaitable[None]] | None = None,
) -> HistoryImport:
    """Import the meter's 30-minute history (today and up to ``days`` days before, 0xE2/0xE4,
    one read per day) into the energy sensors' statistics, before their first live hour (see
    :func:`.energy.backfill.history_cursor`: the rows meet the live ones without a step and
    without counting the first hour twice).

    Newest first, written as it goes: each meter day's hours are written (and committed) as
    soon as the day is read, today first, so the Energy dashboard shows the recent days
    within seconds and the older ones follow.  After every day ``save(state)`` is awaited:
    an import given that ``state`` again continues with the next older day (re-reading the
    last one written, which writes nothing twice), without a gap and without counting twice.

    Only statistics that hold no hour before their first live one are started (a sensor that
    has history keeps it; one with a cursor in ``state`` is resumed).  ``progress(days read,
    days)`` is called after every meter day.  Not ``done`` while a sensor has recorded no
    value yet (without the recorder there is nothing to do: done).  Raises the driver's
    errors.
    """
    result = HistoryImport()
    if not recorder_available(hass):
        result.done = True  # no statistics to import into
        return result
    state = state if state is not None else ImportState()
    await get_instance(hass).async_block_till_done()
    zeros: dict[str, tuple[datetime, float, str]] = {}
    for statistic_id in statistic_ids:
        zero = await get_instance(hass).async_add_executor_job(_zero_point, hass, statistic_id)
        if zero is None:
            return result
        if statistic_id not in state.cursors and await _has_hours_before(
            hass, statistic_id, zero[2], floor_hour(zero[0])
        ):
            result.skipped.append(statistic_id)
            continue
        zeros[statistic_id] = zero
    result.done = True
    if zeros:
        run = _ImportRun(hass, session, statistic_ids, zeros, state, result)
        await run.async_run(days, progress, save)
    _LOGGER.debug("Meter history import: %s", result.as_dict())
    return result


class _Saver:
    """Keeps how far an import got: each day's state once the recorder has written that
    day's rows (so a kept state is never ahead of the statistics), without holding up the
    meter's next read while the recorder is busy."""

    def __init__(
        self, hass: HomeAssistant, save: Callable[[ImportState], Awaitable[None]] | None
    ) -> None:
        self.hass = hass
        self.save = save
        self.task: asyncio.Task[None] | None = None

    async def now(self, state: ImportState) -> None:
        """Keep ``state`` at once (after the ones queued before)."""
        await self.flush()
        if self.save is not None:
            await self.save(state.copy())

    def after_written(self, state: ImportState) -> None:
        """Keep ``state`` once the recorder has written every row queued so far."""
        previous, snapshot = self.task, state.copy()

        async def _keep() -> None:
            if previous is not None:
                await previous
            await get_instance(self.hass).async_block_till_done()
            if self.save is not None:
                await self.save(snapshot)

        self.task = asyncio.get_running_loop().create_task(_keep())

    async def flush(self) -> None:
        """Wait until every state queued is kept."""
        task, self.task = self.task, None
        if task is not None:
            await task

    def cancel(self) -> None:
        """Keep no more (the import was cancelled)."""
        if self.task is not None:
            self.task.cancel()


class _ImportRun:
    """One run of :func:`async_import_history` over the meter's days, newest first."""

    def __init__(
        self,
        hass: HomeAssistant,
        session: HistorySource,
        channels: Mapping[str, Channel],
        zeros: dict[str, tuple[datetime, float, str]],
        state: ImportState,
        result: HistoryImport,
    ) -> None:
        self.hass = hass
        self.session = session
        self.channels = channels
        self.zeros = zeros
        self.state = state
        self.result = result
        self.count_kwh = 1.0
        self.modulus: int | None = None

    def _open(self) -> list[_Cursor]:
        """The statistics still being imported (their cursor, when they have one)."""
        return [
            (statistic_id, self.state.cursors.get(statistic_id))
            for statistic_id in self.zeros
            if statistic_id not in self.state.cursors or not self.state.cursors[statistic_id].ended
        ]

    async def async_run(
        self,
        days: int,
        progress: Callable[[int, int], None] | None,
        save: Callable[[ImportState], Awaitable[None]] | None,
    ) -> None:
        info = await self.session.read_meter_info()
        self.count_kwh, self.modulus = info.unit_kwh * info.coefficient, info.modulus
        first = 0
        if self.state.day is not None and all(s in self.state.cursors for s in self.zeros):
            # resumed: the last day written is read again (a statistic not started yet, e.g.
            # one enabled meanwhile, starts at its first live hour: from today then)
            first = max(0, (datetime.now(JST).date() - self.state.day).days)
        saver = _Saver(self.hass, save)
        try:
            for days_ago in range(first, days + 1):  # today and the ``days`` before
                if not self._open():
                    break  # the meter has no data before any statistic's oldest hour
                try:
                    day = await self.session.read_history_day(days_ago)
                except MeterRejectedError:
                    _LOGGER.debug("The meter keeps no history of %s days ago", days_ago)
                    break
                if self._start(day.slots):
                    await saver.now(self.state)  # a cursor is kept before its first rows
                self._write(day.slots)
                self.state.day = day.day if self.state.day is None else min(self.state.day, day.day)
                saver.after_written(self.state)
                self.result.days += 1
                _LOGGER.debug("Meter history: day %s read (%s)", day.day, self.result.rows)
                if progress is not None:
                    progress(days_ago + 1, days + 1)
        except asyncio.CancelledError:
            saver.cancel()  # what was saved is behind what was written: nothing is lost
            raise
        except Exception:
            with contextlib.suppress(Exception):
                await saver.flush()  # how far it got, for the next try
            raise
        await saver.flush()

    def _start(self, slots: Sequence[HistorySlot]) -> bool:
        """Start the statistics whose first live hour these slots hold; whether one was."""
        started = False
        for statistic_id, cursor in self._open():
            if cursor is not None:
                continue
            when, zero_value, unit = self.zeros[statistic_id]
            zero_kwh = float(EnergyConverter.convert(zero_value, unit, KWH))
            cursor = history_cursor(
                self.channels[statistic_id],
                slots,
                zero_kwh,
                when,
                count_kwh=self.count_kwh,
                modulus=self.modulus,
            )
            if cursor is not None:  # else its first live hour is in an older day
                self.state.cursors[statistic_id] = cursor
                started = True
        return started

    def _write(self, slots: Sequence[HistorySlot]) -> None:
        """Write the hours these slots give to every started statistic."""
        for statistic_id, cursor in self._open():
            if cursor is None:
                continue
            rows = extend_history(
                cursor,
                self.channels[statistic_id],
                slots,
                count_kwh=self.count_kwh,
                modulus=self.modulus,
            )
            if rows:
                _import(self.hass, _metadata(statistic_id, self.zeros[statistic_id][2]), rows)
                self.result.rows[statistic_id] = self.result.rows.get(statistic_id, 0) + len(rows)
                self.result.first[statistic_id] = rows[0].start


def _zero_point(hass: HomeAssistant, statistic_id: str) -> tuple[datetime, float, str] | None:
    """The sensor's first recorded number (where its statistics' sum is 0): when, the value,
    its unit; None before it recorded one."""
    start = dt_util.utcnow() - ZERO_LOOKBACK
    states = state_changes_during_period(
        hass, start, entity_id=statistic_id, include_start_time_state=False
    ).get(statistic_id, [])
    for state in states:
        unit = state.attributes.get("unit_of_measurement", KWH)
        try:
            value = float(state.state)
        except ValueError:
            continue
        if unit in EnergyConverter.VALID_UNITS:
            return state.last_updated, value, str(unit)
    return None


async def _has_hours_before(
    hass: HomeAssistant, statistic_id: str, unit: str, live_hour: datetime
) -> bool:
    """Whether the statistic holds hourly rows before ``live_hour``."""

    def rows() -> bool:
        found = statistics_during_period(
            hass,
            live_hour - ANCHOR_LOOKBACK,
            live_hour,
            {statistic_id},
            "hour",
            {EnergyConverter.UNIT_CLASS: unit},
            {"sum"},
        )
        return bool(found.get(statistic_id))

    return bool(await get_instance(hass).async_add_executor_job(rows))


def _metadata(statistic_id: str, unit: str) -> StatisticMetaData:
    """The metadata of an energy sensor's own statistics (as the recorder makes them)."""
    return StatisticMetaData(
        has_sum=True,
        mean_type=StatisticMeanType.NONE,
        name=None,
        source="recorder",
        statistic_id=statistic_id,
        unit_class=EnergyConverter.UNIT_CLASS,
        unit_of_measurement=unit,
    )


def _import(hass: HomeAssistant, metadata: StatisticMetaData, rows: list[HourRow]) -> None:
    unit = metadata["unit_of_measurement"]

    def convert(value: float) -> float:
        return float(EnergyConverter.convert(value, KWH, unit))

    statistics = [
        StatisticData(start=row.start, sum=convert(row.sum), state=convert(row.state))
        for row in rows
    ]
    async_import_statistics(hass, metadata, statistics)


__all__ = [
    "DEFAULT_MARGIN",
    "BackfillResult",
    "HistoryImport",
    "HistorySource",
    "ImportState",
    "async_backfill",
    "async_import_history",
    "recorder_available",
]
