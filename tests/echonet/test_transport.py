"""The UDP transport on real sockets: opening, refusing, receiving, sending, closing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import ctypes
import logging
from pathlib import Path
import socket
import threading
from typing import Any

import pytest

from custom_components.hems.echonet import ESV
from custom_components.hems.echonet.errors import AddressInUseError, FrameError, TransportError
from custom_components.hems.echonet.frame import CONTROLLER, NODE_PROFILE, Frame, build
from custom_components.hems.echonet.transport import (
    Address,
    EchonetTransport,
    _enlarge_receive_buffer,
)

from ..waiting import wait_for
from .conftest import recv

PORT = 36110  # not 3610: these transports are not the controller's
CAP_NET_ADMIN = 12


class Received:
    """What a transport handed on: frames and malformed datagrams."""

    def __init__(self) -> None:
        self.frames: list[tuple[Frame, Address]] = []
        self.bad: list[tuple[bytes, Address, FrameError]] = []

    def frame(self, frame: Frame, addr: Address) -> None:
        self.frames.append((frame, addr))

    def bad_frame(self, data: bytes, addr: Address, err: FrameError) -> None:
        self.bad.append((data, addr, err))


def _peer(address: str = "127.0.4.1") -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, 0))
    return sock


@pytest.mark.parametrize("address", ["not-an-address", "0.0.0.0"])
def test_the_interface_must_be_one_ipv4_address(address: str) -> None:
    with pytest.raises(TransportError):
        EchonetTransport(address, lambda frame, addr: None)


async def test_a_port_held_by_another_program_is_named() -> None:
    holder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    holder.bind(("127.0.0.1", PORT))
    transport = EchonetTransport("127.0.0.1", lambda frame, addr: None, port=PORT)
    try:
        with pytest.raises(AddressInUseError, match=rf"UDP port {PORT} on 127\.0\.0\.1"):
            await transport.start()
    finally:
        holder.close()
    assert not transport.started


async def test_an_address_this_host_does_not_have_is_refused() -> None:
    """The interface went away (or was never ours): a clear error, not a silent transport."""
    transport = EchonetTransport("192.0.2.77", lambda frame, addr: None, port=PORT)
    with pytest.raises(TransportError, match="cannot open UDP port") as caught:
        await transport.start()
    assert not isinstance(caught.value, AddressInUseError)
    assert not transport.started


async def test_a_multicast_port_held_exclusively_closes_the_unicast_endpoint() -> None:
    """Another program holds the group port, not shared: start fails, nothing stays open."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    holder.bind(("224.0.23.0", PORT))
    transport = EchonetTransport("127.0.0.1", lambda frame, addr: None, port=PORT)
    try:
        with pytest.raises(TransportError, match=r"cannot join 224\.0\.23\.0 on 127\.0\.0\.1"):
            await transport.start()
    finally:
        holder.close()
    assert not transport.started
    await transport.wait_closed()
    again = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    again.bind(("127.0.0.1", PORT))  # the unicast port was given back
    again.close()


async def test_frames_and_malformed_datagrams_are_told_apart() -> None:
    received = Received()
    transport = EchonetTransport(
        "127.0.0.1", received.frame, on_bad_frame=received.bad_frame, port=PORT, multicast=False
    )
    await transport.start()
    peer = _peer()
    try:
        good = build(1, NODE_PROFILE, CONTROLLER, ESV.GET, [(0x80, b"")])
        peer.sendto(b"\x10\x81\x00", ("127.0.0.1", PORT))  # truncated header
        peer.sendto(good, ("127.0.0.1", PORT))
        await wait_for(lambda: received.frames, what="the well-formed frame")
    finally:
        peer.close()
        transport.close()
        await transport.wait_closed()
    assert [(f.tid, f.esv) for f, _ in received.frames] == [(1, ESV.GET)]
    assert [(data, addr[0]) for data, addr, _ in received.bad] == [(b"\x10\x81\x00", "127.0.4.1")]
    assert (transport.frames_received, transport.bad_frames) == (2, 1)


async def test_malformed_datagrams_without_a_handler_are_logged_and_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    received = Received()
    transport = EchonetTransport("127.0.0.1", received.frame, port=PORT, multicast=False)
    await transport.start()
    peer = _peer()
    caplog.set_level(logging.DEBUG, logger="custom_components.hems.echonet.transport")
    try:
        peer.sendto(b"not echonet", ("127.0.0.1", PORT))
        await wait_for(lambda: transport.bad_frames == 1, what="the malformed datagram")
    finally:
        peer.close()
        transport.close()
        await transport.wait_closed()
    assert received.frames == []
    assert any("Ignoring malformed frame from 127.0.4.1" in r.getMessage() for r in caplog.records)


async def test_sending_needs_a_started_transport_and_survives_a_send_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A datagram the kernel refuses (too long) is logged; the transport keeps working."""
    transport = EchonetTransport("127.0.0.1", lambda frame, addr: None, port=PORT, multicast=False)
    with pytest.raises(TransportError, match="not started"):
        transport.send(b"\x10\x81", "127.0.4.2")
    await transport.start()
    peer = _peer("127.0.4.2")
    caplog.set_level(logging.DEBUG, logger="custom_components.hems.echonet.transport")
    try:
        transport.send(bytes(70_000), "127.0.4.2", peer.getsockname()[1])
        await wait_for(
            lambda: any("UDP error" in r.getMessage() for r in caplog.records),
            what="the refused datagram to be reported",
        )
        transport.send(b"\x10\x81\x00\x01", "127.0.4.2", peer.getsockname()[1])
        assert await recv(peer) == b"\x10\x81\x00\x01"
    finally:
        peer.close()
        transport.close()
        await transport.wait_closed()
    assert transport.frames_sent == 2


async def test_a_cancelled_wait_for_closing_leaves_no_error_behind() -> None:
    """Stopping cancelled while the sockets close: the late close notice is not an error."""
    transport = EchonetTransport("127.0.0.1", lambda frame, addr: None, port=PORT)
    await transport.start()
    loop = asyncio.get_running_loop()
    errors: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    try:
        waiting = asyncio.ensure_future(transport.wait_closed())
        await asyncio.sleep(0)  # it waits for the close notices (not a timing: one loop turn)
        transport.close()  # the notices are scheduled ...
        waiting.cancel()  # ... and the wait is cancelled before they run
        with pytest.raises(asyncio.CancelledError):
            await waiting

        def port_free() -> bool:
            probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                probe.bind(("127.0.0.1", PORT))
            except OSError:
                return False
            finally:
                probe.close()
            return True

        await wait_for(port_free, what="the unicast socket to close")
    finally:
        loop.set_exception_handler(previous)
    assert errors == []
    assert not transport.started


# ------------------------------------------------------------------ receive buffer


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _in_thread_without_net_admin(func: Callable[[], int]) -> int:
    """``func()`` in a thread that lacks CAP_NET_ADMIN (Linux capabilities are per thread)."""
    libc = ctypes.CDLL(None, use_errno=True)
    result: list[int] = []

    def run() -> None:
        header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
        data = (_CapData * 2)()
        assert libc.capget(ctypes.byref(header), data) == 0
        data[0].effective &= ~(1 << CAP_NET_ADMIN)
        assert libc.capset(ctypes.byref(header), data) == 0
        result.append(func())

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result[0]


def _buffer_after_enlarging(size: int) -> int:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        _enlarge_receive_buffer(sock, size)
        return sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    finally:
        sock.close()


@pytest.mark.skipif(not hasattr(ctypes.CDLL(None), "capset"), reason="Linux capabilities")
def test_the_receive_buffer_goes_past_the_system_limit_only_where_allowed() -> None:
    """With CAP_NET_ADMIN (root) past net.core.rmem_max; without it, up to that limit."""
    limit = int(Path("/proc/sys/net/core/rmem_max").read_text(encoding="ascii"))
    wanted = 2 * limit  # more than the system allows without the privilege
    unprivileged = _in_thread_without_net_admin(lambda: _buffer_after_enlarging(wanted))
    assert unprivileged == 2 * limit  # the kernel doubles what it grants (bookkeeping)
    if _has_net_admin():
        assert _buffer_after_enlarging(wanted) == 2 * wanted


def _has_net_admin() -> bool:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, 33, 1 << 16)  # SO_RCVBUFFORCE
    except OSError:
        return False
    finally:
        probe.close()
    return True
