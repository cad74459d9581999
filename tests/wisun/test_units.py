"""Meter property codecs, counters, credentials, models: no I/O."""

from __future__ import annotations

import asyncio
from datetime import datetime
import logging
import pickle
import struct

import pytest

from custom_components.hems.echonet.const import ESV
from custom_components.hems.echonet.errors import DeviceRejectedError, RequestTimeoutError
from custom_components.hems.echonet.frame import CONTROLLER, build
from custom_components.hems.wisun import (
    BRouteCredentials,
    Dialect,
    InvalidCredentialsError,
    MeterRejectedError,
    MeterTimeoutError,
    PanDescriptor,
    Timing,
    meter as m,
)
from custom_components.hems.wisun.credentials import _FILTER, _SecretFilter, protect_logs
from custom_components.hems.wisun.models import ipv6_from_mac, normalize_ipv6
from custom_components.hems.wisun.requests import PendingRequest

RBID = "00112233445566778899AABBCCDDEEFF"
PASSWORD = "0123456789AB"


def test_credentials_are_hidden() -> None:
    """Validation messages, repr and str never show the values; pickling keeps them."""
    cred = BRouteCredentials(f" {RBID} ", PASSWORD)
    assert cred.rbid == RBID
    assert cred.pairing_id == RBID[-8:]
    for text in (repr(cred), str(cred), f"{cred}", repr([cred])):
        assert RBID not in text and PASSWORD not in text
    assert pickle.loads(pickle.dumps(cred)) == cred
    assert cred.redact(f"SKSETRBID {RBID} / {PASSWORD} / PairID:{RBID[-8:]}").count("***") == 3
    with pytest.raises(InvalidCredentialsError) as err:
        BRouteCredentials(RBID[:-1], PASSWORD)
    assert RBID[:-1] not in str(err.value)
    with pytest.raises(InvalidCredentialsError) as err:
        BRouteCredentials(RBID, "short")
    assert "short" not in str(err.value)
    with pytest.raises(InvalidCredentialsError):
        BRouteCredentials(RBID[:-1] + "!", PASSWORD)


def test_third_party_loggers_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    """serialx logs every byte at DEBUG: the filter masks the secrets (also in bytes reprs)."""
    cred = BRouteCredentials(RBID, "PASS'WORD\\12")
    protect_logs(cred)
    caplog.set_level(logging.DEBUG)
    logger = logging.getLogger("serialx.descriptor_transport")
    logger.debug("Immediately writing %r", f"SKSETPWD C {cred.password}\r\n".encode())
    logger.debug("Immediately writing %r", b"\xd0\xea" + RBID.encode() + cred.password.encode())
    # equal credentials are distinct objects: the second stays protected when the first dies
    first = BRouteCredentials(RBID, PASSWORD)
    protect_logs(first)
    second = BRouteCredentials(RBID, PASSWORD)
    protect_logs(second)
    del first
    logger.debug("Immediately writing %r", f"SKSETPWD C {PASSWORD}\r\n".encode())
    assert second.password not in caplog.text
    assert RBID not in caplog.text
    assert "PASS" not in caplog.text
    assert "SKSETPWD C ***" in caplog.text


def test_credentials_compare_by_value() -> None:
    """Equal credentials are one key (hash with eq); other objects are never equal to them."""
    cred = BRouteCredentials(RBID, PASSWORD)
    assert len({cred, BRouteCredentials(RBID, PASSWORD)}) == 1
    assert cred != BRouteCredentials(RBID, "ABCDEFGHIJKL")
    assert cred != RBID


def test_log_filter_lets_every_record_through() -> None:
    """The filter masks, never drops: records it cannot format and records while no
    credentials are alive pass unchanged."""
    broken = logging.LogRecord("serialx", logging.DEBUG, __file__, 1, "%d bytes", ("x",), None)
    cred = BRouteCredentials(RBID, PASSWORD)
    protect_logs(cred)
    assert _FILTER.filter(broken)
    assert (broken.msg, broken.args) == ("%d bytes", ("x",))
    idle = _SecretFilter()  # no live credentials: nothing to mask
    record = logging.LogRecord("serialx", logging.DEBUG, __file__, 1, "%s", (RBID,), None)
    assert idle.filter(record)
    assert record.getMessage() == RBID
    assert _FILTER.filter(record)  # while ``cred`` lives, its ID is masked
    assert RBID not in record.getMessage()


def test_meter_decoders() -> None:
    """Encodings of the meter's properties, reserved values -> None, bad sizes -> error."""
    assert m.decode_coefficient(b"\x00\x00\x00\x0a") == 10
    assert m.decode_coefficient(b"\x00\x00\x00\x00") == 0  # not configured: no reading
    assert m.decode_digits(b"\x06") == 6
    with pytest.raises(m.MeterValueError):
        m.decode_digits(b"\x09")
    assert m.decode_unit(b"\x01") == 0.1
    assert m.decode_unit(b"\x0d") == 10000.0
    with pytest.raises(m.MeterValueError):
        m.decode_unit(b"\x05")
    assert m.decode_counter(struct.pack(">I", 12345)) == 12345
    assert m.decode_counter(struct.pack(">I", m.NO_DATA)) is None
    assert m.decode_power(struct.pack(">i", -1234)) == -1234
    assert m.decode_power(b"\x7f\xff\xff\xfe") is None
    assert m.decode_power(b"\x80\x00\x00\x00") is None
    assert m.decode_currents(struct.pack(">hh", 123, -45)) == (12.3, -4.5)
    assert m.decode_currents(struct.pack(">hh", 123, 0x7FFE)) == (12.3, None)
    with pytest.raises(m.MeterValueError):
        m.decode_power(b"\x00\x01")
    when, value = m.decode_fixed_time(struct.pack(">HBBBBBI", 2026, 5, 10, 13, 30, 0, 777))
    assert when == datetime(2026, 5, 10, 13, 30, tzinfo=m.JST) and value == 777
    assert m.decode_fixed_time(
        struct.pack(">HBBBBBI", 0xFFFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, m.NO_DATA)
    ) == (None, None)
    edt = struct.pack(">H", 3) + struct.pack(">48I", *range(47), m.NO_DATA)
    day, values = m.decode_history1(edt)
    assert day == 3 and values[:2] == [0, 1] and values[-1] is None
    assert (
        m.encode_history2_setting(datetime(2026, 5, 10, 13, 30), 6)
        == b"\x07\xea\x05\x0a\x0d\x1e\x06"
    )
    raw = b"\x07\xea\x05\x0a\x0d\x1e\x02" + struct.pack(">IIII", 10, 20, 9, m.NO_DATA)
    newest, pairs = m.decode_history2(raw)
    assert newest == datetime(2026, 5, 10, 13, 30, tzinfo=m.JST)
    assert pairs == [(10, 20), (9, None)]
    with pytest.raises(m.MeterValueError):
        m.decode_history2(raw[:-1])
    with pytest.raises(m.MeterValueError, match="6 bytes"):
        m.decode_history2(raw[:6])  # not even the header
    assert m.decode_time(b"\x0d\x1e") == (13, 30, 0)
    assert m.decode_time(b"\x0d\x1e\x3b") == (13, 30, 59)
    for bad_time in (b"\x0d", b"\x0d\x1e\x00\x00", b"\x18\x00", b"\x0d\x3c", b"\x0d\x1e\x3c"):
        with pytest.raises(m.MeterValueError):
            m.decode_time(bad_time)
    assert m.decode_date(b"\x07\xea\x05\x0a").isoformat() == "2026-05-10"
    with pytest.raises(m.MeterValueError):
        m.decode_date(b"\x07\xea\x0d\x0a")
    # what the driver writes stays within what the meter accepts
    assert m.encode_history1_day(0) == b"\x00" and m.encode_history1_day(99) == b"\x63"
    for bad_day in (-1, 100):
        with pytest.raises(ValueError, match="0-99"):
            m.encode_history1_day(bad_day)
    for bad_count in (0, 13):
        with pytest.raises(ValueError, match="1-12"):
            m.encode_history2_setting(datetime(2026, 5, 10, 13, 30), bad_count)


def test_models() -> None:
    """PAN persistence round trip, addresses, timing helpers."""
    pan = PanDescriptor(Dialect.C0, 0x27, 0x8A3C, "C0F94500DEADBEEF", 0x9C, 9, 0)
    assert PanDescriptor.from_dict(pan.as_dict()) == pan
    assert pan.ipv6 == "FE80:0000:0000:0000:C2F9:4500:DEAD:BEEF"
    assert ipv6_from_mac("001D129012345678") == normalize_ipv6("fe80::21d:1290:1234:5678")
    with pytest.raises(ValueError):
        PanDescriptor.from_dict({"dialect": "a1", "channel": 1, "pan_id": 1, "mac": "XYZ"})
    fast = Timing().scaled(0.1)
    assert fast.response_timeout == pytest.approx(2.0)
    assert fast.scan_durations == (6, 7, 8) and fast.max_auth_failures == 3
    assert Timing.delay((1.0, 2.0), 5) == 2.0
    assert Timing().scan_seconds(6) == pytest.approx(17.5, abs=0.1)


def test_errors_fit_the_echonet_hierarchy() -> None:
    """Meter errors are also the ECHONET library's errors."""
    assert issubclass(MeterTimeoutError, RequestTimeoutError)
    assert issubclass(MeterRejectedError, DeviceRejectedError)
    assert MeterTimeoutError("x", missing=(0xE7,)).missing == (0xE7,)


async def test_answer_matching() -> None:
    """Get_SNA marks unsupported properties; a split answer is merged; a SetC_SNA rejects."""
    loop = asyncio.get_running_loop()
    get = PendingRequest(ESV.GET, (0xD3, 0xE7), loop.create_future())
    get.absorb(_frame(ESV.GET_SNA, [(0xD3, b""), (0xE7, b"\x00\x00\x01\x00")]))
    assert get.future.done() and get.rejected == {0xD3: b""}
    split = PendingRequest(ESV.GET, (0xE0, 0xE3), loop.create_future())
    split.absorb(_frame(ESV.GET_RES, [(0xE0, b"\x00\x00\x00\x01")]))
    assert not split.future.done() and split.partial
    split.absorb(_frame(ESV.GET_RES, [(0xE3, b"\x00\x00\x00\x02"), (0x99, b"\x01")]))
    assert split.future.done() and set(split.answers) == {0xE0, 0xE3}
    sets = PendingRequest(ESV.SETC, (0xE5,), loop.create_future())
    sets.absorb(_frame(ESV.SETC_SNA, [(0xE5, b"\x64")]))
    assert sets.rejected == {0xE5: b"\x64"}


def _frame(esv: int, props: list[tuple[int, bytes]]):  # type: ignore[no-untyped-def]
    from custom_components.hems.echonet.frame import decode_frame

    return decode_frame(build(1, m.METER, CONTROLLER, esv, props))
