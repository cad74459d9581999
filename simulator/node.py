"""A simulated ECHONET Lite node: a node profile plus device objects on one address."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
import hashlib
import logging
import socket
import struct

from custom_components.hems.echonet.const import ESV, MULTICAST_GROUP_V4
from custom_components.hems.echonet.errors import FrameError
from custom_components.hems.echonet.frame import EOJ, NODE_PROFILE, Frame, build, decode_frame

from .device import SimObject
from .quirks import Quirks

_LOGGER = logging.getLogger(__name__)

Props = list[tuple[int, bytes]]

#: The property maps (announcement, Set, Get), mangled by the map quirks.
_MAPS = frozenset({0x9D, 0x9E, 0x9F})


def _udp_socket() -> socket.socket:
    return socket.socket(socket.AF_INET, socket.SOCK_DGRAM)


class _Proto(asyncio.DatagramProtocol):
    def __init__(self, node: SimNode, *, multicast: bool = False) -> None:
        self.node = node
        self.multicast = multicast

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        if self.multicast and self.node.quirks.deaf_to_multicast:
            return
        self.node.datagram_received(data, (str(addr[0]), int(addr[1])))

    def error_received(self, exc: Exception) -> None:
        _LOGGER.debug("simulated node: UDP error %s", exc)


class SimNode:
    """A simulated node: answers requests, announces changes, misbehaves on demand."""

    def __init__(
        self,
        address: str,
        objects: Sequence[SimObject],
        *,
        name: str = "",
        manufacturer: int = 0x00000B,
        product_code: str = "HEMS-SIM",
        uid: bytes | None = None,
        port: int = 3610,
        multicast: bool = True,
        multicast_interface: str | None = None,
        quirks: Quirks | None = None,
        socket_factory: Callable[[], socket.socket] | None = None,
    ) -> None:
        self.address = address
        #: Makes the node's UDP sockets (e.g. inside another network namespace).
        self.socket_factory = socket_factory or _udp_socket
        self.name = name or address
        self.port = port
        self.manufacturer = manufacturer
        self.multicast = multicast
        self.multicast_interface = multicast_interface or address
        self.quirks = quirks or Quirks()
        digest = hashlib.sha256(f"{self.name}/{address}".encode()).digest()
        self.uid = uid or (b"\xfe" + manufacturer.to_bytes(3, "big") + digest[:13])
        self.objects: dict[EOJ, SimObject] = {}
        maker = manufacturer.to_bytes(3, "big")
        for index, obj in enumerate(objects):
            obj.node = self
            obj.on_change = self._on_change
            obj.values[0x8A] = maker
            obj.values[0x83] = b"\xfe" + maker + digest[:12] + bytes((index + 1,))
            obj.values[0x8C] = product_code.encode("ascii")[:12].ljust(12, b"\x00")
            obj.values[0x8D] = f"SN{digest.hex()[:10]}".encode().ljust(12, b"\x00")
            self.objects[obj.eoj] = obj
        self.profile = SimObject(NODE_PROFILE, name="Node profile")
        self.profile.node = self
        self.profile.on_change = self._on_change
        self.profile.inf_map = {0x80, 0xD5}
        self.profile.get_map = {0x80, 0x82, 0x83, 0x8A, 0x8C, 0x8D, 0xD3, 0xD4, 0xD6, 0xD7}
        self.profile.set_map = set()
        self.profile.values.update({0x8A: maker, 0x83: self.uid, 0x80: b"\x30"})
        self.profile.values[0x8C] = product_code.encode("ascii")[:12].ljust(12, b"\x00")
        self.profile.values[0x8D] = f"SN{digest.hex()[:10]}".encode().ljust(12, b"\x00")
        self.profile.values[0x82] = b"\x01\x0d\x01\x00"
        self._refresh_profile()
        self._sock: asyncio.DatagramTransport | None = None
        self._alt: asyncio.DatagramTransport | None = None
        self._mcast: asyncio.DatagramTransport | None = None
        self._timers: set[asyncio.TimerHandle] = set()
        self._tid = 0
        self._collect: list[bytes] | None = None
        #: Datagrams from others (whatever became of them), requests among them, and so on.
        self.datagrams_received = 0
        self.requests_received = 0
        self.frames_sent = 0
        self.bad_frames = 0

    # ------------------------------------------------------------------ profile

    def _refresh_profile(self) -> None:
        eojs = [e for e in self.objects if e.class_code != 0x0EF0]
        listing = bytes((min(len(eojs), 84),)) + b"".join(e.to_bytes() for e in eojs[:84])
        classes = sorted({e.class_code for e in eojs})
        self.profile.values[0xD3] = len(eojs).to_bytes(3, "big")
        self.profile.values[0xD4] = (len(classes) + 1).to_bytes(2, "big")
        self.profile.values[0xD5] = listing
        self.profile.values[0xD6] = listing
        self.profile.values[0xD7] = bytes((min(len(classes), 8),)) + b"".join(
            c.to_bytes(2, "big") for c in classes[:8]
        )
        self.profile._refresh_maps()

    def add_object(self, obj: SimObject, *, announce: bool = True) -> None:
        """Add an object at runtime (announces the new instance list)."""
        obj.node = self
        obj.on_change = self._on_change
        maker = self.manufacturer.to_bytes(3, "big")
        obj.values[0x8A] = maker
        obj.values[0x83] = self.uid[:16] + bytes((len(self.objects) + 1,))
        self.objects[obj.eoj] = obj
        self._refresh_profile()
        if announce:
            self.announce_instances()

    def remove_object(self, eoj: EOJ, *, announce: bool = True) -> SimObject:
        """Take an object out of the node (a unit uninstalled, an adapter reconfigured): it
        leaves the instance lists (0xD5/0xD6) and stops answering; announces the new list."""
        obj = self.objects.pop(eoj)
        obj.on_change = None
        self._refresh_profile()
        if announce:
            self.announce_instances()
        return obj

    # ------------------------------------------------------------------ network

    async def start(self) -> None:
        """Bind the node's sockets."""
        loop = asyncio.get_running_loop()
        sock = self.socket_factory()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(
            socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(self.multicast_interface)
        )
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
        sock.bind((self.address, self.port))
        sock.setblocking(False)
        self._sock, _ = await loop.create_datagram_endpoint(lambda: _Proto(self), sock=sock)
        if self.multicast:
            msock = self.socket_factory()
            msock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            msock.bind((MULTICAST_GROUP_V4, self.port))
            mreq = struct.pack(
                "4s4s",
                socket.inet_aton(MULTICAST_GROUP_V4),
                socket.inet_aton(self.multicast_interface),
            )
            msock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
            msock.setblocking(False)
            self._mcast, _ = await loop.create_datagram_endpoint(
                lambda: _Proto(self, multicast=True), sock=msock
            )
        await self._open_alt()

    async def _open_alt(self) -> None:
        port = self.quirks.reply_port
        if port is None:
            return
        loop = asyncio.get_running_loop()
        sock = self.socket_factory()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.address, port))
        sock.setblocking(False)
        self._alt, _ = await loop.create_datagram_endpoint(lambda: _Proto(self), sock=sock)

    async def stop(self) -> None:
        """Close the sockets and drop scheduled answers."""
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
        for transport in (self._sock, self._alt, self._mcast):
            if transport is not None:
                transport.close()
        self._sock = self._alt = self._mcast = None
        await asyncio.sleep(0)

    async def move(self, new_address: str, *, announce: bool = True) -> None:
        """Change IP address, keeping the identification number (like a DHCP change)."""
        await self.stop()
        if self.multicast_interface == self.address:
            self.multicast_interface = new_address
        self.address = new_address
        await self.start()
        if announce:
            self.announce_instances()

    def _send(self, data: bytes, addr: tuple[str, int], *, from_alt: bool = False) -> None:
        transport = self._alt if from_alt and self._alt is not None else self._sock
        if transport is None:
            return
        self.frames_sent += 1
        transport.sendto(data, addr)

    def _send_later(self, data: bytes, addr: tuple[str, int], delay: float, from_alt: bool) -> None:
        if delay <= 0:
            self._send(data, addr, from_alt=from_alt)
            return
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle

        def _fire() -> None:
            self._timers.discard(handle)
            self._send(data, addr, from_alt=from_alt)

        handle = loop.call_later(delay, _fire)
        self._timers.add(handle)

    def multicast_send(self, data: bytes) -> None:
        """Send to the ECHONET Lite group (unless multicast is off or lost)."""
        if self.quirks.no_multicast or not self.multicast:
            return
        self._send(data, (MULTICAST_GROUP_V4, self.port))

    def _next_tid(self) -> int:
        self._tid = (self._tid + 1) & 0xFFFF
        return self._tid

    def announce_instances(self) -> None:
        """Multicast INF 0xD5 (instance list notification), as at start-up."""
        data = build(
            self._next_tid(),
            NODE_PROFILE,
            EOJ(0x0E, 0xF0, 0x01),
            ESV.INF,
            [(0xD5, self.profile.values[0xD5])],
        )
        self.multicast_send(data)

    def _on_change(self, obj: SimObject, changed: dict[int, bytes]) -> None:
        announce = [(epc, edt) for epc, edt in changed.items() if epc in obj.inf_map]
        if not announce or self._sock is None:
            return
        data = build(self._next_tid(), obj.eoj, EOJ(0x05, 0xFF, 0x01), ESV.INF, announce)
        if self._collect is not None:
            self._collect.append(data)
        else:
            self.multicast_send(data)

    # ------------------------------------------------------------------ serving

    def _targets(self, deoj: EOJ) -> list[SimObject]:
        if deoj.class_code == 0x0EF0:
            return [self.profile] if deoj.instance in (0, 1) else []
        if deoj.instance == 0:
            return [o for e, o in self.objects.items() if e.class_code == deoj.class_code]
        obj = self.objects.get(deoj)
        return [obj] if obj is not None else []

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        """Handle one request."""
        if (addr[0], addr[1]) == (self.address, self.port):
            return
        self.datagrams_received += 1
        quirks = self.quirks
        if quirks.silent:
            return
        try:
            frame = decode_frame(data)
        except FrameError:
            self.bad_frames += 1
            return
        if not frame.is_format1 or not 0x60 <= frame.esv <= 0x6F:
            return
        self.requests_received += 1
        for obj in self._targets(frame.deoj):
            self._serve(obj, frame, addr)

    def _serve(self, obj: SimObject, frame: Frame, addr: tuple[str, int]) -> None:
        quirks = self.quirks
        esv = frame.esv
        requested = [epc for epc, _ in frame.props]
        if esv == ESV.GET:
            self._serve_get(obj, frame, addr, requested)
        elif esv in (ESV.SETC, ESV.SETI):
            self._serve_set(obj, frame, addr)
        elif esv == ESV.INF_REQ:
            props = [(e, self._read(obj, e)) for e in requested]
            if not all(edt for _, edt in props):
                self._reply(obj, [(ESV.INF_SNA, props)], frame, addr)
            elif self.multicast and not quirks.no_multicast:
                self.multicast_send(build(frame.tid, obj.eoj, frame.seoj, ESV.INF, props))
            else:
                self._reply(obj, [(ESV.INF, props)], frame, addr)
        elif esv == ESV.SETGET:
            result, failed, infs = self._apply_sets(obj, frame.props)
            get_part = [(e, self._read(obj, e)) for e, _ in frame.get_props]
            failed = failed or not all(edt for _, edt in get_part)
            data = build(
                frame.tid,
                obj.eoj,
                frame.seoj,
                ESV.SETGET_SNA if failed else ESV.SETGET_RES,
                result,
                get_part,
            )
            self._send_later(data, addr, quirks.delay, quirks.reply_port is not None)
            for inf in infs:
                self.multicast_send(inf)

    def _serve_get(
        self, obj: SimObject, frame: Frame, addr: tuple[str, int], requested: list[int]
    ) -> None:
        """A Get, with the quirks of real stacks (drops, truncation, busy, refusals, splits)."""
        quirks = self.quirks
        if quirks.drop_gets_above is not None and len(requested) > quirks.drop_gets_above:
            return
        if any(group <= set(requested) for group in quirks.drop_together):
            return
        if quirks.truncate_above is not None:
            requested = requested[: quirks.truncate_above]
        if quirks.busy:
            self._reply(obj, [(ESV.GET_SNA, [(e, b"") for e in requested])], frame, addr)
            return
        props = [
            (epc, b"" if epc in quirks.refuse_get else self._read(obj, epc)) for epc in requested
        ]
        if all(edt for _, edt in props) or quirks.pdc0_in_res:
            self._reply(obj, [(ESV.GET_RES, props)], frame, addr)
        elif quirks.split_sna and any(edt for _, edt in props):
            ok: Props = [(e, d) for e, d in props if d]
            bad: Props = [(e, d) for e, d in props if not d]
            self._reply(obj, [(ESV.GET_RES, ok), (ESV.GET_SNA, bad)], frame, addr)
        else:
            self._reply(obj, [(ESV.GET_SNA, props)], frame, addr)

    def _serve_set(self, obj: SimObject, frame: Frame, addr: tuple[str, int]) -> None:
        """A SetC or SetI, and the announcements of what changed."""
        quirks = self.quirks
        esv = frame.esv
        result, failed, infs = self._apply_sets(obj, frame.props)
        answers: list[tuple[int, Props]] = []
        if failed and quirks.sna_without_edt:
            result = [(epc, b"") for epc, _ in result]
        if esv == ESV.SETC:
            answers.append((ESV.SETC_SNA if failed else ESV.SET_RES, result))
        elif failed:
            answers.append((ESV.SETI_SNA, result))
        if quirks.inf_before_set_res:
            for data in infs:
                self.multicast_send(data)
            self._reply(obj, answers, frame, addr)
        else:
            self._reply(obj, answers, frame, addr)
            for data in infs:
                if quirks.delay > 0:
                    self._send_later(data, (MULTICAST_GROUP_V4, self.port), quirks.delay, False)
                else:
                    self.multicast_send(data)

    def _read(self, obj: SimObject, epc: int) -> bytes:
        if epc == 0x83 and self.quirks.no_identification:
            return b""
        edt = obj.read(epc)
        if edt is None:
            return b""
        if epc in self.quirks.wrong_length:
            edt += b"\x00"
        if epc in _MAPS:
            edt = self._malform_map(edt)
        return edt

    def _malform_map(self, edt: bytes) -> bytes:
        """A property map as the map quirks mangle it."""
        quirks = self.quirks
        if edt[0] < 16:
            if quirks.map_count_off:
                edt = bytes((edt[0] + 1,)) + edt[1:]
            if quirks.map_trailing_bytes:
                edt += b"\x00\x00"
            return edt
        if quirks.map_bitmap_short:
            return edt[:-1]
        if quirks.map_bitmap_long:
            return edt + b"\x00"
        return edt

    def _apply_sets(
        self, obj: SimObject, props: Sequence[tuple[int, bytes]]
    ) -> tuple[Props, bool, list[bytes]]:
        """Apply the Set part of a request; collect the INFs it causes instead of sending."""
        result: Props = []
        failed = False
        self._collect = []
        try:
            for epc, edt in props:
                refused = epc in self.quirks.refuse_set
                # an ignored Set is answered as done but changes nothing
                if not refused and (epc in self.quirks.ignore_set or obj.write(epc, edt)):
                    result.append((epc, edt if self.quirks.echo_set_edt else b""))
                else:
                    failed = True
                    result.append((epc, edt))
        finally:
            infs, self._collect = self._collect or [], None
        return result, failed, infs

    def _reply(
        self,
        obj: SimObject,
        answers: Iterable[tuple[int, Props]],
        frame: Frame,
        addr: tuple[str, int],
    ) -> None:
        quirks = self.quirks
        alt = quirks.reply_port is not None
        tid = frame.tid
        for esv, props in answers:
            if quirks.stale_tid:
                stale = build((tid - 1) & 0xFFFF, obj.eoj, frame.seoj, esv, props)
                self._send_later(stale, addr, quirks.delay, alt)
            data = build(tid, obj.eoj, frame.seoj, esv, props)
            self._send_later(data, addr, quirks.delay, alt)
            if quirks.duplicate_answers:
                self._send_later(data, addr, quirks.delay, alt)
