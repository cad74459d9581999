"""Our own node: the controller answering other controllers over real UDP on loopback."""

from __future__ import annotations

import socket

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
