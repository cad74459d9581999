"""Fuzzing of the dongle parsers (SKSTACK lines, ERXUDP binary/ASCII, J11 frames).

Used by ``tests/wisun/test_fuzz.py`` and ``scripts/fuzz_wisun.py``.  Inputs are random bytes
and mutations of valid streams; each input is fed to every parser in random pieces.  Any
exception is a failure; the valid part of a stream must still parse when it is not mutated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
import random
import traceback

from custom_components.hems.wisun import j11
from custom_components.hems.wisun.skstack import SkstackParser

METER = "FE80:0000:0000:0000:C2F9:4500:DEAD:BEEF"
ME = "FE80:0000:0000:0000:021D:1290:1234:5678"
MAC = "C0F94500DEADBEEF"


def _erxudp(rng: random.Random) -> bytes:
    payload = rng.randbytes(rng.randint(0, 120))
    if rng.random() < 0.5:
        payload = b"\x10\x81" + payload
    c0 = rng.random() < 0.5
    fields = [METER, ME, "0E1A", "0E1A", MAC]
    if c0:
        if rng.random() < 0.5:
            fields.append(f"{rng.randint(0, 255):02X}")
        fields += ["1", "0"]
    else:
        fields.append("1")
    fields.append(f"{len(payload):04X}")
    head = ("ERXUDP " + " ".join(fields) + " ").encode()
    body = payload.hex().upper().encode() if rng.random() < 0.5 else payload
    return head + body + b"\r\n"


def _line(rng: random.Random) -> bytes:
    choice = rng.randrange(6)
    if choice == 0:
        return f"EVENT {rng.choice(['21', '22', '24', '25', '29', '32'])} {METER} 00\r\n".encode()
    if choice == 1:
        return (
            f"EPANDESC\r\n  Channel:{rng.randint(33, 60):02X}\r\n  Channel Page:09\r\n"
            f"  Pan ID:{rng.randint(0, 0xFFFF):04X}\r\n  Addr:{MAC}\r\n  LQI:9C\r\n"
            "  PairID:89ABCDEF\r\n"
        ).encode()
    if choice == 2:
        return rng.choice([b"OK\r\n", b"FAIL ER10\r\n", b"OK 01\r\n", b"EVER 1.2.10\r\n"])
    if choice == 3:
        return f"EINFO {ME} 001D129012345678 21 FFFF FFFE\r\n".encode()
    return _erxudp(rng)


def _j11_frame(rng: random.Random) -> bytes:
    command = rng.choice([0x2008, 0x6018, 0x4051, 0x6028, 0x601A, rng.randint(0, 0xFFFF)])
    return j11.encode(command, rng.randbytes(rng.randint(0, 80)), unique=j11.UNIQUE_RESPONSE)


def _mutate(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 5)):
        if not buf:
            buf += rng.randbytes(4)
        op = rng.randrange(6)
        pos = rng.randrange(len(buf))
        if op == 0:
            buf[pos] ^= 1 << rng.randrange(8)
        elif op == 1:
            buf.insert(pos, rng.randrange(256))
        elif op == 2:
            del buf[pos]
        elif op == 3:
            end = min(len(buf), pos + rng.randint(1, 20))
            buf[pos:pos] = buf[pos:end]
        elif op == 4:
            buf[pos:pos] = rng.choice(
                [b"\r\n", b" ", b"FFFF", b"0000", b"ERXUDP ", b"\xd0\xf9\xee\x5d"]
            )
        else:
            del buf[pos : pos + rng.randint(1, 30)]
    return bytes(buf)


def make_input(rng: random.Random) -> bytes:
    """One fuzz input."""
    kind = rng.random()
    if kind < 0.35:
        return rng.randbytes(rng.randint(0, 400))
    if kind < 0.7:
        stream = b"".join(_line(rng) for _ in range(rng.randint(1, 6)))
        return _mutate(rng, stream)
    stream = b"".join(_j11_frame(rng) for _ in range(rng.randint(1, 4)))
    return _mutate(rng, stream)


def _pieces(rng: random.Random, data: bytes) -> list[bytes]:
    if rng.random() < 0.3:
        return [data]
    out = []
    pos = 0
    while pos < len(data):
        size = rng.randint(1, 64)
        out.append(data[pos : pos + size])
        pos += size
    return out


@dataclass
class FuzzResult:
    """Outcome of a run."""

    inputs: int = 0
    feeds: int = 0
    failures: list[str] = field(default_factory=list)


def run(
    count: int, seed: int = 20261127, report: Callable[[str], None] | None = None
) -> FuzzResult:
    """Feed ``count`` inputs to every parser; collect unexpected exceptions."""
    rng = random.Random(seed)
    result = FuzzResult()
    # long-lived parsers keep state across inputs (like a real stream); fresh ones do not
    streams = [
        SkstackParser(ascii_payload=True),
        SkstackParser(ascii_payload=False, has_side=True),
        SkstackParser(ascii_payload=None),
    ]
    j11_stream = j11.J11Parser()
    for i in range(count):
        data = make_input(rng)
        result.inputs += 1
        parsers: list[SkstackParser | j11.J11Parser] = [streams[i % 3], j11_stream]
        if i % 8 == 0:
            parsers.append(
                SkstackParser(ascii_payload=rng.choice([True, False, None]), has_side=i % 16 == 0)
            )
            parsers.append(j11.J11Parser())
        for parser in parsers:
            try:
                for piece in _pieces(rng, data):
                    parser.feed(piece)
                    result.feeds += 1
            except Exception:
                message = (
                    f"input {i} ({data!r}) on {type(parser).__name__}:\n{traceback.format_exc()}"
                )
                result.failures.append(message)
                if report:
                    report(message)
                if len(result.failures) > 20:
                    return result
        # the long-lived parsers must not hoard memory
        for held in (*(p.buffered for p in streams), j11_stream.buffered):
            if held > 8192:
                result.failures.append(f"input {i}: buffer grew to {held} bytes")
    return result
