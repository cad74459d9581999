"""The connection to the meter: dongle, PANA session, and keeping them up (the supervisor).

:meth:`Connection.start` opens the dongle, finds the meter (the cached PAN first, then active
scans) and authenticates; then a supervisor task keeps the session up in the background: it
waits out PANA re-authentication (EVENT 29), rejoins after a failed re-authentication or a
termination, reopens the port after the dongle was unplugged or when it stopped answering
(``Timing.hang_timeouts`` timeouts in a row without a byte from it: a hung firmware), and stops
for good (raising :class:`CredentialsRejectedError`) after ``Timing.max_auth_failures``
authentication failures in a row.  What goes over the connection (the meter's ECHONET Lite
requests) is :mod:`.requests`; the :class:`~.session.BRouteSession` ties the two together.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
import contextlib
import logging
import time
from typing import Any

from .credentials import BRouteCredentials
from .errors import (
    CredentialsRejectedError,
    DongleError,
    DongleNotRespondingError,
    DongleUnavailableError,
    JoinFailedError,
    MeterNotFoundError,
    NotConnectedError,
    SessionClosedError,
    TransmissionLimitedError,
    UnsupportedDongleError,
    WisunError,
)
from .j11_modem import J11Modem
from .models import Dialect, DongleInfo, PanDescriptor, SessionState, SessionStats, Timing
from .modem import JoinOutcome, Modem, ModemEvent, SkstackModem
from .serial_link import SerialLink

_LOGGER = logging.getLogger(__name__)

StateCallback = Callable[[SessionState], None]
PanCallback = Callable[[PanDescriptor], None]
UdpCallback = Callable[[str, bytes], None]


class Connection:
    """One dongle and the PANA session to one meter, kept up by a supervisor task.

    ``on_udp(sender, payload)`` receives what the meter sends; ``fail_requests(err)`` is told
    when the session is lost or closed (requests waiting for an answer fail with ``err``);
    ``new_meter()`` when the session joined a different meter than before.
    """

    def __init__(
        self,
        port: str,
        credentials: BRouteCredentials,
        *,
        pan: PanDescriptor | None,
        timing: Timing,
        dialect_hint: Dialect | None,
        stats: SessionStats,
        on_udp: UdpCallback,
        fail_requests: Callable[[Exception], None],
        new_meter: Callable[[], None],
    ) -> None:
        self.port = port
        self._credentials = credentials
        self._pan = pan
        self._timing = timing
        self._dialect_hint = dialect_hint or (pan.dialect if pan else None)
        self.stats = stats
        self._on_udp = on_udp
        self._fail_requests = fail_requests
        self._new_meter = new_meter
        self._state = SessionState.CLOSED
        self._state_changed = asyncio.Event()
        self._state_listeners: list[StateCallback] = []
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
        #: Timeouts in a row without a byte from the dongle (see :meth:`note_timeout`).
        self._silent_timeouts = 0
        #: The dongle is taken for hung until it is connected again (warned once).
        self._hung = False
        self._tasks: set[asyncio.Task[None]] = set()
        self.dongle_info: DongleInfo | None = None

    # -- what it is now ---------------------------------------------------------------------

    @property
    def state(self) -> SessionState:
        """What the connection is doing now."""
        return self._state

    @property
    def pan(self) -> PanDescriptor | None:
        """The meter's PAN (persist it)."""
        return self._pan

    @property
    def auth_failures(self) -> int:
        """Consecutive PANA authentication failures."""
        return self._auth_failures

    @property
    def modem(self) -> Modem | None:
        """The dongle's modem while the port is open."""
        return self._modem

    @property
    def meter_address(self) -> str | None:
        """The meter's IPv6 address once joined."""
        return self._meter_addr

    @property
    def supervising(self) -> bool:
        """Whether the supervisor runs (it ends on close and when it gives up)."""
        return self._supervisor is not None and not self._supervisor.done()

    @property
    def port_open(self) -> bool:
        """Whether the dongle's port is open."""
        return self._link is not None and self._link.is_open

    def on_state(self, callback: StateCallback) -> Callable[[], None]:
        """Call ``callback(state)`` on every state change; returns an unsubscribe function."""
        self._state_listeners.append(callback)
        return lambda: self._state_listeners.remove(callback)

    def on_pan(self, callback: PanCallback) -> Callable[[], None]:
        """Call ``callback(pan)`` when a scan found the meter on a new PAN (persist it)."""
        self._pan_listeners.append(callback)
        return lambda: self._pan_listeners.remove(callback)

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> PanDescriptor:
        """Connect (see :meth:`.session.BRouteSession.connect`) and keep connected."""
        if self._fatal is not None:
            raise self._fatal
        if self._supervisor is not None and not self._supervisor.done():
            await self.wait_ready(time.monotonic() + self._timing.ready_timeout)
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
        self._fail_requests(SessionClosedError("the session was closed"))
        if self._state is not SessionState.CREDENTIALS_REJECTED:
            self._set_state(SessionState.CLOSED)

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run ``coro`` as a task that :meth:`close` cancels."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

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
                    if first.done():
                        err = await self._unless_silent(err)
                    elif not auth:
                        await self._drop_link()
                        self._set_state(SessionState.CLOSED)
                        first.set_exception(err)
                        return
                    await self._back_off(err, attempt, last_error)
                    attempt += 1
                    last_error = type(err)
                    continue
                if last_error is not None or self._hung:
                    _LOGGER.info("B-route: connected again")
                self._hung = False
                attempt = 0
                last_error = None
                if not await self._stay_connected(pan, first):
                    return
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

    async def _back_off(
        self, err: WisunError, attempt: int, last_error: type[Exception] | None
    ) -> None:
        """Wait before the next try after ``err`` (the ``attempt``-th in a row)."""
        delay = self._retry_delay(err, attempt)
        if isinstance(err, DongleNotRespondingError):
            self._set_state(SessionState.DONGLE_NOT_RESPONDING)
        elif isinstance(err, DongleError):
            self._set_state(SessionState.DONGLE_UNAVAILABLE)
        else:
            self._set_state(SessionState.BACKING_OFF)
        # once per kind of trouble at INFO, the repetitions at DEBUG
        level = logging.DEBUG if type(err) is last_error else logging.INFO
        _LOGGER.log(level, "B-route: %s; retrying in %.1f s", err, delay)
        await asyncio.sleep(delay)

    async def _stay_connected(
        self, pan: PanDescriptor, first: asyncio.Future[PanDescriptor]
    ) -> bool:
        """Connected: wait until the session is lost, then prepare the next try.

        Returns False when the supervisor gives up (the credentials were rejected).
        """
        self._lost = asyncio.get_running_loop().create_future()
        self._set_connected_state()
        if not first.done():
            first.set_result(pan)
        reason = await self._lost
        self._lost = None
        self.stats.reconnects += 1
        _LOGGER.info("B-route session lost (%s)", reason)
        if reason == "dongle":
            self._fail_requests(DongleUnavailableError(f"lost the dongle on {self.port}"))
        elif reason == "hung":
            self._fail_requests(DongleNotRespondingError(f"the dongle on {self.port} is silent"))
        else:
            self._fail_requests(NotConnectedError(f"the session was lost ({reason})"))
        if reason in ("dongle", "hung"):
            await self._drop_link()
            self._set_state(
                SessionState.DONGLE_UNAVAILABLE
                if reason == "dongle"
                else SessionState.DONGLE_NOT_RESPONDING
            )
            await asyncio.sleep(Timing.delay(self._timing.reopen_delays, 0))
        elif reason == "auth":
            if self._auth_failures >= self._timing.max_auth_failures:
                self._give_up(self._rejected_error(), first)
                return False
            self._set_state(SessionState.BACKING_OFF)
            await asyncio.sleep(
                Timing.delay(self._timing.auth_retry_delays, self._auth_failures - 1)
            )
        elif reason == "restarted":
            self._needs_setup = True
        else:
            self._set_state(SessionState.BACKING_OFF)
            await asyncio.sleep(Timing.delay(self._timing.rejoin_delays, 0))
        return True

    def _give_up(self, err: WisunError, first: asyncio.Future[PanDescriptor]) -> None:
        _LOGGER.error(
            "B-route: the meter rejected the authentication %d times in a row; not retrying "
            "(check the B-route ID and password)",
            self._auth_failures,
        )
        self._fatal = err
        self._set_state(SessionState.CREDENTIALS_REJECTED)
        self._fail_requests(err)
        if not first.done():
            first.set_exception(err)
        self.spawn(self._drop_link())

    def _rejected_error(self) -> CredentialsRejectedError:
        return CredentialsRejectedError(
            f"the meter rejected the B-route credentials {self._auth_failures} times in a row"
        )

    def _retry_delay(self, err: WisunError, attempt: int) -> float:
        t = self._timing
        if isinstance(err, (UnsupportedDongleError, DongleNotRespondingError)):
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
            if self._state is not SessionState.DONGLE_NOT_RESPONDING:  # says so while probing
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
                return self._pan or cached
            _LOGGER.info("B-route: the cached PAN did not work; scanning")
        pan = await self._scan(modem)
        outcome = await self._join(modem, pan)
        if outcome is JoinOutcome.OK:
            return self._pan or pan
        if outcome is JoinOutcome.REJECTED:
            raise JoinFailedError("the meter rejected the PANA authentication", auth_rejected=True)
        raise JoinFailedError(
            "the meter did not answer the PANA authentication", auth_rejected=False
        )

    async def _open_dongle(self) -> None:
        await self._drop_link()
        link = SerialLink(self.port, self._on_data, self._on_link_lost)
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
                if self.dongle_info is not None:  # it answered before: hung, not unsupported
                    raise DongleNotRespondingError(f"the dongle on {self.port} does not answer")
                raise UnsupportedDongleError(f"no Wi-SUN module answers on {self.port}")
            modem.on_udp = self._on_udp
            modem.on_event = self._on_modem_event
            self.dongle_info = await modem.setup(self._credentials)
            self._needs_setup = False
            _LOGGER.debug("B-route dongle on %s: %s %s", self.port, modem.dialect.value, modem.info)
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
                self._learn_pan(pan)
                return pan
            _LOGGER.debug("B-route: no PAN with scan duration %d", duration)
        raise MeterNotFoundError("no smart meter answered the active scans")

    async def _join(self, modem: Modem, pan: PanDescriptor) -> JoinOutcome:
        self._set_state(SessionState.JOINING)
        self.stats.join_attempts += 1
        outcome = await modem.join(pan)
        if outcome is JoinOutcome.OK:
            if modem.joined is not None:  # the module names the meter it joined (J11)
                pan = modem.joined
                self._learn_pan(pan)
            self._auth_failures = 0
            self._meter_addr = pan.ipv6
            if self._meter_mac != pan.mac:
                if self._meter_mac is not None:
                    self._new_meter()
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

    async def _unless_silent(self, err: WisunError) -> WisunError:
        """``err`` raised while (re)connecting; a command the open dongle did not answer
        makes it a hung dongle: the port is closed (reopened by the next try)."""
        if type(err) is not DongleError or not self.port_open:
            return err
        self._dongle_silent(str(err))
        await self._drop_link()
        return DongleNotRespondingError(f"the dongle on {self.port} stopped answering")

    def _dongle_silent(self, why: str) -> None:
        self.stats.hangs += 1
        if not self._hung:
            self._hung = True
            _LOGGER.warning(
                "B-route: the dongle on %s stopped answering (%s); closing and reopening its "
                "port until it answers again",
                self.port,
                why,
            )

    def note_timeout(self) -> None:
        """A command or request timed out; enough of them in a row without a byte from the
        dongle in between mean that it hangs: the connected period ends ("hung")."""
        self._silent_timeouts += 1
        limit = self._timing.hang_timeouts
        if self._silent_timeouts >= limit and self._lost is not None and not self._lost.done():
            self._dongle_silent(f"{limit} timeouts in a row")
            self.signal_lost("hung")

    def _learn_pan(self, pan: PanDescriptor) -> None:
        """Where the meter is now; listeners hear of a new place (to persist it)."""
        old = self._pan
        self._pan = pan
        if old is None or _place(old) != _place(pan):
            for callback in list(self._pan_listeners):
                call_listener(callback, pan)

    async def _drop_link(self) -> None:
        self._silent_timeouts = 0
        link, self._link = self._link, None
        modem, self._modem = self._modem, None
        if modem is not None:
            modem.abort()
        if link is not None:
            await link.close()

    # -- callbacks from the port and the modem ------------------------------------------------

    def _on_data(self, data: bytes) -> None:
        self._silent_timeouts = 0  # the dongle is alive
        modem = self._modem
        if modem is None:
            return
        try:
            modem.feed(data)
        except Exception:  # a parser bug must not kill the port
            _LOGGER.exception("B-route: could not handle data from the dongle")

    def _on_link_lost(self, exc: Exception | None) -> None:
        if self._closing or self._link is None:  # closed by the session itself
            return
        _LOGGER.info("B-route: lost the dongle on %s", self.port)
        if self._modem is not None:
            self._modem.abort()
        self.signal_lost("dongle")

    def signal_lost(self, reason: str) -> None:
        """End the connected period (``reason``: "dongle", "auth", "send", ...)."""
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
                self.signal_lost("auth")
        elif event is ModemEvent.TERMINATED:
            if connected:
                self.signal_lost("terminated")
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
            self.signal_lost("restarted")

    # -- state ------------------------------------------------------------------------------

    def _set_state(self, state: SessionState) -> None:
        if state is self._state:
            return
        _LOGGER.debug("B-route state %s -> %s", self._state.value, state.value)
        self._state = state
        event, self._state_changed = self._state_changed, asyncio.Event()
        event.set()
        for callback in list(self._state_listeners):
            call_listener(callback, state)

    def _set_connected_state(self) -> None:
        self._set_state(
            SessionState.TRANSMISSION_LIMITED if self._tx_limited else SessionState.CONNECTED
        )

    async def wait_ready(self, deadline: float) -> None:
        """Until connected; raise at once when that cannot happen, or at ``deadline``."""
        while True:
            state = self._state
            if state is SessionState.CONNECTED:
                return
            if self._fatal is not None:
                raise self._fatal
            if state is SessionState.CLOSED:
                raise SessionClosedError("the session is not connected")
            if state is SessionState.DONGLE_UNAVAILABLE:
                raise DongleUnavailableError(f"the dongle on {self.port} is unavailable")
            if state is SessionState.DONGLE_NOT_RESPONDING:
                raise DongleNotRespondingError(f"the dongle on {self.port} does not answer")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if state is SessionState.TRANSMISSION_LIMITED:
                    raise TransmissionLimitedError("the transmission-time limit is in force")
                raise NotConnectedError(f"the session is not connected ({state.value})")
            event = self._state_changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)


def _place(pan: PanDescriptor) -> tuple[Dialect, int, int, str]:
    """What identifies where the meter is (not how well it was heard)."""
    return pan.dialect, pan.channel, pan.pan_id, pan.mac


def call_listener[A](callback: Callable[[A], None], arg: A) -> None:
    try:
        callback(arg)
    except Exception:
        _LOGGER.exception("B-route listener failed")


__all__ = ["Connection", "SessionStats"]
