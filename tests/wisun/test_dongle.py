"""The virtual dongle itself: dialect details over the pty, the meter responder, the CLI."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import os
from pathlib import Path
import struct
import sys

import pytest
import serialx

from custom_components.hems.echonet.const import ESV
from custom_components.hems.echonet.frame import CONTROLLER, EOJ, Frame, build, decode_frame
from custom_components.hems.wisun import j11
from simulator.clock import SimClock
from simulator.dongle import MeterResponder, VirtualDongle, encode_property_map
from simulator.meter_model import MeterModel

from .conftest import START, DongleFactory
from .raw import RawClient

METER = EOJ(0x02, 0x88, 0x01)
REPO = Path(__file__).resolve().parents[2]


def _exists(path: str) -> bool:
    return os.path.lexists(path)


def _islink(path: str) -> bool:
    return os.path.islink(path)


def _realpath(path: str) -> str:
    return os.path.realpath(path)


async def test_a1_text_protocol(make_dongle: DongleFactory) -> None:
    """Echo on by default, EVER, EINFO side FFFE, argument checks, bare SKLL64, ROPT."""
    dongle = await make_dongle("a1")
    client = await RawClient.open(dongle.path or "")
    try:
        await client.send(b"SKVER\r\n")
        assert await client.expect(b"OK\r\n") == b"SKVER\r\nEVER 1.2.10\r\nOK\r\n"
        await client.send(b"SKSREG SFE 0\r\n")
        await client.expect(b"OK\r\n")
        await client.send(b"SKINFO\r\n")
        assert b" FFFE\r\nOK\r\n" in await client.expect(b"OK\r\n")
        await client.send(b"SKSCAN 2 FFFFFFFF 6 0\r\n")  # C0 form on A1
        assert await client.expect(b"\r\n") == b"FAIL ER05\r\n"
        await client.send(b"SKFOO\r\n")
        assert await client.expect(b"\r\n") == b"FAIL ER04\r\n"
        await client.send(b"SKLL64 C0F94500DEADBEEF\r\n")
        assert await client.expect(b"\r\n") == b"FE80:0000:0000:0000:C2F9:4500:DEAD:BEEF\r\n"
        await client.send(b"ROPT\r")  # a lone CR ends a command too
        assert await client.expect(b"\r\n") == b"OK 01\r\n"
        await client.send(b"SKSENDTO 1 FE80:0000:0000:0000:C2F9:4500:DEAD:BEEF 0E1A 1 0002 \r\n")
        assert await client.expect(b"\r\n") == b"FAIL ER10\r\n"  # no session
        assert await client.quiet() == b""
    finally:
        await client.close()


async def test_c0_side_fields_and_output_mode(make_dongle: DongleFactory) -> None:
    """C0 wants SIDE in SKSCAN/SKSENDTO; ROPT says binary; WOPT is kept across a replug."""
    dongle = await make_dongle("c0")
    client = await RawClient.open(dongle.path or "")
    try:
        await client.send(b"SKSREG SFE 0\r\nSKINFO\r\n")
        assert b" 0\r\nOK\r\n" in await client.expect(b"EINFO", 2) + await client.expect(b"OK\r\n")
        await client.send(b"SKSCAN 2 FFFFFFFF 6\r\n")
        assert await client.expect(b"\r\n") == b"FAIL ER05\r\n"
        payload = b"\x10\x81\r\n"
        await client.send(
            b"SKSENDTO 1 FE80:0000:0000:0000:C2F9:4500:DEAD:BEEF 0E1A 1 0004 " + payload
        )
        assert await client.expect(b"\r\n") == b"FAIL ER05\r\n"  # no SIDE
        await client.send(b"ROPT\r\n")
        assert await client.expect(b"\r\n") == b"OK 00\r\n"
        await client.send(b"WOPT 01\r\n")
        await client.expect(b"OK\r\n")
    finally:
        await client.close()
    assert dongle.stats.wopt_writes == 1
    await dongle.replug()
    client = await RawClient.open(dongle.path or "")
    try:
        await client.send(b"ROPT\r\n")
        assert (await client.expect(b"OK 01\r\n")).endswith(b"OK 01\r\n")
    finally:
        await client.close()


async def test_j11_binary_protocol(make_dongle: DongleFactory) -> None:
    """No answer to SKVER; version, bad checksum ignored, no send without a session, reset."""
    dongle = await make_dongle("j11")
    client = await RawClient.open(dongle.path or "")
    parser = j11.J11Parser()
    try:
        await client.quiet(0.1)
        await client.send(b"SKVER\r\n")
        assert await client.quiet(0.2) == b""
        bad = bytearray(j11.encode(0x006B))
        bad[9] ^= 1
        await client.send(bytes(bad) + j11.encode(0x006B))
        frames = parser.feed(await client.expect(b"\x01\x01\x02\x03\x04"))
        assert frames == [j11.J11Frame(0x206B, b"\x01\x01\x02\x03\x04")]
        await client.send(j11.encode(0x0008, j11.build_send_udp(bytes(16), b"x")))
        frames = parser.feed(await client.expect(b"\x20\x08", 2) + await client.quiet(0.1))
        assert frames[0].command == 0x2008 and not frames[0].ok  # no session
        await client.send(j11.encode(0x00D9))  # reset: the start-up notification follows
        frames = parser.feed(await client.expect(b"\x60\x19", 2) + await client.quiet(0.1))
        assert j11.J11Frame(0x6019, b"\x01") in frames
    finally:
        await client.close()


async def test_unplug_removes_the_path(make_dongle: DongleFactory) -> None:
    """Unplug: the link disappears and an open client sees the port die; replug: new pty."""
    dongle = await make_dongle("a1")
    path = dongle.path or ""
    first_device = dongle.device
    client = await RawClient.open(path)
    await dongle.unplug()
    assert not _exists(path)
    with pytest.raises((OSError, asyncio.IncompleteReadError, serialx.SerialException)):
        async with asyncio.timeout(2):
            data = await client.port.read(100)
            if not data:
                raise OSError("EOF")
    await client.close()
    await dongle.replug()
    assert _realpath(path) == dongle.device
    assert dongle.device is not None and first_device is not None


# -- the responder ------------------------------------------------------------------------


def _responder(**kwargs: object) -> tuple[SimClock, MeterModel, MeterResponder]:
    clock = SimClock(start=START)
    model = MeterModel(clock)
    return clock, model, MeterResponder(model, **kwargs)  # type: ignore[arg-type]


def _ask(
    responder: MeterResponder, esv: int, props: list[tuple[int, bytes]], deoj: EOJ = METER
) -> list[Frame]:
    answers = responder.handle(build(0x1234, CONTROLLER, deoj, esv, props))
    return [decode_frame(a) for a in answers]


def test_property_maps() -> None:
    """List form below 16 properties, bitmap form from 16 (0x80/0xC0/0xD0/0xE0 -> 0x71...)."""
    assert encode_property_map({0x80, 0xE0}) == b"\x02\x80\xe0"
    bitmap = encode_property_map({0x80 + i for i in range(16)} | {0xC0, 0xD0, 0xE0})
    assert bitmap[0] == 19 and bitmap[1] == 0x71
    _, _, responder = _responder()
    (frame,) = _ask(responder, ESV.GET, [(0x9F, b"")])
    edt = frame.edt(0x9F)
    assert edt is not None and len(edt) == 17  # the meter has more than 16 properties


def test_responder_get_set_and_sna() -> None:
    """Answers, Get_SNA with PDC 0 for what it lacks, E5/ED sets with validation, INF_REQ."""
    _, model, responder = _responder(history2=False)
    (frame,) = _ask(responder, ESV.GET, [(0xE7, b""), (0xEC, b""), (0xE0, b"")])
    assert frame.esv == ESV.GET_SNA and frame.tid == 0x1234
    assert frame.seoj == METER and frame.deoj == CONTROLLER
    assert frame.edt(0xEC) == b""
    assert frame.edt(0xE0) == model.registers()[0].to_bytes(4, "big")
    (ok,) = _ask(responder, ESV.SETC, [(0xE5, b"\x02")])
    assert ok.esv == ESV.SET_RES and responder.history_day == 2
    (bad,) = _ask(responder, ESV.SETC, [(0xE5, b"\x64")])
    assert bad.esv == ESV.SETC_SNA and bad.edt(0xE5) == b"\x64"
    (inf,) = _ask(responder, ESV.INF_REQ, [(0xE7, b"")])
    assert inf.esv == ESV.INF
    assert _ask(responder, ESV.GET, []) == []
    (profile,) = _ask(responder, ESV.GET, [(0xD6, b"")], EOJ(0x0E, 0xF0, 0x00))
    assert profile.edt(0xD6) == b"\x01\x02\x88\x01"
    assert _ask(responder, ESV.GET, [(0x80, b"")], EOJ(0x01, 0x30, 0x01)) == []


def test_responder_histories() -> None:
    """E2 follows E5; EC follows ED (newest first); invalid ED rejected."""
    _, model, responder = _responder()
    _ask(responder, ESV.SETC, [(0xE5, b"\x03")])
    (frame,) = _ask(responder, ESV.GET, [(0xE2, b"")])
    edt = frame.edt(0xE2) or b""
    assert edt[:2] == b"\x00\x03" and len(edt) == 194
    _, values = model.history_day(3)
    first = values[0]
    assert first is not None
    assert struct.unpack_from(">I", edt, 2)[0] == model.register(first[0])
    end = model.last_boundary() - timedelta(hours=1)
    setting = struct.pack(">HBBBBB", end.year, end.month, end.day, end.hour, end.minute, 3)
    (ok,) = _ask(responder, ESV.SETC, [(0xED, setting)])
    assert ok.esv == ESV.SET_RES
    (frame,) = _ask(responder, ESV.GET, [(0xEC, b"")])
    edt = frame.edt(0xEC) or b""
    assert edt[:7] == setting and len(edt) == 7 + 3 * 8
    newest = model.boundary_kwh(end)
    assert newest is not None
    assert struct.unpack_from(">II", edt, 7) == tuple(model.register(v) for v in newest)
    bad = struct.pack(">HBBBBB", end.year, end.month, end.day, end.hour, 15, 3)
    (rejected,) = _ask(responder, ESV.SETC, [(0xED, bad)])
    assert rejected.esv == ESV.SETC_SNA


def test_responder_pushes_and_limits() -> None:
    """EA/EB pushes once per :00/:30 after the delay; INFC_Res counted; big Gets dropped."""
    clock, _model, responder = _responder(push_esv=ESV.INFC, push_delay=60, max_get_props=2)
    assert responder.due_pushes() == []  # arms
    clock.advance(30 * 60)
    (push,) = responder.due_pushes()
    frame = decode_frame(push)
    assert frame.esv == ESV.INFC and [e for e, _ in frame.props] == [0xEA, 0xEB]
    assert responder.due_pushes() == []
    reply = build(frame.tid, CONTROLLER, METER, ESV.INFC_RES, [(0xEA, b""), (0xEB, b"")])
    assert responder.handle(reply) == [] and responder.stats.infc_res == 1
    assert _ask(responder, ESV.GET, [(0xE7, b""), (0xE8, b""), (0xE0, b"")]) == []
    assert len(_ask(responder, ESV.GET, [(0xE7, b""), (0xE8, b"")])) == 1


# -- the command line ----------------------------------------------------------------------


async def test_cli(tmp_path: Path) -> None:
    """``python -m simulator.dongle`` prints the path, answers on it, obeys stdin commands."""
    link = tmp_path / "cli-dongle"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator.dongle",
        "--dialect",
        "c0",
        "--link",
        str(link),
        "--speed",
        "60",
        "--fast",
        "0.01",
        "--history-days",
        "2",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=REPO,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 20)
        assert line.decode().strip() == str(link)
        client = await RawClient.open(str(link))
        try:
            await client.send(b"SKVER\r\n")
            assert b"EVER 1.5.2" in await client.expect(b"OK\r\n")
        finally:
            await client.close()
        proc.stdin.write(b"status\n")
        assert b"session_up=False" in await asyncio.wait_for(proc.stdout.readline(), 5)
        proc.stdin.write(b"quit\n")
        assert await asyncio.wait_for(proc.wait(), 10) == 0
        assert not link.exists()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_dongle_in_another_loop_user(tmp_path: Path) -> None:
    """The async context manager plugs and unplugs."""
    async with VirtualDongle("j11", link=str(tmp_path / "ctx"), delay_scale=0.01) as dongle:
        assert dongle.plugged
        assert _islink(str(tmp_path / "ctx"))
    assert not _exists(str(tmp_path / "ctx"))
    assert dongle.device is not None
