"""What a virtual dongle's protocol emulators work against: the module's shared state.

The protocol emulators (:mod:`.skstack`, :mod:`.j11`) drive a :class:`DongleModule`: the meter
(model + ECHONET responder + radio parameters), the PANA session, the faults, timing and
statistics.  :class:`~.core.VirtualDongle` adds the choice of emulator; keeping that choice out
of this module lets the emulators import it without a circle.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field, fields
from enum import StrEnum
import logging
import random
from types import TracebackType
from typing import Any, Final, Self

from custom_components.hems.echonet.errors import FrameError
from custom_components.hems.echonet.frame import EOJ, build, decode_frame

from ..clock import SimClock
from ..meter_model import MeterModel
from .pty import PtyPort
from .responder import MeterResponder

_LOGGER = logging.getLogger(__name__)

DEFAULT_RBID: Final = "0123456789ABCDEF0123456789ABCDEF"
DEFAULT_PASSWORD: Final = "PASSWORD1234"


class DongleDialect(StrEnum):
    """Which dongle family the pty imitates."""

    A1 = "a1"
    C0 = "c0"  # binary ERXUDP payloads (the factory default)
    C0_ASCII = "c0-ascii"  # WOPT 01 already written
    J11 = "j11"


def mac_to_ipv6(mac: str) -> str:
    """Link-local address of a MAC (U/L bit flipped), SKSTACK text form."""
    raw = bytearray(bytes.fromhex(mac))
    raw[0] ^= 0x02
    return "FE80:0000:0000:0000:" + ":".join(raw[i : i + 2].hex().upper() for i in (0, 2, 4, 6))


def _doc(text: str) -> dict[str, str]:
    return {"help": text}


@dataclass
class Faults:
    """Faults that can be switched at any time (see also the actions on DongleModule)."""

    reject_auth: bool = field(
        default=False,
        metadata=_doc(
            "every PANA authentication fails (EVENT 24 / J11 0x6028 02): wrong credentials"
        ),
    )
    meter_absent: bool = field(
        default=False, metadata=_doc("no beacon and no PANA answer: the meter is out of reach")
    )
    pana_unanswered: bool = field(
        default=False,
        metadata=_doc(
            "the meter's beacon is heard but it never answers PANA (a weak link): SKSTACK "
            "EVENT 24 with no PANA message from the meter, J11 0x6028 03"
        ),
    )
    silent_meter: bool = field(
        default=False, metadata=_doc("the meter never answers ECHONET Lite requests")
    )
    fail_sends: int = field(
        default=0,
        metadata=_doc(
            "the next N sends fail with FAIL ER10 (J11: an error result), as under radio trouble"
        ),
    )
    lose_sends: int = field(
        default=0,
        metadata=_doc(
            "the next N sends are accepted but not delivered (EVENT 21 01; J11: an error "
            "result), as when the meter does not acknowledge"
        ),
    )
    hung: bool = field(
        default=False,
        metadata=_doc(
            "the module's firmware hangs: it reads every command, answers none and sends "
            "nothing (no event, no datagram); a power cycle ends it: unplugging, a restart, "
            "or closing and reopening the port while hang_ends_on_reopen is on"
        ),
    )
    hang_ends_on_reopen: bool = field(
        default=True,
        metadata=_doc(
            "a hung module restarts when the host closes its port and opens it again, as a "
            "dongle whose module is reset or re-enumerated with the port; off: only "
            "unplugging (or the hang fault switched off) revives it"
        ),
    )
    noise: bool = field(
        default=False, metadata=_doc("random garbage between the dongle's messages")
    )
    spoof: bool = field(
        default=False,
        metadata=_doc(
            "before each answer, copies with other values from another node, another TID, "
            "another object and to another object (a client must drop them)",
        ),
    )

    @classmethod
    def describe(cls) -> list[tuple[str, str]]:
        """(name, what it does) of every fault, for the command line's help."""
        return [(f.name, str(f.metadata["help"])) for f in fields(cls)]

    def switch(self, name: str, value: str = "1") -> None:
        """Set a fault by name from text ("on", "off", a number for fail_sends/lose_sends)."""
        if name not in {f.name for f in fields(self)}:
            raise ValueError(f"unknown fault {name!r}")
        if name in ("fail_sends", "lose_sends"):
            setattr(self, name, int(value))
        else:
            setattr(self, name, value.lower() not in ("0", "off", "false", "no"))


@dataclass
class DongleStats:
    """What the host did."""

    commands: list[str] = field(default_factory=list)  # verbs / command codes only
    scans: list[int] = field(default_factory=list)  # durations
    join_attempts: int = 0
    joins_ok: int = 0
    sends: int = 0
    send_failures: int = 0
    wopt_writes: int = 0
    delivered: int = 0
    noise_bytes: int = 0
    overflows: int = 0  # input dropped: a command line longer than the module's buffer
    power_cycles: int = 0  # a hung module restarted by a close and reopen of its port


FOREIGN_MAC: Final = "0012340000ABCDEF"


def spoofs(answer: bytes) -> list[tuple[str | None, bytes]]:
    """Wrong answers around a right one: (sender MAC or None for the meter, payload)."""
    try:
        frame = decode_frame(answer)
    except FrameError:
        return []
    props = [(epc, bytes(len(edt)) if edt else edt) for epc, edt in frame.props]
    other_tid = (frame.tid + 1) & 0xFFFF
    return [
        (FOREIGN_MAC, build(frame.tid, frame.seoj, frame.deoj, frame.esv, props)),
        (None, build(other_tid, frame.seoj, frame.deoj, frame.esv, props)),
        (None, build(frame.tid, EOJ(0x02, 0x88, 0x02), frame.deoj, frame.esv, props)),
        (None, build(frame.tid, EOJ(0x00, 0x11, 0x01), frame.deoj, frame.esv, props)),
        (None, build(frame.tid, frame.seoj, EOJ(0x0E, 0xF0, 0x01), frame.esv, props)),
    ]


class Emulator(ABC):
    """One protocol family."""

    def __init__(self, dongle: DongleModule) -> None:
        self.dongle = dongle
        #: Bytes from the host not yet taken as a command.
        self._buf = bytearray()

    @property
    def buffered(self) -> int:
        """How many bytes from the host wait for the rest of their command."""
        return len(self._buf)

    @abstractmethod
    def power_on(self) -> None:
        """Fresh module state (after plugging in)."""

    @abstractmethod
    def feed(self, data: bytes) -> None:
        """Bytes from the host."""

    @abstractmethod
    def deliver(self, payload: bytes, sender_mac: str | None = None) -> None:
        """A UDP payload from the meter (or from ``sender_mac``) to the host."""

    @abstractmethod
    def notify(self, what: str) -> None:
        """Report a session happening: expired, reauth_ok, reauth_failed,
        reauth_no_response (the meter is out of reach), terminated, tx_limited, tx_released,
        restarted."""


class DongleModule(ABC):
    """A Wi-SUN module on a pty with a smart meter behind it, whatever its dialect.

    The parameters are those of :class:`~.core.VirtualDongle`.
    """

    def __init__(
        self,
        dialect: DongleDialect | str = DongleDialect.A1,
        *,
        link: str | None = None,
        clock: SimClock | None = None,
        meter: MeterModel | None = None,
        responder: MeterResponder | None = None,
        rbid: str = DEFAULT_RBID,
        password: str = DEFAULT_PASSWORD,
        delay_scale: float = 1.0,
        channel: int = 0x27,
        pan_id: int = 0x8A3C,
        meter_mac: str = "C0F94500DEADBEEF",
        own_mac: str = "001D129012345678",
        lqi: int = 0x9C,
        scan_min_duration: int = 6,
        join_seconds: float = 9.6,
        answer_seconds: float = 1.2,
        reauth_seconds: float = 5.0,
        seed: int = 1,
        ropt: bool = True,
        tx_event_after_ok: bool = False,
    ) -> None:
        self.dialect = DongleDialect(dialect)
        self.clock = clock or SimClock()
        self.meter = meter or MeterModel(self.clock)
        self.responder = responder or MeterResponder(self.meter)
        self.rbid = rbid
        self.password = password
        self.delay_scale = delay_scale
        self.channel = channel
        self.pan_id = pan_id
        self.meter_mac = meter_mac.upper()
        self.own_mac = own_mac.upper()
        self.lqi = lqi
        self.scan_min_duration = scan_min_duration
        self.join_seconds = join_seconds
        self.answer_seconds = answer_seconds
        self.reauth_seconds = reauth_seconds
        #: False: SKSTACK firmware older than ROPT/WOPT (both answer FAIL ER04).
        self.ropt = ropt
        #: True: SKSENDTO prints OK before EVENT 21 (the order differs between firmware).
        self.tx_event_after_ok = tx_event_after_ok
        self.faults = Faults()
        self.stats = DongleStats()
        self.ascii_payload = self.dialect in (DongleDialect.A1, DongleDialect.C0_ASCII)
        self.session_up = False
        self.reauthenticating = False
        self.tx_limited = False
        self._rng = random.Random(seed)
        self._port = PtyPort(self._on_data, link)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._ticker: asyncio.Task[None] | None = None
        self.emulator = self._make_emulator()

    @abstractmethod
    def _make_emulator(self) -> Emulator:
        """The protocol emulator of :attr:`dialect`."""

    # -- addresses ------------------------------------------------------------------------------

    @property
    def meter_ipv6(self) -> str:
        """The meter's link-local address."""
        return mac_to_ipv6(self.meter_mac)

    @property
    def own_ipv6(self) -> str:
        """The dongle's link-local address."""
        return mac_to_ipv6(self.own_mac)

    @property
    def path(self) -> str | None:
        """What a client opens (the link if any, else the pty device)."""
        return self._port.path

    @property
    def device(self) -> str | None:
        """The current pty device."""
        return self._port.device

    @property
    def plugged(self) -> bool:
        """True while the pty exists."""
        return self._port.plugged

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> str:
        """Plug the dongle in; returns :attr:`path`."""
        path = self._port.plug()
        self._power_on()
        return path

    async def stop(self) -> None:
        """Unplug for good."""
        self._power_off()
        if self._port.plugged:
            self._port.unplug()

    async def unplug(self) -> None:
        """Pull the dongle: the pty (and the link) disappear, the session is gone."""
        self._power_off()
        self._port.unplug()

    async def replug(self) -> str:
        """Plug it in again (a new pty behind the same link path); the module restarts."""
        if self._port.plugged:
            await self.unplug()
        return await self.start()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def _power_on(self) -> None:
        self.faults.hung = False  # a firmware hang does not survive a power cycle
        self.session_up = False
        self.reauthenticating = False
        self.tx_limited = False
        self.emulator.power_on()
        self._ticker = asyncio.get_running_loop().create_task(self._tick())

    def _power_off(self) -> None:
        self.session_up = False
        self.reauthenticating = False
        for task in list(self._tasks):
            task.cancel()
        self._tasks.clear()
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run a background job of the module (cancelled when it is unplugged)."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def sleep(self, nominal_seconds: float) -> None:
        """A radio delay: simulated seconds x delay_scale."""
        await self.clock.sleep(nominal_seconds * self.delay_scale)

    async def _tick(self) -> None:
        while True:
            await self.clock.sleep(5.0)
            frames = self.responder.due_pushes()
            if self.session_up and not self.faults.silent_meter and not self.faults.meter_absent:
                for frame in frames:
                    self.emulator.deliver(frame)

    # -- I/O ------------------------------------------------------------------------------------

    def _on_data(self, data: bytes) -> None:
        if self.faults.hung and self.faults.hang_ends_on_reopen:
            self._port.watch_close(self._reopened)
        self.emulator.feed(data)

    def _reopened(self) -> None:
        """Every client closed the port of a hung module (``hang_ends_on_reopen``): it
        restarts, and the next open finds it answering (its settings and session gone).

        What this models: a dongle whose module is reset or powered again with its port
        (a USB re-enumeration, or a reset line that the adapter drives when the port is
        opened).  Whether a given real dongle recovers that way depends on its USB-serial
        wiring; one that does not is modelled with ``hang_ends_on_reopen`` off (only
        unplugging it, a power cycle, ends the hang)."""
        if not self.faults.hung:  # the hang was switched off meanwhile: a plain close
            return
        self.stats.power_cycles += 1
        self._power_off()
        self._power_on()

    def output(self, data: bytes) -> None:
        """Send one message to the host (with noise in front when that fault is on)."""
        if self.faults.noise and self._rng.random() < 0.5:
            self.write_raw(self.noise_bytes())
        self.write_raw(data)

    def write_raw(self, data: bytes) -> None:
        """Bytes to the host, as they are (nothing while the firmware hangs)."""
        if not self.faults.hung:
            self._port.write(data)

    def noise_bytes(self, size: int | None = None) -> bytes:
        """Garbage that cannot form a valid message: control and high bytes, never the J11
        unique codes' first byte, ending with CR LF."""
        n = size if size is not None else self._rng.randint(1, 40)
        alphabet = [
            b for b in range(256) if (b < 0x20 or b >= 0x80) and b not in (0x0D, 0x0A, 0xD0)
        ]
        body = bytes(self._rng.choice(alphabet) for _ in range(n))
        self.stats.noise_bytes += len(body) + 2
        return body + b"\r\n"

    # -- the meter ------------------------------------------------------------------------------

    def pairing_matches(self, rbid: str | None) -> bool:
        """An active scan with this B-route ID gets the meter's beacon."""
        return rbid is not None and rbid[-8:] == self.rbid[-8:]

    def visible(self, duration: int, rbid: str | None) -> bool:
        """The meter answers an active scan of ``duration`` with the pairing ID of ``rbid``."""
        return (
            not self.faults.meter_absent
            and duration >= self.scan_min_duration
            and self.pairing_matches(rbid)
        )

    def auth_result(self, rbid: str | None, password: str | None) -> str:
        """ "ok", "rejected" or "no_response" for a PANA attempt with these credentials."""
        if self.faults.meter_absent or self.faults.pana_unanswered:
            return "no_response"
        if self.faults.reject_auth or rbid != self.rbid or password != self.password:
            return "rejected"
        return "ok"

    def meter_request(self, payload: bytes) -> None:
        """A payload reached the meter: its answers come back after ``answer_seconds``."""
        if self.faults.silent_meter or self.faults.meter_absent:
            self.responder.stats.dropped += 1
            return
        answers = self.responder.handle(payload)
        if answers:
            self.spawn(self._answer_later(answers))

    async def _answer_later(self, answers: list[bytes]) -> None:
        await self.sleep(self.answer_seconds)
        if not self.session_up:
            return
        for answer in answers:
            if self.faults.spoof:
                for mac, fake in spoofs(answer):
                    self.emulator.deliver(fake, mac)
            self.stats.delivered += 1
            self.emulator.deliver(answer)

    def session_established(self) -> None:
        """PANA succeeded: the meter announces its node (INF 0xD5) shortly after."""
        self.session_up = True
        self.stats.joins_ok += 1
        self.spawn(self._announce())

    async def _announce(self) -> None:
        await self.sleep(0.3)
        if self.session_up:
            self.emulator.deliver(self.responder.announcement())

    # -- fault actions ------------------------------------------------------------------------

    def expire_session(self, *, reauth_ok: bool = True) -> None:
        """PANA lifetime expiry: EVENT 29, the module re-authenticates, then EVENT 25 (or 24)."""
        if not self.session_up:
            return
        self.session_up = False
        self.reauthenticating = True
        self.emulator.notify("expired")
        self.spawn(self._reauthenticate(reauth_ok))

    async def _reauthenticate(self, reauth_ok: bool) -> None:
        await self.sleep(self.reauth_seconds)
        self.reauthenticating = False
        if self.faults.meter_absent:
            self.emulator.notify("reauth_no_response")
        elif reauth_ok and not self.faults.reject_auth:
            self.session_up = True
            self.emulator.notify("reauth_ok")
        else:
            self.emulator.notify("reauth_failed")

    def restart(self) -> None:
        """The module restarts by itself (watchdog, brown-out): its settings and the session
        are gone, the port stays open; it announces the wake-up (SKSTACK EVENT C0, J11
        0x6019)."""
        self._power_off()
        self._power_on()
        self.emulator.notify("restarted")

    def terminate_session(self) -> None:
        """The meter ends the session (EVENT 26, then 27)."""
        self.session_up = False
        self.emulator.notify("terminated")

    def start_tx_limit(self, seconds: float | None = None) -> None:
        """ARIB limit reached (EVENT 32); released after ``seconds`` (simulated, scaled)."""
        self.tx_limited = True
        self.emulator.notify("tx_limited")
        if seconds is not None:
            self.spawn(self._release_later(seconds))

    async def _release_later(self, seconds: float) -> None:
        await self.sleep(seconds)
        self.release_tx_limit()

    def release_tx_limit(self) -> None:
        """EVENT 33."""
        if self.tx_limited:
            self.tx_limited = False
            self.emulator.notify("tx_released")

    def inject_noise(self, data: bytes | None = None) -> None:
        """Write garbage to the host right now."""
        self.write_raw(data if data is not None else self.noise_bytes())
