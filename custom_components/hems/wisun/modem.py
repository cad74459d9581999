"""Dongle drivers: one interface; the SKSTACK IP text dialects (A1, C0) here, J11 binary in
:mod:`.j11_modem`.

A modem runs one command at a time (a lock is the command queue) and routes everything else
the module sends (events, received datagrams, notifications) to callbacks.  Nothing here blocks
the event loop: the serial port is read by serialx callbacks and every wait is a future.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
from collections.abc import Callable
import contextlib
from enum import Enum, auto
import logging
from typing import Final

from .credentials import BRouteCredentials
from .errors import CommandFailedError, DongleError, SendFailedError
from .models import Dialect, DongleInfo, PanDescriptor, Timing, normalize_ipv6
from .skstack import SkEvent, SkLine, SkMessage, SkPanDesc, SkRxUdp, SkstackParser, pan_from_fields

_LOGGER = logging.getLogger(__name__)

ECHONET_PORT: Final = 3610
#: PANA (authentication) datagrams: SKSTACK modules print the meter's as ERXUDP while they
#: authenticate, and print none when the meter does not answer.
PANA_PORT: Final = 716

EVENT_UDP_SENT: Final = 0x21
EVENT_SCAN_DONE: Final = 0x22
EVENT_PANA_FAILED: Final = 0x24
EVENT_PANA_OK: Final = 0x25
EVENT_TERM_REQUESTED: Final = 0x26
EVENT_TERM_DONE: Final = 0x27
EVENT_TERM_TIMEOUT: Final = 0x28
EVENT_SESSION_EXPIRED: Final = 0x29
EVENT_TX_LIMITED: Final = 0x32
EVENT_TX_RELEASED: Final = 0x33
EVENT_WAKEUP: Final = 0xC0


class ModemEvent(Enum):
    """Unsolicited happenings the session reacts to."""

    SESSION_EXPIRED = auto()  # PANA lifetime over; the module re-authenticates by itself
    SESSION_UP = auto()  # (re-)authentication succeeded
    AUTH_FAILED = auto()  # (re-)authentication failed
    TERMINATED = auto()  # the session ended (the meter asked, or no answer)
    TX_LIMITED = auto()  # ARIB transmission-time limit reached: do not send
    TX_RELEASED = auto()
    RESTARTED = auto()  # the module restarted: its settings and session are gone


class JoinOutcome(Enum):
    """Result of a PANA authentication attempt."""

    OK = auto()
    REJECTED = auto()  # the meter answered and refused the credentials
    NO_RESPONSE = auto()  # the meter was not reached (SKSTACK: no PANA message from it)


UdpCallback = Callable[[str, bytes], None]
EventCallback = Callable[[ModemEvent], None]


def _noop_udp(_sender: str, _data: bytes) -> None:
    pass


def _noop_event(_event: ModemEvent) -> None:
    pass


class Modem(ABC):
    """Common interface of the dialects."""

    dialect: Dialect

    def __init__(
        self,
        write: Callable[[bytes], None],
        timing: Timing,
        redact: Callable[[str], str],
    ) -> None:
        self._write_raw = write
        self._timing = timing
        self._redact = redact
        self._lock = asyncio.Lock()
        self.on_udp: UdpCallback = _noop_udp
        self.on_event: EventCallback = _noop_event
        self.info: DongleInfo | None = None
        #: The meter's PAN as the module reports it after a successful :meth:`join` (J11:
        #: from its start-B-route answer); None: the PAN that was asked for.
        self.joined: PanDescriptor | None = None

    @abstractmethod
    def feed(self, data: bytes) -> None:
        """Bytes read from the port."""

    @abstractmethod
    async def probe(self) -> bool:
        """True when a module of this family answers."""

    @abstractmethod
    async def setup(self, credentials: BRouteCredentials) -> DongleInfo:
        """Configure the module (after a probe or a restart) and give it the credentials."""

    @abstractmethod
    async def scan(self, duration: int) -> list[PanDescriptor]:
        """One active scan."""

    @abstractmethod
    async def join(self, pan: PanDescriptor) -> JoinOutcome:
        """Authenticate with the meter of ``pan``."""

    @abstractmethod
    async def send(self, dest: str, payload: bytes) -> None:
        """Send one UDP datagram to port 3610 of ``dest``.  Raises :class:`SendFailedError`."""

    @abstractmethod
    async def terminate(self) -> None:
        """End the PANA session politely."""

    @abstractmethod
    def abort(self) -> None:
        """The port is gone: fail whatever waits for the module."""

    def _emit(self, event: ModemEvent) -> None:
        _LOGGER.debug("modem event %s", event.name)
        self.on_event(event)


# --------------------------------------------------------------------------------------------
# SKSTACK IP (A1 and C0)
# --------------------------------------------------------------------------------------------


class SkstackModem(Modem):
    """A1 and C0 text dialects; ``dialect`` is known after :meth:`setup`."""

    # Each driver's constructor repeats the base signature on purpose: the plain way to add
    # its own state (J11Modem does the same).
    def __init__(
        self,
        write: Callable[[bytes], None],
        timing: Timing,
        redact: Callable[[str], str],
    ) -> None:
        super().__init__(write, timing, redact)
        self.dialect = Dialect.A1
        self.parser = SkstackParser()
        self._queue: asyncio.Queue[SkMessage] | None = None
        self._joining = False
        self._terminating = False
        #: The meter's PANA messages were seen since this authentication began (a join, a
        #: re-authentication): an EVENT 24 without them is a meter out of reach, not rejected
        #: credentials.
        self._pana_heard = False
        self.version = ""

    # -- input -------------------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        for msg in self.parser.feed(data):
            self._dispatch(msg)

    def _dispatch(self, msg: SkMessage) -> None:
        if isinstance(msg, SkRxUdp):
            if PANA_PORT in (msg.rport, msg.lport):
                self._pana_heard = True
                return
            if ECHONET_PORT not in (msg.rport, msg.lport):
                return
            try:
                sender = normalize_ipv6(msg.sender)
            except ValueError:
                return
            self.on_udp(sender, msg.data)
            return
        if _LOGGER.isEnabledFor(logging.DEBUG):
            _LOGGER.debug("< %s", self._redact(repr(msg)))
        if isinstance(msg, SkEvent):
            self._event(msg)
        if self._queue is not None:
            self._queue.put_nowait(msg)

    def abort(self) -> None:
        if self._queue is not None:
            self._queue.put_nowait(_LOST)

    def _event(self, event: SkEvent) -> None:
        code = event.code
        if code == EVENT_SESSION_EXPIRED:
            self._pana_heard = False  # the module re-authenticates now
            self._emit(ModemEvent.SESSION_EXPIRED)
        elif code == EVENT_PANA_OK and not self._joining:
            self._pana_heard = False
            self._emit(ModemEvent.SESSION_UP)
        elif code == EVENT_PANA_FAILED and not self._joining:
            # Without a PANA message from the meter it was out of reach: the session is lost,
            # but no credentials were refused (J11 reports that case apart the same way).
            heard, self._pana_heard = self._pana_heard, False
            self._emit(ModemEvent.AUTH_FAILED if heard else ModemEvent.TERMINATED)
        elif (
            code in (EVENT_TERM_REQUESTED, EVENT_TERM_DONE, EVENT_TERM_TIMEOUT)
            and not self._terminating
        ):
            self._emit(ModemEvent.TERMINATED)
        elif code == EVENT_TX_LIMITED:
            self._emit(ModemEvent.TX_LIMITED)
        elif code == EVENT_TX_RELEASED:
            self._emit(ModemEvent.TX_RELEASED)
        elif code == EVENT_WAKEUP:
            self._emit(ModemEvent.RESTARTED)

    # -- commands ----------------------------------------------------------------------------

    def _send_line(self, line: str, shown: str | None = None) -> None:
        _LOGGER.debug("> %s", shown if shown is not None else self._redact(line))
        self._write_raw(line.encode("ascii") + b"\r\n")

    async def _until(
        self,
        queue: asyncio.Queue[SkMessage],
        verb: str,
        done: Callable[[SkMessage], bool],
        limit: float,
        collected: list[SkMessage],
    ) -> SkMessage:
        try:
            async with asyncio.timeout(limit):
                while True:
                    msg = await queue.get()
                    if msg is _LOST:
                        raise DongleError(f"{verb}: the dongle is gone")
                    collected.append(msg)
                    if isinstance(msg, SkLine):
                        code = msg.fail_code
                        if code is not None:
                            raise CommandFailedError(verb, code)
                    if done(msg):
                        return msg
        except TimeoutError:
            raise DongleError(f"{verb}: no answer from the dongle") from None

    async def command(
        self,
        line: str,
        *,
        shown: str | None = None,
        limit: float | None = None,
        done: Callable[[SkMessage], bool] | None = None,
    ) -> list[SkMessage]:
        """Send ``line``; collect what comes back until OK (or ``done``).  FAIL raises."""
        verb = line.split(" ", 1)[0]
        collected: list[SkMessage] = []
        async with self._lock:
            queue: asyncio.Queue[SkMessage] = asyncio.Queue()
            self._queue = queue
            try:
                self._send_line(line, shown)
                await self._until(
                    queue,
                    verb,
                    done or _is_ok,
                    self._timing.command_timeout if limit is None else limit,
                    collected,
                )
            finally:
                self._queue = None
        return collected

    async def probe(self) -> bool:
        self.parser.reset()
        async with self._lock:
            queue: asyncio.Queue[SkMessage] = asyncio.Queue()
            self._queue = queue
            try:
                _LOGGER.debug("> SKVER")
                # a CR LF first ends whatever a previous user left half-typed
                self._write_raw(b"\r\nSKVER\r\n")
                async with asyncio.timeout(self._timing.probe_timeout):
                    while True:
                        msg = await queue.get()
                        if msg is _LOST:
                            return False
                        if isinstance(msg, SkLine) and msg.text.startswith("EVER"):
                            self.version = msg.text[4:].strip()
                        elif isinstance(msg, SkLine) and msg.is_ok and self.version:
                            return True
            except TimeoutError:
                return False
            finally:
                self._queue = None

    async def setup(self, credentials: BRouteCredentials) -> DongleInfo:
        # echo off (the module echoes commands by default); harmless if refused
        with contextlib.suppress(CommandFailedError):
            await self.command("SKSREG SFE 0")
        side = None
        for msg in await self.command("SKINFO"):
            if isinstance(msg, SkLine) and msg.text.startswith("EINFO"):
                parts = msg.text.split()
                if len(parts) >= 6:
                    side = parts[5].upper()
        self.dialect = Dialect.A1 if side in (None, "FFFE") else Dialect.C0
        self.parser.has_side = self.dialect is Dialect.C0
        ascii_payload: bool | None = None
        try:
            for msg in await self.command("ROPT"):
                if isinstance(msg, SkLine) and msg.is_ok and len(msg.text) > 3:
                    ascii_payload = msg.text[3:].strip() == "01"
        except CommandFailedError:
            ascii_payload = None  # no ROPT: decide per datagram
        self.parser.ascii_payload = ascii_payload
        await self.command(
            f"SKSETPWD {len(credentials.password):X} {credentials.password}",
            shown="SKSETPWD ****",
        )
        await self.command(f"SKSETRBID {credentials.rbid}", shown="SKSETRBID ****")
        self.info = DongleInfo(self.dialect, self.version, ascii_payload)
        return self.info

    async def scan(self, duration: int) -> list[PanDescriptor]:
        line = f"SKSCAN 2 FFFFFFFF {duration:X}"
        if self.dialect is Dialect.C0:
            line += " 0"
        msgs = await self.command(
            line,
            limit=self._timing.scan_timeout(duration),
            done=lambda m: isinstance(m, SkEvent) and m.code == EVENT_SCAN_DONE,
        )
        found: list[PanDescriptor] = []
        for msg in msgs:
            if isinstance(msg, SkPanDesc):
                parsed = pan_from_fields(msg.fields)
                if parsed is None:
                    continue
                channel, pan_id, mac, lqi, page, side = parsed
                found.append(PanDescriptor(self.dialect, channel, pan_id, mac, lqi, page, side))
        return found

    async def join(self, pan: PanDescriptor) -> JoinOutcome:
        await self.command(f"SKSREG S2 {pan.channel:X}")
        await self.command(f"SKSREG S3 {pan.pan_id:X}")
        self._joining = True
        self._pana_heard = False
        try:
            msgs = await self.command(
                f"SKJOIN {pan.ipv6}",
                limit=self._timing.join_timeout,
                done=lambda m: (
                    isinstance(m, SkEvent) and m.code in (EVENT_PANA_OK, EVENT_PANA_FAILED)
                ),
            )
        except DongleError:
            return JoinOutcome.NO_RESPONSE
        finally:
            self._joining = False
        last = msgs[-1]
        assert isinstance(last, SkEvent)
        if last.code == EVENT_PANA_OK:
            return JoinOutcome.OK
        return JoinOutcome.REJECTED if self._pana_heard else JoinOutcome.NO_RESPONSE

    async def send(self, dest: str, payload: bytes) -> None:
        side = " 0" if self.dialect is Dialect.C0 else ""
        header = f"SKSENDTO 1 {dest} 0E1A 1{side} {len(payload):04X} "
        collected: list[SkMessage] = []
        async with self._lock:
            queue: asyncio.Queue[SkMessage] = asyncio.Queue()
            self._queue = queue
            try:
                _LOGGER.debug("> %s<%d bytes>", header, len(payload))
                self._write_raw(header.encode("ascii") + payload)
                try:
                    await self._until(
                        queue, "SKSENDTO", _is_ok, self._timing.send_timeout, collected
                    )
                except CommandFailedError as err:
                    raise SendFailedError(f"SKSENDTO failed: {err.code}") from err
                result = _tx_result(collected)
                if result is None:
                    with contextlib.suppress(DongleError):
                        await self._until(
                            queue,
                            "SKSENDTO",
                            lambda m: _tx_result([m]) is not None,
                            self._timing.tx_event_timeout,
                            collected,
                        )
                    result = _tx_result(collected)
            finally:
                self._queue = None
        if result == 0x01:
            raise SendFailedError("the radio could not deliver the frame (EVENT 21 01)")

    async def terminate(self) -> None:
        self._terminating = True
        try:
            await self.command(
                "SKTERM",
                limit=self._timing.terminate_timeout,
                done=lambda m: (
                    isinstance(m, SkEvent) and m.code in (EVENT_TERM_DONE, EVENT_TERM_TIMEOUT)
                ),
            )
        finally:
            self._terminating = False


_LOST: Final = SkLine("\x00port lost")


def _is_ok(msg: SkMessage) -> bool:
    return isinstance(msg, SkLine) and msg.is_ok


def _tx_result(msgs: list[SkMessage]) -> int | None:
    """The final EVENT 21 parameter among ``msgs`` (00 sent, 01 failed); 02 (neighbour
    solicitation) is not final."""
    for msg in msgs:
        if (
            isinstance(msg, SkEvent)
            and msg.code == EVENT_UDP_SENT
            and msg.param is not None
            and msg.param != 0x02
        ):
            return msg.param
    return None
