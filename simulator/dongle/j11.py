"""ROHM J11 binary protocol (RS-WSUHA-J11, BP35C1-J11, BP35C2-J11-T01).

An independent implementation of the frame format (it does not reuse the driver's codec, so a
bug in one is not hidden by the other).  Channels are J11 numbers: meter SKSTACK channel - 29.
"""

from __future__ import annotations

import ipaddress
import logging
import struct
from typing import Final

from .module import DongleModule, Emulator, mac_to_ipv6

_LOGGER = logging.getLogger(__name__)

REQUEST: Final = bytes.fromhex("D0EA83FC")
RESPONSE: Final = bytes.fromhex("D0F9EE5D")
HEADER: Final = 12
CHANNEL_OFFSET: Final = 29  # SKSTACK 33 = J11 4

#: The notification of each session happening (:meth:`Emulator.notify`): command and code
#: (0x6028 PANA result, followed by the meter's MAC; 0x601A connection state change).
_NOTICES: Final[dict[str, tuple[int, int]]] = {
    "expired": (0x601A, 0x02),
    "reauth_ok": (0x6028, 0x01),
    "reauth_failed": (0x6028, 0x02),
    "reauth_no_response": (0x6028, 0x03),  # the meter is out of reach
    "terminated": (0x601A, 0x03),
    "tx_limited": (0x601A, 0x04),
    "tx_released": (0x601A, 0x05),
}


def _sum(data: bytes | bytearray) -> int:
    return sum(data) & 0xFFFF


def frame(command: int, data: bytes = b"") -> bytes:
    """A module -> host frame."""
    head = RESPONSE + struct.pack(">HH", command, len(data) + 4)
    return head + struct.pack(">HH", _sum(head), _sum(data)) + data


class J11Emulator(Emulator):
    """Binary commands, responses (command | 0x2000) and notifications."""

    def __init__(self, dongle: DongleModule) -> None:
        super().__init__(dongle)
        self.channel: int | None = None
        self.rbid: str | None = None
        self.password: str | None = None
        self.broute_started = False
        self.udp_open = False
        self.joining = False
        self.bad_frames = 0

    @property
    def meter_channel(self) -> int:
        """The meter's channel in J11 numbering."""
        return self.dongle.channel - CHANNEL_OFFSET

    def power_on(self) -> None:
        self._buf.clear()
        self.channel = None
        self.rbid = self.password = None
        self.broute_started = False
        self.udp_open = False
        self.joining = False
        self.dongle.spawn(self._started())

    async def _started(self) -> None:
        await self.dongle.sleep(0.05)
        self._send(0x6019, b"\x01")

    # -- I/O ------------------------------------------------------------------------------------

    def _send(self, command: int, data: bytes = b"") -> None:
        self.dongle.output(frame(command, data))

    def feed(self, data: bytes) -> None:
        buf = self._buf
        buf += data
        while True:
            start = buf.find(REQUEST)
            if start < 0:
                del buf[: max(0, len(buf) - 3)]
                return
            del buf[:start]
            if len(buf) < HEADER:
                return
            command, length, head_sum, data_sum = struct.unpack_from(">HHHH", buf, 4)
            if _sum(buf[:8]) != head_sum or not 4 <= length <= 4096:
                self.bad_frames += 1
                del buf[:1]
                continue
            end = HEADER + length - 4
            if len(buf) < end:
                return
            payload = bytes(buf[HEADER:end])
            del buf[:end]
            if _sum(payload) != data_sum:
                self.bad_frames += 1
                continue
            self.dongle.stats.commands.append(f"{command:04X}")
            if not self.dongle.faults.hung:  # a hung firmware reads commands, answers none
                self.dongle.spawn(self._handle(command, payload))

    def deliver(self, payload: bytes, sender_mac: str | None = None) -> None:
        d = self.dongle
        src = ipaddress.IPv6Address(mac_to_ipv6(sender_mac or d.meter_mac)).packed
        rssi = d.lqi - 256 if d.lqi > 127 else d.lqi
        head = struct.pack(
            ">16sHHHBBbH", src, 3610, 3610, d.pan_id, 0, 2, max(-128, rssi), len(payload)
        )
        self._send(0x6018, head + payload)

    def notify(self, what: str) -> None:
        if what == "restarted":
            return  # power_on() already sent the start-up notification (0x6019)
        command, code = _NOTICES[what]
        mac = bytes.fromhex(self.dongle.meter_mac) if command == 0x6028 else b""
        self._send(command, bytes((code,)) + mac)

    # -- commands -------------------------------------------------------------------------------

    async def _handle(self, command: int, data: bytes) -> None:
        d = self.dongle
        await d.sleep(0.005)
        reply = command | 0x2000
        if command == 0x006B:
            self._send(reply, b"\x01\x01\x02\x03\x04")
        elif command == 0x00D9:
            d.session_up = False
            self.power_on()
        elif command == 0x005F:
            if len(data) != 4 or not 4 <= data[2] <= 17:
                self._send(reply, b"\x04")
                return
            self.channel = data[2]
            self._send(reply, b"\x01")
        elif command == 0x0054:
            if len(data) != 44:
                self._send(reply, b"\x04")
                return
            self.rbid = data[:32].decode("ascii", errors="replace")
            self.password = data[32:].decode("ascii", errors="replace")
            self._send(reply, b"\x01")
        elif command == 0x0051:
            await self._scan(data)
        elif command == 0x0053:
            await d.sleep(0.4)
            if self.channel == self.meter_channel and not d.faults.meter_absent:
                self.broute_started = True
                mac = bytes.fromhex(d.meter_mac)
                self._send(
                    reply,
                    b"\x01" + bytes((self.channel,)) + d.pan_id.to_bytes(2, "big") + mac + b"\xc4",
                )
            else:
                self._send(reply, b"\x02")
        elif command == 0x0005:
            if len(data) != 2:
                self._send(reply, b"\x04")
                return
            self.udp_open = True
            self._send(reply, b"\x01")
        elif command == 0x0056:
            await self._pana(reply)
        elif command in (0x0057, 0x0058):
            d.session_up = False
            if command == 0x0058:
                self.broute_started = False
            self._send(reply, b"\x01")
        elif command == 0x00D2:
            if not self.broute_started:
                self._send(reply, b"\x02")
                return
            await self._pana(reply)
        elif command == 0x0008:
            self._send_udp(reply, data)
        elif command == 0x0001:
            self._send(reply, b"\x01" + (b"\x01" if d.session_up else b"\x00"))
        else:
            self._send(reply, b"\x03")

    async def _scan(self, data: bytes) -> None:
        d = self.dongle
        if len(data) not in (6, 14):
            self._send(0x2051, b"\x04")
            return
        duration = data[0]
        mask = int.from_bytes(data[1:5], "big")
        pairing = data[6:14].decode("ascii", errors="replace") if data[5] == 1 else None
        d.stats.scans.append(duration)
        channels = bin(mask).count("1")
        await d.sleep(0.0096 * (2**duration + 1) * channels)
        pairing_ok = pairing is not None and pairing == d.rbid[-8:]
        visible = (
            not d.faults.meter_absent
            and duration >= d.scan_min_duration
            and pairing_ok
            and mask & (1 << self.meter_channel)
        )
        if visible:
            mac = bytes.fromhex(d.meter_mac)
            rssi = d.lqi - 256 if d.lqi > 127 else d.lqi
            self._send(
                0x4051,
                bytes((0x00, self.meter_channel, 0x01))
                + mac
                + d.pan_id.to_bytes(2, "big")
                + struct.pack(">b", max(-128, rssi)),
            )
        self._send(0x2051, b"\x01")

    async def _pana(self, reply: int) -> None:
        d = self.dongle
        if not self.broute_started or self.joining:
            self._send(reply, b"\x02")
            return
        d.stats.join_attempts += 1
        d.session_up = False
        self.joining = True
        self._send(reply, b"\x01")
        try:
            result = d.auth_result(self.rbid, self.password)
            await d.sleep(d.join_seconds)
            mac = bytes.fromhex(d.meter_mac)
            if result == "ok":
                self._send(0x6028, b"\x01" + mac)
                d.session_established()
            elif result == "rejected":
                self._send(0x6028, b"\x02" + mac)
            else:
                self._send(0x6028, b"\x03" + mac)
        finally:
            self.joining = False

    def _send_udp(self, reply: int, data: bytes) -> None:
        d = self.dongle
        if len(data) < 22:
            self._send(reply, b"\x04")
            return
        dest = data[:16]
        _sport, dport, length = struct.unpack_from(">HHH", data, 16)
        payload = data[22 : 22 + length]
        if len(payload) != length:
            self._send(reply, b"\x04")
            return
        secure_ok = d.session_up and not d.reauthenticating
        failing = d.faults.fail_sends > 0 or d.faults.lose_sends > 0
        if failing or d.tx_limited or not secure_ok:
            if d.faults.fail_sends > 0:
                d.faults.fail_sends -= 1
            elif d.faults.lose_sends > 0:
                d.faults.lose_sends -= 1
            d.stats.send_failures += 1
            self._send(reply, b"\x02" + (b"\x01" if d.tx_limited else b"\x00"))
            return
        d.stats.sends += 1
        self._send(reply, b"\x01\x00")
        if dest == ipaddress.IPv6Address(d.meter_ipv6).packed and dport == 3610:
            d.meter_request(payload)
