"""The virtual dongle's SKSTACK IP text dialects (A1, C0): how it answers what a host gets wrong.

Every check writes raw command lines to the pty and reads the module's raw answer, as a real
BP35A1 / BP35C0 gives it (FAIL ER04 unknown command, ER05 wrong arguments, ER06 a command that
failed, ER10 accepted but failed): see /work/shared/notes/wisun-broute.md.
"""

from __future__ import annotations

import pytest

from simulator.dongle import VirtualDongle

from ..waiting import wait_for
from .conftest import DongleFactory
from .raw import RawClient

METER_MAC = "C0F94500DEADBEEF"
METER_IP = b"FE80:0000:0000:0000:C2F9:4500:DEAD:BEEF"
OTHER_IP = b"FE80:0000:0000:0000:0000:0000:0000:0001"

#: (command, answer) in both dialects; the C0 forms of SKSCAN / SKSENDTO are below.
COMMON_ERRORS = [
    (b"SKSREG", b"FAIL ER05\r\n"),  # no register
    (b"SKSREG S2 21 3", b"FAIL ER05\r\n"),  # too many arguments
    (b"SKSREG X2 21", b"FAIL ER05\r\n"),  # not a register name
    (b"SKSREG S2 ZZ", b"FAIL ER05\r\n"),  # not hex
    (b"SKSREG S2 20", b"FAIL ER05\r\n"),  # channel 32: below 33
    (b"SKSREG S2 3D", b"FAIL ER05\r\n"),  # channel 61: above 60
    (b"SKSREG S3", b"ESREG FFFF\r\nOK\r\n"),  # one argument reads the register
    (b"SKSREG S2 2A", b"OK\r\n"),
    (b"SKSREG S02", b"ESREG 2A\r\nOK\r\n"),  # S2 and S02 are the same register
    (b"SKSETPWD C", b"FAIL ER05\r\n"),  # no password
    (b"SKSETPWD ZZ 0123456789AB", b"FAIL ER05\r\n"),  # length not hex
    (b"SKSETPWD C short", b"FAIL ER05\r\n"),  # length does not match
    (b"SKSETPWD 21 " + b"x" * 33, b"FAIL ER05\r\n"),  # longer than 32
    (b"SKSETRBID 0123", b"FAIL ER05\r\n"),  # not 32 characters
    (b"SKLL64", b"FAIL ER05\r\n"),
    (b"SKLL64 ZZF94500DEADBEEF", b"FAIL ER05\r\n"),  # 16 characters, not hex
    (b"SKJOIN not-an-address", b"FAIL ER05\r\n"),
    (b"SKJOIN", b"FAIL ER05\r\n"),
    (b"WOPT 02", b"FAIL ER05\r\n"),
    (b"WOPT", b"FAIL ER05\r\n"),
    (b"skver", b"FAIL ER04\r\n"),  # commands are upper case
    (b"SKSENDTO 1 " + OTHER_IP + b"\r\n", b"FAIL ER05\r\n"),  # the line ends too early
]

DIALECT_ERRORS = {
    "a1": [
        (b"SKSCAN 2 FFFFFFFF ZZ", b"FAIL ER05\r\n"),  # duration not hex
        (b"SKSCAN 1 FFFFFFFF 6", b"FAIL ER05\r\n"),  # no such mode
        (b"SKSCAN 2 FFFFFFFF 0", b"FAIL ER05\r\n"),  # duration 0
        (b"SKSCAN 2 FFFFFFFF F", b"FAIL ER05\r\n"),  # duration 15
        (b"SKAPPVER", b"EAPPVER rev26e\r\nOK\r\n"),
        (b"SKSENDTO 1 " + OTHER_IP + b" 0E1A 0 ZZZZ \r\n", b"FAIL ER05\r\n"),  # length not hex
        (b"SKSENDTO 1 " + OTHER_IP + b" ZZZZ 0 0001 x", b"FAIL ER05\r\n"),  # port not hex
        (b"SKSENDTO 7 " + OTHER_IP + b" 0E1A 0 0001 x", b"FAIL ER05\r\n"),  # handle 1-6
        (b"SKSENDTO 1 " + OTHER_IP + b" 0E1A 3 0001 x", b"FAIL ER05\r\n"),  # security 0-2
        (b"SKSENDTO 1 FE80::1::2 0E1A 0 0001 x", b"FAIL ER05\r\n"),  # not an address
        (b"SKSENDTO 1 " + OTHER_IP + b" 0E1A 0 001 x", b"FAIL ER05\r\n"),  # length: 4 digits
    ],
    "c0": [
        (b"SKSCAN 2 FFFFFFFF ZZ 0", b"FAIL ER05\r\n"),
        (b"SKSCAN 3 FFFFFFFF 0 0", b"FAIL ER05\r\n"),
        (b"SKAPPVER", b"EAPPVER rev1.2.3\r\nOK\r\n"),
        (b"SKSENDTO 1 " + OTHER_IP + b" 0E1A 0 5 0001 x", b"FAIL ER05\r\n"),  # SIDE 0 or 1
        (b"SKSENDTO 1 " + OTHER_IP + b" 0E1A 0 0 ZZZZ \r\n", b"FAIL ER05\r\n"),
    ],
}


async def _quiet_client(dongle: VirtualDongle) -> RawClient:
    """A client with the module's echo turned off (register SFE 0)."""
    client = await RawClient.open(dongle.path or "")
    await client.send(b"SKSREG SFE 0\r\n")
    assert await client.expect(b"OK\r\n") == b"SKSREG SFE 0\r\nOK\r\n"  # the last echo
    return client


async def _answer(client: RawClient, command: bytes, answer: bytes) -> bytes:
    """Send ``command`` (a SKSENDTO as it is, others with CR LF) and read as many lines as
    ``answer`` has."""
    await client.send(command if command.startswith(b"SKSENDTO") else command + b"\r\n")
    got = b""
    for _ in range(answer.count(b"\r\n")):
        got += await client.expect(b"\r\n")
    return got


@pytest.mark.parametrize("dialect", ["a1", "c0"])
async def test_wrong_arguments_get_the_module_errors(
    dialect: str, make_dongle: DongleFactory
) -> None:
    """Every malformed command gets its FAIL code and changes nothing; the module goes on."""
    dongle = await make_dongle(dialect)
    client = await _quiet_client(dongle)
    try:
        for command, answer in COMMON_ERRORS + DIALECT_ERRORS[dialect]:
            assert await _answer(client, command, answer) == answer, command
        await client.send(b"SKVER\r\n")  # still answering, and nothing else came in between
        assert (await client.expect(b"OK\r\n")).startswith(b"EVER ")
    finally:
        await client.close()
    assert dongle.stats.sends == 0 and dongle.stats.scans == []
    assert dongle.stats.join_attempts == 0
    assert dongle.ascii_payload is (dialect == "a1")  # the refused WOPT wrote nothing


async def test_blank_lines_and_an_overlong_line_are_dropped(make_dongle: DongleFactory) -> None:
    """Blank lines get no answer; 5000 bytes without a line end are thrown away unanswered."""
    dongle = await make_dongle("a1")
    client = await _quiet_client(dongle)
    try:
        await client.send(b"   \r\n\r\n")
        await client.send(b"A" * 5000)
        await wait_for(lambda: dongle.stats.overflows == 1, what="the input overflow")
        assert dongle.stats.commands == ["SKSREG"]  # the blank line was no command
        await client.send(b"\r\nSKVER\r\n")
        answer = await client.expect(b"OK\r\n")
        # at most what followed the 4096-byte limit reaches the parser as one unknown command
        assert answer.endswith(b"EVER 1.2.10\r\nOK\r\n")
        assert answer in (b"EVER 1.2.10\r\nOK\r\n", b"FAIL ER04\r\nEVER 1.2.10\r\nOK\r\n")
    finally:
        await client.close()


@pytest.mark.parametrize("dialect", ["a1", "c0"])
async def test_sendto_data_split_across_writes(dialect: str, make_dongle: DongleFactory) -> None:
    """The module waits for all ``len`` data bytes, even when they come in separate writes; an
    unsecured send to another node goes out (EVENT 21, OK) and the meter never sees it."""
    dongle = await make_dongle(dialect)
    client = await _quiet_client(dongle)
    side = b" 0" if dialect == "c0" else b""
    payload = b"\x10\x81\r\n\x00\x01"
    header = b"SKSENDTO 1 " + OTHER_IP + b" 0E1A 0" + side + b" 0006 "
    try:
        await client.send(header[:15])  # in the middle of the address
        await wait_for(lambda: dongle.emulator.buffered == 15, what="a part of the header")
        await client.send(header[15:])
        await wait_for(lambda: dongle.emulator.buffered == len(header), what="the header")
        await client.send(payload[:3])
        await wait_for(lambda: dongle.emulator.buffered == len(header) + 3, what="3 bytes")
        assert dongle.stats.commands == ["SKSREG"]  # not yet taken as a command
        await client.send(payload[3:])
        event = b"EVENT 21 " + OTHER_IP + side + b" 00\r\n"
        assert await client.expect(b"OK\r\n") == event + b"OK\r\n"
    finally:
        await client.close()
    assert dongle.stats.sends == 1 and dongle.responder.stats.requests == []


async def test_an_overlong_sendto_header_is_refused(make_dongle: DongleFactory) -> None:
    """A SKSENDTO whose fields never end (over 512 bytes) is refused and the buffer dropped."""
    dongle = await make_dongle("a1")
    client = await _quiet_client(dongle)
    try:
        await client.send(b"SKSENDTO 1" + b"1" * 600)
        assert await client.expect(b"\r\n") == b"FAIL ER05\r\n"
        await client.send(b"SKVER\r\n")
        assert await client.expect(b"OK\r\n") == b"EVER 1.2.10\r\nOK\r\n"
    finally:
        await client.close()


async def _prepare_join(client: RawClient, dongle: VirtualDongle) -> None:
    for command in (
        f"SKSETRBID {dongle.rbid}".encode(),
        f"SKSETPWD {len(dongle.password):X} {dongle.password}".encode(),
        f"SKSREG S2 {dongle.channel:X}".encode(),
        f"SKSREG S3 {dongle.pan_id:X}".encode(),
    ):
        assert await _answer(client, command, b"OK\r\n") == b"OK\r\n", command


async def test_join_while_joining_and_terminate(make_dongle: DongleFactory) -> None:
    """A second SKJOIN during PANA fails (ER10); SKTERM without a session times out (EVENT 28),
    with one it ends it (EVENT 27)."""
    dongle = await make_dongle("a1", join_seconds=400)
    client = await _quiet_client(dongle)
    try:
        assert await _answer(client, b"SKTERM", b"OK\r\n\r\n") == (
            b"OK\r\nEVENT 28 " + METER_IP + b"\r\n"
        )
        await _prepare_join(client, dongle)
        assert await _answer(client, b"SKJOIN " + METER_IP, b"OK\r\n") == b"OK\r\n"
        assert await _answer(client, b"SKJOIN " + METER_IP, b"FAIL\r\n") == b"FAIL ER10\r\n"
        assert dongle.stats.join_attempts == 1
        await client.expect(b"EVENT 25 " + METER_IP + b"\r\n", limit=10)
        await client.expect(b"ERXUDP ")  # the meter's instance list (INF 0xD5)
        await client.expect(b"\r\n")
        assert dongle.session_up
        assert await _answer(client, b"SKTERM", b"OK\r\n\r\n") == (
            b"OK\r\nEVENT 27 " + METER_IP + b"\r\n"
        )
        assert not dongle.session_up
    finally:
        await client.close()


async def test_a_failing_command_answers_er06_and_the_module_goes_on(
    make_dongle: DongleFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command that breaks inside the module answers FAIL ER06; the next one is served."""
    dongle = await make_dongle("c0")
    client = await _quiet_client(dongle)

    async def broken(args: list[str]) -> None:
        raise RuntimeError("firmware bug")

    monkeypatch.setattr(dongle.emulator, "_cmd_skinfo", broken)
    try:
        assert await _answer(client, b"SKINFO", b"\r\n") == b"FAIL ER06\r\n"
        assert await _answer(client, b"SKVER", b"\r\n\r\n") == b"EVER 1.5.2\r\nOK\r\n"
    finally:
        await client.close()


async def test_firmware_without_ropt(make_dongle: DongleFactory) -> None:
    """Firmware older than ROPT/WOPT refuses both (FAIL ER04) and keeps its output mode."""
    dongle = await make_dongle("c0", ropt=False)
    client = await _quiet_client(dongle)
    try:
        assert await _answer(client, b"ROPT", b"FAIL ER04\r\n") == b"FAIL ER04\r\n"
        assert await _answer(client, b"WOPT 01", b"FAIL ER04\r\n") == b"FAIL ER04\r\n"
    finally:
        await client.close()
    assert dongle.ascii_payload is False and dongle.stats.wopt_writes == 0


async def test_a_hung_module_reads_but_never_answers(make_dongle: DongleFactory) -> None:
    """While the firmware hangs a command is read and dropped: what answers afterwards is
    the next command, never the one sent while it hung."""
    dongle = await make_dongle("a1")
    client = await _quiet_client(dongle)
    try:
        dongle.faults.hung = True
        await client.send(b"SKVER\r\n")
        await wait_for(lambda: dongle.stats.commands[-1] == "SKVER", what="SKVER read")
        dongle.faults.hung = False
        answer = await _answer(client, b"SKAPPVER", b"EAPPVER\r\nOK\r\n")
        assert answer == b"EAPPVER rev26e\r\nOK\r\n"
    finally:
        await client.close()
