"""The virtual dongle's J11 binary dialect: raw frames over the pty, as a host writes them.

Responses are the request code | 0x2000 with a result byte (01 success, 02 failed, 03 unknown
command, 04 wrong data); notifications 0x6028 (PANA result) and 0x6019 (start-up): see
/work/shared/notes/wisun-broute.md.  The frames here are built by the driver's codec, the
dongle's parser is its own.
"""

from __future__ import annotations

import asyncio
import ipaddress

from custom_components.hems.wisun import j11
from simulator.dongle import VirtualDongle
from simulator.dongle.j11 import J11Emulator

from ..waiting import wait_for
from .conftest import DongleFactory
from .raw import RawClient

OTHER_NODE = ipaddress.IPv6Address("fe80::1").packed


class J11Host:
    """Raw J11 frames to the dongle, decoded answers back."""

    def __init__(self, client: RawClient) -> None:
        self.client = client
        self.parser = j11.J11Parser()
        self.frames: list[j11.J11Frame] = []

    @classmethod
    async def open(cls, dongle: VirtualDongle) -> J11Host:
        host = cls(await RawClient.open(dongle.path or ""))
        # the firmware version, as a host asks first; whatever came before it is forgotten
        assert await host.ask(0x006B) == b"\x01\x01\x02\x03\x04"
        host.frames.clear()
        return host

    async def wait(self, command: int, limit: float = 5.0) -> j11.J11Frame:
        """The first frame with ``command`` (the others stay in :attr:`frames`)."""
        async with asyncio.timeout(limit):
            while True:
                for frame in self.frames:
                    if frame.command == command:
                        self.frames.remove(frame)
                        return frame
                self.frames += self.parser.feed(await self.client.port.read(4096))

    async def ask(self, command: int, data: bytes = b"") -> bytes:
        """Send a request; the data of its response."""
        await self.client.send(j11.encode(command, data))
        return (await self.wait(command | 0x2000)).data


async def test_malformed_and_unknown_requests(make_dongle: DongleFactory) -> None:
    """Wrong data lengths and values answer 04, an unknown command 03, steps out of order 02."""
    dongle = await make_dongle("j11")
    host = await J11Host.open(dongle)
    try:
        assert await host.ask(0x005F, b"\x05\x00\x04") == b"\x04"  # 3 bytes, not 4
        assert await host.ask(0x005F, j11.build_initial_settings(3)) == b"\x04"  # channel 4-17
        assert await host.ask(0x005F, j11.build_initial_settings(18)) == b"\x04"
        assert await host.ask(0x0054, b"x" * 43) == b"\x04"  # ID 32 + password 12
        assert await host.ask(0x0005, b"\x0e") == b"\x04"  # a port is 2 bytes
        assert await host.ask(0x0051, b"\x06\x00\x03\xff\xf0") == b"\x04"  # 6 or 14 bytes
        assert await host.ask(0x0008, OTHER_NODE) == b"\x04"  # no ports, no length
        short = j11.build_send_udp(OTHER_NODE, b"\x10\x81\x00")[:-1]
        assert await host.ask(0x0008, short) == b"\x04"  # fewer bytes than the length says
        assert await host.ask(0x1234) == b"\x03"
        assert await host.ask(0x0001) == b"\x01\x00"  # state: no PANA session
        assert await host.ask(0x0053) == b"\x02"  # no channel set: no B-route
        assert await host.ask(0x0056) == b"\x02"  # PANA before the B-route
        assert await host.ask(0x00D2) == b"\x02"  # re-authentication before the B-route
    finally:
        await host.client.close()
    assert dongle.stats.join_attempts == 0 and dongle.stats.sends == 0
    assert dongle.stats.scans == [] and host.frames == []


async def test_frames_in_pieces_and_a_bad_data_checksum(make_dongle: DongleFactory) -> None:
    """A frame split across writes is taken once complete; one whose data checksum is wrong is
    dropped without an answer."""
    dongle = await make_dongle("j11")
    host = await J11Host.open(dongle)
    emulator = dongle.emulator
    request = j11.encode(0x005F, j11.build_initial_settings(dongle.channel - 29))
    try:
        await host.client.send(request[:5])  # part of the header
        await wait_for(lambda: emulator.buffered == 5, what="the first 5 bytes")
        await host.client.send(request[5:14])  # the header and 2 of 4 data bytes
        await wait_for(lambda: emulator.buffered == 14, what="the first 14 bytes")
        assert dongle.stats.commands == ["006B"]
        await host.client.send(request[14:])
        assert (await host.wait(0x205F)).data == b"\x01"
        bad = bytearray(j11.encode(0x0005, b"\x0e\x1a"))
        bad[11] ^= 0x01  # the data checksum (the header's is still right)
        await host.client.send(bytes(bad) + j11.encode(0x006B))
        assert (await host.wait(0x206B)).data == b"\x01\x01\x02\x03\x04"
        assert host.frames == []  # no answer to the damaged frame
    finally:
        await host.client.close()
    assert dongle.stats.commands == ["006B", "005F", "006B"]
    assert isinstance(emulator, J11Emulator)
    assert emulator.bad_frames == 1 and emulator.buffered == 0


async def _start_broute(host: J11Host, dongle: VirtualDongle) -> None:
    """Scan (with the wrong pairing ID first), the meter's channel, B-route, port, credentials."""
    channel = dongle.channel - 29
    assert await host.ask(0x005F, j11.build_initial_settings(channel + 1)) == b"\x01"
    assert await host.ask(0x0053) == b"\x02"  # no meter on that channel
    assert await host.ask(0x0051, j11.build_scan_request(6, "00000000")) == b"\x01"
    assert host.frames == []  # no beacon for another pairing ID
    assert await host.ask(0x0051, j11.build_scan_request(6, dongle.rbid[-8:])) == b"\x01"
    beacon = host.frames.pop()
    assert beacon.command == 0x4051 and beacon.data[1] == channel
    assert await host.ask(0x005F, j11.build_initial_settings(channel)) == b"\x01"
    started = await host.ask(0x0053)
    assert started[:2] == bytes((0x01, channel))
    assert started[4:12] == bytes.fromhex(dongle.meter_mac)
    assert await host.ask(0x0005, b"\x0e\x1a") == b"\x01"
    assert await host.ask(0x0054, j11.build_auth(dongle.rbid, dongle.password)) == b"\x01"


async def test_pana_reauthentication_and_ending(make_dongle: DongleFactory) -> None:
    """PANA over a started B-route; re-authentication (0x00D2); no answer when the meter is out
    of reach (03); ending PANA (0x0057) and the B-route (0x0058); sends to other nodes."""
    dongle = await make_dongle("j11")
    host = await J11Host.open(dongle)
    mac = bytes.fromhex(dongle.meter_mac)
    try:
        await _start_broute(host, dongle)
        assert await host.ask(0x0056) == b"\x01"
        assert (await host.wait(0x6028)).data == b"\x01" + mac
        assert dongle.session_up
        assert await host.ask(0x0001) == b"\x01\x01"
        payload = b"\x10\x81\x00\x01\x05\xff\x01\x02\x88\x01\x62\x01\xe7\x00"
        assert await host.ask(0x0008, j11.build_send_udp(OTHER_NODE, payload)) == b"\x01\x00"
        assert dongle.stats.sends == 1 and dongle.responder.stats.requests == []
        assert await host.ask(0x00D2) == b"\x01"
        assert (await host.wait(0x6028)).data == b"\x01" + mac
        dongle.faults.meter_absent = True
        assert await host.ask(0x00D2) == b"\x01"
        assert (await host.wait(0x6028)).data == b"\x03" + mac  # no answer from the meter
        assert await host.ask(0x0001) == b"\x01\x00"  # no session
        dongle.faults.meter_absent = False
        assert dongle.stats.join_attempts == 3 and dongle.stats.joins_ok == 2
        assert await host.ask(0x0057) == b"\x01"  # end PANA: the B-route stays
        assert await host.ask(0x0056) == b"\x01"
        assert (await host.wait(0x6028)).data == b"\x01" + mac
        assert await host.ask(0x0058) == b"\x01"  # end the B-route
        assert await host.ask(0x0001) == b"\x01\x00"
        assert await host.ask(0x00D2) == b"\x02"
    finally:
        await host.client.close()


async def test_an_answer_after_the_session_ended_is_lost(make_dongle: DongleFactory) -> None:
    """The meter's answer is on its way when the session ends: it never reaches the host."""
    dongle = await make_dongle("j11", answer_seconds=200)  # 1 s at the tests' delay scale
    host = await J11Host.open(dongle)
    meter = ipaddress.IPv6Address(dongle.meter_ipv6).packed
    try:
        await _start_broute(host, dongle)
        assert await host.ask(0x0056) == b"\x01"
        await host.wait(0x6028)
        await host.wait(0x6018)  # the meter's instance list after joining
        get = b"\x10\x81\x00\x07\x05\xff\x01\x02\x88\x01\x62\x01\xe7\x00"
        assert await host.ask(0x0008, j11.build_send_udp(meter, get)) == b"\x01\x00"
        dongle.terminate_session()
        assert (await host.wait(0x601A)).data == b"\x03"
        # a later happening on the module's clock: the answer was due before it
        dongle.start_tx_limit(seconds=400)
        assert (await host.wait(0x601A)).data == b"\x04"
        assert (await host.wait(0x601A, limit=10)).data == b"\x05"
        assert [f.command for f in host.frames] == []  # no 0x6018 with the answer
    finally:
        await host.client.close()
    assert dongle.responder.stats.requests == [(0x62, (0xE7,))]  # the meter got the Get
    assert dongle.stats.delivered == 0
