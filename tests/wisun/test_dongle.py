"""The virtual dongle itself: dialect details over the pty, unplugging, the CLI.

More: test_dongle_skstack.py, test_dongle_j11.py (error paths of the dialects),
test_dongle_pty.py (the "USB" side), test_dongle_responder.py (the meter behind the radio).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
import sys

import pytest
import serialx

from custom_components.hems.wisun import j11
from simulator.dongle import VirtualDongle
from simulator.dongle.module import Faults, spoofs

from .conftest import DongleFactory
from .raw import RawClient

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


# -- faults -------------------------------------------------------------------------------


def test_fault_switches_by_name() -> None:
    """The command line's ``fault NAME [VALUE]``: on/off words, a count, unknown names."""
    faults = Faults()
    assert {name for name, _ in Faults.describe()} >= {"noise", "fail_sends", "spoof"}
    faults.switch("noise")
    assert faults.noise is True
    for word in ("0", "off", "False", "no"):
        faults.switch("noise", "on")
        faults.switch("noise", word)
        assert faults.noise is False, word
    faults.switch("fail_sends", "3")
    assert faults.fail_sends == 3
    with pytest.raises(ValueError, match="unknown fault 'meteor'"):
        faults.switch("meteor")
    with pytest.raises(ValueError):
        faults.switch("fail_sends", "many")
    assert spoofs(b"\x10\x81\x00") == []  # no frame: nothing to imitate


async def test_transmission_limit_released_after_a_while(make_dongle: DongleFactory) -> None:
    """EVENT 32, then 33 after the given (scaled) time, once; nothing without a session."""
    dongle = await make_dongle("a1")
    client = await RawClient.open(dongle.path or "")
    meter = b"FE80:0000:0000:0000:C2F9:4500:DEAD:BEEF"
    try:
        await client.send(b"SKSREG SFE 0\r\n")
        await client.expect(b"OK\r\n")
        dongle.expire_session()  # no session: nothing expires, no EVENT 29
        dongle.release_tx_limit()  # not limited: no EVENT 33
        dongle.start_tx_limit(seconds=60)
        assert dongle.tx_limited
        assert await client.expect(b"\r\n") == b"EVENT 32 " + meter + b"\r\n"
        assert await client.expect(b"\r\n", limit=10) == b"EVENT 33 " + meter + b"\r\n"
        assert not dongle.tx_limited
        dongle.release_tx_limit()  # released already
        await client.send(b"SKVER\r\n")
        assert await client.expect(b"OK\r\n") == b"EVER 1.2.10\r\nOK\r\n"
    finally:
        await client.close()
    assert dongle.stats.commands == ["SKSREG", "SKVER"]
