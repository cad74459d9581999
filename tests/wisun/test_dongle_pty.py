"""The virtual dongle's "USB" side: a real pty that is plugged, unplugged, and never blocks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from simulator.dongle.pty import PtyPort

from ..waiting import wait_for
from .conftest import DongleFactory
from .raw import RawClient


def _target(path: str) -> str:
    return os.path.realpath(path)


def _exists(path: str) -> bool:
    return os.path.lexists(path)


async def _read_all(client: RawClient, size: int) -> bytes:
    """Read until ``size`` bytes have come (the pty gives them in pieces)."""
    data = b""
    while len(data) < size:
        data += await client.port.read(65536)
    return data


async def test_a_slow_client_loses_nothing_and_the_writer_never_blocks() -> None:
    """Writes beyond what the pty holds wait in the port, in order, until the client reads."""
    received: list[bytes] = []
    port = PtyPort(received.append)  # no link: clients open the pty device itself
    path = port.plug()
    assert path == port.device and path.startswith("/dev/pts/")
    client = await RawClient.open(path)
    try:
        sent = bytearray()
        while port.pending == 0:  # one byte at a time until the pty is full
            byte = bytes((len(sent) % 251,))
            port.write(byte)
            sent += byte
        port.write(b"")  # nothing to send: nothing happens
        tail = bytes(range(256)) * 800
        port.write(tail)  # behind what waits: queued, not written over it
        sent += tail
        assert port.pending == 1 + len(tail)
        assert await _read_all(client, len(sent)) == bytes(sent)
        await wait_for(lambda: port.pending == 0, what="the port's queue to drain")
        port.write(b"after\r\n")  # the pty has room again: written at once
        assert port.pending == 0
        assert await _read_all(client, 7) == b"after\r\n"
        await client.send(b"to the module")
        await wait_for(lambda: b"".join(received) == b"to the module", what="the client's bytes")
    finally:
        await client.close()
        port.unplug()
    assert not port.plugged


async def test_unplugging_with_data_pending_and_plugging_twice(tmp_path: Path) -> None:
    """Unplugged with bytes still queued: they are dropped, later writes too; plugging a
    plugged port is an error; unplugging twice is harmless."""
    port = PtyPort(lambda data: None, link=str(tmp_path / "ttyWISUN"))
    path = port.plug()
    assert _target(path) == port.device
    with pytest.raises(RuntimeError, match="already plugged"):
        port.plug()
    port.write(bytes(300_000))  # nobody reads: most of it waits
    assert port.pending > 0
    port.unplug()
    assert not port.plugged and port.pending == 0
    assert not _exists(path)
    port.write(b"lost")
    assert port.pending == 0
    port.unplug()
    assert not port.plugged
    assert port.plug() == path  # the same link, a new pty
    port.write(b"ok")
    assert port.pending == 0
    port.unplug()


async def test_unplugging_an_unplugged_dongle(make_dongle: DongleFactory) -> None:
    """Pulling a dongle that is already out changes nothing; stopping it later neither."""
    dongle = await make_dongle("c0")
    await dongle.unplug()
    await dongle.unplug()
    assert not dongle.plugged and not dongle.session_up
    await dongle.stop()
    assert not dongle.plugged
