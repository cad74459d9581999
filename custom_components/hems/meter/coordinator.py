"""The B-route entry at run time: one session, a polling coordinator, pushes, repairs, backfill.

The entry keeps a single :class:`~.wisun.BRouteSession` for its whole life (also across setup
retries and reloads with the same port and credentials): the session counts the meter's
authentication rejections and stops for good after a few, so retries can never lock the
B-route account.  Readings are polled (60 s by default); the meter's 0xEA/0xEB pushes update
the fixed-time sensors at once.  After every interruption (restart, dongle out, silent meter)
the hours the recorder missed are written from the meter's history (:mod:`..statistics_backfill`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
import logging
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.issue_registry import IssueSeverity
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..diagnostics import polling_diagnostics
from ..energy.backfill import BackfillResult, Channel
from ..energy.counter import CounterNormaliser
from ..energy.slots import slot_floor
from ..issues import async_clear_issue, async_raise_issue
from ..models import KindRuntime
from ..statistics_backfill import (
    HistoryImport,
    ImportState,
    async_backfill,
    async_import_history,
    recorder_available,
)
from ..storage import DurableStore, StoreUnreadable
from ..wisun import (
    BRouteSession,
    FixedTimeReading,
    MeterReading,
    PanDescriptor,
    SessionState,
    WisunError,
)
from . import const as c
from .errors import WISUN_ERRORS, Operation
from .session import entity_unique_id

_LOGGER = logging.getLogger(__name__)

ENERGY_KEYS: Final[dict[str, Channel]] = {
    "grid_import_energy": "import",
    "grid_export_energy": "export",
}
#: Backfill retries of one gap while the newest hours are not writable yet.
MAX_BACKFILL_RUNS: Final = 8


@dataclass(frozen=True, slots=True)
class BrouteData:
    """The latest reading and the latest fixed-time values."""

    reading: MeterReading
    fixed: FixedTimeReading | None


@callback
def async_dongle_missing(hass: HomeAssistant, entry: ConfigEntry, issue_id: str) -> None:
    """The repair issue of a dongle that is unplugged or whose port cannot be opened."""
    placeholders = {"port": str(entry.data[c.CONF_PORT]), "title": entry.title}
    async_raise_issue(hass, issue_id, "broute_dongle_missing", placeholders)


def parse_stored(data: Any, problems: list[str]) -> datetime | None:
    """The last live reading kept in the meter's store (None: none yet)."""
    if not isinstance(data, dict):
        raise StoreUnreadable("the stored meter data is not a mapping")
    raw = data.get("last_live")
    if raw is None:
        return None
    parsed = dt_util.parse_datetime(raw) if isinstance(raw, str) else None
    if parsed is None or parsed.tzinfo is None:
        problems.append(f"last reading {raw!r} left out")
        return None
    return parsed.astimezone(UTC)


def meter_store(hass: HomeAssistant, entry: ConfigEntry) -> DurableStore[datetime | None]:
    """The meter entry's store: the time of the last live reading."""
    return DurableStore(
        hass,
        c.STORE_VERSION,
        f"{c.STORE_KEY}.{entry.entry_id}",
        name=entry.title,
        parse=parse_stored,
    )


def history_store(hass: HomeAssistant, entry: ConfigEntry) -> Store[dict[str, Any]]:
    """Whether the meter's history was imported (``{"imported": true}``)."""
    return Store(hass, c.STORE_VERSION, f"{c.STORE_KEY}.{entry.entry_id}.history")


class BrouteCoordinator(DataUpdateCoordinator[BrouteData]):
    """Polls the meter; tracks interruptions and fills them from the meter's history."""

    config_entry: ConfigEntry
    session: BRouteSession

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        session: BRouteSession,
        uid: str,
        last_live: datetime | None,
        *,
        history_imported: bool = True,
    ) -> None:
        interval = int(entry.options.get(c.CONF_POLL_INTERVAL, c.DEFAULT_POLL_INTERVAL))
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"B-route smart meter ({entry.title})",
            update_interval=timedelta(seconds=interval),
        )
        self.session = session
        self.uid = uid
        self.port = str(entry.data[c.CONF_PORT])
        self.fixed: FixedTimeReading | None = None
        #: The energy counters' policies (by sensor key), for diagnostics.
        self.counters: dict[str, CounterNormaliser] = {}
        self.last_live = last_live
        # An interruption (the setup is one) opens a gap at the last live reading; the first
        # reading after it closes the gap and asks for a backfill since its start.
        self._gap_open = True
        self._gap_start: datetime | None = last_live
        self._pending = False
        self._pending_since: datetime | None = None
        self._retry_since: datetime | None = None
        self.last_backfill: BackfillResult | None = None
        #: The meter's history is imported once, at the first setup (kept in a store).
        self.history_imported = history_imported
        self.last_history: HistoryImport | None = None
        self.backfill_error: str | None = None
        self._backfill_task: asyncio.Task[None] | None = None
        self._backfill_runs = 0
        self._retry_unsub: Callable[[], None] | None = None
        self._started = asyncio.Event()
        self._store = meter_store(hass, entry)
        self._unsubs: list[Callable[[], None]] = []

    # -- lifecycle -----------------------------------------------------------------------

    @classmethod
    async def async_load_last_live(cls, hass: HomeAssistant, entry: ConfigEntry) -> datetime | None:
        """The last live reading recorded before this setup (None: unknown)."""
        return (await meter_store(hass, entry).async_load()).value

    @classmethod
    async def async_load_stored(
        cls, hass: HomeAssistant, entry: ConfigEntry
    ) -> tuple[datetime | None, bool]:
        """The last live reading (None: unknown) and whether the meter's history was imported.

        The first setup writes ``{"imported": false}`` before anything else, so a setup that
        follows an unfinished import (Home Assistant reloads an entry when one of its entities
        is enabled, a restart) imports still, although live readings were stored meanwhile.
        Only an entry from before the import existed (a live reading and no marker) counts as
        imported: its statistics have their own past.
        """
        last_live = await cls.async_load_last_live(hass, entry)
        store = history_store(hass, entry)
        data = await store.async_load()
        if isinstance(data, dict) and isinstance(data.get("imported"), bool):
            return last_live, data["imported"]
        if last_live is not None:
            return last_live, True
        await store.async_save({"imported": False})
        return last_live, False

    @callback
    def async_start(self) -> None:
        """Listen to the session."""
        self._unsubs.append(self.session.on_state(self._on_state))
        self._unsubs.append(self.session.on_fixed_time(self._on_push))
        self._unsubs.append(self.session.on_pan(self._on_pan))
        self._sync_issue(self.session.state)

    @callback
    def async_entities_ready(self) -> None:
        """The energy sensors exist: backfill once Home Assistant has started."""
        self._unsubs.append(async_at_started(self.hass, self._on_started))

    async def async_stop(self) -> None:
        """Stop listening, save the marker, close the session."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        if self._retry_unsub is not None:
            self._retry_unsub()
            self._retry_unsub = None
        task, self._backfill_task = self._backfill_task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.last_live is not None:
            await self._store.async_save(self._store_data())
        await self.session.close()
        async_clear_issue(self.hass, self.issue_id)

    @property
    def issue_id(self) -> str:
        """The repair issue of a missing dongle."""
        return f"{c.ISSUE_DONGLE_MISSING}_{self.config_entry.entry_id}"

    @property
    def live(self) -> bool:
        """Whether the meter's values can be shown (the session is not down)."""
        return not self.session.state.is_down

    # -- polling -------------------------------------------------------------------------

    async def _async_update_data(self) -> BrouteData:
        try:
            reading = await self.session.read()
        except WisunError as err:
            self._open_gap()
            context = {"port": self.port, "state": self.session.state.value}
            raise WISUN_ERRORS.translate(Operation.READ, err, UpdateFailed, context) from err
        now = dt_util.utcnow()
        if self._fixed_due(now):
            try:
                self.fixed = await self.session.read_fixed_time()
            except WisunError as err:
                _LOGGER.debug("B-route: fixed-time values not read: %s", err)
        self._mark_live(now)
        return BrouteData(reading, self.fixed)

    def _fixed_due(self, now: datetime) -> bool:
        fixed = self.fixed
        if fixed is None or fixed.timestamp is None:
            return True
        boundary = slot_floor(now)
        return fixed.timestamp < boundary and now - boundary >= c.FIXED_TIME_GRACE

    @callback
    def _on_push(self, reading: FixedTimeReading) -> None:
        """0xEA/0xEB pushed by the meter: show them at once."""
        known = None if self.fixed is None else self.fixed.timestamp
        if known is not None and (reading.timestamp is None or reading.timestamp < known):
            return
        self.fixed = reading
        if self.data is not None:
            self.data = replace(self.data, fixed=reading)
            self.async_update_listeners()

    @callback
    def _on_pan(self, pan: PanDescriptor) -> None:
        """A scan found the meter on a new PAN: keep it for the next connection."""
        # The session calls this only when the meter's PAN changed: always a new one.
        entry = self.config_entry
        self.hass.config_entries.async_update_entry(
            entry, data={**entry.data, c.CONF_PAN: pan.as_dict()}
        )

    @callback
    def _on_state(self, state: SessionState) -> None:
        self._sync_issue(state)
        if state.is_down:
            self._open_gap()
        if state is SessionState.CREDENTIALS_REJECTED:
            self.config_entry.async_start_reauth(self.hass)
        elif state is SessionState.CONNECTED and (self._gap_open or not self.last_update_success):
            self.config_entry.async_create_background_task(
                self.hass, self.async_request_refresh(), "hems-broute-refresh"
            )
        self.async_update_listeners()

    @callback
    def _sync_issue(self, state: SessionState) -> None:
        if state is SessionState.DONGLE_UNAVAILABLE:
            async_dongle_missing(self.hass, self.config_entry, self.issue_id)
        elif not state.is_down or state is SessionState.DONGLE_NOT_RESPONDING:  # it is there
            async_clear_issue(self.hass, self.issue_id)

    # -- interruptions and backfill ------------------------------------------------------

    def _open_gap(self) -> None:
        if not self._gap_open:
            self._gap_open = True
            self._gap_start = self.last_live

    def _mark_live(self, now: datetime) -> None:
        if self._gap_open:
            self._gap_open = False
            self._backfill_runs = 0
            self.request_backfill(self._gap_start)
        self.last_live = now
        self._store.async_delay_save(self._store_data, c.STORE_SAVE_DELAY)

    def _store_data(self) -> dict[str, Any]:
        return {"last_live": None if self.last_live is None else self.last_live.isoformat()}

    @callback
    def _on_started(self, _hass: HomeAssistant) -> None:
        self._started.set()

    @callback
    def request_backfill(self, since: datetime | None) -> None:
        """Fill the hours since ``since`` (None: since the newest recorded hour), merged with
        a request still waiting."""
        if self._retry_unsub is not None:
            self._retry_unsub()
            self._retry_unsub = None
        if not self._pending:
            self._pending, self._pending_since = True, since
        elif self._pending_since is not None and (since is None or since < self._pending_since):
            self._pending_since = since
        if self._backfill_task is None or self._backfill_task.done():
            self._backfill_task = self.config_entry.async_create_background_task(
                self.hass, self._async_backfill(), "hems-broute-backfill"
            )

    def statistic_ids(self) -> dict[str, Channel]:
        """Entity ids of the energy counters (their statistic ids)."""
        registry = er.async_get(self.hass)
        out: dict[str, Channel] = {}
        for key, channel in ENERGY_KEYS.items():
            unique_id = entity_unique_id(self.uid, key)
            entity_id = registry.async_get_entity_id("sensor", DOMAIN, unique_id)
            if entity_id is not None:
                out[entity_id] = channel
        return out

    @property
    def history_issue_id(self) -> str:
        """The notice that shows the history import's progress."""
        return f"{c.ISSUE_HISTORY_IMPORT}_{self.config_entry.entry_id}"

    @callback
    def _history_progress(self, done: int, total: int) -> None:
        placeholders = {"title": self.config_entry.title, "done": str(done), "total": str(total)}
        async_raise_issue(
            self.hass,
            self.history_issue_id,
            c.ISSUE_HISTORY_IMPORT,
            placeholders,
            severity=IssueSeverity.WARNING,
        )

    async def _async_import_history(self) -> bool:
        """The meter's history into the statistics, once (progress shown as a notice);
        whether it is done."""
        _LOGGER.info("B-route: importing the meter's history, newest day first")
        self._history_progress(0, c.HISTORY_DAYS + 1)
        store = history_store(self.hass, self.config_entry)
        stored = await store.async_load()
        state = ImportState.from_dict(stored.get("progress") if isinstance(stored, dict) else None)

        async def _save(state: ImportState) -> None:  # how far it got: a resume continues
            await store.async_save({"imported": False, "progress": state.as_dict()})

        try:
            result = await async_import_history(
                self.hass,
                self.session,
                self.statistic_ids(),
                days=c.HISTORY_DAYS,
                progress=self._history_progress,
                state=state,
                save=_save,
            )
        finally:
            async_clear_issue(self.hass, self.history_issue_id)
        self.last_history = result
        if result.done:
            self.history_imported = True
            await store.async_save({"imported": True})
            _LOGGER.info(
                "B-route: imported %s days of the meter's history: %s",
                result.days,
                ", ".join(f"{k} {v} hours" for k, v in result.rows.items()) or "nothing new",
            )
        return result.done

    async def _async_backfill(self) -> None:
        await self._started.wait()
        if not self.history_imported:
            try:
                imported = await self._async_import_history()
            except WisunError as err:
                self.backfill_error = str(err)
                _LOGGER.info("B-route: could not read the meter's history yet (%s)", err)
                imported = False
            if imported:
                if self._pending_since is None:
                    self._pending = False  # the first setup: the import was its fill
            else:
                self._pending = True  # tried again with the next reading's request
                self._retry_since = self._pending_since
                self._retry_unsub = async_call_later(
                    self.hass, c.BACKFILL_RETRY, self._retry_backfill
                )
                return
        while self._pending:
            self._pending = False
            since = self._pending_since
            self._backfill_runs += 1
            try:
                result = await async_backfill(
                    self.hass, self.session, self.statistic_ids(), since, margin=c.BACKFILL_MARGIN
                )
            except WisunError as err:
                self.backfill_error = str(err)
                _LOGGER.info("B-route: could not read the meter's history yet (%s)", err)
                complete = False
            except Exception as err:
                if not recorder_available(self.hass):
                    return  # the recorder is shutting down
                self.backfill_error = repr(err)
                _LOGGER.exception("B-route: filling the energy statistics failed")
                complete = False
            else:
                self.backfill_error = None
                self.last_backfill = result
                complete = result.complete
                if result.rows:
                    _LOGGER.info(
                        "B-route: filled hours of energy statistics from the meter's history: %s",
                        ", ".join(f"{k} {v}" for k, v in result.rows.items()),
                    )
            if not complete and not self._pending and self._backfill_runs < MAX_BACKFILL_RUNS:
                self._retry_since = since
                self._retry_unsub = async_call_later(
                    self.hass, c.BACKFILL_RETRY, self._retry_backfill
                )

    @callback
    def _retry_backfill(self, _now: datetime) -> None:
        self._retry_unsub = None
        self.request_backfill(self._retry_since)

    # -- diagnostics ---------------------------------------------------------------------

    def diagnostics(self) -> dict[str, Any]:
        """Polling and backfill state."""
        return {
            **polling_diagnostics(self),
            "last_live": None if self.last_live is None else self.last_live.isoformat(),
            "gap_open": self._gap_open,
            "gap_start": None if self._gap_start is None else self._gap_start.isoformat(),
            "backfill_runs": self._backfill_runs,
            "backfill": None if self.last_backfill is None else self.last_backfill.as_dict(),
            "backfill_error": self.backfill_error,
            "counters": {key: c.diagnostics() for key, c in sorted(self.counters.items())},
        }


class BrouteRuntime(KindRuntime):
    """Runtime data of a B-route entry."""

    def __init__(
        self, coordinator: BrouteCoordinator, meter: dict[str, Any], options: dict[str, Any]
    ) -> None:
        self.coordinator = coordinator
        self.session = coordinator.session
        self.meter = meter
        self.options = options
