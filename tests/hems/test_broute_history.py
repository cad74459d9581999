"""History from day one: a new B-route meter's 45 days of 30-minute values become the energy
sensors' statistics at its first setup (virtual dongle on a real pty, recorder in the test).

Every imported hour equals the meter's history; the first live hour, compiled by the recorder
from the live sensor, shows exactly the meter's energy of that hour (nothing counted twice,
nothing lost); the progress is shown as a notice while the days are read; a second setup
imports nothing again.
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

from homeassistant.components.recorder import Recorder, get_instance
from homeassistant.components.recorder.statistics import async_import_statistics
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED
from homeassistant.core import CoreState, Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
)

from custom_components.hems.const import DOMAIN
from custom_components.hems.energy.backfill import history_rows
from custom_components.hems.energy.meter_hours import floor_hour, hour_boundaries
from custom_components.hems.meter import const as broute_const
from custom_components.hems.statistics_backfill import (
    HistoryImport,
    _zero_point,
    async_import_history,
)
from custom_components.hems.wisun import HistorySlot
from simulator.clock import SimClock
from simulator.meter_model import MeterModel
from tests.waiting import wait_for

from .test_broute_backfill import EXPORT, HOUR, IMPORT, KWH_PER_COUNT, History, _meta, _read_rows
from .test_broute_support import DongleFactory, _fast_broute, broute_entry, make_dongle, sim_clock

#: Fixtures of the support module that this module's tests use.
FIXTURES = (_fast_broute, make_dongle, sim_clock)
DAYS = 45


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, imports_finish: None, enable_custom_integrations: None
) -> None:
    """The recorder is set up before Home Assistant (the shared fixture would start it first)."""


@pytest.fixture(autouse=True)
def _no_margin(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test recorder compiles nothing by itself: every past hour can be written."""
    monkeypatch.setattr(broute_const, "BACKFILL_MARGIN", timedelta(0))


async def test_first_setup_imports_the_meters_history(
    recorder_mock: Recorder,
    imports_finish: None,
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    make_dongle: DongleFactory,
    sim_clock: SimClock,
) -> None:
    """45 days of hours, each the meter's own; the first live hour continues them exactly."""
    meter = MeterModel(sim_clock, history_days=DAYS)
    dongle = await make_dongle(meter=meter)
    notices = _import_notices(hass)
    entry = broute_entry(dongle.path or "")
    entry.add_to_hass(hass)
    started = _five_minutes(dt_util.utcnow())
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    coordinator = entry.runtime_data.coordinator
    await wait_for(lambda: coordinator.last_history is not None, limit=60)
    await async_wait_recording_done(hass)
    result = coordinator.last_history
    assert result.done and coordinator.history_imported

    # progress was shown, day by day, and the notice is gone
    # (today and the 45 days before: 46 reads)
    assert notices[0] == {"title": "Smart meter", "done": "0", "total": str(DAYS + 1)}
    assert notices[-1]["done"] == str(DAYS + 1)
    assert len(notices) == DAYS + 2
    assert not [
        i
        for i in ir.async_get(hass).issues.values()
        if i.translation_key == "broute_history_import"
    ]

    history = History(meter)
    # The first live hour is the hour of the sensor's first recorded value (where the import
    # ends), not the hour the test happens to be in now (the test may cross an hour).
    zero = await get_instance(hass).async_add_executor_job(_zero_point, hass, IMPORT)
    assert zero is not None
    live_hour = floor_hour(zero[0])
    await _assert_hours_are_the_meters(hass, history, result, floor_hour(meter.origin), live_hour)
    await _assert_live_hour_continues(hass, history, started, live_hour)

    # The next setup imports nothing again.
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    stored = hass_storage[f"hems.broute.{entry.entry_id}.history"]["data"]
    assert stored["imported"] is True
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.coordinator.history_imported
    assert entry.runtime_data.coordinator.last_history is None


def _import_notices(hass: HomeAssistant) -> list[dict[str, Any]]:
    """The placeholders of the history import's notice, each time it is updated."""
    notices: list[dict[str, Any]] = []

    @callback  # in the loop, when the issue is still there (a thread would find it gone)
    def _notice(event: Event[Any]) -> None:
        issue = ir.async_get(hass).async_get_issue(DOMAIN, event.data["issue_id"])
        if issue is not None and issue.translation_key == "broute_history_import":
            notices.append(dict(issue.translation_placeholders or {}))

    hass.bus.async_listen(ir.EVENT_REPAIRS_ISSUE_REGISTRY_UPDATED, _notice)
    return notices


async def _assert_hours_are_the_meters(
    hass: HomeAssistant,
    history: History,
    result: HistoryImport,
    first: datetime,
    live_hour: datetime,
) -> None:
    """Every imported hour, from the meter's first to the live one, is the meter's own."""
    rows = await _read_rows(hass, first - HOUR, live_hour)
    for channel, statistic_id in enumerate((IMPORT, EXPORT)):
        by_start = {datetime.fromtimestamp(r["start"], UTC): r for r in rows[statistic_id]}
        assert result.rows[statistic_id] == len(by_start)
        assert min(by_start) == result.first[statistic_id]
        assert result.first[statistic_id] == first  # the meter's whole history
        hours = hour_boundaries(min(by_start), live_hour - HOUR)
        assert sorted(by_start) == hours
        for hour in hours[1:]:
            counts = history.counts(hour + HOUR, channel) - history.counts(hour, channel)
            change = by_start[hour]["sum"] - by_start[hour - HOUR]["sum"]
            assert change == pytest.approx(counts * KWH_PER_COUNT, abs=1e-6), hour
            assert by_start[hour]["state"] == pytest.approx(history.kwh(hour + HOUR, channel))
        # the statistics' sum over the history equals the simulator's history
        total = by_start[hours[-1]]["sum"] - by_start[hours[0]]["sum"]
        expected = history.kwh(live_hour, channel) - history.kwh(hours[0] + HOUR, channel)
        assert total == pytest.approx(expected, abs=1e-6)


async def _assert_live_hour_continues(
    hass: HomeAssistant, history: History, started: datetime, live_hour: datetime
) -> None:
    """The recorder compiles the live sensor's hour: it shows the meter's energy of that hour."""
    period = started
    while period <= _five_minutes(dt_util.utcnow()):
        do_adhoc_statistics(hass, start=period)
        await async_wait_recording_done(hass)
        period += timedelta(minutes=5)
    do_adhoc_statistics(hass, start=live_hour + timedelta(minutes=55))
    await async_wait_recording_done(hass)
    rows = await _read_rows(hass, live_hour - HOUR, live_hour + HOUR)
    for channel, statistic_id in enumerate((IMPORT, EXPORT)):
        by_start = {datetime.fromtimestamp(r["start"], UTC): r for r in rows[statistic_id]}
        change = by_start[live_hour]["sum"] - by_start[live_hour - HOUR]["sum"]
        live = float(hass.states.get(statistic_id).state)
        assert change == pytest.approx(live - history.kwh(live_hour, channel), abs=1e-6)


def _five_minutes(moment: datetime) -> datetime:
    return moment.replace(minute=moment.minute - moment.minute % 5, second=0, microsecond=0)


T0 = datetime(2026, 5, 10, 0, 0, tzinfo=UTC)


def _slots(imports: list[int | None], exports: list[int | None] | None = None) -> list[Any]:
    exports = exports or [0] * len(imports)
    return [
        HistorySlot(T0 + HOUR * i, None, None, imp, exp)
        for i, (imp, exp) in enumerate(zip(imports, exports, strict=True))
    ]


def test_history_rows_end_at_the_zero_point() -> None:
    """Sums run up to the first live value (0 there); each hour is the meter's counts."""
    live = T0 + 3 * HOUR + timedelta(minutes=20)
    rows = history_rows(
        "import", _slots([1000, 1010, 1030, 1040]), 104.3, live, count_kwh=0.1, modulus=None
    )
    assert [(r.start, r.sum, r.state) for r in rows] == [
        (T0, -3.3, 101.0),
        (T0 + HOUR, -1.3, 103.0),
        (T0 + 2 * HOUR, -0.3, 104.0),
    ]


def test_history_rows_stop_at_a_gap_and_across_a_wrap() -> None:
    slots = _slots([None, 99980, 99990, 10, 12], [0, 0, 0, 7, 9])
    live = T0 + 4 * HOUR
    rows = history_rows("import", slots, 1.3, live, count_kwh=0.1, modulus=100000)
    assert [(r.start, r.sum, r.state) for r in rows] == [
        (T0 + HOUR, -2.3, 9999.0),  # 99990 -> 10 across the wrap: 2 kWh
        (T0 + 2 * HOUR, -0.3, 1.0),
        (T0 + 3 * HOUR, -0.1, 1.2),
    ]
    exports = history_rows("export", slots, 0.9, live, count_kwh=0.1, modulus=None)
    assert [r.sum for r in exports] == [-0.9, -0.9, -0.2, 0.0]
    # No value at the first live hour's start: nothing can meet the live statistics.
    assert history_rows("import", slots, 1.3, T0 + 5 * HOUR, count_kwh=0.1, modulus=None) == []


async def test_sensors_with_their_own_past_keep_it(
    recorder_mock: Recorder, imports_finish: None, hass: HomeAssistant, make_dongle: DongleFactory
) -> None:
    """A sensor whose statistics reach back before its first live hour is not imported into;
    a sensor that has recorded no value yet makes the import wait (not done)."""
    dongle = await make_dongle()
    entry = broute_entry(dongle.path or "")
    entry.add_to_hass(hass)
    long_ago = floor_hour(dt_util.utcnow()) - timedelta(days=3)
    async_import_statistics(hass, _meta(IMPORT), [{"start": long_ago, "state": 1.0, "sum": 1.0}])
    await async_wait_recording_done(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    coordinator = entry.runtime_data.coordinator
    await wait_for(lambda: coordinator.last_history is not None, limit=60)
    result = coordinator.last_history
    assert result.done
    assert result.skipped == [IMPORT]
    assert set(result.rows) == {EXPORT}

    # Nothing recorded yet (a first state that is no number does not count).
    hass.states.async_set("sensor.new_counter", "unknown", {"unit_of_measurement": "kWh"})
    await async_wait_recording_done(hass)
    waiting = await async_import_history(
        hass, coordinator.session, {"sensor.new_counter": "import"}, days=0
    )
    assert not waiting.done and waiting.days == 0
    hass.states.async_set("sensor.new_counter", "12.5", {"unit_of_measurement": "kWh"})
    await async_wait_recording_done(hass)
    ready = await async_import_history(
        hass, coordinator.session, {"sensor.new_counter": "import"}, days=0
    )
    assert ready.done and ready.days == 1  # today only
    assert ready.as_dict()["done"] is True


@contextlib.contextmanager
def _starting(hass: HomeAssistant) -> Iterator[None]:
    """Home Assistant is starting (what waits for its start waits) until the block ends or
    :func:`_start` is called; started at the end in any case (nothing left waiting)."""
    hass.set_state(CoreState.starting)
    try:
        yield
    finally:
        _start(hass)


def _start(hass: HomeAssistant) -> None:
    if hass.state is not CoreState.running:
        hass.set_state(CoreState.running)
        hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)


async def test_a_reload_before_the_import_finished_imports_still(
    recorder_mock: Recorder,
    imports_finish: None,
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    make_dongle: DongleFactory,
) -> None:
    """Home Assistant reloads the meter's entry when one of its entities is enabled (the
    energy entry enables the half-hour values) or restarts before the import is done: the
    live readings stored meanwhile do not make the history count as imported."""
    dongle = await make_dongle()
    entry = broute_entry(dongle.path or "")
    entry.add_to_hass(hass)
    history_key = f"hems.broute.{entry.entry_id}.history"
    with _starting(hass):  # the import waits for Home Assistant's start
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        coordinator = entry.runtime_data.coordinator
        assert coordinator.last_live is not None and coordinator.last_history is None
        assert hass_storage[history_key]["data"] == {"imported": False}

        assert await hass.config_entries.async_unload(entry.entry_id)
        async_fire_time_changed(
            hass, dt_util.utcnow() + timedelta(seconds=broute_const.STORE_SAVE_DELAY + 1)
        )
        await hass.async_block_till_done()
        assert hass_storage[f"hems.broute.{entry.entry_id}"]["data"]["last_live"] is not None

        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        coordinator = entry.runtime_data.coordinator
        assert not coordinator.history_imported
        _start(hass)
    await wait_for(lambda: coordinator.last_history is not None, limit=60)
    result = coordinator.last_history
    assert result.done and coordinator.history_imported
    assert set(result.rows) == {IMPORT, EXPORT} and result.days > 1
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert hass_storage[history_key]["data"] == {"imported": True}


async def test_history_import_is_retried_after_a_meter_failure(
    recorder_mock: Recorder,
    imports_finish: None,
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    make_dongle: DongleFactory,
    sim_clock: SimClock,
) -> None:
    """The meter stops answering as the import begins: the error is kept for the
    diagnostics, nothing is marked imported, and the import is tried again later."""
    dongle = await make_dongle(meter=MeterModel(sim_clock, history_days=2))

    @callback  # the progress notice is raised as the import begins
    def _silence(event: Event[Any]) -> None:
        issue = ir.async_get(hass).async_get_issue(DOMAIN, event.data["issue_id"])
        if issue is not None and issue.translation_key == "broute_history_import":
            dongle.faults.silent_meter = True

    unsubscribe = hass.bus.async_listen(ir.EVENT_REPAIRS_ISSUE_REGISTRY_UPDATED, _silence)
    entry = broute_entry(dongle.path or "")
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    coordinator = entry.runtime_data.coordinator
    await wait_for(lambda: coordinator.backfill_error is not None, limit=30)
    assert "did not answer" in coordinator.backfill_error
    assert not coordinator.history_imported
    assert hass_storage[f"hems.broute.{entry.entry_id}.history"]["data"] == {"imported": False}
    unsubscribe()
    dongle.faults.silent_meter = False
    async_fire_time_changed(hass, dt_util.utcnow() + broute_const.BACKFILL_RETRY)
    await wait_for(lambda: coordinator.history_imported, limit=60)
    assert coordinator.last_history is not None and coordinator.last_history.done
    assert hass_storage[f"hems.broute.{entry.entry_id}.history"]["data"] == {"imported": True}


async def test_unloading_during_the_import_stops_it(
    recorder_mock: Recorder,
    imports_finish: None,
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    make_dongle: DongleFactory,
    sim_clock: SimClock,
) -> None:
    """The entry is unloaded while the meter's days are read: the import stops (no further
    read), its notice goes away and nothing is marked imported; the port is closed."""
    dongle = await make_dongle(meter=MeterModel(sim_clock, history_days=DAYS))
    entry = broute_entry(dongle.path or "")
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await wait_for(lambda: dongle.responder.history_day >= 2, limit=30, what="day 2 read")
    session = entry.runtime_data.coordinator.session
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert not session.connection.port_open
    requests = len(dongle.responder.stats.requests)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(dongle.responder.stats.requests) == requests
    assert hass_storage[f"hems.broute.{entry.entry_id}.history"]["data"]["imported"] is False
    assert not [
        i
        for i in ir.async_get(hass).issues.values()
        if i.translation_key == "broute_history_import"
    ]
