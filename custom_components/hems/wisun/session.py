"""A B-route session: dongle, PANA session and the meter's ECHONET Lite requests.

Typical use::

    session = BRouteSession("/dev/ttyUSB0", BRouteCredentials(rbid, password), pan=cached)
    pan = await session.connect()        # keep pan.as_dict() to skip the scan next time
    reading = await session.read()       # one multi-property Get
    day = await session.read_history_day(1)
    await session.close()

After :meth:`connect` succeeds, the session keeps itself up in the background: it waits out
PANA re-authentication (EVENT 29), rejoins after a failed re-authentication or a termination,
reopens the port after the dongle was unplugged, and stops for good (raising
:class:`CredentialsRejectedError` from every call) after ``Timing.max_auth_failures``
authentication failures in a row.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import logging
import random
import time
from typing import Final

from ..echonet.const import ANSWERS, ESV
from ..echonet.errors import FrameError
from ..echonet.frame import CONTROLLER, Frame, build, decode_frame
from . import meter as m
from .credentials import BRouteCredentials, protect_logs
from .errors import (
    CredentialsRejectedError,
    DongleError,
    DongleUnavailableError,
    JoinFailedError,
    MeterNotFoundError,
    MeterRejectedError,
    MeterTimeoutError,
    NotConnectedError,
    SendFailedError,
    SessionClosedError,
    TransmissionLimitedError,
    UnsupportedDongleError,
    WisunError,
)
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
from .modem import J11Modem, JoinOutcome, Modem, ModemEvent, SkstackModem
from .serial_link import SerialLink

_LOGGER = logging.getLogger(__name__)

#: The reading cycle: power, currents, cumulative normal and reverse.
CYCLE_EPCS: Final = (m.EPC_POWER, m.EPC_CURRENTS, m.EPC_IMPORT, m.EPC_EXPORT)
#: Read once per meter (bundled with the first cycle).
INFO_EPCS: Final = (m.EPC_COEFFICIENT, m.EPC_DIGITS, m.EPC_UNIT)
#: First batch size tried (the cycle plus the scaling properties).
INITIAL_BATCH: Final = 7

StateCallback = Callable[[SessionState], None]
FixedTimeCallback = Callable[[FixedTimeReading], None]
PanCallback = Callable[[PanDescriptor], None]


@dataclass(slots=True)
class SessionStats:
    """Counters for diagnostics and benchmarks."""

    join_attempts: int = 0
    scans: int = 0
    frames_sent: int = 0
    get_frames: int = 0
    set_frames: int = 0
    send_failures: int = 0
    timeouts: int = 0
    cycles: int = 0
    reconnects: int = 0
    pushes: int = 0
    foreign_frames: int = 0


@dataclass(slots=True)
class _Pending:
    esv: int
    epcs: tuple[int, ...]
    future: asyncio.Future[None]
    answers: dict[int, bytes] = field(default_factory=dict)
    rejected: dict[int, bytes] = field(default_factory=dict)

    def absorb(self, frame: Frame) -> None:
        sna = frame.esv == ANSWERS[self.esv][1] and frame.esv != ANSWERS[self.esv][0]
        for epc, edt in frame.props:
            if epc not in self.epcs:
                continue
            if self.esv == ESV.SETC:
                if sna and edt:
                    self.rejected[epc] = edt
                else:
                    self.answers[epc] = edt
            elif sna and not edt:
                self.rejected[epc] = edt
            else:
                self.answers[epc] = edt
        complete = all(e in self.answers or e in self.rejected for e in self.epcs)
        if complete and not self.future.done():
            self.future.set_result(None)

    @property
    def partial(self) -> bool:
        return bool(self.answers or self.rejected)


class _Lost(Exception):
    """Internal: why a connected period ended."""


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
        self._port = port
        self._credentials = credentials
        protect_logs(credentials)
        self._pan = pan
        self._timing = timing or Timing()
        self._dialect_hint = dialect_hint or (pan.dialect if pan else None)
        self._state = SessionState.CLOSED
        self._state_changed = asyncio.Event()
        self._state_listeners: list[StateCallback] = []
        self._fixed_listeners: list[FixedTimeCallback] = []
        self._pan_listeners: list[PanCallback] = []
        self._link: SerialLink | None = None
        self._modem: Modem | None = None
        self._needs_setup = False
        self._supervisor: asyncio.Task[None] | None = None
        self._lost: asyncio.Future[str] | None = None
        self._closing = False
        self._fatal: WisunError | None = None
        self._auth_failures = 0
        self._tx_limited = False
        self._meter_addr: str | None = None
        self._meter_mac: str | None = None
        self._tid = random.randint(1, 0xFFFF)
        self._pending: dict[int, _Pending] = {}
        self._request_lock = asyncio.Lock()
        self._last_send = 0.0
        self._info: MeterInfo | None = None
        self._unsupported: set[int] = set()
        self._batch_limit = INITIAL_BATCH
        self._batch_confirmed = 1
        self._trackers = {m.EPC_IMPORT: m.CounterTracker(), m.EPC_EXPORT: m.CounterTracker()}
        self._held_pushes: list[Frame] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.dongle_info: DongleInfo | None = None
        self.stats = SessionStats()

    def __repr__(self) -> str:
        return f"BRouteSession(port={self._port!r}, state={self._state.value})"

    # -- public properties and listeners -------------------------------------------------------

    @property
    def state(self) -> SessionState:
        """What the session is doing now."""
        return self._state

    @property
    def pan(self) -> PanDescriptor | None:
        """The meter's PAN (persist it)."""
        return self._pan

    @property
    def meter_info(self) -> MeterInfo | None:
        """Unit, coefficient and digits once read."""
        return self._info

    @property
    def auth_failures(self) -> int:
        """Consecutive PANA authentication failures."""
        return self._auth_failures

    def on_state(self, callback: StateCallback) -> Callable[[], None]:
        """Call ``callback(state)`` on every state change; returns an unsubscribe function."""
        self._state_listeners.append(callback)
        return lambda: self._state_listeners.remove(callback)

    def on_fixed_time(self, callback: FixedTimeCallback) -> Callable[[], None]:
        """Call ``callback(reading)`` for the meter's 0xEA/0xEB pushes (INF/INFC)."""
        self._fixed_listeners.append(callback)
        return lambda: self._fixed_listeners.remove(callback)

    def on_pan(self, callback: PanCallback) -> Callable[[], None]:
        """Call ``callback(pan)`` when a scan found the meter on a new PAN (persist it)."""
        self._pan_listeners.append(callback)
        return lambda: self._pan_listeners.remove(callback)

    # -- lifecycle ------------------------------------------------------------------------------

    async def connect(self) -> PanDescriptor:
        """Open the dongle, find the meter (cached PAN first, then scans) and authenticate.

        Raises :class:`CredentialsRejectedError` (after ``max_auth_failures`` rejections, with
        backoff in between), :class:`DongleError`, :class:`MeterNotFoundError` or
        :class:`JoinFailedError` (the meter did not answer the authentication).  On success the
        session keeps itself connected in the background until :meth:`close`.
        """
        if self._fatal is not None:
            raise self._fatal
        if self._supervisor is not None and not self._supervisor.done():
            await self._wait_ready(time.monotonic() + self._timing.ready_timeout)
            assert self._pan is not None
            return self._pan
        self._closing = False
        first: asyncio.Future[PanDescriptor] = asyncio.get_running_loop().create_future()
        self._supervisor = asyncio.create_task(self._supervise(first), name="hems-broute")
        try:
            return await asyncio.shield(first)
        except asyncio.CancelledError:
            await self.close()
            # The supervisor ends ``first`` with SessionClosedError: nobody waits for it now.
            if not first.cancel() and not first.cancelled():
                first.exception()
            raise

    async def close(self) -> None:
        """End the PANA session politely, close the port, stop everything."""
        self._closing = True
        supervisor, self._supervisor = self._supervisor, None
        if supervisor is not None and not supervisor.done():
            supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await supervisor
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            # Wait for them to end: a cancelled task still pending would outlive the session.
            await asyncio.gather(*tasks, return_exceptions=True)
        modem = self._modem
        if modem is not None and self._state.is_connected:
            with contextlib.suppress(WisunError, OSError, TimeoutError):
                async with asyncio.timeout(self._timing.terminate_timeout):
                    await modem.terminate()
        await self._drop_link()
        self._fail_pending(SessionClosedError("the session was closed"))
        if self._state is not SessionState.CREDENTIALS_REJECTED:
            self._set_state(SessionState.CLOSED)

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
        values = await self._get([e for e in epcs if e not in self._unsupported])
        if self._info is None:
            self._set_info(values)
        info = self._info
        assert info is not None
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
            energy_import_kwh=self._total(m.EPC_IMPORT, imp_raw),
            energy_export_kwh=self._total(m.EPC_EXPORT, exp_raw),
            import_raw=imp_raw,
            export_raw=exp_raw,
            unit_kwh=info.unit_kwh,
            coefficient=info.coefficient,
            digits=info.digits,
        )

    async def read_properties(self, epcs: list[int]) -> dict[int, bytes | None]:
        """Get any of the meter's properties (batched); None for unsupported ones."""
        return await self._get(epcs)

    async def read_meter_info(self) -> MeterInfo:
        """Coefficient (D3, 1 when absent), digits (D7) and unit (E1)."""
        if self._info is None:
            self._set_info(await self._get(list(INFO_EPCS)))
        assert self._info is not None
        return self._info

    async def read_fixed_time(self) -> FixedTimeReading:
        """Cumulative energy at the last :00/:30 (0xEA and 0xEB)."""
        info = await self.read_meter_info()
        values = await self._get([m.EPC_FIXED_IMPORT, m.EPC_FIXED_EXPORT])
        return self._fixed_reading(info, values)

    async def read_meter_time(self) -> datetime:
        """The meter's clock (0x97 + 0x98), Japan time."""
        values = await self._get([m.EPC_DATE, m.EPC_TIME])
        return _meter_datetime(values)

    async def read_history_day(self, days_ago: int) -> HistoryDay:
        """History 1: 48 cumulative values (00:00 ... 23:30) of the meter's day ``days_ago``.

        Sets 0xE5 then gets 0xE2 + 0xE4 with the meter's date (0x98) in one frame; slots
        the meter has no data for carry None.
        """
        info = await self.read_meter_info()
        await self._set(m.EPC_HISTORY1_DAY, m.encode_history1_day(days_ago))
        values = await self._get([m.EPC_DATE, m.EPC_HISTORY1_IMPORT, m.EPC_HISTORY1_EXPORT])
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
            end = now.replace(minute=0 if now.minute < 30 else 30, second=0, microsecond=0)
        await self._set(m.EPC_HISTORY2_SETTING, m.encode_history2_setting(end, count))
        values = await self._get([m.EPC_HISTORY2])
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

    # -- supervisor -----------------------------------------------------------------------------

    async def _supervise(self, first: asyncio.Future[PanDescriptor]) -> None:
        attempt = 0
        last_error: type[Exception] | None = None
        try:
            while not self._closing:
                try:
                    pan = await self._establish()
                except CredentialsRejectedError as err:
                    self._give_up(err, first)
                    return
                except WisunError as err:
                    auth = isinstance(err, JoinFailedError) and err.auth_rejected
                    if not first.done() and not auth:
                        await self._drop_link()
                        self._set_state(SessionState.CLOSED)
                        first.set_exception(err)
                        return
                    delay = self._retry_delay(err, attempt)
                    attempt += 1
                    if isinstance(err, DongleError):
                        self._set_state(SessionState.DONGLE_UNAVAILABLE)
                    else:
                        self._set_state(SessionState.BACKING_OFF)
                    # once per kind of trouble at INFO, the repetitions at DEBUG
                    level = logging.DEBUG if type(err) is last_error else logging.INFO
                    last_error = type(err)
                    _LOGGER.log(level, "B-route: %s; retrying in %.1f s", err, delay)
                    await asyncio.sleep(delay)
                    continue
                if last_error is not None:
                    _LOGGER.info("B-route: connected again")
                attempt = 0
                last_error = None
                self._lost = asyncio.get_running_loop().create_future()
                self._set_connected_state()
                if not first.done():
                    first.set_result(pan)
                reason = await self._lost
                self._lost = None
                self.stats.reconnects += 1
                _LOGGER.info("B-route session lost (%s)", reason)
                if reason == "dongle":
                    self._fail_pending(DongleUnavailableError(f"lost the dongle on {self._port}"))
                else:
                    self._fail_pending(NotConnectedError(f"the session was lost ({reason})"))
                if reason == "dongle":
                    await self._drop_link()
                    self._set_state(SessionState.DONGLE_UNAVAILABLE)
                    await asyncio.sleep(Timing.delay(self._timing.reopen_delays, 0))
                elif reason == "auth":
                    if self._auth_failures >= self._timing.max_auth_failures:
                        self._give_up(self._rejected_error(), first)
                        return
                    self._set_state(SessionState.BACKING_OFF)
                    await asyncio.sleep(
                        Timing.delay(self._timing.auth_retry_delays, self._auth_failures - 1)
                    )
                elif reason == "restarted":
                    self._needs_setup = True
                else:
                    self._set_state(SessionState.BACKING_OFF)
                    await asyncio.sleep(Timing.delay(self._timing.rejoin_delays, 0))
        except asyncio.CancelledError:
            if not first.done():
                first.set_exception(SessionClosedError("the session was closed"))
            raise
        except Exception as err:  # defensive: never leave connect() hanging
            _LOGGER.exception("B-route supervisor failed")
            if not first.done():
                first.set_exception(err)
            await self._drop_link()
            self._set_state(SessionState.CLOSED)

    def _give_up(self, err: WisunError, first: asyncio.Future[PanDescriptor]) -> None:
        _LOGGER.error(
            "B-route: the meter rejected the authentication %d times in a row; not retrying "
            "(check the B-route ID and password)",
            self._auth_failures,
        )
        self._fatal = err
        self._set_state(SessionState.CREDENTIALS_REJECTED)
        self._fail_pending(err)
        if not first.done():
            first.set_exception(err)
        task = asyncio.get_running_loop().create_task(self._drop_link())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _rejected_error(self) -> CredentialsRejectedError:
        return CredentialsRejectedError(
            f"the meter rejected the B-route credentials {self._auth_failures} times in a row"
        )

    def _retry_delay(self, err: WisunError, attempt: int) -> float:
        t = self._timing
        if isinstance(err, UnsupportedDongleError):
            return Timing.delay(t.rejoin_delays, attempt)  # something answers: probe less often
        if isinstance(err, DongleError):
            return Timing.delay(t.reopen_delays, attempt)
        if isinstance(err, MeterNotFoundError):
            return Timing.delay(t.scan_retry_delays, attempt)
        if isinstance(err, JoinFailedError) and err.auth_rejected:
            return Timing.delay(t.auth_retry_delays, max(0, self._auth_failures - 1))
        return Timing.delay(t.rejoin_delays, attempt)

    async def _establish(self) -> PanDescriptor:
        if self._link is None or not self._link.is_open or self._modem is None:
            self._set_state(SessionState.CONNECTING)
            await self._open_dongle()
        elif self._needs_setup:
            self._set_state(SessionState.CONNECTING)
            self.dongle_info = await self._modem.setup(self._credentials)
            self._needs_setup = False
        modem = self._modem
        assert modem is not None
        self._tx_limited = False
        cached = self._pan
        if cached is not None and cached.dialect is modem.dialect:
            if await self._join(modem, cached) is JoinOutcome.OK:
                return cached
            _LOGGER.info("B-route: the cached PAN did not work; scanning")
        pan = await self._scan(modem)
        outcome = await self._join(modem, pan)
        if outcome is JoinOutcome.OK:
            return pan
        if outcome is JoinOutcome.REJECTED:
            raise JoinFailedError("the meter rejected the PANA authentication", auth_rejected=True)
        raise JoinFailedError(
            "the meter did not answer the PANA authentication", auth_rejected=False
        )

    async def _open_dongle(self) -> None:
        await self._drop_link()
        link = SerialLink(self._port, self._on_data, self._on_link_lost)
        await link.open()
        self._link = link
        kinds: list[type[Modem]] = [SkstackModem, J11Modem]
        if self._dialect_hint is Dialect.J11:
            kinds.reverse()
        try:
            for kind in kinds:
                modem = kind(link.write, self._timing, self._credentials.redact)
                self._modem = modem
                if await modem.probe():
                    self._dialect_hint = modem.dialect  # probe this family first next time
                    break
            else:
                raise UnsupportedDongleError(f"no Wi-SUN module answers on {self._port}")
            modem.on_udp = self._on_udp
            modem.on_event = self._on_modem_event
            self.dongle_info = await modem.setup(self._credentials)
            self._needs_setup = False
            _LOGGER.debug(
                "B-route dongle on %s: %s %s", self._port, modem.dialect.value, modem.info
            )
        except BaseException:
            await self._drop_link()
            raise

    async def _scan(self, modem: Modem) -> PanDescriptor:
        for duration in self._timing.scan_durations:
            self._set_state(SessionState.SCANNING)
            self.stats.scans += 1
            found = await modem.scan(duration)
            if found:
                pan = max(found, key=lambda p: p.lqi if p.lqi is not None else -1)
                old = self._pan
                self._pan = pan
                if old is None or _place(old) != _place(pan):
                    for callback in list(self._pan_listeners):
                        _call(callback, pan)
                return pan
            _LOGGER.debug("B-route: no PAN with scan duration %d", duration)
        raise MeterNotFoundError("no smart meter answered the active scans")

    async def _join(self, modem: Modem, pan: PanDescriptor) -> JoinOutcome:
        self._set_state(SessionState.JOINING)
        self.stats.join_attempts += 1
        outcome = await modem.join(pan)
        if outcome is JoinOutcome.OK:
            self._auth_failures = 0
            self._meter_addr = pan.ipv6
            if self._meter_mac != pan.mac:
                if self._meter_mac is not None:
                    self._forget_meter()
                self._meter_mac = pan.mac
            return outcome
        if outcome is JoinOutcome.REJECTED:
            self._auth_failures += 1
            _LOGGER.warning(
                "B-route: PANA authentication failed (%d of %d allowed)",
                self._auth_failures,
                self._timing.max_auth_failures,
            )
            if self._auth_failures >= self._timing.max_auth_failures:
                raise self._rejected_error()
        return outcome

    def _forget_meter(self) -> None:
        self._info = None
        self._unsupported.clear()
        self._batch_limit = INITIAL_BATCH
        self._batch_confirmed = 1
        self._trackers = {m.EPC_IMPORT: m.CounterTracker(), m.EPC_EXPORT: m.CounterTracker()}

    async def _drop_link(self) -> None:
        link, self._link = self._link, None
        modem, self._modem = self._modem, None
        if modem is not None:
            modem.abort()
        if link is not None:
            await link.close()

    # -- callbacks from the port and the modem ------------------------------------------------

    def _on_data(self, data: bytes) -> None:
        modem = self._modem
        if modem is None:
            return
        try:
            modem.feed(data)
        except Exception:  # a parser bug must not kill the port
            _LOGGER.exception("B-route: could not handle data from the dongle")

    def _on_link_lost(self, exc: Exception | None) -> None:
        if self._closing:
            return
        _LOGGER.info("B-route: lost the dongle on %s", self._port)
        if self._modem is not None:
            self._modem.abort()
        self._signal_lost("dongle")

    def _signal_lost(self, reason: str) -> None:
        if self._lost is not None and not self._lost.done():
            self._lost.set_result(reason)

    def _on_modem_event(self, event: ModemEvent) -> None:
        state = self._state
        connected = state.is_connected
        if event is ModemEvent.SESSION_EXPIRED:
            if connected:
                self._set_state(SessionState.REAUTHENTICATING)
        elif event is ModemEvent.SESSION_UP:
            if state is SessionState.REAUTHENTICATING:
                self._auth_failures = 0
                self._set_connected_state()
        elif event is ModemEvent.AUTH_FAILED:
            if connected:
                self._auth_failures += 1
                _LOGGER.warning("B-route: re-authentication failed")
                self._signal_lost("auth")
        elif event is ModemEvent.TERMINATED:
            if connected:
                self._signal_lost("terminated")
        elif event is ModemEvent.TX_LIMITED:
            self._tx_limited = True
            _LOGGER.warning("B-route: transmission-time limit reached; holding requests")
            if state is SessionState.CONNECTED:
                self._set_state(SessionState.TRANSMISSION_LIMITED)
        elif event is ModemEvent.TX_RELEASED:
            self._tx_limited = False
            if state is SessionState.TRANSMISSION_LIMITED:
                self._set_state(SessionState.CONNECTED)
        elif event is ModemEvent.RESTARTED:
            self._needs_setup = True
            self._tx_limited = False
            self._signal_lost("restarted")

    def _on_udp(self, sender: str, data: bytes) -> None:
        if self._meter_addr is None or sender != self._meter_addr:
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
        pending = self._pending.get(frame.tid)
        if pending is None or frame.esv not in ANSWERS[pending.esv]:
            return
        pending.absorb(frame)

    def _on_push(self, frame: Frame) -> None:
        self.stats.pushes += 1
        if frame.esv == ESV.INFC:
            reply = build(
                frame.tid, CONTROLLER, frame.seoj, ESV.INFC_RES, [(e, b"") for e, _ in frame.props]
            )
            self._spawn(self._send_quietly(reply))
        if not any(epc in (m.EPC_FIXED_IMPORT, m.EPC_FIXED_EXPORT) for epc, _ in frame.props):
            return
        if self._info is None:
            self._held_pushes.append(frame)
            self._spawn(self._deliver_held())
            return
        self._deliver_push(frame)

    def _deliver_push(self, frame: Frame) -> None:
        assert self._info is not None
        values: dict[int, bytes | None] = dict(frame.props)
        reading = self._fixed_reading(self._info, values)
        for callback in list(self._fixed_listeners):
            _call(callback, reading)

    async def _deliver_held(self) -> None:
        with contextlib.suppress(WisunError):
            await self.read_meter_info()
        held, self._held_pushes = self._held_pushes, []
        if self._info is not None:
            for frame in held:
                self._deliver_push(frame)

    def _spawn(self, coro: object) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_quietly(self, payload: bytes) -> None:
        try:
            await self._send(payload, ready_wait=self._timing.response_timeout)
        except WisunError as err:
            _LOGGER.debug("B-route: could not answer an INFC: %s", err)

    # -- state ------------------------------------------------------------------------------

    def _set_state(self, state: SessionState) -> None:
        if state is self._state:
            return
        _LOGGER.debug("B-route state %s -> %s", self._state.value, state.value)
        self._state = state
        event, self._state_changed = self._state_changed, asyncio.Event()
        event.set()
        for callback in list(self._state_listeners):
            _call(callback, state)

    def _set_connected_state(self) -> None:
        self._set_state(
            SessionState.TRANSMISSION_LIMITED if self._tx_limited else SessionState.CONNECTED
        )

    async def _wait_ready(self, deadline: float) -> None:
        while True:
            state = self._state
            if state is SessionState.CONNECTED:
                return
            if self._fatal is not None:
                raise self._fatal
            if state is SessionState.CLOSED:
                raise SessionClosedError("the session is not connected")
            if state is SessionState.DONGLE_UNAVAILABLE:
                raise DongleUnavailableError(f"the dongle on {self._port} is unavailable")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if state is SessionState.TRANSMISSION_LIMITED:
                    raise TransmissionLimitedError("the transmission-time limit is in force")
                raise NotConnectedError(f"the session is not connected ({state.value})")
            event = self._state_changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    # -- requests ---------------------------------------------------------------------------

    def _fail_pending(self, err: Exception) -> None:
        for pending in self._pending.values():
            if not pending.future.done():
                pending.future.set_exception(err)
                pending.future.exception()  # mark retrieved

    def _next_tid(self) -> int:
        self._tid = self._tid % 0xFFFF + 1
        return self._tid

    async def _send(self, payload: bytes, *, ready_wait: float | None = None) -> None:
        """Hand one frame to the radio: wait until connected, pace, retry FAIL ER10."""
        t = self._timing
        deadline = time.monotonic() + (t.ready_timeout if ready_wait is None else ready_wait)
        failures = 0
        while True:
            await self._wait_ready(deadline)
            gap = self._last_send + t.pacing - time.monotonic()
            if gap > 0:
                await asyncio.sleep(gap)
                continue  # the state may have changed meanwhile
            modem, addr = self._modem, self._meter_addr
            if modem is None or addr is None:
                raise NotConnectedError("the session is not connected")
            self._last_send = time.monotonic()
            try:
                await modem.send(addr, payload)
            except SendFailedError as err:
                failures += 1
                self.stats.send_failures += 1
                _LOGGER.debug("B-route: %s (attempt %d)", err, failures)
                if failures > t.er10_retries:
                    self._signal_lost("send")
                    raise
                await asyncio.sleep(t.er10_delay * failures)
                continue
            except DongleError as err:
                if self._link is None or not self._link.is_open:
                    raise DongleUnavailableError(str(err)) from err
                raise
            self.stats.frames_sent += 1
            return

    async def _request(
        self, esv: ESV, props: list[tuple[int, bytes]], *, attempts: int | None = None
    ) -> _Pending:
        epcs = tuple(epc for epc, _ in props)
        async with self._request_lock:
            tid = self._next_tid()
            payload = build(tid, CONTROLLER, m.METER, esv, props)
            pending = _Pending(esv, epcs, asyncio.get_running_loop().create_future())
            self._pending[tid] = pending
            try:
                for _ in range(attempts or self._timing.request_attempts):
                    await self._send(payload)
                    if esv == ESV.GET:
                        self.stats.get_frames += 1
                    elif esv == ESV.SETC:
                        self.stats.set_frames += 1
                    try:
                        await asyncio.wait_for(
                            asyncio.shield(pending.future), self._timing.response_timeout
                        )
                        return pending
                    except TimeoutError:
                        self.stats.timeouts += 1
                        if pending.partial:
                            return pending
                raise MeterTimeoutError(
                    "the meter did not answer " + " ".join(f"0x{e:02X}" for e in epcs),
                    missing=epcs,
                )
            finally:
                self._pending.pop(tid, None)

    async def _get(self, epcs: list[int]) -> dict[int, bytes | None]:
        result: dict[int, bytes | None] = {}
        queue = list(dict.fromkeys(epcs))
        while queue:
            batch = queue[: self._batch_limit]
            trusted = len(batch) <= self._batch_confirmed
            try:
                pending = await self._request(
                    ESV.GET, [(e, b"") for e in batch], attempts=None if trusted else 1
                )
            except MeterTimeoutError:
                if trusted or len(batch) == 1:
                    raise
                self._batch_limit = max(self._batch_confirmed, (len(batch) + 1) // 2)
                _LOGGER.info(
                    "B-route: no answer to a Get of %d properties; trying %d at a time",
                    len(batch),
                    self._batch_limit,
                )
                continue
            self._batch_confirmed = max(self._batch_confirmed, len(batch))
            for epc in batch:
                edt = pending.answers.get(epc)
                result[epc] = edt if edt else None
                if epc in pending.rejected:
                    self._unsupported.add(epc)
            queue = queue[len(batch) :]
        return result

    async def _set(self, epc: int, edt: bytes) -> None:
        pending = await self._request(ESV.SETC, [(epc, edt)])
        if epc in pending.rejected or epc not in pending.answers:
            raise MeterRejectedError(f"the meter refused to set 0x{epc:02X}", rejected={epc: edt})

    # -- decoding helpers -------------------------------------------------------------------

    def _set_info(self, values: dict[int, bytes | None]) -> None:
        unit = _decode(m.decode_unit, values.get(m.EPC_UNIT))
        coefficient = _decode(m.decode_coefficient, values.get(m.EPC_COEFFICIENT))
        digits = _decode(m.decode_digits, values.get(m.EPC_DIGITS))
        self._info = MeterInfo(
            unit_kwh=unit if unit is not None else 1.0,
            coefficient=coefficient if coefficient is not None else 1,
            digits=digits,
        )
        modulus = self._info.modulus
        for tracker in self._trackers.values():
            tracker.modulus = modulus

    def _total(self, epc: int, raw: int | None) -> float | None:
        if raw is None or self._info is None:
            return None
        return self._info.kwh(self._trackers[epc].update(raw))

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


def _place(pan: PanDescriptor) -> tuple[Dialect, int, int, str]:
    """What identifies where the meter is (not how well it was heard)."""
    return pan.dialect, pan.channel, pan.pan_id, pan.mac


def _meter_datetime(values: dict[int, bytes | None]) -> datetime:
    day = _decode(m.decode_date, values.get(m.EPC_DATE))
    clock = _decode(m.decode_time, values.get(m.EPC_TIME))
    if day is None or clock is None:
        raise MeterRejectedError("the meter did not return its clock (0x97/0x98)")
    return datetime(day.year, day.month, day.day, *clock, tzinfo=m.JST)


def _call[A](callback: Callable[[A], None], arg: A) -> None:
    try:
        callback(arg)
    except Exception:
        _LOGGER.exception("B-route listener failed")


__all__ = ["BRouteSession", "SessionStats"]
