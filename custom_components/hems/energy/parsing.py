"""Reading the tariff's dict form: typed values with the path of a bad one, time zones."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime, tzinfo
from decimal import Decimal
from enum import StrEnum
from functools import cache
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .amounts import to_decimal
from .errors import TariffError

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
MONTH_DAY_RE = re.compile(r"^(\d{2})-(\d{2})$")


UTC_ZONE = ZoneInfo("UTC")


def local_time(when: datetime, tz: tzinfo) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{when.isoformat()} has no time zone")
    return when.astimezone(tz)


@cache
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise TariffError(f"unknown time zone {name!r}", code="bad_timezone") from None


def format_minutes(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_minutes(text: Any, *, allow_24: bool, path: str) -> int:
    match = TIME_RE.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise TariffError(f"{text!r} is not a time HH:MM", path=path, code="bad_time")
    hours, minutes = int(match[1]), int(match[2])
    if minutes >= 60 or hours > 24 or (hours == 24 and (minutes or not allow_24)):
        raise TariffError(f"{text!r} is not a time of day", path=path, code="bad_time")
    return hours * 60 + minutes


def check_key(key: Any, what: str) -> None:
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise TariffError(
            f"{what} key {key!r} must be lower-case letters, digits and _ (max 32), "
            "starting with a letter",
            path="key",
            code="bad_key",
        )


@contextmanager
def at_path(segment: str) -> Iterator[None]:
    """Prefix the path of a TariffError raised inside with ``segment``."""
    try:
        yield
    except TariffError as err:
        if segment:
            joiner = "" if err.path.startswith("[") or not err.path else "."
            path = f"{segment}{joiner}{err.path}"
            raise TariffError(err.detail, path=path, code=err.code) from None
        raise


def mapping_of(data: Any, *allowed: str, required: Sequence[str] = ()) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise TariffError(f"expected a mapping, got {type(data).__name__}", code="bad_type")
    unknown = sorted(str(key) for key in data if key not in allowed)
    if unknown:
        raise TariffError(f"unknown key(s) {', '.join(unknown)}", code="unknown_key")
    for key in required:
        if key not in data:
            raise TariffError(f"{key} is required", path=key, code="missing_value")
    return data


def map_of(data: Any) -> Mapping[Any, Any]:
    if not isinstance(data, Mapping):
        raise TariffError(f"expected a mapping, got {type(data).__name__}", code="bad_type")
    return data


def list_of(data: Any, path: str = "") -> list[Any]:
    if isinstance(data, str | bytes) or not isinstance(data, Iterable):
        raise TariffError(f"expected a list, got {type(data).__name__}", path=path, code="bad_type")
    return list(data)


def items_of[T](data: Any, path: str, parse: Callable[[Any], T]) -> Iterator[T]:
    with at_path(path):
        values = list_of(data)
    for index, item in enumerate(values):
        with at_path(f"{path}[{index}]"):
            yield parse(item)


def number_at(value: Any, path: str) -> Decimal:
    try:
        return to_decimal(value)
    except ValueError as err:
        raise TariffError(str(err), path=path, code="bad_number") from None


def int_at(value: Any, path: str) -> int:
    if isinstance(value, bool):
        raise TariffError(f"{value!r} is not a whole number", path=path, code="bad_number")
    if isinstance(value, int):
        return value
    try:
        number = to_decimal(value)
    except ValueError:
        raise TariffError(
            f"{value!r} is not a whole number", path=path, code="bad_number"
        ) from None
    if number != number.to_integral_value():
        raise TariffError(f"{value!r} is not a whole number", path=path, code="bad_number")
    return int(number)


def str_at(value: Any, path: str, *, empty_ok: bool = False) -> str:
    if not isinstance(value, str) or (not empty_ok and not value.strip()):
        raise TariffError(f"expected a non-empty text, got {value!r}", path=path, code="bad_type")
    return value


def bool_of(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TariffError(f"expected true or false, got {value!r}", code="bad_type")
    return value


def date_of(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise TariffError(f"{value!r} is not a date YYYY-MM-DD", code="bad_date") from None


def enum_of[E: StrEnum](kind: type[E], value: Any) -> E:
    try:
        return kind(value)
    except ValueError:
        options = ", ".join(member.value for member in kind)
        raise TariffError(f"{value!r} is not one of {options}", code="bad_choice") from None
