"""History from day one for the smart meter over IP: its 0xE2/0xE4 history imported once.

A smart meter object (class 0x0288) found by the hub that offers history 1 (0xE2 readable,
0xE5 settable) gets the same import as the B-route meter at its first setup
(:func:`..statistics_backfill.async_import_history`): today and the 45 days before into its
energy sensors' statistics, meeting the live statistics at their first value, with the same
progress notice.  Which meters were imported is kept in a ``Store`` (per hub entry), so a
meter is imported once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from datetime import datetime, timedelta
import logging
from typing import Any, Final

from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, State, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.issue_registry import IssueSeverity
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..echonet.controller import Controller
from ..echonet.errors import DeviceRejectedError, EchonetError, FrameError
from ..echonet.node import EchonetObject, Priority
from ..issues import async_clear_issue, async_raise_issue
from ..models import HemsConfigEntry
from ..statistics_backfill import (
    HistoryImport,
    ImportState,
    async_import_history,
    recorder_available,
)
from ..wisun import HistoryDay, HistorySlot, MeterInfo, MeterRejectedError, meter as m
from .devices import entity_unique_id, object_identifier

_LOGGER = logging.getLogger(__name__)

SMART_METER_CLASS: Final = 0x0288
STORE_VERSION: Final = 1
#: Days before today imported (meters keep 45).
HISTORY_DAYS: Final = 45
#: Tries while the meter's energy sensors have recorded nothing yet, and the pause between.
ATTEMPTS: Final = 10
RETRY: timedelta = timedelta(seconds=30)
ISSUE: Final = "ip_meter_history_import"
ENERGY_KEYS: Final = {"grid_import_energy": "import", "grid_export_energy": "export"}


def offers_history(obj: EchonetObject) -> bool:
    """A smart meter whose history 1 can be read (0xE5 settable, 0xE2 readable)."""
    return (
        obj.class_code == SMART_METER_CLASS
        and m.EPC_HISTORY1_IMPORT in obj.get_map
        and m.EPC_HISTORY1_DAY in obj.set_map
    )


class IpMeterHistory:
    """The meter object over ECHONET Lite as a history source (the reads the B-route
    session offers: the scaling and one day of history 1)."""

    def __init__(self, controller: Controller, obj: EchonetObject) -> None:
        self.controller = controller
        self.obj = obj
        self._info: MeterInfo | None = None

    async def read_meter_info(self) -> MeterInfo:
        """Coefficient (D3, 1 when absent), digits (D7) and unit (E1)."""
        if self._info is None:
            values = await self.controller.get(
                self.obj, (m.EPC_COEFFICIENT, m.EPC_DIGITS, m.EPC_UNIT), priority=Priority.POLL
            )
            unit = _decode(m.decode_unit, values.get(m.EPC_UNIT))
            coefficient = _decode(m.decode_coefficient, values.get(m.EPC_COEFFICIENT))
            self._info = MeterInfo(
                unit_kwh=1.0 if unit is None else unit,
                coefficient=1 if coefficient is None else coefficient,
                digits=_decode(m.decode_digits, values.get(m.EPC_DIGITS)),
            )
        return self._info

    async def read_history_day(self, days_ago: int) -> HistoryDay:
        """The 48 cumulative values of the meter's day ``days_ago`` (None: no data); raises
        :class:`MeterRejectedError` when the meter keeps no such day."""
        info = await self.read_meter_info()
        try:
            await self.controller.set(
                self.obj,
                {m.EPC_HISTORY1_DAY: m.encode_history1_day(days_ago)},
                priority=Priority.POLL,
            )
        except DeviceRejectedError as err:
            raise MeterRejectedError(f"the meter keeps no day {days_ago}") from err
        values = await self.controller.get(
            self.obj,
            (m.EPC_DATE, m.EPC_HISTORY1_IMPORT, m.EPC_HISTORY1_EXPORT),
            priority=Priority.POLL,
        )
        imp = _decode(m.decode_history1, values.get(m.EPC_HISTORY1_IMPORT))
        if imp is None or imp[0] != days_ago:
            raise MeterRejectedError(f"the meter did not return day {days_ago} (0xE2)")
        exp = _decode(m.decode_history1, values.get(m.EPC_HISTORY1_EXPORT))
        exports: list[int | None] = exp[1] if exp is not None else [None] * m.SLOTS_PER_DAY
        today = _decode(m.decode_date, values.get(m.EPC_DATE)) or dt_util.now(m.JST).date()
        day = today - timedelta(days=days_ago)
        slots = tuple(
            HistorySlot(t, info.kwh(i), info.kwh(e), i, e)
            for t, i, e in zip(m.slot_times(day), imp[1], exports, strict=True)
        )
        return HistoryDay(day, days_ago, slots)


def _number(state: State | None) -> bool:
    """Whether ``state`` shows a number."""
    if state is None:
        return False
    try:
        float(state.state)
    except ValueError:
        return False
    return True


def _decode[T](decoder: Callable[[bytes], T], edt: bytes | None) -> T | None:
    """``decoder(edt)``; None when absent or malformed."""
    if not edt:
        return None
    try:
        return decoder(edt)
    except FrameError:
        return None


class MeterHistoryImports:
    """The imports of one hub entry: each meter once, in the background."""

    def __init__(self, hass: HomeAssistant, entry: HemsConfigEntry) -> None:
        self.hass = hass
        self.entry = entry
        self.entry_id = entry.entry_id
        self.title = entry.title
        self.store: Store[dict[str, Any]] = Store(
            hass, STORE_VERSION, f"{DOMAIN}.meter_history.{entry.entry_id}"
        )
        self.imported: set[str] | None = None
        #: meter -> how far its unfinished import got (:class:`ImportState` as stored).
        self.progress: dict[str, Any] = {}
        self.results: dict[str, HistoryImport] = {}
        self.attempts: dict[str, int] = {}
        self.unsubs: list[Callable[[], None]] = []

    def issue_id(self, obj: EchonetObject) -> str:
        """The progress notice of one meter."""
        return f"{ISSUE}_{self.entry_id}_{object_identifier(obj)}"

    def statistic_ids(self, obj: EchonetObject) -> dict[str, Any]:
        """Entity ids of the meter's energy counters (their statistic ids)."""
        registry = er.async_get(self.hass)
        out: dict[str, Any] = {}
        for key, channel in ENERGY_KEYS.items():
            entity_id = registry.async_get_entity_id("sensor", DOMAIN, entity_unique_id(obj, key))
            if entity_id is not None:
                out[entity_id] = channel
        return out

    async def async_import(self, controller: Controller, obj: EchonetObject) -> None:
        """Import ``obj``'s history unless done before; while its sensors have recorded no
        value yet (or the meter does not answer), tried again later (a timer, not a task)."""
        started = asyncio.Event()

        @callback  # in the event loop (a plain function would run in a thread)
        def _started(_hass: HomeAssistant) -> None:
            started.set()

        self.unsubs.append(async_at_started(self.hass, _started))
        await started.wait()
        if not recorder_available(self.hass):
            return  # no statistics to import into
        if self.imported is None:
            data = await self.store.async_load() or {}
            self.imported = set(data.get("imported", []))
            progress = data.get("progress")
            self.progress = dict(progress) if isinstance(progress, dict) else {}
        key = object_identifier(obj)
        if key in self.imported:
            return
        self.attempts[key] = self.attempts.get(key, 0) + 1
        await self._async_sensors_shown(obj)
        ids = self.statistic_ids(obj)
        result = HistoryImport()
        if ids:
            _LOGGER.info("Importing the smart meter's history, newest day first")
            self._progress(obj, 0, HISTORY_DAYS + 1)

            async def _save(state: ImportState) -> None:  # how far it got: a resume continues
                self.progress[key] = state.as_dict()
                await self._async_save()

            try:
                result = await async_import_history(
                    self.hass,
                    IpMeterHistory(controller, obj),
                    ids,
                    days=HISTORY_DAYS,
                    progress=lambda done, total: self._progress(obj, done, total),
                    state=ImportState.from_dict(self.progress.get(key)),
                    save=_save,
                )
            except EchonetError as err:
                _LOGGER.info("The smart meter's history could not be read yet: %s", err)
            finally:
                async_clear_issue(self.hass, self.issue_id(obj))
        if result.done:
            self.results[key] = result
            self.imported.add(key)
            self.progress.pop(key, None)
            await self._async_save()
            _LOGGER.info("Imported %s days of the smart meter's history", result.days)
        elif self.attempts[key] < ATTEMPTS:

            @callback
            def _again(_now: datetime) -> None:
                self.start(controller, obj)

            self.unsubs.append(async_call_later(self.hass, RETRY, _again))

    async def _async_sensors_shown(self, obj: EchonetObject) -> None:
        """Wait (``RETRY`` at most) until the meter's energy sensors exist and show a number:
        the import meets their first recorded value, so it cannot begin before (the meter is
        found before its entities are made)."""
        shown = asyncio.Event()

        @callback
        def _check(_event: Event[EventStateChangedData] | None = None) -> None:
            ids = self.statistic_ids(obj)
            if ids and all(_number(self.hass.states.get(i)) for i in ids):
                shown.set()

        _check()
        if shown.is_set():
            return
        unsubscribe = self.hass.bus.async_listen(EVENT_STATE_CHANGED, _check)
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(RETRY.total_seconds()):
                    await shown.wait()
        finally:
            unsubscribe()

    async def _async_save(self) -> None:
        """The meters imported, and how far the unfinished imports got."""
        data: dict[str, Any] = {"imported": sorted(self.imported or ())}
        if self.progress:
            data["progress"] = dict(self.progress)
        await self.store.async_save(data)

    @callback
    def start(self, controller: Controller, obj: EchonetObject) -> None:
        """Import ``obj``'s history in the background (see :meth:`async_import`)."""
        self.entry.async_create_background_task(
            self.hass,
            self.async_import(controller, obj),
            f"hems meter history {object_identifier(obj)}",
        )

    @callback
    def _progress(self, obj: EchonetObject, done: int, total: int) -> None:
        async_raise_issue(
            self.hass,
            self.issue_id(obj),
            ISSUE,
            {"title": self.title, "done": str(done), "total": str(total)},
            severity=IssueSeverity.WARNING,
        )


__all__ = ["IpMeterHistory", "MeterHistoryImports", "offers_history"]
