"""A B-route session: dongle, PANA session and the meter's ECHONET Lite requests.

Typical use::

    session = BRouteSession("/dev/ttyUSB0", BRouteCredentials(rbid, password), pan=cached)
    pan = await session.connect()        # keep pan.as_dict() to skip the scan next time
    reading = await session.read()       # one multi-property Get
    day = await session.read_history_day(1)
    await session.close()

After :meth:`connect` succeeds, the session keeps itself up in the background: it waits out
PANA re-authentication (EVENT 29), rejoins after a failed re-authentication or a termination,
reopens the port after the dongle was unplugged or stopped answering (state
``dongle_not_responding``), and stops for good (raising :class:`CredentialsRejectedError` from
every call) after ``Timing.max_auth_failures`` authentication failures in a row.

The parts: :mod:`.connection` (dongle, PANA, the supervisor that keeps them up),
:mod:`.requests` (the meter's ECHONET Lite requests); this module is the meter client: what
is read, how it is decoded, and the meter's pushes.
"""

from __future__ import annotations

from collections.abc import Callable
import contextlib
from datetime import UTC, datetime, timedelta
import logging
from typing import Final

from ..echonet.const import ESV
from ..echonet.errors import FrameError
from ..echonet.frame import CONTROLLER, Frame, build, decode_frame
from ..energy.slots import slot_floor
from . import meter as m
from .connection import Connection, PanCallback, SessionStats, StateCallback, call_listener
from .credentials import BRouteCredentials, protect_logs
from .errors import MeterRejectedError, WisunError
from .models import (
    Dialect,
    DongleInfo,
    FixedTimeReading,
    HistoryDay,
    HistorySlot,
    MeterInfo,
    MeterReading,
    PanDescriptor,
    SessionState,
    Timing,
)
from .requests import MeterRequests

_LOGGER = logging.getLogger(__name__)

#: The reading cycle: power, currents, cumulative normal and reverse.
CYCLE_EPCS: Final = (m.EPC_POWER, m.EPC_CURRENTS, m.EPC_IMPORT, m.EPC_EXPORT)
#: Read once per meter (bundled with the first cycle).
INFO_EPCS: Final = (m.EPC_COEFFICIENT, m.EPC_DIGITS, m.EPC_UNIT)

FixedTimeCallback = Callable[[FixedTimeReading], None]


class BRouteSession:
    """One dongle, one meter.  See the module docstring.

    Persist :attr:`pan` (``pan.as_dict()``, also passed to ``on_pan`` listeners whenever a
    scan finds the meter) and give it back as ``pan=`` to reconnect without scanning.
    """

    def __init__(
        self,
        port: str,
        credentials: BRouteCredentials,
        *,
        pan: PanDescriptor | None = None,
        timing: Timing | None = None,
        dialect_hint: Dialect | None = None,
    ) -> None:
        protect_logs(credentials)
        self._timing = timing or Timing()
        self.stats = SessionStats()
        self.connection = Connection(
            port,
            credentials,
            pan=pan,
            timing=self._timing,
            dialect_hint=dialect_hint,
            stats=self.stats,
            on_udp=self.receive,
            fail_requests=self._fail_requests,
            new_meter=self._forget_meter,
        )
        self.requests = MeterRequests(self.connection, self._timing, self.stats)
        self._fixed_listeners: list[FixedTimeCallback] = []
        self._info: MeterInfo | None = None
        #: Why the meter's scaling is not usable yet (0xD3 = 0, no unit), logged once.
        self._info_problem: str | None = None
        self._held_pushes: list[Frame] = []

    def __repr__(self) -> str:
        return f"BRouteSession(port={self.connection.port!r}, state={self.state.value})"

    # -- public properties and listeners -------------------------------------------------------

    @property
    def state(self) -> SessionState:
        """What the session is doing now."""
        return self.connection.state

    @property
    def pan(self) -> PanDescriptor | None:
        """The meter's PAN (persist it)."""
        return self.connection.pan

    @property
    def meter_info(self) -> MeterInfo | None:
        """Unit, coefficient and digits once read."""
        return self._info

    @property
    def auth_failures(self) -> int:
        """Consecutive PANA authentication failures."""
        return self.connection.auth_failures

    @property
    def dongle_info(self) -> DongleInfo | None:
        """What the dongle said about itself once set up."""
        return self.connection.dongle_info

    @property
    def unsupported(self) -> frozenset[int]:
        """The meter's properties it refused (not asked again)."""
        return self.requests.unsupported

    def on_state(self, callback: StateCallback) -> Callable[[], None]:
        """Call ``callback(state)`` on every state change; returns an unsubscribe function."""
        return self.connection.on_state(callback)

    def on_fixed_time(self, callback: FixedTimeCallback) -> Callable[[], None]:
        """Call ``callback(reading)`` for the meter's 0xEA/0xEB pushes (INF/INFC)."""
        self._fixed_listeners.append(callback)
        return lambda: self._fixed_listeners.remove(callback)

    def on_pan(self, callback: PanCallback) -> Callable[[], None]:
        """Call ``callback(pan)`` when a scan found the meter on a new PAN (persist it)."""
        return self.connection.on_pan(callback)

    # -- lifecycle ------------------------------------------------------------------------------

    async def connect(self) -> PanDescriptor:
        """Open the dongle, find the meter (cached PAN first, then scans) and authenticate.

        Raises :class:`CredentialsRejectedError` (after ``max_auth_failures`` rejections, with
        backoff in between), :class:`DongleError`, :class:`MeterNotFoundError` or
        :class:`JoinFailedError` (the meter did not answer the authentication).  On success the
        session keeps itself connected in the background until :meth:`close`.
        """
        return await self.connection.start()

    async def close(self) -> None:
        """End the PANA session politely, close the port, stop everything."""
        await self.connection.close()

    # -- reading --------------------------------------------------------------------------------

    async def read(self) -> MeterReading:
        """One reading cycle: a single Get of E7, E8, E0, E3 (plus D3, D7, E1 the first time).

        Waits up to ``Timing.ready_timeout`` while the session re-authenticates, rejoins or
        is transmission-limited; raises :class:`DongleUnavailableError` at once while the
        dongle is unplugged.
        """
        epcs = list(CYCLE_EPCS)
        if self._info is None:
            epcs += INFO_EPCS
        values = await self.requests.get([e for e in epcs if e not in self.requests.unsupported])
        if self._info is None:
            self._set_info(values)
        info = self._info
        power = _decode(m.decode_power, values.get(m.EPC_POWER))
        currents = _decode(m.decode_currents, values.get(m.EPC_CURRENTS))
        imp_raw = _decode(m.decode_counter, values.get(m.EPC_IMPORT))
        exp_raw = _decode(m.decode_counter, values.get(m.EPC_EXPORT))
        self.stats.cycles += 1
        return MeterReading(
            timestamp=datetime.now(UTC),
            power_w=power,
            current_r_a=currents[0] if currents else None,
            current_t_a=currents[1] if currents else None,
            energy_import_kwh=None if info is None else info.kwh(imp_raw),
            energy_export_kwh=None if info is None else info.kwh(exp_raw),
            import_raw=imp_raw,
            export_raw=exp_raw,
            unit_kwh=None if info is None else info.unit_kwh,
            coefficient=None if info is None else info.coefficient,
            digits=None if info is None else info.digits,
        )

    async def read_properties(self, epcs: list[int]) -> dict[int, bytes | None]:
        """Get any of the meter's properties (batched); None for unsupported ones."""
        return await self.requests.get(epcs)

    async def read_meter_info(self) -> MeterInfo:
        """Coefficient (D3, 1 when absent), digits (D7) and unit (E1).

        Raises :class:`MeterRejectedError` while they do not make the counters readings (the
        meter answers 0xD3 = 0, or no unit): no value may be computed from them then.
        """
        if self._info is None:
            self._set_info(await self.requests.get(list(INFO_EPCS)))
        if self._info is None:
            raise MeterRejectedError(
                f"the meter's counters are not readings yet: {self._info_problem}"
            )
        return self._info

    async def read_fixed_time(self) -> FixedTimeReading:
        """Cumulative energy at the last :00/:30 (0xEA and 0xEB)."""
        info = await self.read_meter_info()
        values = await self.requests.get([m.EPC_FIXED_IMPORT, m.EPC_FIXED_EXPORT])
        return self._fixed_reading(info, values)

    async def read_meter_time(self) -> datetime:
        """The meter's clock (0x97 + 0x98), Japan time."""
        values = await self.requests.get([m.EPC_DATE, m.EPC_TIME])
        return _meter_datetime(values)

    async def read_history_day(self, days_ago: int) -> HistoryDay:
        """History 1: 48 cumulative values (00:00 ... 23:30) of the meter's day ``days_ago``.

        Sets 0xE5 then gets 0xE2 + 0xE4 with the meter's date (0x98) in one frame; slots
        the meter has no data for carry None.
        """
        info = await self.read_meter_info()
        await self.requests.set(m.EPC_HISTORY1_DAY, m.encode_history1_day(days_ago))
        values = await self.requests.get([m.EPC_DATE, m.EPC_HISTORY1_IMPORT, m.EPC_HISTORY1_EXPORT])
        today = _decode(m.decode_date, values.get(m.EPC_DATE))
        if today is None:
            today = datetime.now(m.JST).date()
        imp = _decode(m.decode_history1, values.get(m.EPC_HISTORY1_IMPORT))
        if imp is None:
            raise MeterRejectedError("the meter did not return history 1 (0xE2)")
        exp = _decode(m.decode_history1, values.get(m.EPC_HISTORY1_EXPORT))
        if imp[0] != days_ago:
            raise MeterRejectedError(f"the meter returned day {imp[0]} instead of {days_ago}")
        exports: list[int | None] = exp[1] if exp is not None else [None] * m.SLOTS_PER_DAY
        day = today - timedelta(days=days_ago)
        slots = tuple(
            HistorySlot(t, info.kwh(i), info.kwh(e), i, e)
            for t, i, e in zip(m.slot_times(day), imp[1], exports, strict=True)
        )
        return HistoryDay(day, days_ago, slots)

    async def read_history_recent(
        self, end: datetime | None = None, count: int = 12
    ) -> list[HistorySlot]:
        """History 2 (0xED + 0xEC): up to 12 half-hour slots ending at ``end`` (meter time;
        default: the last :00/:30), oldest first.  Raises :class:`MeterRejectedError` when the
        meter has no 0xEC (use :meth:`read_history_day` then)."""
        info = await self.read_meter_info()
        if end is None:
            now = await self.read_meter_time()
            end = slot_floor(now)
        await self.requests.set(m.EPC_HISTORY2_SETTING, m.encode_history2_setting(end, count))
        values = await self.requests.get([m.EPC_HISTORY2])
        edt = values.get(m.EPC_HISTORY2)
        if edt is None:
            raise MeterRejectedError("the meter does not support history 2 (0xEC)")
        newest, pairs = m.decode_history2(edt)
        newest = newest or end
        slots = [
            HistorySlot(newest - timedelta(minutes=30 * i), info.kwh(a), info.kwh(b), a, b)
            for i, (a, b) in enumerate(pairs)
        ]
        slots.reverse()
        return slots

    # -- what the meter sends --------------------------------------------------------------

    def receive(self, sender: str, data: bytes) -> None:
        """A UDP payload the dongle received (the modem's callback): answers and pushes."""
        if self.connection.meter_address is None or sender != self.connection.meter_address:
            self.stats.foreign_frames += 1
            return
        try:
            frame = decode_frame(data)
        except FrameError:
            self.stats.foreign_frames += 1
            return
        if not frame.is_format1 or frame.seoj.class_code != m.METER_CLASS:
            return  # e.g. the node profile's instance list announcement
        if frame.esv in (ESV.INF, ESV.INFC):
            self._on_push(frame)
            return
        if frame.seoj != m.METER or frame.deoj != CONTROLLER:
            return
        self.requests.answer(frame)

    def _on_push(self, frame: Frame) -> None:
        self.stats.pushes += 1
        if frame.esv == ESV.INFC:
            reply = build(
                frame.tid, CONTROLLER, frame.seoj, ESV.INFC_RES, [(e, b"") for e, _ in frame.props]
            )
            self.connection.spawn(self._send_quietly(reply))
        if not any(epc in (m.EPC_FIXED_IMPORT, m.EPC_FIXED_EXPORT) for epc, _ in frame.props):
            return
        if self._info is None:
            self._held_pushes.append(frame)
            self.connection.spawn(self._deliver_held())
            return
        self._deliver_push(frame)

    def _deliver_push(self, frame: Frame) -> None:
        assert self._info is not None
        values: dict[int, bytes | None] = dict(frame.props)
        reading = self._fixed_reading(self._info, values)
        for callback in list(self._fixed_listeners):
            call_listener(callback, reading)

    async def _deliver_held(self) -> None:
        with contextlib.suppress(WisunError):
            await self.read_meter_info()
        held, self._held_pushes = self._held_pushes, []
        if self._info is not None:
            for frame in held:
                self._deliver_push(frame)

    async def _send_quietly(self, payload: bytes) -> None:
        try:
            await self.requests.send(payload, ready_wait=self._timing.response_timeout)
        except WisunError as err:
            _LOGGER.debug("B-route: could not answer an INFC: %s", err)

    def _fail_requests(self, err: Exception) -> None:
        self.requests.fail_all(err)

    def _forget_meter(self) -> None:
        self._info = None
        self.requests.forget_meter()

    # -- decoding helpers -------------------------------------------------------------------

    def _set_info(self, values: dict[int, bytes | None]) -> None:
        """Keep the scaling when it makes the counters readings; else log why (once)."""
        unit = _decode(m.decode_unit, values.get(m.EPC_UNIT))
        coefficient = _decode(m.decode_coefficient, values.get(m.EPC_COEFFICIENT))
        digits = _decode(m.decode_digits, values.get(m.EPC_DIGITS))
        problem = None
        if unit is None:
            problem = "it did not give the unit of its counters (0xE1)"
        elif coefficient == 0:
            problem = "its coefficient (0xD3) is 0 (not configured)"
        if problem is not None:
            if problem != self._info_problem:
                _LOGGER.warning("B-route: the meter's energy counters are unavailable: %s", problem)
            self._info_problem = problem
            return
        if self._info_problem is not None:
            _LOGGER.info("B-route: the meter's energy counters are readings again")
        self._info_problem = None
        assert unit is not None
        self._info = MeterInfo(
            unit_kwh=unit,
            coefficient=coefficient if coefficient is not None else 1,
            digits=digits,
        )

    @staticmethod
    def _fixed_reading(info: MeterInfo, values: dict[int, bytes | None]) -> FixedTimeReading:
        imp = _decode(m.decode_fixed_time, values.get(m.EPC_FIXED_IMPORT))
        exp = _decode(m.decode_fixed_time, values.get(m.EPC_FIXED_EXPORT))
        return FixedTimeReading(
            timestamp=imp[0] if imp else (exp[0] if exp else None),
            import_kwh=info.kwh(imp[1]) if imp else None,
            export_kwh=info.kwh(exp[1]) if exp else None,
            export_timestamp=exp[0] if exp else None,
        )


def _decode[T](decoder: Callable[[bytes], T], edt: bytes | None) -> T | None:
    """``decoder(edt)``; None when absent or malformed (a wrong-length EDT is logged)."""
    if not edt:
        return None
    try:
        return decoder(edt)
    except FrameError as err:
        _LOGGER.warning("B-route: undecodable meter value: %s", err)
        return None


def _meter_datetime(values: dict[int, bytes | None]) -> datetime:
    day = _decode(m.decode_date, values.get(m.EPC_DATE))
    clock = _decode(m.decode_time, values.get(m.EPC_TIME))
    if day is None or clock is None:
        raise MeterRejectedError("the meter did not return its clock (0x97/0x98)")
    return datetime(day.year, day.month, day.day, *clock, tzinfo=m.JST)


__all__ = ["BRouteSession", "SessionStats"]
