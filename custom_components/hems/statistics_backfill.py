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

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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
    backfill_end,
    first_boundary,
    history_rows,
    rows_to_write,
)
from .energy.meter_hours import HOUR, Anchor, HourRow, floor_hour, history_plan
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


class HistorySource(Protocol):
    """Where a meter's history 1 is read: the B-route session, or the meter over IP."""

    async def read_meter_info(self) -> MeterInfo:
        """The meter's scaling (unit, coefficient, digits)."""

    async def read_history_day(self, days_ago: int) -> HistoryDay:
        """The 48 values of one meter day; :class:`MeterRejectedError` when it keeps none."""


async def async_import_history(
    hass: HomeAssistant,
    session: HistorySource,
    statistic_ids: Mapping[str, Channel],
    *,
    days: int = MAX_DAYS,
    progress: Callable[[int, int], None] | None = None,
) -> HistoryImport:
    """Import the meter's 30-minute history (today and up to ``days`` days before, 0xE2/0xE4,
    one read per day) into the energy sensors' statistics, before their first live hour (see
    :func:`.energy.backfill.history_rows`: the rows meet the live ones without a step and
    without counting the first hour twice).

    Only statistics that hold no hour before their first live one are written (a sensor that
    has history keeps it).  ``progress(days read, days)`` is called after every meter day.
    Not ``done`` while a sensor has recorded no value yet (without the recorder there is
    nothing to do: done).  Raises the driver's errors.
    """
    result = HistoryImport()
    if not recorder_available(hass):
        result.done = True  # no statistics to import into
        return result
    instance = get_instance(hass)
    await instance.async_block_till_done()
    zeros: dict[str, tuple[datetime, float, str]] = {}
    for statistic_id in statistic_ids:
        zero = await instance.async_add_executor_job(_zero_point, hass, statistic_id)
        if zero is None:
            return result
        if await _has_hours_before(hass, statistic_id, zero[2], floor_hour(zero[0])):
            result.skipped.append(statistic_id)
            continue
        zeros[statistic_id] = zero
    result.done = True
    if not zeros:
        return result
    info = await session.read_meter_info()
    count_kwh = info.unit_kwh * info.coefficient
    slots = await _read_history_days(session, days, result, progress)
    for statistic_id, (when, zero_value, unit) in zeros.items():
        zero_kwh = float(EnergyConverter.convert(zero_value, unit, KWH))
        rows = history_rows(
            statistic_ids[statistic_id],
            slots,
            zero_kwh,
            when,
            count_kwh=count_kwh,
            modulus=info.modulus,
        )
        if rows:
            _import(hass, _metadata(statistic_id, unit), rows)
            result.rows[statistic_id] = len(rows)
            result.first[statistic_id] = rows[0].start
    _LOGGER.debug("B-route history import: %s", result.as_dict())
    return result


async def _read_history_days(
    session: HistorySource,
    days: int,
    result: HistoryImport,
    progress: Callable[[int, int], None] | None,
) -> list[HistorySlot]:
    """Today's and up to ``days`` earlier days' slots, one read a day (until the meter keeps
    no more); counted in ``result.days``, reported to ``progress``."""
    slots: list[HistorySlot] = []
    for days_ago in range(days + 1):  # today and the ``days`` before
        try:
            day = await session.read_history_day(days_ago)
        except MeterRejectedError:
            _LOGGER.debug("B-route: the meter keeps no history of %s days ago", days_ago)
            break
        slots.extend(day.slots)
        result.days += 1
        if progress is not None:
            progress(days_ago + 1, days + 1)
    return slots


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
    "async_backfill",
    "async_import_history",
    "recorder_available",
]
