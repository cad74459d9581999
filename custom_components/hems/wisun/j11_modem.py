"""The J11 binary dongle driver (ROHM BP35C0-J11 and kin) behind the :class:`~.modem.Modem`
interface."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import logging
from typing import Final, TypedDict, Unpack

from . import j11
from .credentials import BRouteCredentials
from .errors import CommandFailedError, DongleError, SendFailedError
from .models import Dialect, DongleInfo, PanDescriptor, Timing
from .modem import ECHONET_PORT, JoinOutcome, Modem, ModemEvent

_LOGGER = logging.getLogger(__name__)


class RequestOptions(TypedDict, total=False):
    """How one J11 command is sent: ``secret`` (keep its data out of logs), ``limit`` (seconds
    to wait; default the command timeout), ``check`` (raise on a failure result)."""

    secret: bool
    limit: float | None
    check: bool


#: J11 channels of a B-route scan (4-17).
J11_CHANNELS: Final = 14


class J11Modem(Modem):
    """RS-WSUHA-J11, BP35C1-J11, BP35C2-J11-T01."""

    dialect = Dialect.J11

    def __init__(
        self,
        write: Callable[[bytes], None],
        timing: Timing,
        redact: Callable[[str], str],
    ) -> None:
        super().__init__(write, timing, redact)
        self.parser = j11.J11Parser()
        self._waiters: list[tuple[int, asyncio.Future[j11.J11Frame]]] = []
        self._scan_results: list[j11.J11ScanResult] | None = None
        self._joining = False
        self._credentials: BRouteCredentials | None = None
        self.version = ""

    def feed(self, data: bytes) -> None:
        for frame in self.parser.feed(data):
            self._dispatch(frame)

    def _dispatch(self, frame: j11.J11Frame) -> None:
        command = frame.command
        if command == j11.NOTIFY_UDP_RECEIVED:
            udp = j11.parse_udp(frame.data)
            if udp is not None and ECHONET_PORT in (udp.src_port, udp.dst_port):
                self.on_udp(j11.ipv6_text(udp.src), udp.data)
            return
        _LOGGER.debug("< J11 %04X %s", command, frame.data.hex())
        for waiter in list(self._waiters):
            code, future = waiter
            if code == command and not future.done():
                future.set_result(frame)
                self._waiters.remove(waiter)
                return
        if command == j11.NOTIFY_SCAN_RESULT:
            result = j11.parse_scan_result(frame.data)
            if result is not None and self._scan_results is not None:
                self._scan_results.append(result)
        elif command == j11.NOTIFY_PANA_RESULT and not self._joining:
            result_code = frame.result
            if result_code == j11.PANA_OK:
                self._emit(ModemEvent.SESSION_UP)
            elif result_code == j11.PANA_FAILED:
                self._emit(ModemEvent.AUTH_FAILED)
            else:
                self._emit(ModemEvent.TERMINATED)
        elif command == j11.NOTIFY_CONNECTION_STATE:
            state = frame.result
            event = {
                j11.STATE_SESSION_UP: ModemEvent.SESSION_UP,
                j11.STATE_REAUTHENTICATING: ModemEvent.SESSION_EXPIRED,
                j11.STATE_TERMINATED: ModemEvent.TERMINATED,
                j11.STATE_TX_LIMITED: ModemEvent.TX_LIMITED,
                j11.STATE_TX_RELEASED: ModemEvent.TX_RELEASED,
            }.get(state if state is not None else -1)
            if event is not None and not (self._joining and event is ModemEvent.SESSION_UP):
                self._emit(event)
        elif command == j11.NOTIFY_STARTED:
            self._emit(ModemEvent.RESTARTED)

    def abort(self) -> None:
        for _, future in self._waiters:
            # done already when a timed-out wait has not reached its _forget() yet
            if not future.done():
                future.set_exception(DongleError("J11: the dongle is gone"))
                future.exception()  # retrieved: whoever awaits it still gets it
        self._waiters.clear()

    def _expect(self, command: int) -> asyncio.Future[j11.J11Frame]:
        future: asyncio.Future[j11.J11Frame] = asyncio.get_running_loop().create_future()
        self._waiters.append((command, future))
        return future

    def _forget(self, future: asyncio.Future[j11.J11Frame]) -> None:
        self._waiters = [w for w in self._waiters if w[1] is not future]

    async def _wait(
        self, future: asyncio.Future[j11.J11Frame], what: str, limit: float
    ) -> j11.J11Frame:
        try:
            return await asyncio.wait_for(future, limit)
        except TimeoutError:
            raise DongleError(f"J11 {what}: no answer from the dongle") from None
        finally:
            self._forget(future)

    async def request(
        self, command: int, data: bytes = b"", **options: Unpack[RequestOptions]
    ) -> j11.J11Frame:
        """Send one command and wait for its response (the lock must NOT be held)."""
        async with self._lock:
            return await self._request_locked(command, data, **options)

    async def _request_locked(
        self, command: int, data: bytes = b"", **options: Unpack[RequestOptions]
    ) -> j11.J11Frame:
        secret = options.get("secret", False)
        limit = options.get("limit")
        check = options.get("check", True)
        future = self._expect(command | j11.RESPONSE_BIT)
        _LOGGER.debug("> J11 %04X %s", command, "<redacted>" if secret else data.hex())
        self._write_raw(j11.encode(command, data))
        frame = await self._wait(
            future,
            f"command {command:04X}",
            self._timing.command_timeout if limit is None else limit,
        )
        if check and not frame.ok:
            raise CommandFailedError(f"J11 {command:04X}", f"result {frame.result}")
        return frame

    async def probe(self) -> bool:
        self.parser.reset()
        try:
            frame = await self.request(j11.CMD_FIRMWARE_VERSION, limit=self._timing.probe_timeout)
        except (DongleError, CommandFailedError):
            return False
        self.version = frame.data[1:].hex().upper()
        return True

    async def setup(self, credentials: BRouteCredentials) -> DongleInfo:
        self._credentials = credentials
        await self.request(j11.CMD_INITIAL_SETTINGS, j11.build_initial_settings(4))
        await self.request(
            j11.CMD_SET_BROUTE_AUTH,
            j11.build_auth(credentials.rbid, credentials.password),
            secret=True,
        )
        self.info = DongleInfo(Dialect.J11, self.version, None)
        return self.info

    async def scan(self, duration: int) -> list[PanDescriptor]:
        assert self._credentials is not None
        seconds = 0.0096 * (2**duration + 1) * J11_CHANNELS
        timeout = seconds * self._timing.scan_time_factor + self._timing.scan_margin
        async with self._lock:
            self._scan_results = []
            try:
                await self._request_locked(
                    j11.CMD_ACTIVE_SCAN,
                    j11.build_scan_request(duration, self._credentials.pairing_id),
                    secret=True,
                    limit=timeout,
                )
                results = self._scan_results
            finally:
                self._scan_results = None
        return [
            PanDescriptor(Dialect.J11, r.channel, r.pan_id, r.mac, r.rssi & 0xFF) for r in results
        ]

    async def join(self, pan: PanDescriptor) -> JoinOutcome:
        self.joined = None
        async with self._lock:
            await self._request_locked(
                j11.CMD_INITIAL_SETTINGS, j11.build_initial_settings(pan.channel)
            )
            started = await self._request_locked(j11.CMD_START_BROUTE, check=False)
            if not started.ok:
                return JoinOutcome.NO_RESPONSE
            # the module found the meter itself: its answer says which one (a replaced meter
            # has another MAC than the cached PAN)
            self.joined = j11.parse_broute_started(started.data)
            await self._request_locked(
                j11.CMD_OPEN_UDP, ECHONET_PORT.to_bytes(2, "big"), check=False
            )
            self._joining = True
            try:
                result = self._expect(j11.NOTIFY_PANA_RESULT)
                try:
                    await self._request_locked(j11.CMD_START_PANA)
                    frame = await self._wait(result, "PANA", self._timing.join_timeout)
                except DongleError:
                    return JoinOutcome.NO_RESPONSE
                finally:
                    self._forget(result)
            finally:
                self._joining = False
        if frame.result == j11.PANA_OK:
            return JoinOutcome.OK
        if frame.result == j11.PANA_FAILED:
            return JoinOutcome.REJECTED
        return JoinOutcome.NO_RESPONSE

    async def send(self, dest: str, payload: bytes) -> None:
        frame = await self.request(
            j11.CMD_SEND_UDP,
            j11.build_send_udp(j11.ipv6_bytes(dest), payload),
            limit=self._timing.send_timeout,
            check=False,
        )
        if not frame.ok:
            raise SendFailedError(f"J11 send failed: result {frame.result}")

    async def terminate(self) -> None:
        await self.request(j11.CMD_END_PANA, limit=self._timing.terminate_timeout, check=False)
