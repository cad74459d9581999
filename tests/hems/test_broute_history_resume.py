"""History from day one, newest first: the B-route meter's days are written to the energy
sensors' statistics as they are read, today first, and an import that is interrupted (the
entry unloaded, as a restart or a reload does) resumes where it stopped, without counting an
hour twice and without a hole (virtual dongle on a real pty, recorder in the test).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from homeassistant.components.recorder import Recorder, get_instance
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.hems import statistics_backfill
from custom_components.hems.energy.backfill import HistoryCursor, extend_history, history_cursor
from custom_components.hems.energy.meter_hours import JST, HourRow, floor_hour, hour_boundaries
from custom_components.hems.meter.coordinator import BrouteCoordinator
from custom_components.hems.statistics_backfill import ImportState, _zero_point
from custom_components.hems.wisun import HistorySlot
from simulator.clock import SimClock
from simulator.meter_model import MeterModel
from tests.waiting import wait_for

from .test_broute_backfill import EXPORT, HOUR, IMPORT, KWH_PER_COUNT, History, _read_rows
from .test_broute_history import (
    _assert_live_hour_continues,
    _five_minutes,
    _no_margin,
    auto_enable_custom_integrations,
)
from .test_broute_support import DongleFactory, _fast_broute, broute_entry, make_dongle, sim_clock

#: Fixtures of other modules that this module's tests use (the first two are autouse: the
#: recorder before Home Assistant, no backfill margin).
FIXTURES = (auto_enable_custom_integrations, _no_margin, _fast_broute, make_dongle, sim_clock)
DAYS = 6
#: The import is interrupted when it asks for this day (the days before it are written).
INTERRUPT_AT = 3


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, datetime, datetime]]:
    """Every write of imported rows, in order: (statistic id, first hour, last hour)."""
    seen: list[tuple[str, datetime, datetime]] = []
    real = statistics_backfill._import

    def _spy(hass: HomeAssistant, metadata: Any, rows: list[HourRow]) -> None:
        seen.append((metadata["statistic_id"], rows[0].start, rows[-1].start))
        real(hass, metadata, rows)

    monkeypatch.setattr(statistics_backfill, "_import", _spy)
    return seen


def _asked_days(dongle: Any, silent_at: int) -> list[int]:
    """The meter days the import asks for (Set 0xE5), in order; the meter stops answering
    when it is asked for day ``silent_at`` (the session is lost mid-way)."""
    asked: list[int] = []
    real = dongle.responder._set_meter
    silenced: list[bool] = []

    def _spy(epc: int, edt: bytes) -> bool:
        if epc == 0xE5:
            asked.append(edt[0])
            if edt[0] == silent_at and not silenced:
                silenced.append(True)
                dongle.faults.silent_meter = True
        return bool(real(epc, edt))

    dongle.responder._set_meter = _spy
    return asked


async def test_newest_first_import_resumes_without_double_count_or_hole(
    recorder_mock: Recorder,
    imports_finish: None,
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    make_dongle: DongleFactory,
    sim_clock: SimClock,
    writes: list[tuple[str, datetime, datetime]],
) -> None:
    """Today is written first and each older day right after it is read; unloaded mid-way,
    the entry keeps how far it got, and the next setup continues from there: every hour of
    the meter's history once, each the meter's own, meeting the first live hour."""
    meter = MeterModel(sim_clock, history_days=DAYS)
    dongle = await make_dongle(meter=meter)
    asked = _asked_days(dongle, silent_at=INTERRUPT_AT)
    entry = broute_entry(dongle.path or "")
    entry.add_to_hass(hass)
    started = _five_minutes(dt_util.utcnow())
    await _set_up_and_lose_the_meter(hass, entry, dongle)

    # Newest first, written as it goes: each write is the hours just before the previous one.
    zero = await get_instance(hass).async_add_executor_job(_zero_point, hass, IMPORT)
    assert zero is not None
    live_hour = floor_hour(zero[0])
    assert asked[: INTERRUPT_AT + 1] == list(range(INTERRUPT_AT + 1))
    oldest = _assert_newest_first(writes, live_hour)
    today = datetime.now(JST).date()
    written_day = today - timedelta(days=INTERRUPT_AT - 1)
    assert oldest == _midnight(written_day)

    # How far it got is kept; the recorder holds exactly those hours, each the meter's.
    stored = hass_storage[f"hems.broute.{entry.entry_id}.history"]["data"]
    assert stored["imported"] is False
    state = ImportState.from_dict(stored["progress"])
    assert state.day == written_day
    assert {k: v.moment for k, v in state.cursors.items()} == {IMPORT: oldest, EXPORT: oldest}
    await _assert_hours_are_the_meters(hass, History(meter), oldest, live_hour)

    # The next setup resumes at the last day written (read again, nothing written twice).
    asked.clear()
    writes.clear()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    coordinator = entry.runtime_data.coordinator
    await wait_for(lambda: coordinator.last_history is not None, limit=60)
    await async_wait_recording_done(hass)
    assert coordinator.history_imported and coordinator.last_history.done
    assert asked[: DAYS - INTERRUPT_AT + 2] == list(range(INTERRUPT_AT - 1, DAYS + 1))
    assert _assert_newest_first(writes, oldest) == floor_hour(meter.origin)
    assert hass_storage[f"hems.broute.{entry.entry_id}.history"]["data"] == {"imported": True}
    await _assert_hours_are_the_meters(hass, History(meter), floor_hour(meter.origin), live_hour)
    await _assert_live_hour_continues(hass, History(meter), started, live_hour)


async def _set_up_and_lose_the_meter(hass: HomeAssistant, entry: Any, dongle: Any) -> None:
    """Set up; the meter is lost mid-way through the import (see :func:`_asked_days`); then
    Home Assistant restarts (the entry unloaded), with the meter back."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    coordinator = entry.runtime_data.coordinator
    await wait_for(lambda: coordinator.backfill_error is not None, limit=60)
    assert not coordinator.history_imported
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)
    dongle.faults.silent_meter = False


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=JST).astimezone(UTC)


def _assert_newest_first(writes: list[tuple[str, datetime, datetime]], end: datetime) -> datetime:
    """Each statistic's writes run back from ``end`` without a gap or an overlap, at most a
    day each; the oldest hour written."""
    oldest: set[datetime] = set()
    for statistic_id in (IMPORT, EXPORT):
        chunks = [(first, last) for sid, first, last in writes if sid == statistic_id]
        assert chunks, statistic_id
        boundary = end
        for first, last in chunks:
            assert last + HOUR == boundary, (statistic_id, first, last, boundary)
            assert boundary - first <= timedelta(days=1)
            boundary = first
        oldest.add(boundary)
    assert len(oldest) == 1
    return oldest.pop()


async def _assert_hours_are_the_meters(
    hass: HomeAssistant, history: History, first: datetime, live_hour: datetime
) -> None:
    """Every hour from ``first`` to the live one, and none before, is the meter's own: each
    hour's change is the meter's energy of that hour (a double count or a hole would show)."""
    rows = await _read_rows(hass, first - 2 * HOUR, live_hour)
    for channel, statistic_id in enumerate((IMPORT, EXPORT)):
        by_start = {datetime.fromtimestamp(r["start"], UTC): r for r in rows[statistic_id]}
        hours = hour_boundaries(first, live_hour - HOUR)
        assert sorted(by_start) == hours
        for hour in hours:
            assert by_start[hour]["state"] == pytest.approx(history.kwh(hour + HOUR, channel))
        for hour in hours[1:]:
            counts = history.counts(hour + HOUR, channel) - history.counts(hour, channel)
            change = by_start[hour]["sum"] - by_start[hour - HOUR]["sum"]
            assert change == pytest.approx(counts * KWH_PER_COUNT, abs=1e-6), hour
        # the sum is 0 at the zero point: the hour before the live one ends at or below it
        assert by_start[hours[-1]]["sum"] <= 0


T0 = datetime(2026, 5, 10, 0, 0, tzinfo=UTC)


def _day(imports: Sequence[int | None], start: datetime) -> list[HistorySlot]:
    """Hourly slots from ``start`` (import counts; export 0)."""
    return [HistorySlot(start + i * HOUR, None, None, v, 0) for i, v in enumerate(imports)]


def test_a_cursor_continues_day_by_day_and_stops_at_no_data() -> None:
    """Two days read newest first give the rows one read of both gives; a boundary the meter
    reports as no data ends the cursor (nothing older is written, the older day stays
    missing); a boundary not read yet waits."""
    newer = _day([1000, 1010, 1030], T0 + 3 * HOUR)  # 03:00, 04:00, 05:00
    older = _day([980, 990, 995], T0)  # 00:00, 01:00, 02:00
    cursor = history_cursor("import", newer, 103.2, T0 + 5 * HOUR, count_kwh=0.1, modulus=None)
    assert cursor is not None
    rows = extend_history(cursor, "import", newer, count_kwh=0.1, modulus=None)
    assert [(r.start, r.sum) for r in rows] == [(T0 + 3 * HOUR, -2.2), (T0 + 4 * HOUR, -0.2)]
    assert cursor.moment == T0 + 3 * HOUR and not cursor.ended  # 02:00 not read yet
    assert HistoryCursor.from_dict(cursor.as_dict()) == cursor
    rows = extend_history(cursor, "import", older, count_kwh=0.1, modulus=None)
    assert [(r.start, r.sum) for r in rows] == [
        (T0, -4.2),
        (T0 + HOUR, -3.7),
        (T0 + 2 * HOUR, -3.2),
    ]
    gap = _day([None, 970], T0 - 2 * HOUR)  # 22:00 no data, 23:00
    assert extend_history(cursor, "import", gap, count_kwh=0.1, modulus=None) == [
        HourRow(T0 - HOUR, -5.2, 98.0)
    ]
    assert cursor.ended and cursor.moment == T0 - HOUR
    older_still = _day([900, 950], T0 - 4 * HOUR)
    assert extend_history(cursor, "import", older_still, count_kwh=0.1, modulus=None) == []
    # no data at the first live hour: an ended cursor, nothing written
    ended = history_cursor("import", gap, 97.0, T0 - 2 * HOUR, count_kwh=0.1, modulus=None)
    assert ended is not None and ended.ended
    assert history_cursor("import", older, 99.0, T0 + 5 * HOUR, count_kwh=0.1, modulus=None) is None


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        {"moment": "2026-05-10T00:00:00+00:00", "counts": 1.5, "total": 0, "ended": False},
        {"moment": "2026-05-10T00:00:00+00:00", "counts": 1, "total": 0, "ended": "no"},
        {"moment": "yesterday", "counts": 1, "total": 0, "ended": False},
        {"moment": "2026-05-10T00:00:00", "counts": 1, "total": 0, "ended": False},
    ],
)
def test_a_stored_cursor_that_is_not_one_is_left_out(raw: Any) -> None:
    """A damaged store starts the statistic afresh rather than resuming from nonsense."""
    assert HistoryCursor.from_dict(raw) is None
    state = ImportState.from_dict({"day": "2026-05-10", "cursors": {IMPORT: raw}})
    assert state.cursors == {} and state.day == date(2026, 5, 10)


def test_an_import_state_round_trips() -> None:
    state = ImportState(date(2026, 5, 10), {IMPORT: HistoryCursor(T0, 12, -3, ended=True)})
    assert ImportState.from_dict(state.as_dict()) == state
    assert ImportState.from_dict("nonsense") == ImportState()
    assert ImportState.from_dict({"day": "May", "cursors": []}) == ImportState()


async def _imported(
    hass: HomeAssistant, make_dongle: DongleFactory, meter: MeterModel
) -> BrouteCoordinator:
    """A B-route entry on a dongle with ``meter``, once its own history import is over."""
    dongle = await make_dongle(meter=meter)
    entry = broute_entry(dongle.path or "")
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    coordinator = entry.runtime_data.coordinator
    await wait_for(lambda: coordinator.last_history is not None, limit=60)
    return coordinator


async def test_a_first_value_from_yesterday_starts_the_import_yesterday(
    recorder_mock: Recorder,
    imports_finish: None,
    hass: HomeAssistant,
    make_dongle: DongleFactory,
    sim_clock: SimClock,
    writes: list[tuple[str, datetime, datetime]],
) -> None:
    """A sensor first recorded yesterday (an import tried again after midnight): today's
    meter day holds nothing before its first live hour, so the rows start with yesterday's."""
    meter = MeterModel(sim_clock, history_days=2)
    coordinator = await _imported(hass, make_dongle, meter)
    yesterday = datetime.now(JST).date() - timedelta(days=1)
    first_value = _midnight(yesterday) + 12 * HOUR + timedelta(minutes=20)
    counter = "sensor.yesterdays_counter"
    kwh = History(meter).kwh(floor_hour(first_value), 0)
    hass.states.async_set(
        counter, str(kwh), {"unit_of_measurement": "kWh"}, timestamp=first_value.timestamp()
    )
    await async_wait_recording_done(hass)
    writes.clear()
    result = await statistics_backfill.async_import_history(
        hass, coordinator.session, {counter: "import"}, days=2
    )
    assert result.done and result.days == 3
    assert writes[0][2] + HOUR == floor_hour(first_value)  # yesterday's hours come first
    assert result.first[counter] == floor_hour(meter.origin)
    assert result.rows[counter] == (floor_hour(first_value) - floor_hour(meter.origin)) // HOUR


async def test_a_saver_with_nothing_queued(hass: HomeAssistant) -> None:
    saver = statistics_backfill._Saver(hass, None)
    saver.cancel()
    await saver.flush()
    await saver.now(ImportState())
    assert saver.task is None


async def test_a_statistic_new_to_a_resumed_import_starts_today(
    recorder_mock: Recorder,
    imports_finish: None,
    hass: HomeAssistant,
    make_dongle: DongleFactory,
    sim_clock: SimClock,
) -> None:
    """A resumed import with a statistic it had not started (enabled meanwhile) reads from
    today again: that statistic's rows begin at its first live hour, not at the resumed day."""
    meter = MeterModel(sim_clock, history_days=2)
    coordinator = await _imported(hass, make_dongle, meter)
    counter = "sensor.enabled_meanwhile"
    hass.states.async_set(counter, "1234.5", {"unit_of_measurement": "kWh"})
    await async_wait_recording_done(hass)
    zero = await get_instance(hass).async_add_executor_job(_zero_point, hass, counter)
    assert zero is not None
    resumed = ImportState(datetime.now(JST).date() - timedelta(days=1))
    result = await statistics_backfill.async_import_history(
        hass, coordinator.session, {counter: "import"}, days=2, state=resumed
    )
    assert result.done and result.days == 3
    assert result.rows[counter] == (floor_hour(zero[0]) - floor_hour(meter.origin)) // HOUR
