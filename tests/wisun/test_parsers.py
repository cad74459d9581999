"""SKSTACK line parser, ERXUDP (binary / ASCII) parser and J11 frame parser, plus hypothesis."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.hems.wisun import Dialect, PanDescriptor, j11
from custom_components.hems.wisun.skstack import (
    MAX_LINE,
    SkEvent,
    SkLine,
    SkMessage,
    SkPanDesc,
    SkRxUdp,
    SkstackParser,
    pan_from_fields,
)

METER = "FE80:0000:0000:0000:C2F9:4500:DEAD:BEEF"
ME = "FE80:0000:0000:0000:021D:1290:1234:5678"
MAC = "C0F94500DEADBEEF"


def erxudp(payload: bytes, *, ascii_: bool, c0: bool = False, rssi: bool = False) -> bytes:
    """One ERXUDP line as a module prints it."""
    fields = [METER, ME, "0E1A", "0E1A", MAC]
    if c0:
        if rssi:
            fields.append("9C")
        fields += ["1", "0"]
    else:
        fields.append("1")
    fields.append(f"{len(payload):04X}")
    head = ("ERXUDP " + " ".join(fields) + " ").encode()
    body = payload.hex().upper().encode() if ascii_ else payload
    return head + body + b"\r\n"


def feed_all(
    parser: SkstackParser, data: bytes, chunks: list[int] | None = None
) -> list[SkMessage]:
    """Feed ``data`` in pieces (sizes from ``chunks``, cycled) and collect the messages."""
    out: list[SkMessage] = []
    if not chunks:
        return parser.feed(data)
    pos = 0
    i = 0
    while pos < len(data):
        size = max(1, chunks[i % len(chunks)])
        out += parser.feed(data[pos : pos + size])
        pos += size
        i += 1
    return out


FRAME = bytes.fromhex("1081000102880105ff017201e70400000474")
# a payload with CR LF, spaces and hex-looking bytes inside: binary mode must use DATALEN
TRICKY = b"\x10\x81\r\n ERXUDP OK\r\nEVENT 25 X\r\n0123"


@pytest.mark.parametrize("c0,rssi", [(False, False), (True, False), (True, True)])
@pytest.mark.parametrize("mode", [True, False, None])
def test_erxudp_both_output_modes(c0: bool, rssi: bool, mode: bool | None) -> None:
    """Binary and hex ASCII payloads, A1 and C0 layouts (with and without RSSI)."""
    for payload in (FRAME, TRICKY, b"", b"\r\n"):
        for ascii_ in (True, False):
            if mode is not None and ascii_ is not mode:
                continue
            if mode is None and not ascii_ and payload[:1] in b"0123456789ABCDEFabcdef" and payload:
                continue  # undecidable without ROPT; the driver reads ROPT
            parser = SkstackParser(ascii_payload=mode, has_side=c0)
            line = erxudp(payload, ascii_=ascii_, c0=c0, rssi=rssi)
            msgs = parser.feed(b"OK\r\n" + line + b"EVENT 21 " + METER.encode() + b" 00\r\n")
            rx = [m for m in msgs if isinstance(m, SkRxUdp)]
            assert len(rx) == 1, msgs
            assert rx[0].data == payload
            assert rx[0].sender == METER
            assert rx[0].rport == 3610
            assert rx[0].side == (0 if c0 else None)
            assert rx[0].rssi == (0x9C if rssi else None)
            assert msgs[0] == SkLine("OK")
            assert isinstance(msgs[-1], SkEvent) and msgs[-1].code == 0x21


def test_events_with_and_without_side() -> None:
    """A1: EVENT num addr [param]; C0: EVENT num addr side [param]."""
    a1 = SkstackParser(has_side=False).feed(f"EVENT 21 {METER} 01\r\nEVENT 25 {METER}\r\n".encode())
    assert a1 == [SkEvent(0x21, METER, None, 1), SkEvent(0x25, METER, None, None)]
    c0 = SkstackParser(has_side=True).feed(
        f"EVENT 21 {METER} 0 02\r\nEVENT 29 {METER} 1\r\n".encode()
    )
    assert c0 == [SkEvent(0x21, METER, 0, 2), SkEvent(0x29, METER, 1, None)]


def test_epandesc_block() -> None:
    """The indented EPANDESC block becomes one message; C0 adds a Side line."""
    text = (
        f"EVENT 20 {METER}\r\nEPANDESC\r\n  Channel:27\r\n  Channel Page:09\r\n  Pan ID:8A3C\r\n"
        f"  Addr:{MAC}\r\n  LQI:9C\r\n  Side:0\r\n  PairID:89ABCDEF\r\nEVENT 22 {ME}\r\n"
    )
    msgs = SkstackParser().feed(text.encode())
    assert isinstance(msgs[1], SkPanDesc)
    assert pan_from_fields(msgs[1].fields) == (0x27, 0x8A3C, MAC, 0x9C, 9, 0)
    assert isinstance(msgs[2], SkEvent) and msgs[2].code == 0x22
    # interrupted by another line: still delivered, then the line
    cut = SkstackParser().feed(b"EPANDESC\r\n  Channel:21\r\nOK\r\n")
    assert cut == [SkPanDesc({"Channel": "21"}), SkLine("OK")]
    assert pan_from_fields({"Channel": "21"}) is None


def test_noise_and_resynchronisation() -> None:
    """Garbage, broken ERXUDP headers and fake lengths never hide the following messages."""
    parser = SkstackParser(ascii_payload=False)
    data = (
        b"\x00\xff\xfe\r\n"
        b"ERXUDP broken\r\n"
        b"ERXUDP " + METER.encode() + b" x y z\r\n"
        b"junkERXUDP "  # garbage in front of a real one on the same line
        + erxudp(FRAME, ascii_=False)[len(b"ERXUDP ") :]
        + b"ERXUDP "
        + METER.encode()
        + b" "
        + ME.encode()
        + b" 0E1A 0E1A "
        + MAC.encode()
        + b" 1 0010 \x10\x81short\r\nOK\r\n"  # binary length lies: no CR LF at the end
    )
    msgs = parser.feed(data)
    rx = [m for m in msgs if isinstance(m, SkRxUdp)]
    assert [m.data for m in rx] == [FRAME]
    # the lying header holds the next lines until its length is reached, then lets them go
    assert SkLine("OK") not in msgs
    msgs = parser.feed(f"EVENT 21 {METER} 00\r\n".encode())
    assert msgs[-2:] == [SkLine("OK"), SkEvent(0x21, METER, None, 0)]
    assert parser.dropped_bytes > 0


HEAD = f"ERXUDP {METER} {ME} 0E1A 0E1A {MAC}".encode()


@pytest.mark.parametrize(
    ("mode", "broken"),
    [
        (None, b"ERXUDP " + b"x " * 12),  # no DATALEN within nine fields
        (None, b"ERXUDP " + b"y" * 70),  # a header field longer than any real one
        (None, b"ERXUDP a b 0E1A 0E1A " + MAC.encode() + b" 1 0004 "),  # no addresses
        (None, b"ERXUDP \xff: \xfe: 0E1A 0E1A " + MAC.encode() + b" 1 0004 "),  # not ASCII
        (None, f"ERXUDP {METER} {ME} 0E1A 0E1A C0F945 1 0004 ".encode()),  # short MAC
        (None, HEAD + b" 1 ZZZZ 0004 "),  # a field that is no number
        (None, HEAD + b" 1 0601 "),  # longer than any datagram
        (None, HEAD + b" 9C 1 0 1 0004 "),  # four fields between MAC and DATALEN
        (True, HEAD + b" 1 0004 1081ZZZZ"),  # the hex payload stops early
        (False, HEAD + b" 1 0002 \x10\x81\rX"),  # CR after the payload, then no LF
    ],
)
def test_malformed_erxudp_is_dropped(mode: bool | None, broken: bytes) -> None:
    """A broken ERXUDP yields no datagram; the parser resynchronises on what follows."""
    parser = SkstackParser(ascii_payload=mode)
    good = erxudp(FRAME, ascii_=mode is not False)
    msgs = parser.feed(broken + b"\r\nOK\r\n" + good)
    assert [m.data for m in msgs if isinstance(m, SkRxUdp)] == [FRAME]
    assert SkLine("OK") in msgs
    assert parser.dropped_bytes > 0


def test_binary_payload_ended_by_lf_alone() -> None:
    """Some firmware ends a binary ERXUDP with LF only: the datagram still comes out."""
    line = erxudp(FRAME, ascii_=False)
    msgs = SkstackParser(ascii_payload=False).feed(line[:-2] + b"\nOK\r\n")
    assert [m.data for m in msgs if isinstance(m, SkRxUdp)] == [FRAME]
    assert msgs[-1] == SkLine("OK")


def test_bad_events_and_overlong_lines() -> None:
    """EVENT lines with impossible numbers are plain lines (no event is acted on); a line
    without end is dropped once it outgrows MAX_LINE, and the next line parses."""
    bad = [
        f"EVENT 125 {METER}",
        f"EVENT 21 {METER} 10000",
        f"EVENT ZZ {METER}",
        f"EVENT 21 {METER} X",
    ]
    msgs = SkstackParser().feed("".join(line + "\r\n" for line in bad).encode())
    assert msgs == [SkLine(line) for line in bad]
    parser = SkstackParser()
    assert parser.feed(b"A" * (MAX_LINE + 1)) == []
    assert parser.buffered == 0
    assert parser.dropped_bytes == MAX_LINE + 1
    assert parser.feed(b"OK\r\n") == [SkLine("OK")]


@pytest.mark.parametrize(
    "fields",
    [
        {"Channel": "21", "Pan ID": "8A3C", "Addr": "C0F945"},  # short MAC
        {"Channel": "21", "Pan ID": "8A3C", "Addr": "C0F94500DEADBEXY"},  # not hex
        {"Channel": "121", "Pan ID": "8A3C", "Addr": MAC},  # no such channel
        {"Channel": "21", "Pan ID": "18A3C", "Addr": MAC},  # PAN ID over 16 bits
        {"Channel": "21", "Pan ID": "8A3C", "Addr": MAC, "LQI": "high"},
    ],
)
def test_bad_pan_descriptions_are_ignored(fields: dict[str, str]) -> None:
    """An EPANDESC that does not describe a reachable PAN is no candidate."""
    assert pan_from_fields(fields) is None


@given(
    payloads=st.lists(st.binary(max_size=300), min_size=1, max_size=5),
    ascii_=st.booleans(),
    c0=st.booleans(),
    chunks=st.lists(st.integers(min_value=1, max_value=64), max_size=8),
)
@settings(max_examples=150, deadline=None)
def test_erxudp_roundtrip_any_chunking(
    payloads: list[bytes], ascii_: bool, c0: bool, chunks: list[int]
) -> None:
    """Whatever the payload bytes and however the stream is cut, the datagrams come out."""
    parser = SkstackParser(ascii_payload=ascii_, has_side=c0)
    data = b"".join(erxudp(p, ascii_=ascii_, c0=c0) + b"OK\r\n" for p in payloads)
    msgs = feed_all(parser, data, chunks)
    assert [m.data for m in msgs if isinstance(m, SkRxUdp)] == payloads
    assert msgs.count(SkLine("OK")) == len(payloads)


@given(st.binary(max_size=2000), st.lists(st.integers(min_value=1, max_value=300), max_size=10))
@settings(max_examples=300, deadline=None)
def test_skstack_parser_never_raises(data: bytes, chunks: list[int]) -> None:
    """Arbitrary bytes in arbitrary pieces: no exception, bounded buffer."""
    for mode in (True, False, None):
        parser = SkstackParser(ascii_payload=mode, has_side=bool(len(data) % 2))
        feed_all(parser, data, chunks)
        assert parser.buffered <= 4096 + 2000


_TOKENS = [
    b"ERXUDP ", b"EVENT ", b"EPANDESC", b"  Channel:", b"OK", b"FAIL ER10", b"\r\n", b"\r",
    b"\n", b" ", b"0E1A", b"0012", b"FFFF", b"1", b"0", METER.encode(), MAC.encode(), b"\x10\x81",
    b"\xff", b"\x00", b"PairID:", b"EVER 1.2.10",
]  # fmt: skip


@given(st.lists(st.sampled_from(_TOKENS), max_size=60), st.booleans())
@settings(max_examples=300, deadline=None)
def test_skstack_parser_token_soup(tokens: list[bytes], has_side: bool) -> None:
    """Plausible fragments glued at random: no exception; a trailing sentinel survives."""
    parser = SkstackParser(ascii_payload=None, has_side=has_side)
    msgs = parser.feed(b"".join(tokens) + b"\r\n\r\nEVER 9.9.9\r\n")
    # the sentinel is found unless a pending ERXUDP still waits for payload bytes
    if not parser.buffered:
        assert SkLine("EVER 9.9.9") in msgs or any(isinstance(m, SkRxUdp) for m in msgs)


# -- J11 ------------------------------------------------------------------------------------


def test_j11_roundtrip_and_checksums() -> None:
    """encode / parse, sums over header and data."""
    raw = j11.encode(0x2008, b"\x01\x00", unique=j11.UNIQUE_RESPONSE)
    assert raw[:4] == j11.UNIQUE_RESPONSE
    assert int.from_bytes(raw[6:8], "big") == 6
    assert int.from_bytes(raw[8:10], "big") == sum(raw[:8])
    assert j11.J11Parser().feed(raw) == [j11.J11Frame(0x2008, b"\x01\x00")]
    assert j11.J11Frame(0x2008, b"\x01\x00").ok


def test_j11_resync_after_noise_and_bad_checksums() -> None:
    """Noise, a corrupted header and a corrupted body are skipped; good frames survive."""
    good = j11.encode(0x6018, b"\x01" * 30, unique=j11.UNIQUE_RESPONSE)
    bad_head = bytearray(good)
    bad_head[9] ^= 0xFF
    bad_body = bytearray(good)
    bad_body[-1] ^= 0xFF
    parser = j11.J11Parser()
    frames = parser.feed(b"\xd0\xf9garbage" + bytes(bad_head) + bytes(bad_body) + good + b"\xd0")
    assert frames == [j11.J11Frame(0x6018, b"\x01" * 30)]
    assert parser.bad_frames == 2


def test_j11_data_layouts() -> None:
    """UDP notification, scan result and send request layouts."""
    src = j11.ipv6_bytes(METER)
    udp = j11.parse_udp(j11.build_udp_notification(src, FRAME, pan_id=0x8A3C, rssi=-70))
    assert udp is not None
    assert (j11.ipv6_text(udp.src), udp.data, udp.pan_id, udp.rssi) == (METER, FRAME, 0x8A3C, -70)
    assert j11.parse_udp(b"\x00" * 10) is None
    scan = j11.parse_scan_result(bytes((0, 10, 1)) + bytes.fromhex(MAC) + b"\x8a\x3c\xc4")
    assert scan == j11.J11ScanResult(10, MAC, 0x8A3C, -60)
    assert j11.parse_scan_result(b"\x01" + b"\x00" * 13) is None
    send = j11.parse_send_udp(j11.build_send_udp(src, FRAME))
    assert send == (src, 3610, 3610, FRAME)
    assert len(j11.build_auth("A" * 32, "B" * 12)) == 44
    assert j11.build_scan_request(6, "89ABCDEF")[5:] == b"\x0189ABCDEF"


def test_j11_broute_started_names_the_meter() -> None:
    """0x2053: result, channel, PAN ID, the joined meter's MAC, RSSI (RSSI optional)."""
    answer = b"\x01\x0a\x8a\x3c" + bytes.fromhex(MAC) + b"\xc4"
    assert j11.parse_broute_started(answer) == PanDescriptor(Dialect.J11, 10, 0x8A3C, MAC, 0xC4)
    assert j11.parse_broute_started(answer[:12]) == PanDescriptor(Dialect.J11, 10, 0x8A3C, MAC)
    assert j11.parse_broute_started(answer[:11]) is None


@given(
    frames=st.lists(
        st.tuples(st.integers(0, 0xFFFF), st.binary(max_size=200)), min_size=1, max_size=5
    ),
    noise=st.lists(st.binary(max_size=20), min_size=6, max_size=6),
    chunks=st.lists(st.integers(min_value=1, max_value=50), max_size=8),
)
@settings(max_examples=150, deadline=None)
def test_j11_frames_survive_noise(
    frames: list[tuple[int, bytes]], noise: list[bytes], chunks: list[int]
) -> None:
    """Frames separated by arbitrary noise (without the unique code) all come out."""
    noise = [n.replace(b"\xd0", b"\x00") for n in noise]
    data = b"".join(
        noise[i] + j11.encode(cmd, body, unique=j11.UNIQUE_RESPONSE)
        for i, (cmd, body) in enumerate(frames)
    )
    parser = j11.J11Parser()
    out: list[j11.J11Frame] = []
    pos = i = 0
    while pos < len(data):
        size = chunks[i % len(chunks)] if chunks else len(data)
        out += parser.feed(data[pos : pos + size])
        pos += size
        i += 1
    assert [(f.command, f.data) for f in out] == frames


@given(st.binary(max_size=3000), st.lists(st.integers(min_value=1, max_value=500), max_size=10))
@settings(max_examples=300, deadline=None)
def test_j11_parser_never_raises(data: bytes, chunks: list[int]) -> None:
    """Arbitrary bytes: no exception, and the buffer does not grow without bound."""
    parser = j11.J11Parser()
    pos = i = 0
    while pos < len(data):
        size = chunks[i % len(chunks)] if chunks else len(data)
        parser.feed(data[pos : pos + size])
        pos += size
        i += 1
    assert parser.buffered <= j11.HEADER_SIZE + j11.MAX_DATA
