"""ROHM J11 binary protocol: frame codec and incremental parser.

Frame: unique code (4) | command (2) | message length (2) = 4 + data length | header checksum
(2, sum of the first 8 bytes) | data checksum (2, sum of the data bytes) | data.  Host to module
frames start with ``D0EA83FC``, module to host frames with ``D0F9EE5D``.  A response carries the
request's command code | 0x2000 and starts with a result byte (0x01 = success).

The layouts of the data parts follow the ROHM command specification as far as it is public
(and one public implementation): see the constants below.
"""

from __future__ import annotations

from dataclasses import dataclass
import struct
from typing import Final

from .models import Dialect, PanDescriptor

UNIQUE_REQUEST: Final = bytes.fromhex("D0EA83FC")
UNIQUE_RESPONSE: Final = bytes.fromhex("D0F9EE5D")
HEADER_SIZE: Final = 12
#: Largest data part accepted (a UDP notification is 27 bytes + at most 1280 of payload).
MAX_DATA: Final = 2048

# Commands (host -> module); the response is ``command | 0x2000``.
CMD_GET_STATUS: Final = 0x0001
CMD_OPEN_UDP: Final = 0x0005
CMD_SEND_UDP: Final = 0x0008
CMD_ACTIVE_SCAN: Final = 0x0051
CMD_START_BROUTE: Final = 0x0053
CMD_SET_BROUTE_AUTH: Final = 0x0054
CMD_START_PANA: Final = 0x0056
CMD_END_PANA: Final = 0x0057
CMD_END_BROUTE: Final = 0x0058
CMD_INITIAL_SETTINGS: Final = 0x005F
CMD_FIRMWARE_VERSION: Final = 0x006B
CMD_REAUTHENTICATE: Final = 0x00D2
CMD_RESET: Final = 0x00D9

RESPONSE_BIT: Final = 0x2000

# Notifications (module -> host).
NOTIFY_SCAN_RESULT: Final = 0x4051  # result (0 = PAN found), channel, count, MAC 8, PAN 2, RSSI
NOTIFY_UDP_RECEIVED: Final = 0x6018  # src IPv6 16, src port, dst port, PAN, type, enc, RSSI, len
NOTIFY_STARTED: Final = 0x6019  # start-up (after reset or power-on)
NOTIFY_CONNECTION_STATE: Final = 0x601A  # state byte, see STATE_*
NOTIFY_PANA_RESULT: Final = 0x6028  # result (PANA_*), MAC 8

RESULT_OK: Final = 0x01

PANA_OK: Final = 0x01
PANA_FAILED: Final = 0x02
PANA_NO_RESPONSE: Final = 0x03

# States of NOTIFY_CONNECTION_STATE (modelled: the public outline does not list them).
STATE_SESSION_UP: Final = 0x01
STATE_REAUTHENTICATING: Final = 0x02  # PANA lifetime expired; the module re-authenticates
STATE_TERMINATED: Final = 0x03  # the meter ended the session
STATE_TX_LIMITED: Final = 0x04  # ARIB transmission-time limit reached
STATE_TX_RELEASED: Final = 0x05  # limit released

OPERATION_MODE_DUAL: Final = 0x05
#: Channel mask of a B-route scan: J11 channels 4-17.
BROUTE_CHANNEL_MASK: Final = 0x0003FFF0

_UDP_HEAD: Final = struct.Struct(">16sHHHBBbH")


def checksum(data: bytes | bytearray | memoryview) -> int:
    """16-bit byte sum."""
    return sum(data) & 0xFFFF


def encode(command: int, data: bytes = b"", *, unique: bytes = UNIQUE_REQUEST) -> bytes:
    """One frame."""
    head = unique + struct.pack(">HH", command & 0xFFFF, len(data) + 4)
    return head + struct.pack(">HH", checksum(head), checksum(data)) + data


@dataclass(frozen=True, slots=True)
class J11Frame:
    """A decoded frame."""

    command: int
    data: bytes

    @property
    def result(self) -> int | None:
        """The result byte of a response (None when there is no data)."""
        return self.data[0] if self.data else None

    @property
    def ok(self) -> bool:
        """A successful response."""
        return self.result == RESULT_OK


class J11Parser:
    """Incremental parser; never raises.  Resynchronises on the unique code after noise or a
    checksum error."""

    def __init__(self, *, unique: bytes = UNIQUE_RESPONSE) -> None:
        self._unique = unique
        self._buf = bytearray()
        self.dropped_bytes = 0
        self.bad_frames = 0

    @property
    def buffered(self) -> int:
        """Bytes held while waiting for the rest of a message (bounded)."""
        return len(self._buf)

    def reset(self) -> None:
        """Forget buffered input."""
        self._buf.clear()

    def feed(self, data: bytes) -> list[J11Frame]:
        """Consume ``data``; return the frames it completed."""
        out: list[J11Frame] = []
        buf = self._buf
        buf += data
        pos = 0
        while True:
            start = buf.find(self._unique, pos)
            if start == -1:
                # keep a possible partial unique code at the end
                keep = max(pos, len(buf) - (len(self._unique) - 1))
                self.dropped_bytes += keep - pos
                pos = keep
                break
            self.dropped_bytes += start - pos
            if len(buf) - start < HEADER_SIZE:
                pos = start
                break
            command, length, head_sum, data_sum = struct.unpack_from(">HHHH", buf, start + 4)
            if checksum(buf[start : start + 8]) != head_sum or not 4 <= length <= MAX_DATA + 4:
                self.bad_frames += 1
                pos = start + 1
                continue
            end = start + HEADER_SIZE + length - 4
            if len(buf) < end:
                pos = start
                break
            payload = bytes(buf[start + HEADER_SIZE : end])
            if checksum(payload) != data_sum:
                self.bad_frames += 1
                pos = start + 1
                continue
            out.append(J11Frame(command, payload))
            pos = end
        del buf[:pos]
        return out


@dataclass(frozen=True, slots=True)
class J11ScanResult:
    """One NOTIFY_SCAN_RESULT entry."""

    channel: int
    mac: str
    pan_id: int
    rssi: int


def parse_scan_result(data: bytes) -> J11ScanResult | None:
    """Decode a 0x4051 notification; None if it reports nothing or is malformed."""
    if len(data) < 14 or data[0] != 0x00:
        return None
    channel = data[1]
    mac = data[3:11].hex().upper()
    pan_id = int.from_bytes(data[11:13], "big")
    rssi = struct.unpack_from(">b", data, 13)[0]
    return J11ScanResult(channel, mac, pan_id, rssi)


def parse_broute_started(data: bytes) -> PanDescriptor | None:
    """The meter of a successful 0x2053 answer (result, channel, PAN ID 2, MAC 8, RSSI);
    None if the answer is shorter."""
    if len(data) < 12:
        return None
    rssi = data[12] if len(data) > 12 else None
    return PanDescriptor(
        Dialect.J11, data[1], int.from_bytes(data[2:4], "big"), data[4:12].hex().upper(), rssi
    )


@dataclass(frozen=True, slots=True)
class J11Udp:
    """A 0x6018 notification."""

    src: bytes  # 16-byte IPv6
    src_port: int
    dst_port: int
    pan_id: int
    src_type: int
    encrypted: int
    rssi: int
    data: bytes


def parse_udp(data: bytes) -> J11Udp | None:
    """Decode a 0x6018 notification; None if malformed."""
    if len(data) < _UDP_HEAD.size:
        return None
    src, sport, dport, pan, src_type, enc, rssi, length = _UDP_HEAD.unpack_from(data)
    payload = data[_UDP_HEAD.size : _UDP_HEAD.size + length]
    if len(payload) != length:
        return None
    return J11Udp(src, sport, dport, pan, src_type, enc, rssi, payload)


def build_udp_notification(
    src: bytes,
    payload: bytes,
    *,
    src_port: int = 3610,
    dst_port: int = 3610,
    pan_id: int = 0,
    rssi: int = -60,
) -> bytes:
    """Data part of a 0x6018 notification (used by the simulator and the tests)."""
    return _UDP_HEAD.pack(src, src_port, dst_port, pan_id, 0, 2, rssi, len(payload)) + payload


def build_send_udp(dest: bytes, payload: bytes, *, port: int = 3610) -> bytes:
    """Data part of a 0x0008 send request."""
    return dest + struct.pack(">HHH", port, port, len(payload)) + payload


def parse_send_udp(data: bytes) -> tuple[bytes, int, int, bytes] | None:
    """(dest, src port, dst port, payload) of a 0x0008 request; None if malformed."""
    if len(data) < 22:
        return None
    dest = data[:16]
    sport, dport, length = struct.unpack_from(">HHH", data, 16)
    payload = data[22 : 22 + length]
    if len(payload) != length:
        return None
    return dest, sport, dport, payload


def build_scan_request(duration: int, pairing_id: str, *, mask: int = BROUTE_CHANNEL_MASK) -> bytes:
    """Data part of a 0x0051 active scan with the pairing ID set."""
    return (
        bytes((duration & 0xFF,))
        + mask.to_bytes(4, "big")
        + b"\x01"
        + pairing_id.encode("ascii")[:8].ljust(8, b"\x00")
    )


def build_initial_settings(channel: int) -> bytes:
    """Data part of 0x005F: dual mode, no sleep, ``channel``, 20 mW."""
    return bytes((OPERATION_MODE_DUAL, 0x00, channel & 0xFF, 0x00))


def build_auth(rbid: str, password: str) -> bytes:
    """Data part of 0x0054 (secret: never log it)."""
    return rbid.encode("ascii")[:32].ljust(32, b"\x00") + password.encode("ascii")[:12].ljust(
        12, b"\x00"
    )


def ipv6_text(raw: bytes) -> str:
    """A 16-byte IPv6 address in the SKSTACK text form."""
    return ":".join(raw[i : i + 2].hex().upper() for i in range(0, 16, 2))


def ipv6_bytes(text: str) -> bytes:
    """Inverse of :func:`ipv6_text` (accepts any IPv6 text form)."""
    import ipaddress

    return ipaddress.IPv6Address(text).packed
