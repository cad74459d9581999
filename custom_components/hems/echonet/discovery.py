"""Discovery: finding nodes, reading what they are, following them to new addresses.

A multicast Get of the node profile's instance list (0xD6), repeated quickly at start
(multicast is lossy) and then every ``discovery_interval``, plus unicast probes of configured
hosts.  An answering address is *set up*: its node profile tells the node's identification
number (0x83), which keys the node (:mod:`.identity`), and its instance list; each object's
property maps and a first full read follow.  A known node answering from a new address is moved
there once its old address no longer answers as it (:class:`~.identity.IdentityGuard`); the
configured hosts follow it.  A host whose setup failed is probed again after a backoff (5 s,
doubling up to 5 minutes).

Anyone on the LAN can send an INF from any address, so strangers are treated with care (issue
15): an address no node lives at costs at most one frame until it answers (one Get of its
identification number, never retried or split), is not asked again before its backoff ends,
and is set up only within a budget (``UNKNOWN_SETUP_BURST`` at once, then
``UNKNOWN_SETUP_RATE`` a second, ``MAX_UNKNOWN_SETUPS`` in progress; answers to our own
discovery wait in a bounded queue instead).  Every table keyed by address is bounded
(``MAX_TRACKED_ADDRESSES``, least recently used dropped first).  A node has at most the objects
an instance list can describe (``MAX_OBJECTS_PER_NODE``) and a controller at most
``max_nodes`` nodes: the excess is refused and reported (:class:`~.events.ObjectsRefused`,
:class:`~.events.NodeRefused`), never created.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
import logging
import time
from typing import Final

from .const import (
    EPC_GET_PROPERTY_MAP,
    EPC_IDENTIFICATION_NUMBER,
    EPC_INF_PROPERTY_MAP,
    EPC_MANUFACTURER_CODE,
    EPC_PRODUCT_CODE,
    EPC_PRODUCTION_NUMBER,
    EPC_SELF_NODE_INSTANCE_LIST,
    EPC_SET_PROPERTY_MAP,
    EPC_VERSION_INFO,
    ESV,
)
from .definitions import class_or_generic
from .errors import EchonetError, RequestTimeoutError
from .events import (
    NodeAdded,
    NodeAddressChanged,
    NodeRefused,
    ObjectAdded,
    ObjectRemoved,
    ObjectsRefused,
    PropertiesUpdated,
)
from .frame import CONTROLLER, EOJ, NODE_PROFILE, Frame, build
from .identity import IdentityGuard
from .node import STATIC_EPCS, EchonetObject, Node, Priority
from .parts import ControllerParts
from .propmap import parse_property_map

_LOGGER = logging.getLogger(__name__)

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
#: The node profile's class: listed in instance lists, never set up as a device object.
_PROFILE_CLASS: Final = 0x0EF0
#: Objects one instance list can describe (EDT of at most 253 bytes: a count, 84 EOJs).
INSTANCE_LIST_MAX: Final = 84
#: Objects a node may have: what its instance list can describe.
MAX_OBJECTS_PER_NODE = INSTANCE_LIST_MAX
#: Nodes per controller unless told otherwise.
DEFAULT_MAX_NODES: Final = 64
#: Setups of unknown addresses in progress at most.
MAX_UNKNOWN_SETUPS: Final = 4
#: Setups of unknown addresses an unsolicited INF may start at once, then per second.
UNKNOWN_SETUP_BURST: Final = 8
UNKNOWN_SETUP_RATE: Final = 1.0
#: Answers to our discovery waiting for a setup slot.
MAX_QUEUED_SETUPS: Final = 256
#: Entries of each table keyed by address (least recently used dropped first).
MAX_TRACKED_ADDRESSES: Final = 1024
#: First and longest wait before an address that failed is asked again (seconds).
BACKOFF_FIRST: Final = 5.0
BACKOFF_MAX: Final = 300.0


class BoundedTable[K, V](OrderedDict[K, V]):
    """A dict that forgets its least recently written entries beyond ``limit``."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)


class TokenBucket:
    """``burst`` tokens, refilled at ``rate`` a second."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._at = time.monotonic()

    def take(self) -> bool:
        """Use one token if there is one."""
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True


class Discovery:
    """Finds and sets up the nodes of one controller (see the module docstring)."""

    def __init__(self, controller: ControllerParts, *, max_nodes: int = DEFAULT_MAX_NODES) -> None:
        self._controller = controller
        self.max_nodes = max(1, max_nodes)
        self._by_address: dict[str, Node] = {}
        self._setups: dict[str, asyncio.Task[None]] = {}
        self._unknown_setups: set[str] = set()
        self._adding: set[str] = set()  # identification numbers of nodes being added
        self._queue: BoundedTable[str, list[EOJ] | None] = BoundedTable(MAX_QUEUED_SETUPS)
        self._tids: deque[int] = deque(maxlen=16)
        # address -> (failures in a row, monotonic time before which it is not asked again)
        self._backoff: BoundedTable[str, tuple[int, float]] = BoundedTable(MAX_TRACKED_ADDRESSES)
        self._last_resync: BoundedTable[str, float] = BoundedTable(MAX_TRACKED_ADDRESSES)
        # What was refused, by identification number: told once, not at every announcement.
        self._refused: BoundedTable[str, frozenset[EOJ]] = BoundedTable(MAX_TRACKED_ADDRESSES)
        self._budget = TokenBucket(UNKNOWN_SETUP_RATE, UNKNOWN_SETUP_BURST)
        #: Unsolicited setups refused by the budget or a backoff (a flood shows here).
        self.refused_setups = 0
        self.identity = IdentityGuard(controller)

    @property
    def setting_up(self) -> frozenset[str]:
        """The addresses being set up now."""
        return frozenset(self._setups)

    def tables(self) -> dict[str, int]:
        """The size of every table keyed by address (diagnostics; each one is bounded)."""
        return {
            "setups": len(self._setups),
            "queued": len(self._queue),
            "backoff": len(self._backoff),
            "resync": len(self._last_resync),
            "refused": len(self._refused),
            "nodes": len(self._by_address),
        }

    def node_at(self, address: str) -> Node | None:
        """The node currently at ``address``."""
        return self._by_address.get(address)

    # ------------------------------------------------------------------ asking

    async def run(self) -> None:
        """Discover in quick rounds at start until a round finds nothing new, then slowly."""
        delay = 1.0
        nodes = self._controller.nodes
        for round_ in range(6):
            before = len(nodes) + len(self._setups)
            self.discover()
            await asyncio.sleep(delay)
            await self.wait_for_setups()
            if round_ >= 2 and len(nodes) + len(self._setups) == before:
                break
            delay = min(delay * 2, 8.0)
        while True:
            await asyncio.sleep(self._controller.discovery_interval)
            self.discover()

    def discover(self) -> None:
        """Multicast Get 0x0EF001 0xD6 and probe the configured hosts."""
        controller = self._controller
        if not controller.running:
            return
        tid = controller.requests.next_tid()
        self._tids.append(tid)
        data = build(tid, CONTROLLER, NODE_PROFILE, ESV.GET, [(EPC_SELF_NODE_INSTANCE_LIST, b"")])
        if controller.multicast:
            controller.transport.send_multicast(data)
        for host in controller.hosts:
            if host not in self._by_address:
                controller.transport.send(data, host)
        for host in self.identity.due():
            self.start_setup(host, None, solicited=True)  # does it still claim another's identity?

    def answers_discovery(self, frame: Frame) -> bool:
        """Whether ``frame`` is a node profile's answer to one of our discovery requests."""
        return (
            frame.tid in self._tids
            and frame.seoj.class_code == _PROFILE_CLASS
            and frame.esv in (ESV.GET_RES, ESV.GET_SNA)
        )

    async def wait_for_setups(self) -> None:
        """Wait until nodes being set up (or queued) are ready (or failed)."""
        while self._setups:
            await asyncio.gather(*list(self._setups.values()), return_exceptions=True)
            # Let the tasks' done callbacks run (they remove them from _setups).
            await asyncio.sleep(0)

    async def probe(self, host: str) -> Node:
        """Set up the node at ``host`` by unicast (for networks without multicast)."""
        if host not in self._controller.hosts:
            self._controller.hosts.append(host)
        self._backoff.pop(host, None)
        self._queue.pop(host, None)
        self.start_setup(host, None, solicited=True, now=True)
        task = self._setups.get(host)
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)
        node = self._by_address.get(host)
        if node is None:
            raise RequestTimeoutError(f"no ECHONET Lite node answered at {host}")
        return node

    async def stop(self) -> None:
        """Cancel the setups in progress."""
        self._queue.clear()
        tasks = list(self._setups.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._setups.clear()

    # ------------------------------------------------------------------ hearing

    def on_instance_list(self, host: str, edt: bytes | None, *, solicited: bool) -> None:
        """A node at ``host`` listed its objects: set up the node or its new objects.

        ``solicited``: the list answers our discovery (an INF is not solicited).
        """
        listed = parse_instance_list(edt)
        node = self._by_address.get(host)
        if node is not None:
            self._controller.mark_answered(node)
            self.on_new_instances(node, listed, edt)
            return
        self.start_setup(host, listed or None, solicited=solicited)

    def on_new_instances(self, node: Node, listed: list[EOJ], edt: bytes | None = None) -> None:
        """A known node listed its objects (0xD6 answer, 0xD5 notification, ``edt`` the raw
        list): set up the objects it did not have, forget those it no longer lists."""
        if edt is not None:
            self._drop_unlisted(node, edt, listed)
        new, refused = self._new_objects(node, listed)
        if new:
            self.start_setup(node.address, listed, solicited=True)
        else:
            self._refuse_objects(node, refused)

    def _drop_unlisted(self, node: Node, edt: bytes | None, listed: list[EOJ]) -> None:
        """Remove the objects a complete instance list no longer names.

        Only a well-formed list counts (its count byte matches the EOJs that follow, and it
        fits the 84 a list can hold): a truncated or malformed one removes nothing.
        """
        if not edt or len(edt) != 1 + 3 * edt[0] or edt[0] >= 84:
            return
        for eoj in [e for e in node.objects if e not in listed]:
            obj = node.objects.pop(eoj)
            _LOGGER.info("ECHONET Lite node %s no longer lists %s", node.uid, eoj)
            self._controller.emit(ObjectRemoved(obj))

    def resync(self, host: str) -> None:
        """Read a known node's instance list again (at most once a minute)."""
        now = time.monotonic()
        if self._last_resync.get(host, 0.0) > now:
            return
        self._last_resync[host] = now + 60.0
        self.start_setup(host, None, solicited=True)

    # ------------------------------------------------------------------ setting up

    def start_setup(
        self,
        host: str,
        instances: list[EOJ] | None,
        *,
        solicited: bool = False,
        now: bool = False,
    ) -> None:
        """Set up the node at ``host`` in the background (see the module docstring).

        ``solicited``: asked for (an answer to our discovery, a configured host, a known
        node): never refused by the budget or a backoff, queued when the setups are busy.
        ``now``: start at once whatever the number of setups (an explicit probe).
        """
        if host in self._setups or not self._controller.running or self.identity.held(host):
            return
        if host in self._by_address:
            self._launch(host, instances)
            return
        if not solicited:
            if host in self._queue or self._backoff.get(host, (0, 0.0))[1] > time.monotonic():
                self.refused_setups += 1
                return
            if len(self._unknown_setups) >= MAX_UNKNOWN_SETUPS or not self._budget.take():
                self.refused_setups += 1
                return
        elif not now and len(self._unknown_setups) >= MAX_UNKNOWN_SETUPS:
            self._queue[host] = instances
            return
        self._unknown_setups.add(host)
        self._launch(host, instances)

    def _launch(self, host: str, instances: list[EOJ] | None) -> None:
        self._queue.pop(host, None)
        task = asyncio.get_running_loop().create_task(
            self._setup_address(host, instances), name=f"hems-echonet-setup-{host}"
        )
        self._setups[host] = task

        def _done(_task: asyncio.Task[None]) -> None:
            if self._setups.get(host) is _task:
                del self._setups[host]
            self._unknown_setups.discard(host)
            while self._queue and len(self._unknown_setups) < MAX_UNKNOWN_SETUPS:
                queued, listed = self._queue.popitem(last=False)
                self.start_setup(queued, listed, solicited=True)

        task.add_done_callback(_done)

    async def _setup_address(self, host: str, instances: list[EOJ] | None) -> None:
        try:
            await self._identify(host, instances)
        except asyncio.CancelledError:
            raise
        except EchonetError as err:
            self.identity.seen(host, None)
            self._back_off_probe(host)
            _LOGGER.debug("Setting up the ECHONET Lite node at %s failed: %s", host, err)
        except Exception:
            self._back_off_probe(host)
            _LOGGER.exception("Unexpected error setting up the ECHONET Lite node at %s", host)

    def _back_off_probe(self, host: str) -> None:
        """Wait before setting up ``host`` again: 5 s, doubling up to 5 minutes."""
        failures = min(self._backoff.get(host, (0, 0.0))[0] + 1, 32)
        wait = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** (failures - 1))
        self._backoff[host] = (failures, time.monotonic() + wait)

    async def _identify(self, host: str, instances: list[EOJ] | None) -> None:
        """Read the node profile at ``host``; set up a new node or update a known one."""
        known = self._by_address.get(host)
        if known is not None and instances is not None:
            await self._sync_objects(known, instances)
            return
        probe = Node(f"ip:{host}", host)
        profile = EchonetObject(probe, NODE_PROFILE, class_or_generic(NODE_PROFILE.class_code))
        profile.get_map = frozenset(IDENTITY_EPCS)
        probe.profile = profile
        read = self._controller.reader.read
        # A stranger costs one frame until it answers: its identification number alone.
        values = await read(profile, (EPC_IDENTIFICATION_NUMBER,), Priority.SETUP, emit=False)
        rest = [e for e in IDENTITY_EPCS if e != EPC_IDENTIFICATION_NUMBER]
        values.update(await read(profile, rest, Priority.SETUP, emit=False))
        uid = await self.identity.key_of(host, values, None if known is None else known.uid)
        self.identity.seen(host, uid)
        listed = parse_instance_list(values.get(EPC_SELF_NODE_INSTANCE_LIST))
        if instances is None or listed:
            instances = listed or instances or []
        node = self._controller.nodes.get(uid)
        if node is not None:
            await self._found_again(node, host, values, instances)
            return
        if uid in self._adding:
            return  # the same node answering at two addresses at once: the first one wins
        if len(self._controller.nodes) + len(self._adding) >= self.max_nodes:
            self._back_off_probe(host)
            if uid not in self._refused:
                self._refused[uid] = frozenset()
                _LOGGER.warning(
                    "ECHONET Lite node %s at %s refused: already %d nodes (the limit)",
                    uid,
                    host,
                    self.max_nodes,
                )
            self._controller.emit(NodeRefused(host, uid, self.max_nodes))
            return
        probe.uid = uid
        profile.get_map = read_map(profile, values, EPC_GET_PROPERTY_MAP) or frozenset(
            IDENTITY_EPCS
        )
        profile.apply(values)
        self._adding.add(uid)
        try:
            await self._add_node(probe, host, instances)
        finally:
            self._adding.discard(uid)

    async def _found_again(
        self, node: Node, host: str, values: dict[int, bytes], instances: list[EOJ]
    ) -> None:
        """A node we know, perhaps at a new address."""
        if node.address != host:
            if not await self.identity.accept_move(node, host):
                return  # another device claims the node's identity: the node stays
            self._move_node(node, host)
        assert node.profile is not None
        changes = node.profile.apply(values)
        if changes:
            self._controller.emit(PropertiesUpdated(node.profile, changes, "get"))
        self._controller.mark_answered(node)
        await self._sync_objects(node, instances)

    async def _add_node(self, node: Node, host: str, instances: list[EOJ]) -> None:
        """Set up the objects of a new node, then announce it."""
        old = self._by_address.get(host)
        if old is not None and old is not node:
            # Another node used to live here; it will be found again at its new address.
            self._by_address.pop(host, None)
        new, refused = self._new_objects(node, instances)
        for eoj in new:
            obj = await self._setup_object(node, eoj)
            node.objects[eoj] = obj
        node.identified = True
        self._controller.nodes[node.uid] = node
        self._by_address[host] = node
        self._backoff.pop(host, None)
        _LOGGER.debug("Found ECHONET Lite node %s at %s: %s", node.uid, host, list(node.objects))
        self._controller.emit(NodeAdded(node))
        self._refuse_objects(node, refused)

    async def _sync_objects(self, node: Node, instances: list[EOJ]) -> None:
        new, refused = self._new_objects(node, instances)
        for eoj in new:
            obj = await self._setup_object(node, eoj)
            node.objects[eoj] = obj
            self._controller.emit(ObjectAdded(obj))
        self._refuse_objects(node, refused)

    @staticmethod
    def _new_objects(node: Node, instances: list[EOJ]) -> tuple[list[EOJ], list[EOJ]]:
        """The listed objects ``node`` lacks: those it may still have, and the excess."""
        new = [
            eoj
            for eoj in dict.fromkeys(instances)
            if eoj.class_code != _PROFILE_CLASS and eoj not in node.objects
        ]
        room = max(0, MAX_OBJECTS_PER_NODE - len(node.objects))
        return new[:room], new[room:]

    def _refuse_objects(self, node: Node, refused: list[EOJ]) -> None:
        """Tell (once for the same excess) that ``refused`` were not added to ``node``."""
        if not refused or self._refused.get(node.uid) == frozenset(refused):
            return
        self._refused[node.uid] = frozenset(refused)
        _LOGGER.warning(
            "ECHONET Lite node %s at %s lists more than %d objects: %s not added",
            node.uid,
            node.address,
            MAX_OBJECTS_PER_NODE,
            ", ".join(str(e) for e in refused),
        )
        self._controller.emit(ObjectsRefused(node, tuple(refused), MAX_OBJECTS_PER_NODE))

    async def _setup_object(self, node: Node, eoj: EOJ) -> EchonetObject:
        obj = EchonetObject(node, eoj, class_or_generic(eoj.class_code))
        obj.get_map = frozenset(SETUP_EPCS)
        read = self._controller.reader.read
        values = await read(obj, SETUP_EPCS, Priority.SETUP, emit=False)
        obj.get_map = read_map(obj, values, EPC_GET_PROPERTY_MAP) or frozenset(
            epc for epc, prop in obj.class_def.properties.items() if prop.gettable
        )
        obj.set_map = read_map(obj, values, EPC_SET_PROPERTY_MAP)
        obj.inf_map = read_map(obj, values, EPC_INF_PROPERTY_MAP)
        # The first full read, with the static properties the first Get did not include.
        statics = sorted(e for e in obj.get_map if e in STATIC_EPCS and e not in values)
        try:
            await read(obj, statics + obj.pollable_epcs, Priority.SETUP, emit=False)
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
        hosts = self._controller.hosts
        if old in hosts:  # a configured (unicast) host: the list follows the node
            hosts[hosts.index(old)] = new_address
            self._controller.hosts = list(dict.fromkeys(hosts))
        node.stats.address_changes += 1
        _LOGGER.info("ECHONET Lite node %s moved from %s to %s", node.uid, old, new_address)
        self._controller.emit(NodeAddressChanged(node, old, new_address))


def parse_instance_list(edt: bytes | None) -> list[EOJ]:
    """The EOJs of an instance list EDT (count, then 3 bytes each); a short tail is dropped.

    A list describes at most ``INSTANCE_LIST_MAX`` objects; one listed twice counts once.
    """
    if not edt:
        return []
    count = min(edt[0], INSTANCE_LIST_MAX)
    out: dict[EOJ, None] = {}
    for i in range(count):
        part = edt[1 + 3 * i : 4 + 3 * i]
        if len(part) != 3:
            break
        out[EOJ(part[0], part[1], part[2])] = None
    return list(out)


def read_map(obj: EchonetObject, values: dict[int, bytes], epc: int) -> frozenset[int]:
    """The EPCs of property map ``epc`` as read (empty when absent); a malformed map keeps
    the EPCs it holds and is noted in ``obj.malformed_maps`` (shown in diagnostics)."""
    edt = values.get(epc)
    if not edt:
        return frozenset()
    parsed = parse_property_map(edt)
    if parsed.problem is None:
        obj.malformed_maps.pop(epc, None)
    else:
        obj.malformed_maps[epc] = f"{parsed.problem} ({edt.hex()})"
        _LOGGER.debug("%s: malformed property map 0x%02X: %s", obj, epc, obj.malformed_maps[epc])
    return parsed.epcs
