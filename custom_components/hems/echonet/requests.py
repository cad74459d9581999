"""The request engine: TIDs, one request in flight per node, retries, answers correlated.

Every request the controller sends takes its TID from :meth:`RequestEngine.next_tid`, the one
place TIDs are allocated: drawn at random (:mod:`secrets`) for each request, never one in flight,
so that a host that saw one TID cannot forge the answers to the next requests.  An answer is
matched by TID, then checked against the request: the sender address, the EOJs and the service
must fit, or the frame is ignored (and counted); the source port may differ.  A Get's answer
may come in parts (a Get_Res followed by a Get_SNA): the request waits
``SPLIT_GRACE`` for the rest once part of it arrived.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
import secrets
import time
from typing import Final

from .const import ESV
from .errors import EchonetError
from .frame import CONTROLLER, EOJ, Frame, build
from .node import Node
from .transport import EchonetTransport

#: How long to wait for the rest of a split answer (Get_Res followed by Get_SNA).
SPLIT_GRACE: Final = 0.05
#: The services that answer each request service.
ANSWERING_SERVICES: Final[dict[int, frozenset[int]]] = {
    ESV.GET: frozenset({ESV.GET_RES, ESV.GET_SNA}),
    # Some stacks (uecho 1.0.3) refuse a SetC with SetI_SNA (0x50): accept it as the refusal.
    ESV.SETC: frozenset({ESV.SET_RES, ESV.SETC_SNA, ESV.SETI_SNA}),
    ESV.INF_REQ: frozenset({ESV.INF, ESV.INF_SNA}),
    ESV.SETGET: frozenset({ESV.SETGET_RES, ESV.SETGET_SNA}),
}
#: The refusals.
SNA: Final = frozenset({ESV.GET_SNA, ESV.SETC_SNA, ESV.INF_SNA, ESV.SETGET_SNA, ESV.SETI_SNA})

#: ``ignore(host, frame, why)``: count and log a frame that answers nothing we asked.
IgnoreCallback = Callable[[str, Frame, str], None]


class PendingRequest:
    """One request on the wire and what has come back for it so far."""

    __slots__ = (
        "answer_esv",
        "deoj",
        "empty",
        "frames",
        "future",
        "grace",
        "host",
        "node",
        "request_esv",
        "sent_at",
        "values",
        "want",
    )

    def __init__(
        self,
        node: Node,
        host: str,
        deoj: EOJ,
        request_esv: int,
        want: Sequence[int],
        future: asyncio.Future[None],
    ) -> None:
        self.node = node
        self.host = host
        self.deoj = deoj
        self.request_esv = request_esv
        self.want = frozenset(want)
        self.future = future
        self.values: dict[int, bytes] = {}
        self.empty: dict[int, bytes] = {}  # PDC 0 / SNA entries (SNA: rejected EDT)
        self.answer_esv: int | None = None
        self.frames = 0
        self.grace: asyncio.TimerHandle | None = None
        self.sent_at = 0.0

    def covered(self) -> bool:
        """Whether every property asked for has an answer (a value or a refusal)."""
        return len(self.values) + len(self.empty) >= len(self.want)

    def finish(self) -> None:
        """Wake the requester (also when the grace for a split answer ran out)."""
        self.cancel_grace()
        if not self.future.done():
            self.future.set_result(None)

    def cancel_grace(self) -> None:
        """Stop waiting for the rest of a split answer."""
        if self.grace is not None:
            self.grace.cancel()
            self.grace = None

    def absorb(self, frame: Frame) -> None:
        """Take in one answering frame (already checked to answer this request)."""
        if self.answer_esv is None or frame.esv in SNA:
            self.answer_esv = frame.esv
        self.frames += 1
        if self.request_esv == ESV.GET:
            for epc, edt in frame.props:
                if epc in self.want:
                    if edt:
                        self.values[epc] = edt
                    else:
                        self.empty[epc] = edt
            if self.covered():
                self.finish()
            elif self.grace is None:
                # Part of the answer: a split Get_Res/Get_SNA or a truncated answer.
                self.grace = asyncio.get_running_loop().call_later(SPLIT_GRACE, self.finish)
            return
        sna = frame.esv in SNA
        for epc, edt in frame.props:
            if epc not in self.want:
                continue
            if sna and edt:
                self.empty[epc] = edt  # rejected value
            else:
                self.values[epc] = edt
        self.finish()


class RequestEngine:
    """Sends requests and correlates their answers (see the module docstring).

    ``timeout`` is the first wait for an answer; it grows by half of itself per attempt and
    with a node's ``timeout_scale``, up to ``max_timeout``.  ``retries`` is how many times a
    request to an answering node is sent again.
    """

    def __init__(
        self,
        transport: EchonetTransport,
        ignore: IgnoreCallback,
        *,
        timeout: float,
        max_timeout: float,
        retries: int,
    ) -> None:
        self.transport = transport
        self.timeout = timeout
        self.max_timeout = max_timeout
        self.retries = retries
        self._ignore = ignore
        self._pending: dict[int, PendingRequest] = {}

    @property
    def in_flight(self) -> Mapping[int, PendingRequest]:
        """The requests waiting for an answer, by TID (a read-only view)."""
        return self._pending

    def next_tid(self) -> int:
        """A random TID (1-0xFFFF) no request in flight uses."""
        if len(self._pending) >= 0xFFFF:  # pragma: no cover - one request per node in flight
            raise EchonetError("no free TID")
        while True:
            tid = secrets.randbelow(0xFFFF) + 1
            if tid not in self._pending:
                return tid

    def timeout_for(self, node: Node, attempt: int) -> float:
        """How long attempt ``attempt`` (0 first) waits for ``node``."""
        base = max(self.timeout, node.timeout_scale)
        return min(self.max_timeout, base * (1.0 + 0.5 * attempt))

    async def exchange(
        self,
        node: Node,
        deoj: EOJ,
        esv: int,
        props: Sequence[tuple[int, bytes]],
        priority: int,
        attempts: int,
    ) -> PendingRequest | None:
        """Send a request (holding the node's lock) and wait for its answer.

        Returns the answer, or None when the node stayed silent through every attempt.
        """
        want = [epc for epc, _ in props]
        await node.lock.acquire(priority)
        try:
            for attempt in range(attempts):
                if attempt:
                    node.stats.retries += 1
                pending = await self._attempt(node, deoj, esv, props, want, attempt)
                if pending.answer_esv is not None:
                    return pending
                node.stats.timeouts += 1
            return None
        finally:
            node.lock.release()

    async def _attempt(
        self,
        node: Node,
        deoj: EOJ,
        esv: int,
        props: Sequence[tuple[int, bytes]],
        want: Sequence[int],
        attempt: int,
    ) -> PendingRequest:
        """Send once with a new TID; wait for the answer or the attempt's timeout."""
        tid = self.next_tid()
        future = asyncio.get_running_loop().create_future()
        pending = PendingRequest(node, node.address, deoj, esv, want, future)
        self._pending[tid] = pending
        try:
            data = build(tid, CONTROLLER, deoj, esv, props)
            pending.sent_at = time.monotonic()
            node.stats.requests += 1
            self.transport.send(data, node.address)
            try:
                async with asyncio.timeout(self.timeout_for(node, attempt)):
                    await asyncio.shield(pending.future)
            except TimeoutError:
                pass
        finally:
            self._pending.pop(tid, None)
            pending.cancel_grace()
        return pending

    def waiting(self, tid: int) -> PendingRequest | None:
        """The request in flight with ``tid``."""
        return self._pending.get(tid)

    def on_answer(self, pending: PendingRequest, frame: Frame, host: str) -> None:
        """Take ``frame`` as (part of) the answer to ``pending`` if it fits the request."""
        if pending.future.done():
            self._ignore(host, frame, "request already answered (duplicate)")
            return
        if host != pending.host:
            self._ignore(host, frame, f"answer from {host}, request went to {pending.host}")
            return
        if not pending.deoj.matches(frame.seoj) or frame.deoj.class_code != CONTROLLER.class_code:
            self._ignore(host, frame, "EOJs do not match the request")
            return
        if frame.esv not in ANSWERING_SERVICES.get(pending.request_esv, ()):
            self._ignore(host, frame, "service does not answer the request")
            return
        if pending.answer_esv is None:
            pending.node.stats.answers += 1
            pending.node.stats.record_latency(time.monotonic() - pending.sent_at)
        pending.absorb(frame)

    def cancel_all(self) -> None:
        """Cancel every request in flight (the controller stops)."""
        for pending in self._pending.values():
            pending.cancel_grace()
            if not pending.future.done():
                pending.future.cancel()
        self._pending.clear()
