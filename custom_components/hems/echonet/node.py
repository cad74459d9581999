"""Nodes and objects as the controller knows them, with their statistics."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
import heapq
import itertools
import time
from typing import TYPE_CHECKING, Any

from .const import (
    EPC_GET_PROPERTY_MAP,
    EPC_IDENTIFICATION_NUMBER,
    EPC_INF_PROPERTY_MAP,
    EPC_MANUFACTURER_CODE,
    EPC_PRODUCT_CODE,
    EPC_PRODUCTION_DATE,
    EPC_PRODUCTION_NUMBER,
    EPC_SET_PROPERTY_MAP,
    EPC_VERSION_INFO,
)
from .frame import EOJ

if TYPE_CHECKING:
    from .definitions import ClassDef, PropertyDef


class Priority(IntEnum):
    """Request priorities: lower runs first."""

    USER = 0
    REFRESH = 1
    SETUP = 2
    POLL = 3


#: Properties read once when an object is set up, never polled.
STATIC_EPCS: frozenset[int] = frozenset(
    {
        EPC_VERSION_INFO,
        EPC_IDENTIFICATION_NUMBER,
        EPC_MANUFACTURER_CODE,
        0x8B,  # business facility code
        EPC_PRODUCT_CODE,
        EPC_PRODUCTION_NUMBER,
        EPC_PRODUCTION_DATE,
        EPC_INF_PROPERTY_MAP,
        EPC_SET_PROPERTY_MAP,
        EPC_GET_PROPERTY_MAP,
    }
)

_EWMA = 0.2
#: Reads without a hitch in a row before a learned capacity grows by one (doubling after
#: each failed trial).
GROW_AFTER = 8


class PriorityLock:
    """A lock whose waiters are served by priority, then in arrival order."""

    def __init__(self) -> None:
        self._locked = False
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    @property
    def locked(self) -> bool:
        """True while held."""
        return self._locked

    @property
    def waiting(self) -> int:
        """Number of waiters."""
        return sum(1 for _p, _s, fut in self._waiters if not fut.done())

    async def acquire(self, priority: int) -> None:
        """Wait for the lock."""
        if not self._locked and not self._waiters:
            self._locked = True
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (priority, next(self._seq), fut))
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                # We were handed the lock while being cancelled: pass it on.
                self.release()
            raise

    def release(self) -> None:
        """Hand the lock to the next waiter, or free it."""
        while self._waiters:
            _prio, _seq, fut = heapq.heappop(self._waiters)
            if not fut.done():
                fut.set_result(None)
                return
        self._locked = False


@dataclass(slots=True)
class ObjectStats:
    """Per-object request statistics."""

    capacity: int | None = None
    capacity_source: str | None = None  # "truncated", "silence" or "grown"
    silent_at: int | None = None
    successes: int = 0  # reads without a hitch in a row
    grow_after: int = GROW_AFTER  # successes before the next trial of a larger capacity
    trial: int | None = None  # the capacity being tried
    gets: int = 0
    sets: int = 0
    answered_epcs: int = 0


@dataclass(slots=True)
class NodeStats:
    """Per-node statistics for diagnostics."""

    requests: int = 0
    answers: int = 0
    timeouts: int = 0
    retries: int = 0
    ignored_frames: int = 0
    malformed_frames: int = 0
    notifications: int = 0
    latency_avg: float | None = None
    latency_max: float = 0.0
    last_answer: float | None = None  # time.monotonic()
    address_changes: int = 0

    def record_latency(self, seconds: float) -> None:
        """Fold one round trip into the moving average."""
        if self.latency_avg is None:
            self.latency_avg = seconds
        else:
            self.latency_avg += _EWMA * (seconds - self.latency_avg)
        self.latency_max = max(self.latency_max, seconds)
        self.last_answer = time.monotonic()

    def as_dict(self) -> dict[str, Any]:
        """JSON-able view."""
        return {
            "requests": self.requests,
            "answers": self.answers,
            "timeouts": self.timeouts,
            "retries": self.retries,
            "ignored_frames": self.ignored_frames,
            "malformed_frames": self.malformed_frames,
            "notifications": self.notifications,
            "latency_avg_ms": None
            if self.latency_avg is None
            else round(self.latency_avg * 1000, 1),
            "latency_max_ms": round(self.latency_max * 1000, 1),
            "address_changes": self.address_changes,
        }


class EchonetObject:
    """One ECHONET Lite object of a node (a device such as an air conditioner)."""

    def __init__(self, node: Node, eoj: EOJ, class_def: ClassDef) -> None:
        self.node = node
        self.eoj = eoj
        self.class_def = class_def
        self.get_map: frozenset[int] = frozenset()
        self.set_map: frozenset[int] = frozenset()
        self.inf_map: frozenset[int] = frozenset()
        self.values: dict[int, bytes] = {}
        self.updated: dict[int, float] = {}
        self.unsupported: set[int] = set()
        #: Property maps the device sent malformed (EPC -> what was wrong, with the EDT).
        self.malformed_maps: dict[int, str] = {}
        self.stats = ObjectStats()
        self.ready = False

    def __repr__(self) -> str:
        return f"<EchonetObject {self.eoj} of {self.node.uid} at {self.node.address}>"

    @property
    def class_code(self) -> int:
        """Class group and class code, e.g. 0x0130."""
        return self.eoj.class_code

    @property
    def pollable_epcs(self) -> list[int]:
        """Readable properties that change (maps and identity excluded), in EPC order."""
        return sorted(
            epc for epc in self.get_map if epc not in STATIC_EPCS and epc not in self.unsupported
        )

    def prop(self, epc: int) -> PropertyDef:
        """The definition of ``epc`` in this object's class."""
        return self.class_def.get(epc)

    def value(self, epc: int) -> Any:
        """Decoded current value of ``epc`` (None when unknown)."""
        edt = self.values.get(epc)
        if edt is None:
            return None
        return self.class_def.get(epc).decode(edt, self.values)

    def apply(self, values: Mapping[int, bytes]) -> dict[int, bytes]:
        """Store new raw values; return the ones that changed."""
        now = time.monotonic()
        changed: dict[int, bytes] = {}
        for epc, edt in values.items():
            self.updated[epc] = now
            if self.values.get(epc) != edt:
                self.values[epc] = edt
                changed[epc] = edt
        return changed


class Node:
    """An ECHONET Lite node, identified by its identification number (0x83)."""

    def __init__(self, uid: str, address: str) -> None:
        self.uid = uid
        self.address = address
        self.objects: dict[EOJ, EchonetObject] = {}
        self.profile: EchonetObject | None = None
        self.available = True
        self.stats = NodeStats()
        self.lock = PriorityLock()
        self.identified = False

    def __repr__(self) -> str:
        return f"<Node {self.uid} at {self.address}>"

    @property
    def manufacturer_code(self) -> int | None:
        """0x8A of the node profile."""
        if self.profile is None:
            return None
        edt = self.profile.values.get(EPC_MANUFACTURER_CODE)
        if edt is None or len(edt) != 3:
            return None
        return int.from_bytes(edt, "big")

    def object(self, eoj: EOJ) -> EchonetObject | None:
        """Object by EOJ (node profile included)."""
        if self.profile is not None and eoj == self.profile.eoj:
            return self.profile
        return self.objects.get(eoj)

    @property
    def timeout_scale(self) -> float:
        """Suggested request timeout from the node's observed latency (seconds)."""
        avg = self.stats.latency_avg
        return 0.0 if avg is None else 4 * avg


@dataclass(frozen=True, slots=True)
class NeverTogether:
    """Properties that a kind of device cannot answer in the same Get."""

    class_code: int
    epcs: frozenset[int]
    manufacturer: int | None = None
    reason: str = ""

    def applies(self, obj: EchonetObject) -> bool:
        """True for objects of this class (and maker, when given)."""
        return obj.class_code == self.class_code and (
            self.manufacturer is None or obj.node.manufacturer_code == self.manufacturer
        )


DEFAULT_RULES: tuple[NeverTogether, ...] = (
    NeverTogether(
        0x0287,
        frozenset({0xB3, 0xB7}),
        manufacturer=0x00000B,
        reason="Panasonic distribution boards drop a Get holding both 0xB3 and 0xB7",
    ),
)


@dataclass(slots=True)
class _Chunking:
    """Helper to split EPC lists into batches that respect capacity and rules."""

    capacity: int
    groups: list[frozenset[int]] = field(default_factory=list)

    def split(self, epcs: list[int]) -> list[list[int]]:
        chunks: list[list[int]] = []
        for epc in epcs:
            for chunk in chunks:
                if len(chunk) >= self.capacity:
                    continue
                if any(epc in g and any(o in g for o in chunk) for g in self.groups):
                    continue
                chunk.append(epc)
                break
            else:
                chunks.append([epc])
        return chunks


def plan_batches(
    epcs: list[int], capacity: int, rules: Iterable[frozenset[int]] = ()
) -> list[list[int]]:
    """Split ``epcs`` into Gets of at most ``capacity`` EPCs, never joining a rule's EPCs."""
    groups = [g for g in rules if len(g.intersection(epcs)) > 1]
    if not groups:
        return [epcs[i : i + capacity] for i in range(0, len(epcs), capacity)]
    return _Chunking(capacity, groups).split(epcs)
