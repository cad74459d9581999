"""Our own node: the controller answering other controllers over real UDP on loopback."""

from __future__ import annotations

import socket
import struct

from custom_components.hems.echonet import EOJ, ESV
from custom_components.hems.echonet.controller import Controller
from custom_components.hems.echonet.frame import CONTROLLER, NODE_PROFILE, build, decode_frame

from .conftest import recv


async def test_our_node_profile_answers_gets(controller: Controller) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.3.250", 0))
    try:
        sock.sendto(
            build(5, NODE_PROFILE, NODE_PROFILE, ESV.GET, [(0xD6, b""), (0x83, b"")]),
            ("127.0.0.1", 3610),
        )
        answer = decode_frame(await recv(sock))
        sock.sendto(build(6, CONTROLLER, CONTROLLER, ESV.GET, [(0xEE, b"")]), ("127.0.0.1", 3610))
        sna = decode_frame(await recv(sock))
        sock.sendto(
            build(7, CONTROLLER, CONTROLLER, ESV.SETC, [(0x80, b"\x31")]), ("127.0.0.1", 3610)
        )
        set_sna = decode_frame(await recv(sock))
    finally:
        sock.close()
    assert answer.esv == ESV.GET_RES
    assert answer.edt(0xD6) == b"\x01\x05\xff\x01"
    assert answer.edt(0x83) == controller.identification
    assert sna.esv == ESV.GET_SNA
    assert set_sna.esv == ESV.SETC_SNA


async def test_our_node_refuses_what_it_does_not_have(controller: Controller) -> None:
    """INF_REQ of a property we lack: INF_SNA; SetI: SetI_SNA; other objects: no answer."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.3.251", 0))
    answers = []
    try:
        for tid, deoj, esv, props in (
            (8, NODE_PROFILE, ESV.INF_REQ, [(0xEE, b"")]),
            (9, EOJ(0x01, 0x30, 0x01), ESV.GET, [(0x80, b"")]),  # not ours: no answer
            (10, CONTROLLER, ESV.SETI, [(0x80, b"\x31")]),
        ):
            sock.sendto(build(tid, CONTROLLER, deoj, esv, props), ("127.0.0.1", 3610))
        answers = [decode_frame(await recv(sock)) for _ in range(2)]
    finally:
        sock.close()
    assert [(a.tid, a.esv, a.seoj) for a in answers] == [
        (8, ESV.INF_SNA, NODE_PROFILE),
        (10, ESV.SETI_SNA, CONTROLLER),
    ]


def _group_listener() -> socket.socket:
    """A socket that hears the ECHONET Lite multicast group on loopback (as other nodes do)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("224.0.23.0", 3610))
    mreq = struct.pack("4s4s", socket.inet_aton("224.0.23.0"), socket.inet_aton("127.0.0.1"))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    return sock


async def test_inf_req_is_announced_to_the_whole_network(controller: Controller) -> None:
    """INF_REQ of properties we have: the INF goes to the multicast group, not the asker."""
    listener = _group_listener()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.3.252", 0))
    try:
        sock.sendto(
            build(11, CONTROLLER, NODE_PROFILE, ESV.INF_REQ, [(0x80, b""), (0xD6, b"")]),
            ("127.0.0.1", 3610),
        )
        announced = decode_frame(await recv(listener))
        # Nothing came back to the asker itself: the next answer it gets is the Get's.
        sock.sendto(
            build(12, CONTROLLER, NODE_PROFILE, ESV.GET, [(0x80, b"")]), ("127.0.0.1", 3610)
        )
        next_answer = decode_frame(await recv(sock))
    finally:
        sock.close()
        listener.close()
    assert (announced.tid, announced.esv, announced.seoj) == (11, ESV.INF, NODE_PROFILE)
    assert announced.props == ((0x80, b"\x30"), (0xD6, b"\x01\x05\xff\x01"))
    assert (next_answer.tid, next_answer.esv) == (12, ESV.GET_RES)


async def test_services_we_do_not_offer_get_no_answer(controller: Controller) -> None:
    """SetGet and the undefined request codes are dropped; the next Get is answered first."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.3.253", 0))
    try:
        for tid, esv in ((13, ESV.SETGET), (14, 0x64)):
            sock.sendto(
                build(tid, CONTROLLER, NODE_PROFILE, esv, [(0x80, b"")]), ("127.0.0.1", 3610)
            )
        sock.sendto(build(15, CONTROLLER, CONTROLLER, ESV.GET, [(0x80, b"")]), ("127.0.0.1", 3610))
        answer = decode_frame(await recv(sock))
    finally:
        sock.close()
    assert (answer.tid, answer.esv, answer.seoj) == (15, ESV.GET_RES, CONTROLLER)
