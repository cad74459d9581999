"""Billing months, day types and the holidays that decide them (the tariff's calendar)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from typing import Any

import holidays

from .errors import TariffError
from .parsing import MONTH_DAY_RE, MONTH_RE, UTC_ZONE, at_path, bool_of, list_of, mapping_of


class DayType(StrEnum):
    """Kind of calendar day for time-of-use rules.  A public holiday wins over the weekday."""

    WEEKDAY = "weekday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"
    HOLIDAY = "holiday"


ALL_DAY_TYPES = frozenset(DayType)
DAY_TYPE_ALIASES: Mapping[str, frozenset[DayType]] = {
    "all": ALL_DAY_TYPES,
    "weekend": frozenset({DayType.SATURDAY, DayType.SUNDAY}),
    "weekday": frozenset({DayType.WEEKDAY}),
    "saturday": frozenset({DayType.SATURDAY}),
    "sunday": frozenset({DayType.SUNDAY}),
    "holiday": frozenset({DayType.HOLIDAY}),
}


@dataclass(frozen=True, order=True, slots=True)
class BillingMonth:
    """A billing month label (``2026-11``); see the module docstring for its date range."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 9999:
            raise TariffError(f"{self.year}-{self.month} is not a month", code="bad_month")

    @classmethod
    def parse(cls, text: str) -> BillingMonth:
        """Parse ``YYYY-MM``."""
        match = MONTH_RE.match(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise TariffError(f"{text!r} is not a month YYYY-MM", code="bad_month")
        return cls(int(match[1]), int(match[2]))

    @property
    def key(self) -> str:
        """``YYYY-MM``."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def fiscal_year(self) -> int:
        """Renewable-surcharge year (May-April), named by the year in which it starts."""
        return self.year if self.month >= 5 else self.year - 1

    def next(self) -> BillingMonth:
        """The following month."""
        return BillingMonth(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> BillingMonth:
        """The preceding month."""
        return BillingMonth(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def __str__(self) -> str:
        return self.key


JAPANESE_YEAR_END_HOLIDAYS: tuple[tuple[int, int], ...] = (
    (1, 2),
    (1, 3),
    (4, 30),
    (5, 1),
    (5, 2),
    (12, 30),
    (12, 31),
)


@dataclass(frozen=True, slots=True)
class HolidayRules:
    """Which dates count as :attr:`DayType.HOLIDAY`.

    ``public``: Japanese national holidays (including substitute holidays) from the ``holidays``
    library; ``extra``: recurring (month, day) pairs such as :data:`JAPANESE_YEAR_END_HOLIDAYS`.
    """

    public: bool = True
    extra: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        for month, day in self.extra:
            try:
                date(2000, month, day)
            except (TypeError, ValueError):
                raise TariffError(f"{month}-{day} is not a date", code="bad_date") from None

    def is_holiday(self, day: date) -> bool:
        """True when ``day`` is a holiday under these rules."""
        if (day.month, day.day) in self.extra:
            return True
        return self.public and day in japanese_holidays()

    def day_type(self, day: date) -> DayType:
        """Day type of ``day``: holiday, else Saturday/Sunday, else weekday."""
        if self.is_holiday(day):
            return DayType.HOLIDAY
        return {5: DayType.SATURDAY, 6: DayType.SUNDAY}.get(day.weekday(), DayType.WEEKDAY)

    def to_dict(self) -> dict[str, Any]:
        """``{"public": true, "extra": ["12-31", ...]}``."""
        return {"public": self.public, "extra": [f"{m:02d}-{d:02d}" for m, d in self.extra]}

    @classmethod
    def from_dict(cls, data: Any) -> HolidayRules:
        """Inverse of :meth:`to_dict`."""
        obj = mapping_of(data, "public", "extra")
        with at_path("public"):
            public = bool_of(obj.get("public", True))
        extra: list[tuple[int, int]] = []
        for index, item in enumerate(list_of(obj.get("extra", []), "extra")):
            with at_path(f"extra[{index}]"):
                match = MONTH_DAY_RE.match(item) if isinstance(item, str) else None
                if match is None:
                    raise TariffError(f"{item!r} is not a day MM-DD", code="bad_date")
                extra.append((int(match[1]), int(match[2])))
        return cls(public, tuple(extra))


def preload_holidays() -> None:
    """Load the Japanese holiday calendar now (it imports modules: run it off the event loop)."""
    japanese_holidays().get(datetime.now(UTC_ZONE).date())


@cache
def japanese_holidays() -> holidays.HolidayBase:
    # Years are filled in on first use (expand=True); creating the object is cheap, the import
    # (at module level, so never inside an event loop) is what takes time.
    return holidays.country_holidays("JP")


def parse_days(values: Any, *, path: str) -> frozenset[DayType]:
    result: set[DayType] = set()
    for item in list_of(values, path):
        if not isinstance(item, str) or item not in DAY_TYPE_ALIASES:
            raise TariffError(
                f"{item!r} is not a day type (one of {', '.join(DAY_TYPE_ALIASES)})",
                path=path,
                code="bad_day_type",
            )
        result |= DAY_TYPE_ALIASES[item]
    if not result:
        raise TariffError("a window needs at least one day type", path=path, code="no_day_types")
    return frozenset(result)
