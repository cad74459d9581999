"""A simulated node on the wire: what it answers, announces and (with quirks) gets wrong.

Real UDP on loopback: a controller's socket sends requests to the node and collects the
answers; a socket in the ECHONET Lite multicast group collects the announcements.  Each quirk
is checked as its help text describes it (simulator/quirks.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
import socket
import struct
from typing import Any

import pytest

from custom_components.hems.echonet.const import ESV, MULTICAST_GROUP_V4
from custom_components.hems.echonet.frame import (
    CONTROLLER,
    EOJ,
    NODE_PROFILE,
    Frame,
    build,
    decode_frame,
)
from simulator.device import SimObject
from simulator.node import SimNode
from simulator.quirks import Quirks
from tests.houses import next_base
from tests.waiting import wait_for

AC = EOJ(0x01, 0x30, 0x01)
ON, OFF = b"\x30", b"\x31"
Answer = tuple[int, int, list[tuple[int, bytes]]]  # TID offset, ESV, properties


class _Socket(asyncio.DatagramProtocol):
    """Collects decoded frames with their sender."""

    def __init__(self) -> None:
        self.got: list[tuple[Frame, tuple[str, int]]] = []

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self.got.append((decode_frame(data), (str(addr[0]), int(addr[1]))))

    def frames(self, start: int = 0) -> list[Frame]:
        return [frame for frame, _ in self.got[start:]]


@dataclass
class Lab:
    """A node with an air conditioner and two thermometers, a controller and a listener."""

    node: SimNode
    ac: SimObject
    peer: _Socket
    group: _Socket
    transport: asyncio.DatagramTransport
    tid: int = 0x100
    #: How many frames the controller had when it last sent.
    mark: int = 0
    #: How many datagrams it sent to the node.
    sent: int = 0

    def send(self, data: bytes, address: str | None = None) -> None:
        self.mark = len(self.peer.got)
        self.sent += 1
        self.transport.sendto(data, (address or self.node.address, self.node.port))

    def request(self, esv: int, props: list[tuple[int, bytes]], deoj: EOJ = AC, **kw: Any) -> int:
        """Send a request; its TID."""
        self.tid += 1
        self.send(build(self.tid, CONTROLLER, deoj, esv, props, kw.get("get_props", ())))
        return self.tid

    async def answers(self, tid: int, count: int) -> list[Answer]:
        """The ``count`` answers to ``tid`` and nothing else: a Get sent afterwards, with the
        quirks off, is answered next."""
        start, node = self.mark, self.node
        await wait_for(lambda: node.datagrams_received == self.sent, what="the node to read")
        await wait_for(lambda: len(self.peer.got) >= start + count, what=f"{count} answers")
        node.quirks.reset()
        sentinel = self.request(ESV.GET, [(0x80, b"")])
        await wait_for(lambda: any(f.tid == sentinel for f in self.peer.frames(start)))
        frames = self.peer.frames(start)
        assert frames[-1].tid == sentinel and len(frames) == count + 1, frames
        return [(f.tid - tid, f.esv, list(f.props)) for f in frames[:-1]]


def _group_socket(interface: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((MULTICAST_GROUP_V4, 3610))
    mreq = struct.pack("4s4s", socket.inet_aton(MULTICAST_GROUP_V4), socket.inet_aton(interface))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    sock.setblocking(False)
    return sock


@pytest.fixture
async def lab() -> AsyncIterator[Lab]:
    base = next_base()
    ac = SimObject(AC, values={0x80: OFF})
    sensors = [SimObject(EOJ(0x00, 0x11, i)) for i in (1, 2)]
    node = SimNode(base, [ac, *sensors], name="lab")
    await node.start()
    loop = asyncio.get_running_loop()
    own = base.rsplit(".", 1)[0] + ".250"  # the controller, in the test's own block
    transport, peer = await loop.create_datagram_endpoint(_Socket, local_addr=(own, 0))
    group_transport, group = await loop.create_datagram_endpoint(_Socket, sock=_group_socket(base))
    yield Lab(node, ac, peer, group, transport)
    transport.close()
    group_transport.close()
    await node.stop()


def _get_cases(ac: SimObject) -> list[tuple[dict[str, Any], list[int], list[Answer]]]:
    v80, v81, v9d, v9f = (ac.read(epc) or b"" for epc in (0x80, 0x81, 0x9D, 0x9F))
    both = [0x80, 0x81]
    return [
        ({}, both, [(0, ESV.GET_RES, [(0x80, v80), (0x81, v81)])]),
        ({}, [0x9D, 0x9F], [(0, ESV.GET_RES, [(0x9D, v9d), (0x9F, v9f)])]),
        ({"drop_gets_above": 1}, both, []),
        ({"drop_together": [frozenset(both)]}, both, []),
        ({"truncate_above": 1}, both, [(0, ESV.GET_RES, [(0x80, v80)])]),
        ({"busy": True}, both, [(0, ESV.GET_SNA, [(0x80, b""), (0x81, b"")])]),
        ({"refuse_get": {0x81}}, both, [(0, ESV.GET_SNA, [(0x80, v80), (0x81, b"")])]),
        (
            {"refuse_get": {0x81}, "split_sna": True},
            both,
            [(0, ESV.GET_RES, [(0x80, v80)]), (0, ESV.GET_SNA, [(0x81, b"")])],
        ),
        (
            {"refuse_get": {0x81}, "pdc0_in_res": True},
            both,
            [(0, ESV.GET_RES, [(0x80, v80), (0x81, b"")])],
        ),
        ({"wrong_length": {0x80}}, [0x80], [(0, ESV.GET_RES, [(0x80, v80 + b"\x00")])]),
        ({"no_identification": True}, [0x83], [(0, ESV.GET_SNA, [(0x83, b"")])]),
        ({"map_count_off": True}, [0x9D], [(0, ESV.GET_RES, [(0x9D, b"\x07" + v9d[1:])])]),
        ({"map_trailing_bytes": True}, [0x9D], [(0, ESV.GET_RES, [(0x9D, v9d + b"\0\0")])]),
        ({"map_bitmap_short": True}, [0x9F], [(0, ESV.GET_RES, [(0x9F, v9f[:-1])])]),
        ({"map_bitmap_long": True}, [0x9F], [(0, ESV.GET_RES, [(0x9F, v9f + b"\0")])]),
        ({"map_bitmap_long": True}, [0x9D], [(0, ESV.GET_RES, [(0x9D, v9d)])]),  # a list
        (
            {"stale_tid": True},
            [0x80],
            [(-1, ESV.GET_RES, [(0x80, v80)]), (0, ESV.GET_RES, [(0x80, v80)])],
        ),
        ({"duplicate_answers": True}, [0x80], [(0, ESV.GET_RES, [(0x80, v80)])] * 2),
        ({"delay": 0.05}, [0x80], [(0, ESV.GET_RES, [(0x80, v80)])]),
        ({"silent": True}, both, []),
    ]


async def test_gets_with_and_without_quirks(lab: Lab) -> None:
    """Each Get quirk changes the answer as its help says, and only while it is on."""
    for quirks, epcs, expected in _get_cases(lab.ac):
        lab.node.quirks.set(**quirks)
        tid = lab.request(ESV.GET, [(epc, b"") for epc in epcs])
        assert await lab.answers(tid, len(expected)) == expected, quirks


async def test_targets_and_what_is_no_request(lab: Lab) -> None:
    """Instance 0 reaches every object of the class; unknown objects, answers and undecodable
    bytes get nothing (the latter counted)."""
    node = lab.node
    tid = lab.request(ESV.GET, [(0x80, b"")], deoj=EOJ(0x00, 0x11, 0x00))
    answers = await lab.answers(tid, 2)
    assert [esv for _, esv, _ in answers] == [ESV.GET_RES, ESV.GET_RES]
    assert {f.seoj for f in lab.peer.frames() if f.tid == tid} == {
        EOJ(0x00, 0x11, 1),
        EOJ(0x00, 0x11, 2),
    }
    for deoj in (EOJ(0x00, 0x11, 3), EOJ(0x0E, 0xF0, 0x02)):
        assert await lab.answers(lab.request(ESV.GET, [(0x80, b"")], deoj=deoj), 0) == []
    profile = lab.request(ESV.GET, [(0xD6, b"")], deoj=NODE_PROFILE)
    ((_, esv, props),) = await lab.answers(profile, 1)
    assert esv == ESV.GET_RES and props[0][1][0] == 3  # three objects
    assert await lab.answers(lab.request(ESV.GET_RES, [(0x80, ON)]), 0) == []
    before = node.requests_received
    lab.send(b"\x10\x81\x00\x01")
    assert await lab.answers(lab.tid, 0) == []
    assert node.bad_frames == 1 and node.requests_received == before + 1  # the sentinel only


def _infs(lab: Lab, start: int = 0) -> list[tuple[EOJ, list[tuple[int, bytes]]]]:
    return [(f.seoj, list(f.props)) for f in lab.group.frames(start) if f.esv == ESV.INF]


async def test_sets_and_their_announcements(lab: Lab) -> None:
    """SetC answers Set_Res (PDC 0) and announces the change; SetI answers only a failure;
    the Set quirks refuse, ignore or echo."""
    tid = lab.request(ESV.SETC, [(0x80, ON)])
    assert await lab.answers(tid, 1) == [(0, ESV.SET_RES, [(0x80, b"")])]
    await wait_for(lambda: _infs(lab) == [(AC, [(0x80, ON)])], what="the INF of 0x80")
    tid = lab.request(ESV.SETI, [(0x80, b"\x99")])
    assert await lab.answers(tid, 1) == [(0, ESV.SETI_SNA, [(0x80, b"\x99")])]
    assert await lab.answers(lab.request(ESV.SETI, [(0x80, OFF)]), 0) == []
    assert lab.ac.values[0x80] == OFF
    lab.node.quirks.set(refuse_set={0x80})
    tid = lab.request(ESV.SETC, [(0x80, ON)])
    assert await lab.answers(tid, 1) == [(0, ESV.SETC_SNA, [(0x80, ON)])]
    lab.node.quirks.set(refuse_set={0x80}, sna_without_edt=True)
    tid = lab.request(ESV.SETC, [(0x80, ON)])
    assert await lab.answers(tid, 1) == [(0, ESV.SETC_SNA, [(0x80, b"")])]  # names, no EDT
    lab.node.quirks.set(ignore_set={0x80})
    assert await lab.answers(lab.request(ESV.SETC, [(0x80, ON)]), 1) == [
        (0, ESV.SET_RES, [(0x80, b"")])
    ]
    assert lab.ac.values[0x80] == OFF  # answered as done, changed nothing
    lab.node.quirks.set(echo_set_edt=True)
    assert await lab.answers(lab.request(ESV.SETC, [(0x80, ON)]), 1) == [
        (0, ESV.SET_RES, [(0x80, ON)])
    ]
    lab.node.quirks.set(delay=0.05)  # the announcement waits as long as the answer
    seen = len(lab.group.got)
    assert await lab.answers(lab.request(ESV.SETC, [(0x80, OFF)]), 1) == [
        (0, ESV.SET_RES, [(0x80, b"")])
    ]
    await wait_for(lambda: _infs(lab, seen) == [(AC, [(0x80, OFF)])], what="the late INF")


async def test_inf_before_set_res(lab: Lab) -> None:
    """With the answer held back, the announcement still goes out at once; stopping the node
    drops the held answer."""
    lab.node.quirks.set(inf_before_set_res=True, delay=60)
    lab.request(ESV.SETC, [(0x80, ON)])
    await wait_for(lambda: _infs(lab) == [(AC, [(0x80, ON)])], what="the INF before Set_Res")
    assert lab.peer.got == []
    sent = lab.node.frames_sent
    await lab.node.stop()
    lab.node.announce_instances()  # stopped: nothing goes out
    assert lab.node.frames_sent == sent and lab.peer.got == []


async def test_inf_req_and_setget(lab: Lab) -> None:
    """INF_REQ: announced to the group (or, without multicast, to the asker); INF_SNA for what
    the object lacks.  SetGet: both parts in one answer, SNA when a part fails."""
    lab.request(ESV.INF_REQ, [(0x80, b"")])
    await wait_for(lambda: _infs(lab) == [(AC, [(0x80, OFF)])], what="the requested INF")
    lab.node.quirks.set(no_multicast=True)
    tid = lab.request(ESV.INF_REQ, [(0x80, b"")])
    assert await lab.answers(tid, 1) == [(0, ESV.INF, [(0x80, OFF)])]
    tid = lab.request(ESV.INF_REQ, [(0x80, b""), (0xF0, b"")])
    assert await lab.answers(tid, 1) == [(0, ESV.INF_SNA, [(0x80, OFF), (0xF0, b"")])]
    tid = lab.request(ESV.SETGET, [(0x80, ON)], get_props=[(0x80, b"")])
    assert await lab.answers(tid, 1) == [(0, ESV.SETGET_RES, [(0x80, b"")])]
    setget = next(f for f in lab.peer.frames() if f.tid == tid)
    assert setget.get_props == ((0x80, ON),)
    await wait_for(lambda: (AC, [(0x80, ON)]) in _infs(lab), what="the INF of the SetGet")
    tid = lab.request(ESV.SETGET, [(0x80, OFF)], get_props=[(0xF0, b"")])
    assert await lab.answers(tid, 1) == [(0, ESV.SETGET_SNA, [(0x80, b"")])]
    assert lab.ac.values[0x80] == OFF  # the Set part was done, the Get part failed


async def test_objects_come_and_go_and_the_node_moves(lab: Lab) -> None:
    """Adding or removing an object announces the new instance list; a moved node answers at
    its new address with the same identification, announcing itself only when asked to."""
    node = lab.node
    node.add_object(SimObject(EOJ(0x00, 0x11, 3)))
    await wait_for(lambda: any(p[0][1][0] == 4 for _, p in _infs(lab)), what="4 instances")
    node.remove_object(EOJ(0x00, 0x11, 3))
    await wait_for(lambda: _infs(lab)[-1][1][0][1][0] == 3, what="3 instances again")
    gone = lab.request(ESV.GET, [(0x80, b"")], deoj=EOJ(0x00, 0x11, 3))
    assert await lab.answers(gone, 0) == []
    old, new = node.address, node.address.rsplit(".", 1)[0] + ".11"
    seen = len(lab.group.got)
    await node.move(new, announce=False)
    lab.tid += 1
    lab.send(build(lab.tid, CONTROLLER, NODE_PROFILE, ESV.GET, [(0x83, b"")]), new)
    await wait_for(lambda: lab.peer.got[-1][0].tid == lab.tid, what="the answer at the new address")
    frame, sender = lab.peer.got[-1]
    assert sender == (new, 3610) and frame.edt(0x83) == node.uid
    assert lab.group.got[seen:] == []
    await node.move(old)
    await wait_for(lambda: len(lab.group.got) > seen, what="the announcement after the move")
    assert lab.group.got[-1][1][0] == old


async def test_answers_from_another_port_and_without_multicast() -> None:
    """``reply_port``: answers leave from that port; a node without multicast announces
    nothing."""
    base = next_base()
    node = SimNode(base, [SimObject(AC)], multicast=False, quirks=Quirks(reply_port=23610))
    await node.start()
    loop = asyncio.get_running_loop()
    own = base.rsplit(".", 1)[0] + ".250"
    transport, peer = await loop.create_datagram_endpoint(_Socket, local_addr=(own, 0))
    try:
        sent = node.frames_sent
        node.announce_instances()
        assert node.frames_sent == sent
        transport.sendto(build(7, CONTROLLER, AC, ESV.GET, [(0x80, b"")]), (base, 3610))
        await wait_for(lambda: len(peer.got) == 1, what="the answer")
        frame, sender = peer.got[0]
        assert frame.tid == 7 and sender == (base, 23610)
    finally:
        transport.close()
        await node.stop()
