"""The low-voltage smart meter (ECHONET Lite class 0x0288): its properties and their encodings.

Pure functions, no I/O.  Every decoder returns None for "no data" and raises
:class:`MeterValueError` for an EDT of the wrong shape.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
import struct
from typing import Final
from zoneinfo import ZoneInfo

from ..echonet.errors import FrameError
from ..echonet.frame import EOJ

JST: Final = ZoneInfo("Asia/Tokyo")

METER: Final = EOJ(0x02, 0x88, 0x01)
METER_CLASS: Final = 0x0288

EPC_OPERATION_STATUS: Final = 0x80
EPC_TIME: Final = 0x97
EPC_DATE: Final = 0x98
EPC_COEFFICIENT: Final = 0xD3
EPC_DIGITS: Final = 0xD7
EPC_IMPORT: Final = 0xE0
EPC_UNIT: Final = 0xE1
EPC_HISTORY1_IMPORT: Final = 0xE2
EPC_EXPORT: Final = 0xE3
EPC_HISTORY1_EXPORT: Final = 0xE4
EPC_HISTORY1_DAY: Final = 0xE5
EPC_POWER: Final = 0xE7
EPC_CURRENTS: Final = 0xE8
EPC_FIXED_IMPORT: Final = 0xEA
EPC_FIXED_EXPORT: Final = 0xEB
EPC_HISTORY2: Final = 0xEC
EPC_HISTORY2_SETTING: Final = 0xED

#: "No data" in history slots.
NO_DATA: Final = 0xFFFFFFFE
#: Largest counter value with 8 digits.
MAX_COUNTER: Final = 99_999_999

UNITS: Final[dict[int, float]] = {
    0x00: 1.0,
    0x01: 0.1,
    0x02: 0.01,
    0x03: 0.001,
    0x04: 0.0001,
    0x0A: 10.0,
    0x0B: 100.0,
    0x0C: 1000.0,
    0x0D: 10000.0,
}

SLOTS_PER_DAY: Final = 48
HISTORY1_SIZE: Final = 2 + 4 * SLOTS_PER_DAY


class MeterValueError(FrameError):
    """A property value of the wrong size or shape."""


def _need(edt: bytes, size: int, what: str) -> None:
    if len(edt) != size:
        raise MeterValueError(f"{what}: expected {size} bytes, got {len(edt)}")


def decode_coefficient(edt: bytes) -> int:
    """0xD3: u32.  0 is what some meters answer until they are configured: their counters are
    not readings then (see :class:`~.models.MeterInfo`)."""
    _need(edt, 4, "coefficient")
    return int.from_bytes(edt, "big")


def decode_digits(edt: bytes) -> int:
    """0xD7: 1-8."""
    _need(edt, 1, "effective digits")
    if not 1 <= edt[0] <= 8:
        raise MeterValueError(f"effective digits out of range: {edt[0]}")
    return edt[0]


def decode_unit(edt: bytes) -> float:
    """0xE1: kWh per count."""
    _need(edt, 1, "unit")
    try:
        return UNITS[edt[0]]
    except KeyError:
        raise MeterValueError(f"unknown unit code 0x{edt[0]:02X}") from None


def decode_counter(edt: bytes) -> int | None:
    """0xE0 / 0xE3: u32 counter; None when out of range (no data)."""
    _need(edt, 4, "cumulative energy")
    value = int.from_bytes(edt, "big")
    return None if value > MAX_COUNTER else value


def decode_power(edt: bytes) -> int | None:
    """0xE7: s32 W; None for the reserved values (overflow, underflow, no data)."""
    _need(edt, 4, "instantaneous power")
    value: int = struct.unpack(">i", edt)[0]
    if value in (0x7FFFFFFF, 0x7FFFFFFE, -0x80000000):
        return None
    return value


def _current(raw: int) -> float | None:
    if raw in (0x7FFF, 0x7FFE, -0x8000):
        return None
    return raw / 10


def decode_currents(edt: bytes) -> tuple[float | None, float | None]:
    """0xE8: (R phase, T phase) in A; T is None on single-phase two-wire meters."""
    _need(edt, 4, "instantaneous currents")
    r_raw, t_raw = struct.unpack(">hh", edt)
    return _current(r_raw), _current(t_raw)


def _datetime(*parts: int) -> datetime | None:
    """(year, month, day, hour, minute, second) as aware Japan time; None when invalid."""
    year, month, day, hour, minute, second = parts
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=JST)
    except ValueError:
        return None


def decode_fixed_time(edt: bytes) -> tuple[datetime | None, int | None]:
    """0xEA / 0xEB: (meter time, counter)."""
    _need(edt, 11, "fixed-time cumulative energy")
    year, month, day, hour, minute, second, value = struct.unpack(">HBBBBBI", edt)
    when = _datetime(year, month, day, hour, minute, second)
    return when, (None if value > MAX_COUNTER else value)


def decode_history1(edt: bytes) -> tuple[int, list[int | None]]:
    """0xE2 / 0xE4: (days ago, 48 counters from 00:00 to 23:30; None = no data)."""
    _need(edt, HISTORY1_SIZE, "history 1")
    day = int.from_bytes(edt[:2], "big")
    values = struct.unpack(">48I", edt[2:])
    return day, [None if v > MAX_COUNTER else v for v in values]


def encode_history1_day(days_ago: int) -> bytes:
    """0xE5 EDT."""
    if not 0 <= days_ago <= 99:
        raise ValueError("days_ago must be 0-99")
    return bytes((days_ago,))


def encode_history2_setting(end: datetime, count: int) -> bytes:
    """0xED EDT: the newest slot's meter time and the number of slots (1-12)."""
    if not 1 <= count <= 12:
        raise ValueError("count must be 1-12")
    return struct.pack(">HBBBBB", end.year, end.month, end.day, end.hour, end.minute, count)


def decode_history2(edt: bytes) -> tuple[datetime | None, list[tuple[int | None, int | None]]]:
    """0xEC: (newest slot time, [(normal, reverse)] newest first, 30 minutes apart)."""
    if len(edt) < 7:
        raise MeterValueError(f"history 2: {len(edt)} bytes")
    year, month, day, hour, minute, count = struct.unpack_from(">HBBBBB", edt)
    if len(edt) != 7 + 8 * count:
        raise MeterValueError(f"history 2: {len(edt)} bytes for {count} slots")
    when = _datetime(year, month, day, hour, minute, 0)
    pairs: list[tuple[int | None, int | None]] = []
    for i in range(count):
        imp, exp = struct.unpack_from(">II", edt, 7 + 8 * i)
        pairs.append((None if imp > MAX_COUNTER else imp, None if exp > MAX_COUNTER else exp))
    return when, pairs


def decode_time(edt: bytes) -> tuple[int, int, int]:
    """0x97: (hour, minute, second); the second is optional on the wire."""
    if len(edt) not in (2, 3):
        raise MeterValueError(f"time: {len(edt)} bytes")
    hour, minute = edt[0], edt[1]
    second = edt[2] if len(edt) == 3 else 0
    if hour > 23 or minute > 59 or second > 59:
        raise MeterValueError("time out of range")
    return hour, minute, second


def decode_date(edt: bytes) -> date:
    """0x98: year u16, month, day."""
    _need(edt, 4, "date")
    year, month, day = struct.unpack(">HBB", edt)
    try:
        return date(year, month, day)
    except ValueError:
        raise MeterValueError("date out of range") from None


def slot_times(day: date) -> list[datetime]:
    """The 48 :00/:30 times of a meter day."""
    start = datetime(day.year, day.month, day.day, tzinfo=JST)
    return [start + timedelta(minutes=30 * i) for i in range(SLOTS_PER_DAY)]
