"""Filling the energy statistics from the meter's history after outages (recorder in the test).

The recorder holds what the live sensors recorded before the outage (hourly rows, and the
last 5-minute row the live sensor would continue from); the entry then comes back after 3 hours
or 3 days.  The hours in between must equal the meter's history exactly, re-running must not
change anything, and the first live hour must not count the outage again.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
import itertools
from typing import Any

from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.db_schema import StatisticsShortTerm
from homeassistant.components.recorder.models import StatisticMeanType, StatisticMetaData
from homeassistant.components.recorder.statistics import (
    async_import_statistics,
    statistics_during_period,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
)

from custom_components.hems.energy.meter_hours import (
    Anchor,
    floor_hour,
    history_plan,
    hour_boundaries,
    hour_rows,
    signed_delta,
    to_counts,
)
from custom_components.hems.meter import const as broute_const
from custom_components.hems.statistics_backfill import async_backfill
from custom_components.hems.wisun import BRouteCredentials, BRouteSession
from simulator.clock import SimClock
from simulator.dongle import DEFAULT_PASSWORD, DEFAULT_RBID, MeterResponder, VirtualDongle
from simulator.meter_model import MeterModel
from tests.waiting import wait_for
from tests.wisun.conftest import FAST

from .test_broute_support import (
    DongleFactory,
    _fast_broute,
    broute_entry,
    make_dongle,
    sim_clock,
)

#: Fixtures of the support module that this module's tests use.
FIXTURES = (_fast_broute, make_dongle, sim_clock)

IMPORT = "sensor.smart_meter_grid_import_energy"
EXPORT = "sensor.smart_meter_grid_export_energy"
HOUR = timedelta(hours=1)
KWH_PER_COUNT = 0.1


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder is set up before Home Assistant (the shared fixture would start it first)."""


@pytest.fixture(autouse=True)
def _no_margin(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test recorder compiles nothing by itself: every past hour can be written."""
    monkeypatch.setattr(broute_const, "BACKFILL_MARGIN", timedelta(0))


def _meta(statistic_id: str) -> StatisticMetaData:
    return StatisticMetaData(
        has_sum=True,
        mean_type=StatisticMeanType.NONE,
        name=None,
        source="recorder",
        statistic_id=statistic_id,
        unit_class="energy",
        unit_of_measurement="kWh",
    )


class History:
    """What the live sensors recorded before the outage, consistent with the meter."""

    def __init__(self, meter: MeterModel) -> None:
        self.meter = meter

    def counts(self, moment: datetime, channel: int) -> int:
        values = self.meter.boundary_kwh(moment)
        assert values is not None, moment
        return self.meter.register(values[channel])

    def kwh(self, moment: datetime, channel: int) -> float:
        return round(self.counts(moment, channel) * KWH_PER_COUNT, 6)


async def _seed(
    hass: HomeAssistant, meter: MeterModel, since: datetime, first: datetime
) -> dict[str, float]:
    """Hourly rows from ``first`` to the hour of ``since`` (that one partial, as the live
    sensor left it), flat rows for the two following hours (compiled while Home Assistant was
    down), and the last 5-minute row at ``since``.  Returns the sum offsets."""
    history = History(meter)
    offsets: dict[str, float] = {}
    for channel, statistic_id in enumerate((IMPORT, EXPORT)):
        offset = 1000.0 - history.kwh(first, channel)  # sums started at 1000 kWh
        offsets[statistic_id] = offset
        rows = []
        for hour in hour_boundaries(first, floor_hour(since) - HOUR):
            state = history.kwh(hour + HOUR, channel)
            rows.append({"start": hour, "state": state, "sum": round(state + offset, 6)})
        at_since = history.kwh(since, channel)
        for hour in hour_boundaries(floor_hour(since), floor_hour(since) + 2 * HOUR):
            rows.append({"start": hour, "state": at_since, "sum": round(at_since + offset, 6)})
        async_import_statistics(hass, _meta(statistic_id), rows)
        get_instance(hass).async_import_statistics(
            _meta(statistic_id),
            [{"start": since - timedelta(minutes=5), "state": at_since, "sum": at_since + offset}],
            StatisticsShortTerm,
        )
    await async_wait_recording_done(hass)
    return offsets


def _rows(hass: HomeAssistant, start: datetime, end: datetime) -> dict[str, list[dict[str, Any]]]:
    found = statistics_during_period(
        hass, start, end, {IMPORT, EXPORT}, "hour", None, {"sum", "state", "change"}
    )
    return {k: [dict(r) for r in v] for k, v in found.items()}


async def _read_rows(
    hass: HomeAssistant, start: datetime, end: datetime
) -> dict[str, list[dict[str, Any]]]:
    return await get_instance(hass).async_add_executor_job(_rows, hass, start, end)


def _assert_exact(
    rows: list[dict[str, Any]], history: History, channel: int, start: datetime, end: datetime
) -> None:
    """Each hour from ``start`` to ``end`` increases by exactly the meter's counts."""
    by_start = {datetime.fromtimestamp(r["start"], UTC): r for r in rows}
    previous = by_start[start - HOUR]["sum"]
    for hour in hour_boundaries(start, end - HOUR):
        row = by_start[hour]
        counts = history.counts(hour + HOUR, channel) - history.counts(hour, channel)
        assert row["sum"] - previous == pytest.approx(counts * KWH_PER_COUNT, abs=1e-6), hour
        assert row["state"] == pytest.approx(history.kwh(hour + HOUR, channel), abs=1e-6)
        previous = row["sum"]


async def _outage(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    dongle: VirtualDongle,
    *,
    hours: int,
) -> tuple[Any, datetime, datetime, dict[str, float]]:
    """The entry comes back ``hours`` (plus half an hour) after its last live reading."""
    now = dt_util.utcnow()
    end = floor_hour(now)
    since = end - timedelta(hours=hours) + timedelta(minutes=30)
    first = floor_hour(since) - timedelta(hours=6)
    offsets = await _seed(hass, dongle.meter, since, first)
    entry = broute_entry(dongle.path or "")
    entry.add_to_hass(hass)
    hass_storage[f"hems.broute.{entry.entry_id}"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"hems.broute.{entry.entry_id}",
        "data": {"last_live": since.isoformat()},
    }
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    coordinator = entry.runtime_data.coordinator
    await wait_for(lambda: coordinator.last_backfill is not None, limit=20)
    await async_wait_recording_done(hass)
    return entry, since, end, offsets


@pytest.mark.parametrize(("hours", "reads"), [(3, "EC"), (72, "E2")])
async def test_outage_is_filled_exactly(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    make_dongle: DongleFactory,
    hours: int,
    reads: str,
) -> None:
    """3 hours (one history-2 read) and 3 days (history 1, one read per day): every hour
    since the outage began equals the meter's history; sums continue the recorded ones."""
    dongle = await make_dongle()
    entry, since, end, _offsets = await _outage(hass, hass_storage, dongle, hours=hours)
    coordinator = entry.runtime_data.coordinator
    result = coordinator.last_backfill
    assert result.rows == {IMPORT: hours, EXPORT: hours}
    assert all(r.startswith(reads) for r in result.reads), result.reads
    assert result.complete
    history = History(dongle.meter)
    window = floor_hour(since)
    rows = await _read_rows(hass, window - 2 * HOUR, end)
    for channel, statistic_id in enumerate((IMPORT, EXPORT)):
        _assert_exact(rows[statistic_id], history, channel, window, end)
        assert len(rows[statistic_id]) == hours + 2  # two recorded hours + the filled ones

    # idempotent: the same run again changes nothing
    await async_backfill(
        hass, coordinator.session, coordinator.statistic_ids(), since, margin=timedelta(0)
    )
    await async_wait_recording_done(hass)
    assert await _read_rows(hass, window - 2 * HOUR, end) == rows
    # without a marker (e.g. lost): only the newest hour is rewritten, identically
    again = await async_backfill(
        hass, coordinator.session, coordinator.statistic_ids(), None, margin=timedelta(0)
    )
    await async_wait_recording_done(hass)
    assert again.rows == {IMPORT: 1, EXPORT: 1}
    assert await _read_rows(hass, window - 2 * HOUR, end) == rows


async def test_first_live_hour_does_not_count_the_outage_again(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    make_dongle: DongleFactory,
) -> None:
    """The recorder then compiles the live sensor's current hour: it continues from its
    5-minute statistics, so that hour shows only the energy since its start."""
    dongle = await make_dongle()
    _entry, _since, end, _offsets = await _outage(hass, hass_storage, dongle, hours=3)
    now = dt_util.utcnow()
    do_adhoc_statistics(
        hass, start=now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)
    )
    await async_wait_recording_done(hass)
    do_adhoc_statistics(hass, start=end + timedelta(minutes=55))
    await async_wait_recording_done(hass)
    rows = await _read_rows(hass, end - HOUR, end + HOUR)
    history = History(dongle.meter)
    for channel, statistic_id in enumerate((IMPORT, EXPORT)):
        live = float(hass.states.get(statistic_id).state)
        by_start = {datetime.fromtimestamp(r["start"], UTC): r for r in rows[statistic_id]}
        change = by_start[end]["sum"] - by_start[end - HOUR]["sum"]
        assert change == pytest.approx(live - history.kwh(end, channel), abs=1e-6)
        assert change < 3  # less than an hour of a few kW, not the outage


async def test_meter_without_history_2(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    make_dongle: DongleFactory,
    sim_clock: SimClock,
) -> None:
    """A meter without 0xEC: even a short outage is read from history 1."""
    meter = MeterModel(sim_clock, history_days=5)
    dongle = await make_dongle(meter=meter, responder=MeterResponder(meter, history2=False))
    entry, since, end, _ = await _outage(hass, hass_storage, dongle, hours=2)
    result = entry.runtime_data.coordinator.last_backfill
    assert result.reads[0] == "E2 day 0"
    rows = await _read_rows(hass, floor_hour(since) - HOUR, end)
    _assert_exact(rows[IMPORT], History(meter), 0, floor_hour(since), end)


async def test_a_new_meter_needs_no_gap_filled(
    recorder_mock: Recorder, hass: HomeAssistant, make_dongle: DongleFactory
) -> None:
    """A new meter: its history is imported (test_broute_history); that is the first setup's
    fill, no gap backfill follows; a later interruption is filled as usual."""
    dongle = await make_dongle()
    entry = broute_entry(dongle.path or "")
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    coordinator = entry.runtime_data.coordinator
    await wait_for(lambda: coordinator.last_history is not None, limit=30)
    assert coordinator.last_history.done
    await hass.async_block_till_done()
    assert coordinator.last_backfill is None
    coordinator.request_backfill(None)
    await wait_for(lambda: coordinator.last_backfill is not None)
    assert coordinator.last_backfill.rows == {IMPORT: 1, EXPORT: 1}  # the newest hour, again


# ----------------------------------------------------------------------------- pure arithmetic

T0 = datetime(2026, 5, 10, 0, 0, tzinfo=UTC)


def _bounds(values: list[int | None]) -> dict[datetime, int | None]:
    return {T0 + HOUR * (i + 1): v for i, v in enumerate(values)}


def test_rows_follow_the_counts() -> None:
    anchor = Anchor(start=T0, sum=50.0, state=100.0)
    rows = hour_rows(
        anchor, _bounds([1000, 1012, 1030]), T0 + 3 * HOUR, count_kwh=0.1, modulus=None
    )
    assert [(r.start, r.sum, r.state) for r in rows] == [
        (T0 + HOUR, 51.2, 101.2),
        (T0 + 2 * HOUR, 53.0, 103.0),
    ]


def test_rows_across_a_counter_wrap() -> None:
    anchor = Anchor(start=T0, sum=10.0, state=9999.0)
    rows = hour_rows(anchor, _bounds([99990, 5, 20]), T0 + 3 * HOUR, count_kwh=0.1, modulus=100000)
    assert [r.sum for r in rows] == [11.5, 13.0]
    assert rows[-1].state == pytest.approx(10002.0)


def test_missing_slots_are_interpolated_and_trailing_ones_wait() -> None:
    anchor = Anchor(start=T0, sum=0.0, state=100.0)
    rows = hour_rows(
        anchor, _bounds([1000, None, None, 1030, None]), T0 + 5 * HOUR, count_kwh=0.1, modulus=None
    )
    assert [r.sum for r in rows] == [1.0, 2.0, 3.0]  # the 4th hour waits for its end value


def test_anchor_far_from_the_first_boundary_keeps_continuity() -> None:
    """A first boundary missing or belonging to another counter: the anchor's state is used."""
    anchor = Anchor(start=T0, sum=5.0, state=100.0)
    rows = hour_rows(anchor, _bounds([None, 1010]), T0 + 2 * HOUR, count_kwh=0.1, modulus=None)
    assert [r.sum for r in rows] == [6.0]
    rows = hour_rows(anchor, _bounds([5000, 5010]), T0 + 2 * HOUR, count_kwh=0.1, modulus=None)
    assert [r.sum for r in rows] == [406.0]  # the jump lands in the first hour, sums continue


def test_glitches_never_lower_the_sum() -> None:
    anchor = Anchor(start=T0, sum=0.0, state=100.0)
    rows = hour_rows(anchor, _bounds([1000, 998, 1005]), T0 + 3 * HOUR, count_kwh=0.1, modulus=None)
    assert [r.sum for r in rows] == [0.0, 0.5]


def test_short_windows_write_nothing() -> None:
    anchor = Anchor(start=T0, sum=0.0, state=100.0)
    assert hour_rows(anchor, {}, T0 + HOUR, count_kwh=0.1, modulus=None) == []
    assert hour_rows(anchor, {}, T0 - HOUR, count_kwh=0.1, modulus=None) == []


def test_helpers() -> None:
    assert signed_delta(99990, 5, 100000) == 15
    assert signed_delta(5, 99990, 100000) == -15
    assert signed_delta(5, 3, None) == -2
    assert to_counts(10000.3, 0.1, 100000) == 3
    assert to_counts(12.3, 0.1, None) == 123


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (T0, T0 + 5 * HOUR, ("EC", 11, ())),
        (T0, T0 + 6 * HOUR, ("E2", 0, (0,))),
        (T0 - 72 * HOUR, T0, ("E2", 0, (0, 1, 2, 3))),
    ],
)
def test_history_plan(first: datetime, last: datetime, expected: tuple[Any, ...]) -> None:
    # T0 is 09:00 in Japan on 2026-05-10
    plan = history_plan(first, last, date(2026, 5, 10))
    kind, count, days = expected
    if kind == "EC":
        assert plan.recent_end is not None
        assert plan.recent_count == count
    else:
        assert plan.recent_end is None
        assert plan.days_ago == days
    plan = history_plan(T0, T0 + HOUR, date(2026, 5, 10), history2=False)
    assert plan.days_ago == (0,)


# ----------------------------------------------------------------------------- the function itself


async def _session(dongle: VirtualDongle) -> BRouteSession:
    session = BRouteSession(
        dongle.path or "", BRouteCredentials(DEFAULT_RBID, DEFAULT_PASSWORD), timing=FAST
    )
    await session.connect()
    return session


def _seed_rows(
    hass: HomeAssistant, statistic_id: str, rows: list[dict[str, Any]], unit: str = "kWh"
) -> None:
    async_import_statistics(hass, {**_meta(statistic_id), "unit_of_measurement": unit}, rows)


async def test_outage_longer_than_the_meter_keeps(
    hass: HomeAssistant, make_dongle: DongleFactory, sim_clock: SimClock
) -> None:
    """50 days without readings, a meter that keeps 10: the days it has are exact, the rest
    is spread evenly from the recorded state, and the sums stay continuous (nothing lost,
    nothing counted twice).  History 1 is read for at most 45 days."""
    meter = MeterModel(sim_clock, history_days=10, initial_import_kwh=9000.0)
    dongle = await make_dongle(meter=meter)
    session = await _session(dongle)
    try:
        end = floor_hour(dt_util.utcnow())
        anchor_start = end - timedelta(days=50)
        _seed_rows(
            hass, "sensor.test_import", [{"start": anchor_start, "state": 8000.0, "sum": 10.0}]
        )
        await async_wait_recording_done(hass)
        result = await async_backfill(
            hass,
            session,
            {"sensor.test_import": "import"},
            anchor_start + HOUR,
            margin=timedelta(0),
        )
        await async_wait_recording_done(hass)
        assert result.reads[-1] == "E2 day 45"
        assert result.rows["sensor.test_import"] == 50 * 24 - 1
        rows = await _read_rows_of(hass, "sensor.test_import", anchor_start, end)
        history = History(meter)
        last = rows[-1]
        assert last["sum"] - 10.0 == pytest.approx(history.kwh(end, 0) - 8000.0, abs=1e-6)
        assert all(b["sum"] >= a["sum"] for a, b in itertools.pairwise(rows))
        kept = floor_hour(meter.origin.astimezone(UTC)) + HOUR
        by_start = {datetime.fromtimestamp(r["start"], UTC): r for r in rows}
        _assert_exact(list(by_start.values()), history, 0, kept + HOUR, end)
    finally:
        await session.close()


async def _read_rows_of(
    hass: HomeAssistant, statistic_id: str, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    def read() -> list[dict[str, Any]]:
        found = statistics_during_period(
            hass, start, end, {statistic_id}, "hour", None, {"sum", "state"}
        )
        return [dict(r) for r in found.get(statistic_id, [])]

    return await get_instance(hass).async_add_executor_job(read)


async def test_statistics_in_another_unit_and_unusable_ones(
    hass: HomeAssistant, make_dongle: DongleFactory
) -> None:
    """Statistics kept in Wh (the user changed the sensor's unit) are written in Wh; a
    statistic without sums, an unknown id or no recorded row at all are left alone."""
    dongle = await make_dongle()
    session = await _session(dongle)
    try:
        end = floor_hour(dt_util.utcnow())
        history = History(dongle.meter)
        start = end - 4 * HOUR
        state = history.kwh(start + HOUR, 0) * 1000
        _seed_rows(hass, "sensor.in_wh", [{"start": start, "state": state, "sum": 0.0}], unit="Wh")
        async_import_statistics(
            hass,
            {**_meta("sensor.means"), "has_sum": False, "mean_type": StatisticMeanType.ARITHMETIC},
            [{"start": start, "mean": 1.0, "min": 1.0, "max": 1.0}],
        )
        await async_wait_recording_done(hass)
        ids = {"sensor.in_wh": "import", "sensor.means": "import", "sensor.unknown": "export"}
        result = await async_backfill(hass, session, ids, None, margin=timedelta(0))
        await async_wait_recording_done(hass)
        assert result.rows == {"sensor.in_wh": 3}
        rows = await _read_rows_of(hass, "sensor.in_wh", start, end)
        counts = history.counts(end, 0) - history.counts(start + HOUR, 0)
        assert rows[-1]["sum"] == pytest.approx(counts * 100.0, abs=1e-3)  # Wh
    finally:
        await session.close()


async def test_outage_in_the_first_hour_after_setup(
    hass: HomeAssistant, make_dongle: DongleFactory
) -> None:
    """Only the partial first hour is recorded: it is the anchor; the hours after it are
    filled from the meter."""
    dongle = await make_dongle()
    session = await _session(dongle)
    try:
        end = floor_hour(dt_util.utcnow())
        history = History(dongle.meter)
        first = end - 3 * HOUR
        since = first + timedelta(minutes=30)
        state = history.kwh(since, 0)
        _seed_rows(hass, "sensor.new_meter", [{"start": first, "state": state, "sum": 0.0}])
        await async_wait_recording_done(hass)
        result = await async_backfill(
            hass, session, {"sensor.new_meter": "import"}, since, margin=timedelta(0)
        )
        await async_wait_recording_done(hass)
        assert result.first == {"sensor.new_meter": first + HOUR}
        rows = await _read_rows_of(hass, "sensor.new_meter", first, end)
        assert len(rows) == 3
        # the filled hours are exact; the energy between the last reading and the first
        # boundary stays with the live sensor's continuation (see statistics_backfill.py)
        _assert_exact(rows, history, 0, first + HOUR, end)
        assert rows[-1]["sum"] == pytest.approx(
            history.kwh(end, 0) - history.kwh(first + HOUR, 0), abs=1e-6
        )
        # nothing left to write when the anchor is the last complete hour
        again = await async_backfill(
            hass,
            session,
            {"sensor.new_meter": "import"},
            end + timedelta(minutes=1),
            margin=timedelta(0),
        )
        assert again.rows == {}
    finally:
        await session.close()


async def test_history_not_readable_yet(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    make_dongle: DongleFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The meter does not answer the history requests: the error is kept for diagnostics and
    the backfill is retried later; an incomplete run (hours not writable yet) is retried too."""
    dongle = await make_dongle()
    entry, since, _end, _ = await _outage(hass, hass_storage, dongle, hours=3)
    coordinator = entry.runtime_data.coordinator
    runs = coordinator.diagnostics()["backfill_runs"]
    dongle.faults.silent_meter = True
    coordinator.request_backfill(since)
    await wait_for(lambda: coordinator.backfill_error is not None)
    assert coordinator.diagnostics()["backfill_runs"] == runs + 1
    dongle.faults.silent_meter = False
    monkeypatch.setattr(broute_const, "BACKFILL_MARGIN", timedelta(hours=2))
    async_fire_time_changed(hass, dt_util.utcnow() + broute_const.BACKFILL_RETRY)
    await wait_for(lambda: coordinator.backfill_error is None)
    assert coordinator.last_backfill is not None
    assert not coordinator.last_backfill.complete  # the last two hours come later
    async_fire_time_changed(hass, dt_util.utcnow() + 2 * broute_const.BACKFILL_RETRY)
    await wait_for(lambda: coordinator.diagnostics()["backfill_runs"] == runs + 3)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_unexpected_failure_is_kept_and_retried(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    make_dongle: DongleFactory,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Writing the statistics fails unexpectedly: the error is logged and kept for the
    diagnostics, a retry is planned; a new request replaces the planned retry and succeeds."""
    dongle = await make_dongle()
    entry, since, _end, _ = await _outage(hass, hass_storage, dongle, hours=3)
    coordinator = entry.runtime_data.coordinator
    failures = iter([RuntimeError("disk full")])

    async def fails_once(*args: Any, **kwargs: Any) -> Any:
        if (error := next(failures, None)) is not None:
            raise error
        return await async_backfill(*args, **kwargs)

    monkeypatch.setattr("custom_components.hems.meter.coordinator.async_backfill", fails_once)
    runs = coordinator.diagnostics()["backfill_runs"]
    coordinator.request_backfill(since)
    await wait_for(lambda: coordinator.backfill_error is not None)
    assert coordinator.backfill_error == "RuntimeError('disk full')"
    assert "filling the energy statistics failed" in caplog.text
    coordinator.request_backfill(None)  # before the planned retry
    await wait_for(lambda: coordinator.backfill_error is None)
    assert coordinator.diagnostics()["backfill_runs"] == runs + 2
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_requests_during_a_run_are_merged(
    hass: HomeAssistant, hass_storage: dict[str, Any], make_dongle: DongleFactory
) -> None:
    """Requests made while a fill runs make one more run, from the earliest of their times."""
    dongle = await make_dongle()
    entry, since, _end, _ = await _outage(hass, hass_storage, dongle, hours=3)
    coordinator = entry.runtime_data.coordinator
    runs = coordinator.diagnostics()["backfill_runs"]
    coordinator.request_backfill(since + 2 * HOUR)  # starts a run at once
    coordinator.request_backfill(since + HOUR)
    coordinator.request_backfill(since)
    coordinator.request_backfill(since + 2 * HOUR)
    await wait_for(lambda: coordinator.diagnostics()["backfill_runs"] == runs + 2)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert coordinator.diagnostics()["backfill_runs"] == runs + 2
    assert coordinator.last_backfill.rows == {IMPORT: 3, EXPORT: 3}  # all three hours again
