"""Dates and times."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...errors import ValueCodecError
from .base import (
    DataType,
    DecodeError,
    Related,
    _describe,
    _hex,
    _length_error,
)

# -- dates and times ------------------------------------------------------------------------

#: ECHONET Lite dates and times are local and naive.
_SAMPLE_DATETIME = dt.datetime(2024, 6, 1, 12, 30, 0)


class DateTimeType(DataType):
    """Year (2 bytes), month, day, then hour, minute, second as the size allows."""

    __slots__ = ()
    kind = "date-time"

    def decode(self, edt: bytes, related: Related) -> Any:
        if len(edt) != self.size:
            raise _length_error(len(edt), self._n)
        parts = [(edt[0] << 8) | edt[1], *edt[2:]]
        try:
            return dt.datetime(*parts)
        except ValueError:
            raise DecodeError(f"{_hex(edt)} is not a valid date and time") from None

    def encode(self, value: Any, related: Related = None) -> bytes:
        if isinstance(value, dt.datetime):
            parts = (value.month, value.day, value.hour, value.minute, value.second)
        elif isinstance(value, dt.date):
            parts = (value.month, value.day, 0, 0, 0)
        else:
            raise ValueCodecError(f"{_describe(value)} is not a datetime")
        year: int = value.year
        return year.to_bytes(2, "big") + bytes(parts[: self._n - 2])

    def sample(self) -> bytes:
        return self.encode(_SAMPLE_DATETIME)


class DateType(DataType):
    """Year (2 bytes), month, day."""

    __slots__ = ()
    kind = "date"

    def decode(self, edt: bytes, related: Related) -> Any:
        if len(edt) != 4:
            raise _length_error(len(edt), 4)
        try:
            return dt.date((edt[0] << 8) | edt[1], edt[2], edt[3])
        except ValueError:
            raise DecodeError(f"{_hex(edt)} is not a valid date") from None

    def encode(self, value: Any, related: Related = None) -> bytes:
        if not isinstance(value, dt.date):
            raise ValueCodecError(f"{_describe(value)} is not a date")
        return value.year.to_bytes(2, "big") + bytes((value.month, value.day))

    def sample(self) -> bytes:
        return self.encode(_SAMPLE_DATETIME.date())


class TimeType(DataType):
    """Hour, minute [, second]; a ``timedelta`` when hours may exceed 23 (relative times)."""

    __slots__ = ("max_hour",)
    kind = "time"

    def __init__(self, size: int, max_hour: int = 23) -> None:
        super().__init__(size)
        self.max_hour = max_hour

    @property
    def relative(self) -> bool:
        return self.max_hour > 23

    def decode(self, edt: bytes, related: Related) -> Any:
        if len(edt) != self.size:
            raise _length_error(len(edt), self._n)
        hour, minute = edt[0], edt[1]
        second = edt[2] if len(edt) > 2 else 0
        if hour > self.max_hour or minute > 59 or second > 59:
            raise DecodeError(f"{_hex(edt)} is not a valid time")
        if self.max_hour > 23:
            return dt.timedelta(hours=hour, minutes=minute, seconds=second)
        return dt.time(hour, minute, second)

    def encode(self, value: Any, related: Related = None) -> bytes:
        if isinstance(value, dt.time):
            hour, minute, second = value.hour, value.minute, value.second
        elif isinstance(value, dt.timedelta) and self.max_hour > 23:
            total = int(value.total_seconds())
            if total < 0:
                raise ValueCodecError(f"{value} is negative")
            hour, rest = divmod(total, 3600)
            minute, second = divmod(rest, 60)
            if hour > self.max_hour:
                raise ValueCodecError(f"{value} is longer than {self.max_hour}:59")
        else:
            expected = "a time or timedelta" if self.max_hour > 23 else "a time"
            raise ValueCodecError(f"{_describe(value)} is not {expected}")
        return bytes((hour, minute, second)[: self.size])

    def sample(self) -> bytes:
        if self.max_hour > 23:
            return self.encode(dt.timedelta(hours=1, minutes=30))
        return self.encode(_SAMPLE_DATETIME.time())
