"""Discovery: finding nodes, reading what they are, following them to new addresses.

A multicast Get of the node profile's instance list (0xD6), repeated quickly at start
(multicast is lossy) and then every ``discovery_interval``, plus unicast probes of configured
hosts.  An answering address is *set up*: its node profile tells the node's identification
number (0x83), which keys the node, and its instance list; each object's property maps and a
first full read follow.  A known node answering from a new address is moved there.  A host
whose setup failed is probed again after a backoff (5 s, doubling up to 5 minutes).
"""

from __future__ import annotations

import asyncio
from collections import deque
import logging
import time
from typing import TYPE_CHECKING, Final

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
from .errors import EchonetError, FrameError, RequestTimeoutError
from .events import NodeAdded, NodeAddressChanged, ObjectAdded, PropertiesUpdated
from .frame import CONTROLLER, EOJ, NODE_PROFILE, Frame, build
from .node import STATIC_EPCS, EchonetObject, Node, Priority
from .propmap import decode_property_map

if TYPE_CHECKING:
    from .controller import Controller

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


class Discovery:
    """Finds and sets up the nodes of one controller (see the module docstring)."""

    def __init__(self, controller: Controller) -> None:
        self._controller = controller
        self._by_address: dict[str, Node] = {}
        self._setups: dict[str, asyncio.Task[None]] = {}
        self._tids: deque[int] = deque(maxlen=16)
        self._probe_backoff: dict[str, float] = {}
        self._probe_failures: dict[str, int] = {}
        self._last_resync: dict[str, float] = {}

    @property
    def setting_up(self) -> frozenset[str]:
        """The addresses being set up now."""
        return frozenset(self._setups)

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

    def answers_discovery(self, frame: Frame) -> bool:
        """Whether ``frame`` is a node profile's answer to one of our discovery requests."""
        return (
            frame.tid in self._tids
            and frame.seoj.class_code == _PROFILE_CLASS
            and frame.esv in (ESV.GET_RES, ESV.GET_SNA)
        )

    async def wait_for_setups(self) -> None:
        """Wait until nodes being set up are ready (or failed)."""
        while self._setups:
            await asyncio.gather(*list(self._setups.values()), return_exceptions=True)
            # Let the tasks' done callbacks run (they remove them from _setups).
            await asyncio.sleep(0)

    async def probe(self, host: str) -> Node:
        """Set up the node at ``host`` by unicast (for networks without multicast)."""
        if host not in self._controller.hosts:
            self._controller.hosts.append(host)
        self.start_setup(host, None, force=True)
        task = self._setups.get(host)
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)
        node = self._by_address.get(host)
        if node is None:
            raise RequestTimeoutError(f"no ECHONET Lite node answered at {host}")
        return node

    async def stop(self) -> None:
        """Cancel the setups in progress."""
        tasks = list(self._setups.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._setups.clear()

    # ------------------------------------------------------------------ hearing

    def on_instance_list(self, host: str, edt: bytes | None) -> None:
        """A node at ``host`` listed its objects: set up the node or its new objects."""
        listed = parse_instance_list(edt)
        node = self._by_address.get(host)
        if node is not None:
            self._controller.mark_answered(node)
            if all(eoj in node.objects or eoj.class_code == _PROFILE_CLASS for eoj in listed):
                return
            self.start_setup(host, listed, force=True)
            return
        self.start_setup(host, listed or None, force=True)

    def on_new_instances(self, node: Node, listed: list[EOJ]) -> None:
        """A known node announced its instance list: set up objects it did not have."""
        if any(eoj not in node.objects and eoj.class_code != _PROFILE_CLASS for eoj in listed):
            self.start_setup(node.address, listed, force=True)

    def resync(self, host: str) -> None:
        """Read a known node's instance list again (at most once a minute)."""
        now = time.monotonic()
        if self._last_resync.get(host, 0.0) > now:
            return
        self._last_resync[host] = now + 60.0
        self.start_setup(host, None, force=True)

    # ------------------------------------------------------------------ setting up

    def start_setup(self, host: str, instances: list[EOJ] | None, *, force: bool = False) -> None:
        """Set up the node at ``host`` in the background (unless it backs off or is busy)."""
        if host in self._setups or not self._controller.running:
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
            await self._identify(host, instances)
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
        values = await read(profile, IDENTITY_EPCS, Priority.SETUP, emit=False)
        ident = values.get(EPC_IDENTIFICATION_NUMBER)
        uid = ident.hex() if ident and len(ident) == 17 and any(ident[4:]) else f"ip:{host}"
        listed = parse_instance_list(values.get(EPC_SELF_NODE_INSTANCE_LIST))
        if instances is None or listed:
            instances = listed or instances or []
        node = self._controller.nodes.get(uid)
        if node is not None:
            await self._found_again(node, host, values, instances)
            return
        probe.uid = uid
        profile.get_map = safe_map(values.get(EPC_GET_PROPERTY_MAP)) or frozenset(IDENTITY_EPCS)
        profile.apply(values)
        await self._add_node(probe, host, instances)

    async def _found_again(
        self, node: Node, host: str, values: dict[int, bytes], instances: list[EOJ]
    ) -> None:
        """A node we know, perhaps at a new address."""
        if node.address != host:
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
        for eoj in instances:
            if eoj.class_code in (_PROFILE_CLASS,):
                continue
            obj = await self._setup_object(node, eoj)
            node.objects[eoj] = obj
        node.identified = True
        self._controller.nodes[node.uid] = node
        self._by_address[host] = node
        self._probe_backoff.pop(host, None)
        self._probe_failures.pop(host, None)
        _LOGGER.debug("Found ECHONET Lite node %s at %s: %s", node.uid, host, list(node.objects))
        self._controller.emit(NodeAdded(node))

    async def _sync_objects(self, node: Node, instances: list[EOJ]) -> None:
        for eoj in instances:
            if eoj.class_code == _PROFILE_CLASS or eoj in node.objects:
                continue
            obj = await self._setup_object(node, eoj)
            node.objects[eoj] = obj
            self._controller.emit(ObjectAdded(obj))

    async def _setup_object(self, node: Node, eoj: EOJ) -> EchonetObject:
        obj = EchonetObject(node, eoj, class_or_generic(eoj.class_code))
        obj.get_map = frozenset(SETUP_EPCS)
        read = self._controller.reader.read
        values = await read(obj, SETUP_EPCS, Priority.SETUP, emit=False)
        obj.get_map = safe_map(values.get(EPC_GET_PROPERTY_MAP)) or frozenset(
            epc for epc, prop in obj.class_def.properties.items() if prop.gettable
        )
        obj.set_map = safe_map(values.get(EPC_SET_PROPERTY_MAP)) or frozenset()
        obj.inf_map = safe_map(values.get(EPC_INF_PROPERTY_MAP)) or frozenset()
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
        node.stats.address_changes += 1
        _LOGGER.info("ECHONET Lite node %s moved from %s to %s", node.uid, old, new_address)
        self._controller.emit(NodeAddressChanged(node, old, new_address))


def parse_instance_list(edt: bytes | None) -> list[EOJ]:
    """The EOJs of an instance list EDT (count, then 3 bytes each); a short tail is dropped."""
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


def safe_map(edt: bytes | None) -> frozenset[int] | None:
    """A property map, or None when absent or malformed."""
    if not edt:
        return None
    try:
        return decode_property_map(edt)
    except FrameError:
        return None
