"""The batch reader: Gets sized to what each object accepts, learned as it answers.

A read starts with batches of the object's learned capacity (``max_batch`` until something is
learned).  A truncated answer teaches the capacity; a silent batch is followed by a
one-property probe (is the node there at all?) and then sent again in halves.  Only missing
properties are asked again; Get_SNA / PDC 0 entries are refused for a while (see
:mod:`.refusals`: an answer refusing a whole Get marks nothing).  What a truncated answer
taught is kept as a :class:`CapacityLesson` until the retry shows whether it really was
truncation: when the retried properties all come back unsupported, their Get_SNA was merely
late, and the lesson is taken back.

A learned capacity is not for ever (a device refuses big Gets only while it is busy): after
``GROW_AFTER`` reads in a row that went without a hitch (a batch of the full size among them),
one more property is tried.  A trial that fails goes back to the size that worked, and the next
trial waits twice as long (up to ``MAX_GROW_AFTER`` reads), so a device with a real limit costs
a failed Get very rarely.

An address that never answered (a node being set up, not identified yet) gets one frame per
read: no retries and no splitting after silence, so a stranger's INF is never amplified.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
import logging
import time
from typing import Final

from .const import ESV
from .errors import RequestTimeoutError
from .events import ControllerEvent, PropertiesUpdated
from .node import GROW_AFTER, EchonetObject, NeverTogether, Node, ObjectStats, plan_batches
from .refusals import answered as forget_refusals, refuse, release_due, transient
from .requests import PendingRequest, RequestEngine

_LOGGER = logging.getLogger(__name__)

#: Largest Get we start with; objects that accept less are learned.
DEFAULT_MAX_BATCH: Final = 60
__all__ = ["DEFAULT_MAX_BATCH", "GROW_AFTER", "MAX_GROW_AFTER", "BatchReader", "CapacityLesson"]
#: A property missing from this many answers in a row is given up for this read.
MAX_MISSES: Final = 2
#: The longest wait (in full batches) between trials of a larger capacity.
MAX_GROW_AFTER: Final = 1024

NodeCallback = Callable[[Node], None]


@dataclass(frozen=True, slots=True)
class CapacityLesson:
    """A capacity learned from a truncated answer, with what it replaced (to take it back)."""

    retried: frozenset[int]
    previous_capacity: int | None
    previous_source: str | None

    @classmethod
    def before(cls, stats: ObjectStats, retried: Iterable[int]) -> CapacityLesson:
        """Remember ``stats``' capacity before learning from the answer missing ``retried``."""
        return cls(frozenset(retried), stats.capacity, stats.capacity_source)

    def take_back(self, stats: ObjectStats) -> None:
        """Restore the capacity known before the lesson."""
        stats.capacity, stats.capacity_source = self.previous_capacity, self.previous_source


@dataclass(slots=True)
class _Read:
    """The state of one adaptive read of one object."""

    obj: EchonetObject
    rules: list[frozenset[int]]
    attempts: int
    queue: deque[list[int]] = field(default_factory=deque)
    misses: dict[int, int] = field(default_factory=dict)
    failed: list[int] = field(default_factory=list)
    out: dict[int, bytes] = field(default_factory=dict)
    lesson: CapacityLesson | None = None
    full: bool = False  # a batch of the learned size was answered completely
    trouble: bool = False  # silence or a truncated answer

    def rest(self) -> list[int]:
        """The properties still queued, in order."""
        return [e for c in self.queue for e in c]

    def replan(self, epcs: list[int], capacity: int, *, first: list[int] | None = None) -> None:
        """Queue ``epcs`` again in batches of ``capacity`` (after ``first``, if given)."""
        self.queue.clear()
        if first is not None:
            self.queue.append(first)
        self.queue.extend(plan_batches(epcs, capacity, self.rules))


def proven(node: Node) -> bool:
    """Whether ``node`` is known or has answered (a stranger gets no retries)."""
    return node.identified or node.stats.answers > 0


class BatchReader:
    """Reads properties with adaptive batching (see the module docstring)."""

    def __init__(
        self,
        engine: RequestEngine,
        *,
        rules: Iterable[NeverTogether],
        max_batch: int,
        answered: NodeCallback,
        silent: NodeCallback,
        emit: Callable[[ControllerEvent], None],
    ) -> None:
        self.engine = engine
        self.rules = tuple(rules)
        self.max_batch = max(1, min(max_batch, 255))
        self._answered = answered
        self._silent = silent
        self._emit = emit

    def capacity(self, obj: EchonetObject) -> int:
        """How many properties one Get to ``obj`` asks for."""
        return obj.stats.capacity or self.max_batch

    async def read(
        self,
        obj: EchonetObject,
        epcs: Iterable[int],
        priority: int,
        *,
        emit: bool = True,
    ) -> dict[int, bytes]:
        """Read properties.  Raises RequestTimeoutError when the node is silent."""
        node = obj.node
        if obj.unsupported:
            release_due(obj, time.monotonic())
        want = [e for e in dict.fromkeys(epcs) if e not in obj.unsupported]
        if not want:
            return {}
        rules = [r.epcs for r in self.rules if r.applies(obj)]
        retries = self.engine.retries if node.available and proven(node) else 0
        read = _Read(obj, rules, 1 + retries)
        read.replan(want, self.capacity(obj))
        try:
            while read.queue:
                chunk = read.queue.popleft()
                pending = await self.engine.exchange(
                    node,
                    obj.eoj,
                    ESV.GET,
                    [(e, b"") for e in chunk],
                    priority,
                    read.attempts if len(chunk) == 1 else 1,
                )
                if pending is None:
                    self._after_silence(read, chunk)
                else:
                    self._after_answer(read, chunk, pending)
            if read.full and not read.trouble:
                self._succeeded(obj)
        finally:
            if read.out:
                changes = obj.apply(read.out)
                obj.stats.answered_epcs += len(read.out)
                if emit and changes:
                    self._emit(PropertiesUpdated(obj, changes, "get"))
        return read.out

    def _after_silence(self, read: _Read, chunk: list[int]) -> None:
        """No answer to ``chunk``: give up (one property) or probe, then halve the batches."""
        obj = read.obj
        read.trouble = True
        if len(chunk) == 1 or not proven(obj.node):
            self._silent(obj.node)
            raise RequestTimeoutError(
                f"{obj.eoj} at {obj.node.address} did not answer",
                missing=(*chunk, *read.rest(), *read.failed),
            )
        # Silence for a batch: ask for one property first (is the node there?), then send
        # the rest in smaller batches.
        self.learn_capacity(obj, max(1, len(chunk) // 2), "silence", len(chunk))
        read.replan(chunk[1:] + read.rest(), self.capacity(obj), first=chunk[:1])

    def _after_answer(self, read: _Read, chunk: list[int], pending: PendingRequest) -> None:
        """Keep the values, mark the unsupported, learn from truncation, queue what is left."""
        obj = read.obj
        self._answered(obj.node)
        obj.stats.gets += 1
        read.out.update(pending.values)
        if pending.values:
            forget_refusals(obj, pending.values)
        lesson = read.lesson
        if lesson is not None and lesson.retried.issubset(chunk):
            if all(e in pending.empty for e in lesson.retried):
                # What looked like truncation were unsupported properties whose Get_SNA
                # came late: forget what was learned from it.
                lesson.take_back(obj.stats)
            read.lesson = None
        if transient(chunk, pending.empty, len(pending.values)):
            # Every property refused: the device is busy or booting, not lacking them all.
            # Nothing is marked; the next poll asks again.
            _LOGGER.debug("%s at %s refused a whole Get", obj.eoj, obj.node.address)
            return
        if pending.empty:
            refuse(obj, pending.empty, time.monotonic())
        missing = [e for e in chunk if e not in pending.values and e not in pending.empty]
        if not missing:
            if obj.stats.capacity is not None and len(chunk) >= obj.stats.capacity:
                read.full = True
                obj.stats.trial = None  # a trial that worked: the capacity now
            return
        read.trouble = True
        retry = self._count_misses(read, missing)
        answered = len(chunk) - len(missing)
        if answered and retry:
            read.lesson = CapacityLesson.before(obj.stats, retry)
            self.learn_capacity(obj, answered, "truncated", len(chunk))
        if retry:
            read.replan(retry + read.rest(), self.capacity(obj))

    @staticmethod
    def _count_misses(read: _Read, missing: Sequence[int]) -> list[int]:
        """The missing properties to ask again; those missing too often fail."""
        retry: list[int] = []
        for epc in missing:
            read.misses[epc] = read.misses.get(epc, 0) + 1
            (read.failed if read.misses[epc] > MAX_MISSES else retry).append(epc)
        return retry

    def _succeeded(self, obj: EchonetObject) -> None:
        """A read went without a hitch at the learned size: grow after enough of them."""
        stats = obj.stats
        assert stats.capacity is not None  # a full batch was answered
        stats.successes += 1
        if stats.successes < stats.grow_after:
            return
        stats.successes = 0
        grown = stats.capacity + 1
        if grown >= self.max_batch:
            stats.capacity = stats.capacity_source = None
            return
        stats.capacity, stats.capacity_source, stats.trial = grown, "grown", grown
        _LOGGER.debug("%s at %s: trying Gets of %d", obj.eoj, obj.node.address, grown)

    def learn_capacity(self, obj: EchonetObject, capacity: int, source: str, tried: int) -> None:
        """Lower ``obj``'s batch capacity to ``capacity`` (``source``: why; ``tried``: size)."""
        stats = obj.stats
        stats.successes = 0
        if stats.trial is not None:
            if tried >= stats.trial:
                # The trial of a larger size failed: back to the size that worked, and wait
                # twice as long before the next trial.
                capacity = max(capacity, stats.trial - 1)
                stats.grow_after = min(MAX_GROW_AFTER, stats.grow_after * 2)
            stats.trial = None
        if stats.capacity is not None and stats.capacity <= capacity:
            return
        stats.capacity = capacity
        stats.capacity_source = source
        if source == "silence":
            stats.silent_at = tried if stats.silent_at is None else min(stats.silent_at, tried)
        _LOGGER.debug(
            "%s at %s: Gets limited to %d properties (%s at %d)",
            obj.eoj,
            obj.node.address,
            capacity,
            source,
            tried,
        )
