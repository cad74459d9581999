"""The meter's ECHONET Lite requests over a :class:`~.connection.Connection`.

One request at a time (the meter is slow and the radio shared), paced ``Timing.pacing`` apart;
a FAIL ER10 (the radio could not send) is retried a few times before the connection is given
up.  Gets are batched: the first batch is ``INITIAL_BATCH`` properties, halved while the meter
stays silent, and a size that was answered once is trusted.  Properties the meter refuses
(Get_SNA) are remembered as unsupported and not asked again.  :meth:`MeterRequests.next_tid`
is the one place TIDs are allocated.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
import logging
import random
import time
from typing import Final

from ..echonet.const import ANSWERS, ESV
from ..echonet.frame import CONTROLLER, Frame, build
from . import meter as m
from .connection import Connection, SessionStats
from .errors import (
    DongleError,
    DongleUnavailableError,
    MeterRejectedError,
    MeterTimeoutError,
    NotConnectedError,
    SendFailedError,
)
from .models import Timing

_LOGGER = logging.getLogger(__name__)

#: First batch size tried (the cycle plus the scaling properties).
INITIAL_BATCH: Final = 7


@dataclass(slots=True)
class PendingRequest:
    """One request to the meter and what has come back for it so far."""

    esv: int
    epcs: tuple[int, ...]
    future: asyncio.Future[None]
    answers: dict[int, bytes] = field(default_factory=dict)
    rejected: dict[int, bytes] = field(default_factory=dict)

    def absorb(self, frame: Frame) -> None:
        """Take in an answering frame; done once every property has an answer."""
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
        """Whether part of the answer came."""
        return bool(self.answers or self.rejected)


class MeterRequests:
    """Gets and Sets to the meter (see the module docstring)."""

    def __init__(self, connection: Connection, timing: Timing, stats: SessionStats) -> None:
        self._connection = connection
        self._timing = timing
        self.stats = stats
        self._tid = random.randint(1, 0xFFFF)
        self._pending: dict[int, PendingRequest] = {}
        self._request_lock = asyncio.Lock()
        self._last_send = 0.0
        self._unsupported: set[int] = set()
        self._batch_limit = INITIAL_BATCH
        self._batch_confirmed = 1

    @property
    def unsupported(self) -> frozenset[int]:
        """The properties the meter refused (not asked again)."""
        return frozenset(self._unsupported)

    @property
    def in_flight(self) -> Mapping[int, PendingRequest]:
        """The request waiting for its answer, by TID (a read-only view)."""
        return self._pending

    def forget_meter(self) -> None:
        """Another meter: forget what was learned about this one."""
        self._unsupported.clear()
        self._batch_limit = INITIAL_BATCH
        self._batch_confirmed = 1

    def answer(self, frame: Frame) -> None:
        """Take ``frame`` (from the meter's object to our controller) as an answer."""
        pending = self._pending.get(frame.tid)
        if pending is None or frame.esv not in ANSWERS[pending.esv]:
            return
        pending.absorb(frame)

    def fail_all(self, err: Exception) -> None:
        """Fail every request waiting for an answer with ``err``."""
        for pending in self._pending.values():
            if not pending.future.done():
                pending.future.set_exception(err)
                pending.future.exception()  # mark retrieved

    def next_tid(self) -> int:
        """The next TID (the one place TIDs are allocated)."""
        self._tid = self._tid % 0xFFFF + 1
        return self._tid

    async def send(self, payload: bytes, *, ready_wait: float | None = None) -> None:
        """Hand one frame to the radio: wait until connected, pace, retry FAIL ER10."""
        t = self._timing
        deadline = time.monotonic() + (t.ready_timeout if ready_wait is None else ready_wait)
        failures = 0
        while True:
            await self._connection.wait_ready(deadline)
            gap = self._last_send + t.pacing - time.monotonic()
            if gap > 0:
                await asyncio.sleep(gap)
                continue  # the state may have changed meanwhile
            modem, addr = self._connection.modem, self._connection.meter_address
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
                    self._connection.signal_lost("send")
                    raise
                await asyncio.sleep(t.er10_delay * failures)
                continue
            except DongleError as err:
                if not self._connection.port_open:
                    raise DongleUnavailableError(str(err)) from err
                self._connection.note_timeout()  # the open dongle did not answer
                raise
            self.stats.frames_sent += 1
            return

    async def request(
        self, esv: ESV, props: list[tuple[int, bytes]], *, attempts: int | None = None
    ) -> PendingRequest:
        """Send one request (with retries) and wait for its answer, complete or partial."""
        epcs = tuple(epc for epc, _ in props)
        async with self._request_lock:
            tid = self.next_tid()
            payload = build(tid, CONTROLLER, m.METER, esv, props)
            pending = PendingRequest(esv, epcs, asyncio.get_running_loop().create_future())
            self._pending[tid] = pending
            try:
                for _ in range(attempts or self._timing.request_attempts):
                    await self.send(payload)
                    if esv == ESV.GET:
                        self.stats.get_frames += 1
                    else:  # SetC: the only other request the driver sends
                        self.stats.set_frames += 1
                    try:
                        await asyncio.wait_for(
                            asyncio.shield(pending.future), self._timing.response_timeout
                        )
                        return pending
                    except TimeoutError:
                        self.stats.timeouts += 1
                        self._connection.note_timeout()
                        if pending.partial:
                            return pending
                raise MeterTimeoutError(
                    "the meter did not answer " + " ".join(f"0x{e:02X}" for e in epcs),
                    missing=epcs,
                )
            finally:
                self._pending.pop(tid, None)

    async def get(self, epcs: list[int]) -> dict[int, bytes | None]:
        """Get ``epcs`` (batched); None for the properties the meter has no value for."""
        result: dict[int, bytes | None] = {}
        queue = list(dict.fromkeys(epcs))
        while queue:
            batch = queue[: self._batch_limit]
            trusted = len(batch) <= self._batch_confirmed
            try:
                pending = await self.request(
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

    async def set(self, epc: int, edt: bytes) -> None:
        """SetC one property; raise :class:`MeterRejectedError` when refused."""
        pending = await self.request(ESV.SETC, [(epc, edt)])
        if epc in pending.rejected or epc not in pending.answers:
            raise MeterRejectedError(f"the meter refused to set 0x{epc:02X}", rejected={epc: edt})


__all__ = ["INITIAL_BATCH", "MeterRequests", "PendingRequest"]
