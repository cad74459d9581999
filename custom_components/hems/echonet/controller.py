"""ECHONET Lite controller: discovery, per-node request scheduling, adaptive batching, push.

The controller keeps one :class:`Node` per ECHONET Lite node, keyed by its identification
number (node profile 0x83), and follows a node to a new IP address.  Requests to a node are
serialised (one in flight per node) by a priority lock: user Sets before explicit refreshes
before polling.  Answers are correlated by sender address, TID and EOJs; everything else is
ignored and counted.  Get requests adapt their size to what each object accepts.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
import logging
import os
import random
import time
from typing import Final

from .const import (
    EPC_GET_PROPERTY_MAP,
    EPC_IDENTIFICATION_NUMBER,
    EPC_INF_PROPERTY_MAP,
    EPC_INSTANCE_LIST_NOTIFICATION,
    EPC_MANUFACTURER_CODE,
    EPC_PRODUCT_CODE,
    EPC_PRODUCTION_NUMBER,
    EPC_SELF_NODE_INSTANCE_LIST,
    EPC_SET_PROPERTY_MAP,
    EPC_VERSION_INFO,
    ESV,
)
from .definitions import class_or_generic, preload as preload_definitions
from .errors import (
    DeviceRejectedError,
    EchonetError,
    FrameError,
    RequestTimeoutError,
    UnknownNodeError,
)
from .frame import CONTROLLER, EOJ, NODE_PROFILE, Frame, build
from .node import (
    DEFAULT_RULES,
    STATIC_EPCS,
    EchonetObject,
    NeverTogether,
    Node,
    Priority,
    plan_batches,
)
from .propmap import decode_property_map, encode_property_map
from .transport import Address, EchonetTransport

_LOGGER = logging.getLogger(__name__)

#: Largest Get we start with; objects that accept less are learned.
DEFAULT_MAX_BATCH: Final = 60
#: How long to wait for the rest of a split answer (Get_Res followed by Get_SNA).
SPLIT_GRACE: Final = 0.05
#: Node profile properties read to identify a node.
IDENTITY_EPCS: Final = (
    EPC_IDENTIFICATION_NUMBER,
    EPC_MANUFACTURER_CODE,
    EPC_VERSION_INFO,
    EPC_SELF_NODE_INSTANCE_LIST,
    EPC_PRODUCT_CODE,
    EPC_PRODUCTION_NUMBER,
    EPC_GET_PROPERTY_MAP,
)
#: Object properties read at setup before the first full read.
SETUP_EPCS: Final = (
    EPC_GET_PROPERTY_MAP,
    EPC_SET_PROPERTY_MAP,
    EPC_INF_PROPERTY_MAP,
    EPC_MANUFACTURER_CODE,
    EPC_VERSION_INFO,
    EPC_IDENTIFICATION_NUMBER,
    EPC_PRODUCT_CODE,
    EPC_PRODUCTION_NUMBER,
)
_ANSWERS: Final[dict[int, frozenset[int]]] = {
    ESV.GET: frozenset({ESV.GET_RES, ESV.GET_SNA}),
    # Some stacks (uecho 1.0.3) refuse a SetC with SetI_SNA (0x50): accept it as the refusal.
    ESV.SETC: frozenset({ESV.SET_RES, ESV.SETC_SNA, ESV.SETI_SNA}),
    ESV.INF_REQ: frozenset({ESV.INF, ESV.INF_SNA}),
    ESV.SETGET: frozenset({ESV.SETGET_RES, ESV.SETGET_SNA}),
}
_SNA: Final = frozenset({ESV.GET_SNA, ESV.SETC_SNA, ESV.INF_SNA, ESV.SETGET_SNA, ESV.SETI_SNA})


# --------------------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class NodeAdded:
    """A new node and all its objects were read."""

    node: Node


@dataclass(frozen=True, slots=True)
class ObjectAdded:
    """A node gained an object after it was added."""

    obj: EchonetObject


@dataclass(frozen=True, slots=True)
class NodeAvailability:
    """A node started or stopped answering."""

    node: Node
    available: bool


@dataclass(frozen=True, slots=True)
class NodeAddressChanged:
    """A known node answered from a new IP address."""

    node: Node
    old_address: str
    new_address: str


@dataclass(frozen=True, slots=True)
class PropertiesUpdated:
    """Property values of an object changed (``source``: "inf", "get" or "set")."""

    obj: EchonetObject
    changes: Mapping[int, bytes]
    source: str


ControllerEvent = (
    NodeAdded | ObjectAdded | NodeAvailability | NodeAddressChanged | PropertiesUpdated
)
Listener = Callable[[ControllerEvent], None]


@dataclass(slots=True)
class _Subscription:
    callback: Listener
    uid: str | None
    eoj: EOJ | None
    epcs: frozenset[int] | None

    def wants(self, event: ControllerEvent) -> bool:
        if not isinstance(event, PropertiesUpdated):
            node = getattr(event, "node", None) or getattr(event, "obj").node  # noqa: B009
            return self.uid is None or node.uid == self.uid
        obj = event.obj
        if self.uid is not None and obj.node.uid != self.uid:
            return False
        if self.eoj is not None and obj.eoj != self.eoj:
            return False
        return self.epcs is None or not self.epcs.isdisjoint(event.changes)


# --------------------------------------------------------------------------- requests


class _Pending:
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
        return len(self.values) + len(self.empty) >= len(self.want)

    def finish(self) -> None:
        if self.grace is not None:
            self.grace.cancel()
            self.grace = None
        if not self.future.done():
            self.future.set_result(None)


class Controller:
    """ECHONET Lite controller bound to one interface address."""

    def __init__(
        self,
        interface_address: str,
        *,
        hosts: Iterable[str] = (),
        discovery_interval: float = 300.0,
        timeout: float = 3.0,
        max_timeout: float = 15.0,
        retries: int = 2,
        max_batch: int = DEFAULT_MAX_BATCH,
        multicast: bool = True,
        rules: Iterable[NeverTogether] = DEFAULT_RULES,
        port: int = 3610,
        identification: bytes | None = None,
    ) -> None:
        self.interface_address = interface_address
        self.hosts = list(dict.fromkeys(hosts))
        self.discovery_interval = discovery_interval
        self.timeout = timeout
        self.max_timeout = max_timeout
        self.retries = retries
        self.max_batch = max(1, min(max_batch, 255))
        self.multicast = multicast
        self.rules = tuple(rules)
        self.identification = identification or (b"\xfe\xff\xff\xff" + os.urandom(13))
        self.transport = EchonetTransport(
            interface_address,
            self._on_frame,
            on_bad_frame=self._on_bad_frame,
            port=port,
            multicast=multicast,
        )
        self.nodes: dict[str, Node] = {}
        self._by_address: dict[str, Node] = {}
        self._pending: dict[int, _Pending] = {}
        self._discovery_tids: deque[int] = deque(maxlen=16)
        self._tid = random.randrange(1, 0xFFFF)
        self._subs: list[_Subscription] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._setups: dict[str, asyncio.Task[None]] = {}
        self._probe_backoff: dict[str, float] = {}
        self._probe_failures: dict[str, int] = {}
        self._last_resync: dict[str, float] = {}
        self._discovery_task: asyncio.Task[None] | None = None
        self.ignored_frames = 0
        self.malformed_frames = 0
        self._started = False

    # ------------------------------------------------------------------ lifecycle

    async def start(self, *, discover: bool = True) -> None:
        """Open the sockets, then (optionally) start discovery and its periodic repeat."""
        # The definitions are read from disk once, in a thread, not inside the event loop.
        await asyncio.get_running_loop().run_in_executor(None, preload_definitions)
        await self.transport.start()
        self._started = True
        if discover:
            self._discovery_task = asyncio.get_running_loop().create_task(
                self._discovery_loop(), name="hems-echonet-discovery"
            )

    async def stop(self) -> None:
        """Cancel every task, fail pending requests, close the sockets."""
        self._started = False
        tasks = [t for t in (self._discovery_task, *self._tasks, *self._setups.values()) if t]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._discovery_task = None
        self._tasks.clear()
        self._setups.clear()
        for pending in self._pending.values():
            if pending.grace is not None:
                pending.grace.cancel()
            if not pending.future.done():
                pending.future.cancel()
        self._pending.clear()
        self.transport.close()
        await self.transport.wait_closed()

    async def __aenter__(self) -> Controller:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ listeners

    def subscribe(
        self,
        callback: Listener,
        *,
        uid: str | None = None,
        eoj: EOJ | None = None,
        epcs: Iterable[int] | None = None,
    ) -> Callable[[], None]:
        """Call ``callback`` for events (optionally only of one node/object/properties).

        Returns a function that removes the subscription.
        """
        sub = _Subscription(callback, uid, eoj, None if epcs is None else frozenset(epcs))
        self._subs.append(sub)

        def _remove() -> None:
            if sub in self._subs:
                self._subs.remove(sub)

        return _remove

    def _emit(self, event: ControllerEvent) -> None:
        for sub in list(self._subs):
            if sub.wants(event):
                try:
                    sub.callback(event)
                except Exception:
                    _LOGGER.exception("Error in ECHONET Lite listener %s", sub.callback)

    # ------------------------------------------------------------------ lookup

    def node_at(self, address: str) -> Node | None:
        """The node currently at ``address``."""
        return self._by_address.get(address)

    def get_object(self, uid: str, eoj: EOJ) -> EchonetObject:
        """Object by node identification and EOJ; raises :class:`UnknownNodeError`."""
        node = self.nodes.get(uid)
        obj = node.object(eoj) if node else None
        if obj is None:
            raise UnknownNodeError(f"no object {eoj} on node {uid}")
        return obj

    def objects(self) -> Iterable[EchonetObject]:
        """Every device object of every node."""
        for node in self.nodes.values():
            yield from node.objects.values()

    # ------------------------------------------------------------------ discovery

    async def _discovery_loop(self) -> None:
        delay = 1.0
        # Quick rounds at start (multicast is lossy) until a round finds nothing new, then the
        # slow period.
        for round_ in range(6):
            before = len(self.nodes) + len(self._setups)
            self.discover()
            await asyncio.sleep(delay)
            await self.wait_for_setups()
            if round_ >= 2 and len(self.nodes) + len(self._setups) == before:
                break
            delay = min(delay * 2, 8.0)
        while True:
            await asyncio.sleep(self.discovery_interval)
            self.discover()

    def discover(self) -> None:
        """Multicast Get 0x0EF001 0xD6 and probe the configured hosts."""
        if not self._started:
            return
        tid = self._next_tid()
        self._discovery_tids.append(tid)
        data = build(tid, CONTROLLER, NODE_PROFILE, ESV.GET, [(EPC_SELF_NODE_INSTANCE_LIST, b"")])
        if self.multicast:
            self.transport.send_multicast(data)
        for host in self.hosts:
            if host not in self._by_address:
                self.transport.send(data, host)

    async def async_discover(self, wait: float = 2.0) -> list[Node]:
        """Discover now, wait ``wait`` seconds for answers and for the nodes' setup."""
        self.discover()
        await asyncio.sleep(wait)
        await self.wait_for_setups()
        return list(self.nodes.values())

    async def wait_for_setups(self) -> None:
        """Wait until nodes being set up are ready (or failed)."""
        while self._setups:
            await asyncio.gather(*list(self._setups.values()), return_exceptions=True)
            # Let the tasks' done callbacks run (they remove them from _setups).
            await asyncio.sleep(0)

    async def probe(self, host: str) -> Node:
        """Set up the node at ``host`` by unicast (for networks without multicast)."""
        if host not in self.hosts:
            self.hosts.append(host)
        self._start_setup(host, None, force=True)
        task = self._setups.get(host)
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)
        node = self._by_address.get(host)
        if node is None:
            raise RequestTimeoutError(f"no ECHONET Lite node answered at {host}")
        return node

    def _start_setup(self, host: str, instances: list[EOJ] | None, *, force: bool = False) -> None:
        if host in self._setups or not self._started:
            return
        if not force and self._probe_backoff.get(host, 0.0) > time.monotonic():
            return
        task = asyncio.get_running_loop().create_task(
            self._setup_address(host, instances), name=f"hems-echonet-setup-{host}"
        )
        self._setups[host] = task

        def _done(_task: asyncio.Task[None]) -> None:
            if self._setups.get(host) is _task:
                del self._setups[host]

        task.add_done_callback(_done)

    async def _setup_address(self, host: str, instances: list[EOJ] | None) -> None:
        try:
            await self._setup_address_inner(host, instances)
        except asyncio.CancelledError:
            raise
        except EchonetError as err:
            self._back_off_probe(host)
            _LOGGER.debug("Setting up the ECHONET Lite node at %s failed: %s", host, err)
        except Exception:
            self._back_off_probe(host)
            _LOGGER.exception("Unexpected error setting up the ECHONET Lite node at %s", host)

    def _back_off_probe(self, host: str) -> None:
        """Wait before setting up ``host`` again: 5 s, doubling up to 5 minutes."""
        failures = self._probe_failures.get(host, 0) + 1
        self._probe_failures[host] = failures
        self._probe_backoff[host] = time.monotonic() + min(300.0, 5.0 * 2 ** (failures - 1))

    async def _setup_address_inner(self, host: str, instances: list[EOJ] | None) -> None:
        known = self._by_address.get(host)
        if known is not None and instances is not None:
            await self._sync_objects(known, instances)
            return
        probe = Node(f"ip:{host}", host)
        profile = EchonetObject(probe, NODE_PROFILE, class_or_generic(NODE_PROFILE.class_code))
        profile.get_map = frozenset(IDENTITY_EPCS)
        probe.profile = profile
        values = await self._get(profile, IDENTITY_EPCS, Priority.SETUP, emit=False)
        ident = values.get(EPC_IDENTIFICATION_NUMBER)
        uid = ident.hex() if ident and len(ident) == 17 and any(ident[4:]) else f"ip:{host}"
        listed = _parse_instance_list(values.get(EPC_SELF_NODE_INSTANCE_LIST))
        if instances is None or listed:
            instances = listed or instances or []
        node = self.nodes.get(uid)
        if node is not None:
            # A node we know, perhaps at a new address.
            if node.address != host:
                self._move_node(node, host)
            assert node.profile is not None
            changes = node.profile.apply(values)
            if changes:
                self._emit(PropertiesUpdated(node.profile, changes, "get"))
            self._mark_answer(node)
            await self._sync_objects(node, instances)
            return
        node = probe
        node.uid = uid
        gm = values.get(EPC_GET_PROPERTY_MAP)
        profile.get_map = _safe_map(gm) or frozenset(IDENTITY_EPCS)
        profile.apply(values)
        old = self._by_address.get(host)
        if old is not None and old is not node:
            # Another node used to live here; it will be found again at its new address.
            self._by_address.pop(host, None)
        for eoj in instances:
            if eoj.class_code in (0x0EF0,):
                continue
            obj = await self._setup_object(node, eoj)
            node.objects[eoj] = obj
        node.identified = True
        self.nodes[uid] = node
        self._by_address[host] = node
        self._probe_backoff.pop(host, None)
        self._probe_failures.pop(host, None)
        _LOGGER.debug("Found ECHONET Lite node %s at %s: %s", uid, host, list(node.objects))
        self._emit(NodeAdded(node))

    async def _sync_objects(self, node: Node, instances: list[EOJ]) -> None:
        for eoj in instances:
            if eoj.class_code == 0x0EF0 or eoj in node.objects:
                continue
            obj = await self._setup_object(node, eoj)
            node.objects[eoj] = obj
            self._emit(ObjectAdded(obj))

    async def _setup_object(self, node: Node, eoj: EOJ) -> EchonetObject:
        obj = EchonetObject(node, eoj, class_or_generic(eoj.class_code))
        obj.get_map = frozenset(SETUP_EPCS)
        values = await self._get(obj, SETUP_EPCS, Priority.SETUP, emit=False)
        obj.get_map = _safe_map(values.get(EPC_GET_PROPERTY_MAP)) or frozenset(
            epc for epc, prop in obj.class_def.properties.items() if prop.gettable
        )
        obj.set_map = _safe_map(values.get(EPC_SET_PROPERTY_MAP)) or frozenset()
        obj.inf_map = _safe_map(values.get(EPC_INF_PROPERTY_MAP)) or frozenset()
        # The first full read, with the static properties the first Get did not include.
        statics = sorted(e for e in obj.get_map if e in STATIC_EPCS and e not in values)
        try:
            await self._get(obj, statics + obj.pollable_epcs, Priority.SETUP, emit=False)
        except RequestTimeoutError as err:
            _LOGGER.debug("First read of %s incomplete: %s", obj, err)
        obj.ready = True
        return obj

    def _move_node(self, node: Node, new_address: str) -> None:
        old = node.address
        if self._by_address.get(old) is node:
            del self._by_address[old]
        node.address = new_address
        self._by_address[new_address] = node
        node.stats.address_changes += 1
        _LOGGER.info("ECHONET Lite node %s moved from %s to %s", node.uid, old, new_address)
        self._emit(NodeAddressChanged(node, old, new_address))

    # ------------------------------------------------------------------ requests

    def _next_tid(self) -> int:
        for _ in range(0x10000):
            self._tid = self._tid + 1 if self._tid < 0xFFFF else 1
            if self._tid not in self._pending:
                return self._tid
        raise EchonetError("no free TID")  # pragma: no cover - 65535 requests in flight

    def _timeout_for(self, node: Node, attempt: int) -> float:
        base = max(self.timeout, node.timeout_scale)
        return min(self.max_timeout, base * (1.0 + 0.5 * attempt))

    async def _exchange(
        self,
        node: Node,
        deoj: EOJ,
        esv: int,
        props: Sequence[tuple[int, bytes]],
        priority: int,
        attempts: int,
    ) -> _Pending | None:
        """Send a request (holding the node's lock) and wait for its answer.

        Returns the answer, or None when the node stayed silent through every attempt.
        """
        loop = asyncio.get_running_loop()
        want = [epc for epc, _ in props]
        await node.lock.acquire(priority)
        try:
            for attempt in range(attempts):
                if attempt:
                    node.stats.retries += 1
                tid = self._next_tid()
                pending = _Pending(node, node.address, deoj, esv, want, loop.create_future())
                self._pending[tid] = pending
                try:
                    data = build(tid, CONTROLLER, deoj, esv, props)
                    pending.sent_at = time.monotonic()
                    node.stats.requests += 1
                    self.transport.send(data, node.address)
                    try:
                        async with asyncio.timeout(self._timeout_for(node, attempt)):
                            await asyncio.shield(pending.future)
                    except TimeoutError:
                        pass
                finally:
                    self._pending.pop(tid, None)
                    if pending.grace is not None:
                        pending.grace.cancel()
                if pending.answer_esv is not None:
                    return pending
                node.stats.timeouts += 1
            return None
        finally:
            node.lock.release()

    async def _get(
        self,
        obj: EchonetObject,
        epcs: Iterable[int],
        priority: int,
        *,
        emit: bool = True,
    ) -> dict[int, bytes]:
        """Read properties with adaptive batching.  Raises RequestTimeoutError on silence.

        Batches start at the object's learned capacity (``max_batch`` until something is
        learned).  A truncated answer teaches the capacity; a silent batch is followed by a
        one-property probe (is the node there at all?) and then sent again in halves.  Only
        missing properties are asked again; Get_SNA / PDC 0 entries are unsupported.
        """
        node = obj.node
        want = [e for e in dict.fromkeys(epcs) if e not in obj.unsupported]
        out: dict[int, bytes] = {}
        if not want:
            return out
        rules = [r.epcs for r in self.rules if r.applies(obj)]
        queue: deque[list[int]] = deque(plan_batches(want, self._capacity(obj), rules))
        misses: dict[int, int] = {}
        failed: list[int] = []
        attempts = 1 + (self.retries if node.available else 0)
        undo: tuple[frozenset[int], int | None, str | None] | None = None
        try:
            while queue:
                chunk = queue.popleft()
                single = len(chunk) == 1
                pending = await self._exchange(
                    node,
                    obj.eoj,
                    ESV.GET,
                    [(e, b"") for e in chunk],
                    priority,
                    attempts if single else 1,
                )
                if pending is None:
                    if single:
                        self._mark_silent(node)
                        raise RequestTimeoutError(
                            f"{obj.eoj} at {node.address} did not answer",
                            missing=(*chunk, *(e for c in queue for e in c), *failed),
                        )
                    # Silence for a batch: ask for one property first (is the node there?),
                    # then send the rest in smaller batches.
                    self._learn_capacity(obj, max(1, len(chunk) // 2), "silence", len(chunk))
                    rest = chunk[1:] + [e for c in queue for e in c]
                    queue.clear()
                    queue.append(chunk[:1])
                    queue.extend(plan_batches(rest, self._capacity(obj), rules))
                    continue
                self._mark_answer(node)
                obj.stats.gets += 1
                out.update(pending.values)
                obj.unsupported.update(pending.empty)
                if undo is not None and undo[0].issubset(chunk):
                    if all(e in pending.empty for e in undo[0]):
                        # What looked like truncation were unsupported properties whose
                        # Get_SNA came late: forget what was learned from it.
                        obj.stats.capacity, obj.stats.capacity_source = undo[1], undo[2]
                    undo = None
                missing = [e for e in chunk if e not in pending.values and e not in pending.empty]
                if not missing:
                    continue
                retry: list[int] = []
                for epc in missing:
                    misses[epc] = misses.get(epc, 0) + 1
                    (failed if misses[epc] > 2 else retry).append(epc)
                answered = len(chunk) - len(missing)
                if answered and retry:
                    undo = (frozenset(retry), obj.stats.capacity, obj.stats.capacity_source)
                    self._learn_capacity(obj, answered, "truncated", len(chunk))
                if retry:
                    rest = retry + [e for c in queue for e in c]
                    queue.clear()
                    queue.extend(plan_batches(rest, self._capacity(obj), rules))
        finally:
            if out:
                changes = obj.apply(out)
                obj.stats.answered_epcs += len(out)
                if emit and changes:
                    self._emit(PropertiesUpdated(obj, changes, "get"))
        return out

    def _capacity(self, obj: EchonetObject) -> int:
        return obj.stats.capacity or self.max_batch

    def _learn_capacity(self, obj: EchonetObject, capacity: int, source: str, tried: int) -> None:
        stats = obj.stats
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

    def _mark_answer(self, node: Node) -> None:
        if not node.available:
            node.available = True
            _LOGGER.info("ECHONET Lite node %s at %s is answering again", node.uid, node.address)
            self._emit(NodeAvailability(node, True))

    def _mark_silent(self, node: Node) -> None:
        if node.available and node.identified:
            node.available = False
            _LOGGER.info("ECHONET Lite node %s at %s stopped answering", node.uid, node.address)
            self._emit(NodeAvailability(node, False))

    # ------------------------------------------------------------------ public requests

    async def get(
        self,
        obj: EchonetObject,
        epcs: Iterable[int],
        *,
        priority: Priority = Priority.REFRESH,
    ) -> dict[int, bytes]:
        """Read properties (batched adaptively).  Unsupported ones are left out."""
        return await self._get(obj, epcs, priority)

    async def refresh(
        self, obj: EchonetObject, *, priority: Priority = Priority.POLL
    ) -> dict[int, bytes]:
        """Read every readable, changing property of ``obj``."""
        return await self._get(obj, obj.pollable_epcs, priority)

    async def refresh_node(self, node: Node, *, priority: Priority = Priority.POLL) -> None:
        """Read every readable, changing property of every object of ``node``."""
        for obj in list(node.objects.values()):
            await self._get(obj, obj.pollable_epcs, priority)

    async def set(
        self,
        obj: EchonetObject,
        values: Mapping[int, bytes],
        *,
        confirm: bool = True,
        priority: Priority = Priority.USER,
    ) -> dict[int, bytes]:
        """SetC ``values``; then read back what the device now reports.

        Raises :class:`DeviceRejectedError` on SetC_SNA and :class:`RequestTimeoutError` when
        the device does not answer.  The read-back value is taken from an INF when one arrives
        first (even before the Set_Res), otherwise from a Get.
        """
        node = obj.node
        if not values:
            return {}
        started = time.monotonic()
        obj.stats.sets += 1
        pending = await self._exchange(
            node, obj.eoj, ESV.SETC, list(values.items()), priority, 1 + min(self.retries, 1)
        )
        if pending is None:
            self._mark_silent(node)
            raise RequestTimeoutError(
                f"{obj.eoj} at {node.address} did not answer the Set",
                missing=tuple(values),
            )
        self._mark_answer(node)
        if pending.answer_esv in (ESV.SETC_SNA, ESV.SETI_SNA):
            rejected = {epc: edt for epc, edt in pending.empty.items() if edt}
            if not rejected:
                rejected = {epc: values[epc] for epc in values}
            raise DeviceRejectedError(
                f"{obj.eoj} at {node.address} refused to set "
                + ", ".join(f"0x{epc:02X}" for epc in rejected),
                rejected=rejected,
            )
        if not confirm:
            return {}
        confirmed = {
            epc: obj.values[epc]
            for epc in values
            if obj.updated.get(epc, 0.0) > started and epc in obj.values
        }
        missing = [
            epc
            for epc in values
            if epc not in confirmed and (not obj.get_map or epc in obj.get_map)
        ]
        if missing:
            confirmed.update(await self._get(obj, missing, priority))
        return confirmed

    # ------------------------------------------------------------------ receiving

    def _on_bad_frame(self, data: bytes, addr: Address, err: FrameError) -> None:
        node = self._by_address.get(addr[0])
        if node is not None:
            node.stats.malformed_frames += 1
        self.malformed_frames += 1
        _LOGGER.debug("Malformed frame from %s: %s (%s)", addr[0], err, data[:64].hex())

    def _ignore(self, host: str, frame: Frame, why: str) -> None:
        node = self._by_address.get(host)
        if node is not None:
            node.stats.ignored_frames += 1
        self.ignored_frames += 1
        _LOGGER.debug("Ignoring frame from %s (%s): %r", host, why, frame)

    def _on_frame(self, frame: Frame, addr: Address) -> None:
        host = addr[0]
        if not frame.is_format1:
            self._ignore(host, frame, "format 2")
            return
        esv = frame.esv
        if esv in (ESV.INF, ESV.INFC):
            if esv == ESV.INFC:
                # Acknowledge with INFC_Res: same EPCs, PDC 0.
                ack = build(
                    frame.tid,
                    frame.deoj if frame.deoj.instance else CONTROLLER,
                    frame.seoj,
                    ESV.INFC_RES,
                    [(epc, b"") for epc, _ in frame.props],
                )
                self.transport.send(ack, host, addr[1])
            pending = self._pending.get(frame.tid)
            if esv == ESV.INF and pending is not None and pending.request_esv == ESV.INF_REQ:
                self._on_answer(pending, frame, host)
            self._on_notification(frame, host)
            return
        if 0x60 <= esv <= 0x6F:
            self._serve(frame, addr)
            return
        if (
            frame.tid in self._discovery_tids
            and frame.seoj.class_code == 0x0EF0
            and esv in (ESV.GET_RES, ESV.GET_SNA)
        ):
            self._on_instance_list(host, frame.edt(EPC_SELF_NODE_INSTANCE_LIST))
            return
        pending = self._pending.get(frame.tid)
        if pending is None:
            self._ignore(host, frame, "no request with this TID")
            return
        self._on_answer(pending, frame, host)

    def _on_answer(self, pending: _Pending, frame: Frame, host: str) -> None:
        if pending.future.done():
            self._ignore(host, frame, "request already answered (duplicate)")
            return
        if host != pending.host:
            self._ignore(host, frame, f"answer from {host}, request went to {pending.host}")
            return
        if not pending.deoj.matches(frame.seoj) or frame.deoj.class_code != CONTROLLER.class_code:
            self._ignore(host, frame, "EOJs do not match the request")
            return
        if frame.esv not in _ANSWERS.get(pending.request_esv, ()):
            self._ignore(host, frame, "service does not answer the request")
            return
        node = pending.node
        if pending.answer_esv is None:
            node.stats.answers += 1
            node.stats.record_latency(time.monotonic() - pending.sent_at)
        if pending.answer_esv is None or frame.esv in _SNA:
            pending.answer_esv = frame.esv
        pending.frames += 1
        props = frame.props
        if pending.request_esv == ESV.GET:
            for epc, edt in props:
                if epc in pending.want:
                    if edt:
                        pending.values[epc] = edt
                    else:
                        pending.empty[epc] = edt
        else:
            sna = frame.esv in _SNA
            for epc, edt in props:
                if epc not in pending.want:
                    continue
                if sna and edt:
                    pending.empty[epc] = edt  # rejected value
                else:
                    pending.values[epc] = edt
            pending.finish()
            return
        if pending.covered():
            pending.finish()
        elif pending.grace is None:
            # Part of the answer: a split Get_Res/Get_SNA or a truncated answer.
            pending.grace = asyncio.get_running_loop().call_later(SPLIT_GRACE, pending.finish)

    def _on_notification(self, frame: Frame, host: str) -> None:
        node = self._by_address.get(host)
        if node is None:
            instances = frame.edt(EPC_INSTANCE_LIST_NOTIFICATION)
            if instances is not None:
                self._on_instance_list(host, instances)
            else:
                self._start_setup(host, None)
            return
        node.stats.notifications += 1
        obj = node.object(frame.seoj)
        if obj is None:
            # An object we do not know: perhaps the node's instance list changed.
            self._resync(host)
            return
        values = {epc: edt for epc, edt in frame.props if edt}
        if obj.eoj == NODE_PROFILE and EPC_INSTANCE_LIST_NOTIFICATION in values:
            listed = _parse_instance_list(values[EPC_INSTANCE_LIST_NOTIFICATION])
            if any(eoj not in node.objects and eoj.class_code != 0x0EF0 for eoj in listed):
                self._start_setup(host, listed, force=True)
        changes = obj.apply(values)
        if changes:
            self._emit(PropertiesUpdated(obj, changes, "inf"))

    def _resync(self, host: str) -> None:
        """Read a known node's instance list again (at most once a minute)."""
        now = time.monotonic()
        if self._last_resync.get(host, 0.0) > now:
            return
        self._last_resync[host] = now + 60.0
        self._start_setup(host, None, force=True)

    def _on_instance_list(self, host: str, edt: bytes | None) -> None:
        listed = _parse_instance_list(edt)
        node = self._by_address.get(host)
        if node is not None:
            self._mark_answer(node)
            if all(eoj in node.objects or eoj.class_code == 0x0EF0 for eoj in listed):
                return
            self._start_setup(host, listed, force=True)
            return
        self._start_setup(host, listed or None, force=True)

    # ------------------------------------------------------------------ serving

    def _serve(self, frame: Frame, addr: Address) -> None:
        """Answer requests addressed to our own node profile or controller object."""
        deoj = frame.deoj
        if deoj.class_code == 0x0EF0:
            table = self._profile_values()
            seoj = NODE_PROFILE
        elif deoj.class_code == CONTROLLER.class_code and deoj.instance in (0, 1):
            table = self._controller_values()
            seoj = CONTROLLER
        else:
            return
        if frame.esv == ESV.GET:
            answer = [(epc, table.get(epc, b"")) for epc, _ in frame.props]
            ok = all(edt for _, edt in answer)
            esv = ESV.GET_RES if ok else ESV.GET_SNA
        elif frame.esv == ESV.INF_REQ:
            answer = [(epc, table.get(epc, b"")) for epc, _ in frame.props]
            esv = ESV.INF if all(edt for _, edt in answer) else ESV.INF_SNA
            if esv == ESV.INF:
                self.transport.send_multicast(build(frame.tid, seoj, frame.seoj, esv, answer))
                return
        elif frame.esv in (ESV.SETC, ESV.SETI):
            answer = list(frame.props)
            esv = ESV.SETC_SNA if frame.esv == ESV.SETC else ESV.SETI_SNA
        else:
            return
        self.transport.send(build(frame.tid, seoj, frame.seoj, esv, answer), addr[0], addr[1])

    def _profile_values(self) -> dict[int, bytes]:
        epcs = [0x80, 0x82, 0x83, 0x8A, 0xD3, 0xD4, 0xD6, 0xD7, 0x9D, 0x9E, 0x9F]
        return {
            0x80: b"\x30",
            0x82: b"\x01\x0d\x01\x00",
            0x83: self.identification,
            0x8A: b"\xff\xff\xff",
            0xD3: b"\x00\x00\x01",
            0xD4: b"\x00\x02",
            0xD6: b"\x01" + CONTROLLER.to_bytes(),
            0xD7: b"\x01\x05\xff",
            0x9D: encode_property_map([0x80, 0xD5]),
            0x9E: encode_property_map([]),
            0x9F: encode_property_map(epcs),
        }

    def _controller_values(self) -> dict[int, bytes]:
        epcs = [0x80, 0x81, 0x82, 0x88, 0x8A, 0x9D, 0x9E, 0x9F]
        return {
            0x80: b"\x30",
            0x81: b"\x00",
            0x82: b"\x00\x00R\x00",
            0x88: b"\x42",
            0x8A: b"\xff\xff\xff",
            0x9D: encode_property_map([0x80]),
            0x9E: encode_property_map([]),
            0x9F: encode_property_map(epcs),
        }

    # ------------------------------------------------------------------ diagnostics

    def diagnostics(self) -> dict[str, object]:
        """JSON-able view of every node and its statistics (no secrets here)."""
        return {
            "interface": self.interface_address,
            "frames_sent": self.transport.frames_sent,
            "frames_received": self.transport.frames_received,
            "ignored_frames": self.ignored_frames,
            "malformed_frames": self.malformed_frames,
            "nodes": [node_diagnostics(node) for node in self.nodes.values()],
        }


def node_diagnostics(node: Node) -> dict[str, object]:
    """JSON-able view of one node."""
    return {
        "uid": node.uid,
        "address": node.address,
        "available": node.available,
        "manufacturer_code": None
        if node.manufacturer_code is None
        else f"0x{node.manufacturer_code:06X}",
        "stats": node.stats.as_dict(),
        "objects": [object_diagnostics(obj) for obj in node.objects.values()],
    }


def object_diagnostics(obj: EchonetObject) -> dict[str, object]:
    """JSON-able view of one object."""
    return {
        "eoj": str(obj.eoj),
        "class": obj.class_def.name_en,
        "get_map": [f"0x{e:02X}" for e in sorted(obj.get_map)],
        "set_map": [f"0x{e:02X}" for e in sorted(obj.set_map)],
        "inf_map": [f"0x{e:02X}" for e in sorted(obj.inf_map)],
        "batch_capacity": obj.stats.capacity,
        "batch_capacity_source": obj.stats.capacity_source,
        "unsupported": [f"0x{e:02X}" for e in sorted(obj.unsupported)],
        "gets": obj.stats.gets,
        "sets": obj.stats.sets,
        "values": {f"0x{e:02X}": v.hex() for e, v in sorted(obj.values.items())},
    }


def _parse_instance_list(edt: bytes | None) -> list[EOJ]:
    if not edt:
        return []
    count = edt[0]
    out: list[EOJ] = []
    for i in range(count):
        part = edt[1 + 3 * i : 4 + 3 * i]
        if len(part) != 3:
            break
        out.append(EOJ(part[0], part[1], part[2]))
    return out


def _safe_map(edt: bytes | None) -> frozenset[int] | None:
    if not edt:
        return None
    try:
        return decode_property_map(edt)
    except FrameError:
        return None
