"""ECHONET Lite controller: discovery, per-node request scheduling, adaptive batching, push.

The controller keeps one :class:`Node` per ECHONET Lite node, keyed by its identification
number (node profile 0x83), and follows a node to a new IP address.  Requests to a node are
serialised (one in flight per node) by a priority lock: user Sets before explicit refreshes
before polling.  Answers are correlated by sender address, TID and EOJs; everything else is
ignored and counted.  Get requests adapt their size to what each object accepts.

The parts, one module each: :mod:`.requests` (TIDs, retries, pending answers),
:mod:`.batching` (Gets sized by learned capacity), :mod:`.discovery` (finding and setting up
nodes), :mod:`.own_node` (our node answering the others), :mod:`.events` (what listeners hear).
This module ties them together and routes each received frame to its part.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
import logging
import os
import time

from .batching import DEFAULT_MAX_BATCH, BatchReader
from .const import EPC_INSTANCE_LIST_NOTIFICATION, EPC_SELF_NODE_INSTANCE_LIST, ESV
from .definitions import preload as preload_definitions
from .discovery import DEFAULT_MAX_NODES, Discovery, parse_instance_list
from .errors import DeviceRejectedError, FrameError, RequestTimeoutError, UnknownNodeError
from .events import (
    ControllerEvent,
    IdentityConflict,
    Listener,
    Listeners,
    NodeAdded,
    NodeAddressChanged,
    NodeAvailability,
    NodeRefused,
    ObjectAdded,
    ObjectRemoved,
    ObjectsRefused,
    PropertiesUpdated,
    Subscription,
)
from .frame import EOJ, NODE_PROFILE, Frame
from .node import DEFAULT_RULES, EchonetObject, NeverTogether, Node, Priority
from .own_node import OwnNode
from .requests import RequestEngine
from .transport import Address, EchonetTransport

_LOGGER = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_MAX_BATCH",
    "Controller",
    "ControllerEvent",
    "IdentityConflict",
    "Listener",
    "NodeAdded",
    "NodeAddressChanged",
    "NodeAvailability",
    "NodeRefused",
    "ObjectAdded",
    "ObjectRemoved",
    "ObjectsRefused",
    "PropertiesUpdated",
    "node_diagnostics",
    "object_diagnostics",
]


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
        max_nodes: int = DEFAULT_MAX_NODES,
    ) -> None:
        self.interface_address = interface_address
        self.hosts = list(dict.fromkeys(hosts))
        self.discovery_interval = discovery_interval
        self.multicast = multicast
        self.transport = EchonetTransport(
            interface_address,
            self._on_frame,
            on_bad_frame=self._on_bad_frame,
            port=port,
            multicast=multicast,
        )
        self.own_node = OwnNode(
            self.transport, identification or (b"\xfe\xff\xff\xff" + os.urandom(13))
        )
        self.requests = RequestEngine(
            self.transport,
            self._ignore,
            timeout=timeout,
            max_timeout=max_timeout,
            retries=retries,
        )
        self._listeners = Listeners()
        self.reader = BatchReader(
            self.requests,
            rules=rules,
            max_batch=max_batch,
            answered=self.mark_answered,
            silent=self.mark_silent,
            emit=self.emit,
        )
        self.nodes: dict[str, Node] = {}
        self.discovery = Discovery(self, max_nodes=max_nodes)
        self._discovery_task: asyncio.Task[None] | None = None
        self.ignored_frames = 0
        self.malformed_frames = 0
        self._started = False

    # ------------------------------------------------------------------ settings

    @property
    def identification(self) -> bytes:
        """Our node's identification number (node profile 0x83)."""
        return self.own_node.identification

    @property
    def timeout(self) -> float:
        """First wait for an answer (seconds); it grows per attempt up to ``max_timeout``."""
        return self.requests.timeout

    @timeout.setter
    def timeout(self, value: float) -> None:
        self.requests.timeout = value

    @property
    def max_timeout(self) -> float:
        """Longest wait for one answer (seconds)."""
        return self.requests.max_timeout

    @max_timeout.setter
    def max_timeout(self, value: float) -> None:
        self.requests.max_timeout = value

    @property
    def retries(self) -> int:
        """How often a request to an answering node is sent again."""
        return self.requests.retries

    @retries.setter
    def retries(self, value: int) -> None:
        self.requests.retries = value

    @property
    def max_batch(self) -> int:
        """Largest Get, before anything is learned about an object."""
        return self.reader.max_batch

    @property
    def rules(self) -> tuple[NeverTogether, ...]:
        """Properties never asked for together (quirks of some devices)."""
        return self.reader.rules

    @property
    def running(self) -> bool:
        """Started and not stopped."""
        return self._started

    # ------------------------------------------------------------------ lifecycle

    async def start(self, *, discover: bool = True) -> None:
        """Open the sockets, then (optionally) start discovery and its periodic repeat."""
        # The definitions are read from disk once, in a thread, not inside the event loop.
        await asyncio.get_running_loop().run_in_executor(None, preload_definitions)
        await self.transport.start()
        self._started = True
        if discover:
            self._discovery_task = asyncio.get_running_loop().create_task(
                self.discovery.run(), name="hems-echonet-discovery"
            )

    async def stop(self) -> None:
        """Cancel every task, fail pending requests, close the sockets."""
        self._started = False
        task, self._discovery_task = self._discovery_task, None
        if task is not None:
            task.cancel()
        await self.discovery.stop()
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)
        self.requests.cancel_all()
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
        filters = None if epcs is None else frozenset(epcs)
        return self._listeners.add(Subscription(callback, uid, eoj, filters))

    def emit(self, event: ControllerEvent) -> None:
        """Tell the listeners (used by the controller's parts)."""
        self._listeners.emit(event)

    def mark_answered(self, node: Node) -> None:
        """``node`` answered: available again if it was not."""
        if not node.available:
            node.available = True
            _LOGGER.info("ECHONET Lite node %s at %s is answering again", node.uid, node.address)
            self.emit(NodeAvailability(node, True))

    def mark_silent(self, node: Node) -> None:
        """``node`` did not answer: unavailable (once it was identified)."""
        if node.available and node.identified:
            node.available = False
            _LOGGER.info("ECHONET Lite node %s at %s stopped answering", node.uid, node.address)
            self.emit(NodeAvailability(node, False))

    # ------------------------------------------------------------------ lookup

    def node_at(self, address: str) -> Node | None:
        """The node currently at ``address``."""
        return self.discovery.node_at(address)

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

    def discover(self) -> None:
        """Multicast Get 0x0EF001 0xD6 and probe the configured hosts."""
        self.discovery.discover()

    async def async_discover(self, wait: float = 2.0) -> list[Node]:
        """Discover now, wait ``wait`` seconds for answers and for the nodes' setup."""
        self.discover()
        await asyncio.sleep(wait)
        await self.wait_for_setups()
        return list(self.nodes.values())

    async def wait_for_setups(self) -> None:
        """Wait until nodes being set up are ready (or failed)."""
        await self.discovery.wait_for_setups()

    async def probe(self, host: str) -> Node:
        """Set up the node at ``host`` by unicast (for networks without multicast)."""
        return await self.discovery.probe(host)

    # ------------------------------------------------------------------ public requests

    async def get(
        self,
        obj: EchonetObject,
        epcs: Iterable[int],
        *,
        priority: Priority = Priority.REFRESH,
    ) -> dict[int, bytes]:
        """Read properties (batched adaptively).  Unsupported ones are left out."""
        return await self.reader.read(obj, epcs, priority)

    async def refresh(
        self, obj: EchonetObject, *, priority: Priority = Priority.POLL
    ) -> dict[int, bytes]:
        """Read every readable, changing property of ``obj``."""
        return await self.reader.read(obj, obj.pollable_epcs, priority)

    async def refresh_node(self, node: Node, *, priority: Priority = Priority.POLL) -> None:
        """Read every readable, changing property of every object of ``node``."""
        for obj in list(node.objects.values()):
            await self.reader.read(obj, obj.pollable_epcs, priority)

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
        attempts = 1 + min(self.retries, 1)
        pending = await self.requests.exchange(
            node, obj.eoj, ESV.SETC, list(values.items()), priority, attempts
        )
        if pending is None:
            self.mark_silent(node)
            raise RequestTimeoutError(
                f"{obj.eoj} at {node.address} did not answer the Set",
                missing=tuple(values),
            )
        self.mark_answered(node)
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
        return await self._read_back(obj, values, started, priority)

    async def _read_back(
        self, obj: EchonetObject, values: Mapping[int, bytes], since: float, priority: Priority
    ) -> dict[int, bytes]:
        """What ``obj`` reports for the set properties: from INFs since ``since``, else a Get."""
        confirmed = {
            epc: obj.values[epc]
            for epc in values
            if obj.updated.get(epc, 0.0) > since and epc in obj.values
        }
        missing = [
            epc
            for epc in values
            if epc not in confirmed and (not obj.get_map or epc in obj.get_map)
        ]
        if missing:
            confirmed.update(await self.reader.read(obj, missing, priority))
        return confirmed

    # ------------------------------------------------------------------ receiving

    def _on_bad_frame(self, data: bytes, addr: Address, err: FrameError) -> None:
        node = self.node_at(addr[0])
        if node is not None:
            node.stats.malformed_frames += 1
        self.malformed_frames += 1
        _LOGGER.debug("Malformed frame from %s: %s (%s)", addr[0], err, data[:64].hex())

    def _ignore(self, host: str, frame: Frame, why: str) -> None:
        node = self.node_at(host)
        if node is not None:
            node.stats.ignored_frames += 1
        self.ignored_frames += 1
        _LOGGER.debug("Ignoring frame from %s (%s): %r", host, why, frame)

    def _on_frame(self, frame: Frame, addr: Address) -> None:
        """Route a received frame: notification, request to us, discovery answer, answer."""
        host = addr[0]
        if not frame.is_format1:
            self._ignore(host, frame, "format 2")
            return
        esv = frame.esv
        if esv in (ESV.INF, ESV.INFC):
            if esv == ESV.INFC:
                self.own_node.acknowledge(frame, addr)
            pending = self.requests.waiting(frame.tid)
            if esv == ESV.INF and pending is not None and pending.request_esv == ESV.INF_REQ:
                self.requests.on_answer(pending, frame, host)
            self._on_notification(frame, host)
            return
        if 0x60 <= esv <= 0x6F:
            self.own_node.serve(frame, addr)
            return
        if self.discovery.answers_discovery(frame):
            edt = frame.edt(EPC_SELF_NODE_INSTANCE_LIST)
            self.discovery.on_instance_list(host, edt, solicited=True)
            return
        pending = self.requests.waiting(frame.tid)
        if pending is None:
            self._ignore(host, frame, "no request with this TID")
            return
        self.requests.on_answer(pending, frame, host)

    def _on_notification(self, frame: Frame, host: str) -> None:
        node = self.node_at(host)
        if node is None:
            instances = frame.edt(EPC_INSTANCE_LIST_NOTIFICATION)
            if instances is not None:
                self.discovery.on_instance_list(host, instances, solicited=False)
            else:
                self.discovery.start_setup(host, None)
            return
        node.stats.notifications += 1
        obj = node.object(frame.seoj)
        if obj is None:
            # An object we do not know: perhaps the node's instance list changed.
            self.discovery.resync(host)
            return
        # Only what the object's class defines (every class has the super class's 0x80-0x9F).
        defined = obj.class_def.properties
        values = {
            epc: edt for epc, edt in frame.props if edt and (epc in defined or 0x80 <= epc <= 0x9F)
        }
        if obj.eoj == NODE_PROFILE and EPC_INSTANCE_LIST_NOTIFICATION in values:
            edt = values[EPC_INSTANCE_LIST_NOTIFICATION]
            self.discovery.on_new_instances(node, parse_instance_list(edt), edt)
        changes = obj.apply(values)
        if changes:
            self.emit(PropertiesUpdated(obj, changes, "inf"))

    # ------------------------------------------------------------------ diagnostics

    def diagnostics(self) -> dict[str, object]:
        """JSON-able view of every node and its statistics (no secrets here)."""
        return {
            "interface": self.interface_address,
            "frames_sent": self.transport.frames_sent,
            "frames_received": self.transport.frames_received,
            "ignored_frames": self.ignored_frames,
            "malformed_frames": self.malformed_frames,
            "refused_setups": self.discovery.refused_setups,
            "tables": self.discovery.tables(),
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
        "malformed_maps": {}
        if node.profile is None
        else {f"0x{e:02X}": text for e, text in sorted(node.profile.malformed_maps.items())},
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
        "malformed_maps": {f"0x{e:02X}": text for e, text in sorted(obj.malformed_maps.items())},
        "gets": obj.stats.gets,
        "sets": obj.stats.sets,
        "values": {f"0x{e:02X}": v.hex() for e, v in sorted(obj.values.items())},
    }
