"""UDP transport for ECHONET Lite.

Two datagram endpoints on the chosen interface address:

* the unicast endpoint bound to ``(interface_address, 3610)``: requests are sent from it (so
  replies come back to 3610) and replies from any source port (some stacks answer from 23610)
  arrive on it;
* the multicast endpoint bound to ``(224.0.23.0, 3610)`` and joined on the interface, which
  receives the announcements (INF) that nodes multicast.

Multicast is always sent with ``IP_MULTICAST_IF`` set to the interface address, so it never
leaves through another interface.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
import errno
import logging
import socket
import struct
import sys

from .const import ECHONET_PORT, MULTICAST_GROUP_V4
from .errors import AddressInUseError, FrameError, TransportError
from .frame import Frame, decode_frame

_LOGGER = logging.getLogger(__name__)

#: Linux's SO_RCVBUFFORCE (asm-generic/socket.h): Python's socket module does not name it.
_SO_RCVBUFFORCE: int | None = getattr(
    socket, "SO_RCVBUFFORCE", 33 if sys.platform.startswith("linux") else None
)
#: Receive buffer asked for on both endpoints (bytes).
RECEIVE_BUFFER = 4 << 20

Address = tuple[str, int]
FrameHandler = Callable[[Frame, Address], None]
ErrorHandler = Callable[[bytes, Address, FrameError], None]


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, owner: EchonetTransport) -> None:
        self._owner = owner
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        self._owner.datagram_received(data, (str(addr[0]), int(addr[1])))

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable and similar: the request will time out on its own.
        _LOGGER.debug("UDP error: %s", exc)


def _unicast_socket(address: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    try:
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(address))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
        _enlarge_receive_buffer(sock)
        sock.bind((address, port))
    except OSError as err:
        sock.close()
        if err.errno == errno.EADDRINUSE:
            raise AddressInUseError(
                f"UDP port {port} on {address} is already in use by another program"
            ) from err
        raise TransportError(f"cannot open UDP port {port} on {address}: {err}") from err
    return sock


def _enlarge_receive_buffer(sock: socket.socket, size: int = RECEIVE_BUFFER) -> None:
    """Room for the burst of answers to a multicast discovery (best effort).

    Hundreds of nodes answer a discovery within milliseconds; the default buffer (about 200
    datagrams) would drop the late ones.  SO_RCVBUFFORCE works past the system limit where we
    may (root, as Home Assistant often runs); SO_RCVBUF up to the limit otherwise.
    """
    if _SO_RCVBUFFORCE is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, _SO_RCVBUFFORCE, size)
        except OSError:
            pass
        else:
            return
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size)


def _multicast_socket(address: str, group: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    try:
        sock.setblocking(False)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        with contextlib.suppress(AttributeError, OSError):  # no SO_REUSEPORT on Windows
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        _enlarge_receive_buffer(sock)
        sock.bind((group, port))
        mreq = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(address))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    except OSError as err:
        sock.close()
        raise TransportError(f"cannot join {group} on {address}: {err}") from err
    return sock


class EchonetTransport:
    """UDP endpoints of one ECHONET Lite node (ours) on one interface address."""

    def __init__(
        self,
        interface_address: str,
        on_frame: FrameHandler,
        *,
        on_bad_frame: ErrorHandler | None = None,
        port: int = ECHONET_PORT,
        multicast_group: str = MULTICAST_GROUP_V4,
        multicast: bool = True,
    ) -> None:
        try:
            socket.inet_aton(interface_address)
        except OSError as err:
            raise TransportError(f"not an IPv4 address: {interface_address!r}") from err
        if interface_address == "0.0.0.0":
            raise TransportError("choose the address of one interface, not 0.0.0.0")
        self.interface_address = interface_address
        self.port = port
        self.multicast_group = multicast_group
        self.multicast = multicast
        self._on_frame = on_frame
        self._on_bad_frame = on_bad_frame
        self._unicast: asyncio.DatagramTransport | None = None
        self._mcast: asyncio.DatagramTransport | None = None
        self._protocols: list[_Protocol] = []
        self.frames_sent = 0
        self.frames_received = 0
        self.bad_frames = 0

    @property
    def started(self) -> bool:
        """True while the endpoints are open."""
        return self._unicast is not None

    async def start(self) -> None:
        """Open the endpoints.  Raises :class:`AddressInUseError` when 3610 is taken."""
        loop = asyncio.get_running_loop()
        sock = _unicast_socket(self.interface_address, self.port)
        transport, protocol = await loop.create_datagram_endpoint(
            lambda: _Protocol(self), sock=sock
        )
        self._unicast = transport
        self._protocols.append(protocol)
        if self.multicast:
            try:
                msock = _multicast_socket(self.interface_address, self.multicast_group, self.port)
            except TransportError:
                self.close()
                raise
            mtransport, mprotocol = await loop.create_datagram_endpoint(
                lambda: _Protocol(self), sock=msock
            )
            self._mcast = mtransport
            self._protocols.append(mprotocol)

    def close(self) -> None:
        """Close the endpoints (idempotent)."""
        for transport in (self._unicast, self._mcast):
            if transport is not None:
                transport.close()
        self._unicast = None
        self._mcast = None

    async def wait_closed(self) -> None:
        """Wait until the sockets are really closed (the port can be bound again)."""
        protocols, self._protocols = self._protocols, []
        if protocols:
            await asyncio.gather(*(p.closed for p in protocols))

    def datagram_received(self, data: bytes, addr: Address) -> None:
        """Decode and dispatch one datagram (frames from ourselves are dropped)."""
        if addr[0] == self.interface_address and addr[1] == self.port:
            return  # our own multicast, looped back
        self.frames_received += 1
        try:
            frame = decode_frame(data)
        except FrameError as err:
            self.bad_frames += 1
            if self._on_bad_frame is not None:
                self._on_bad_frame(data, addr, err)
            else:
                _LOGGER.debug("Ignoring malformed frame from %s: %s", addr[0], err)
            return
        self._on_frame(frame, addr)

    def send(self, data: bytes, host: str, port: int = ECHONET_PORT) -> None:
        """Send one datagram to ``host``."""
        if self._unicast is None:
            raise TransportError("transport is not started")
        self.frames_sent += 1
        self._unicast.sendto(data, (host, port))

    def send_multicast(self, data: bytes) -> None:
        """Send one datagram to the ECHONET Lite multicast group on our interface."""
        self.send(data, self.multicast_group, self.port)
