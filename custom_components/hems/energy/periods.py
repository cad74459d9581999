"""Time-of-use periods: the windows of a day, the tiers of a period, the seasons of a year."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .amounts import ZERO, Number, decimal_str
from .calendar import ALL_DAY_TYPES, DayType, parse_days
from .errors import TariffError
from .parsing import (
    at_path,
    check_key,
    format_minutes,
    int_at,
    items_of,
    list_of,
    mapping_of,
    number_at,
    parse_minutes,
    str_at,
)

SLOTS_PER_DAY = 48


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """Half-hour-aligned time of day range on some day types.

    ``start`` and ``end`` are minutes after midnight (``end`` may be 1440 for 24:00).  When
    ``end <= start`` the window wraps past midnight; ``start == end`` (or 0-1440) is the whole day.
    """

    start: int
    end: int
    days: frozenset[DayType] = ALL_DAY_TYPES

    def __post_init__(self) -> None:
        for name, value, upper in (("start", self.start, 1410), ("end", self.end, 1440)):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= upper:
                raise TariffError(f"{name} {value!r} is outside the day", code="bad_time")
            if value % 30:
                raise TariffError(
                    f"{name} {format_minutes(value)} is not on the hour or half hour",
                    code="time_not_half_hour",
                )
        if not self.days:
            raise TariffError("a window needs at least one day type", code="no_day_types")
        if not all(isinstance(day, DayType) for day in self.days):
            raise TariffError(f"unknown day type in {sorted(self.days)!r}", code="bad_day_type")

    @classmethod
    def of(cls, start: str, end: str, days: Iterable[str] = ("all",)) -> TimeWindow:
        """Build from ``"HH:MM"`` strings and day names (aliases ``all``, ``weekend`` allowed)."""
        return cls(
            parse_minutes(start, allow_24=False, path="start"),
            parse_minutes(end, allow_24=True, path="end"),
            parse_days(days, path="days"),
        )

    def slot_indices(self) -> list[int]:
        """Indices (0-47) of the half-hour slots of a day that this window covers."""
        first, last = self.start // 30, self.end // 30
        if last <= first:
            return [*range(first, SLOTS_PER_DAY), *range(last)]
        return list(range(first, last))

    def to_dict(self) -> dict[str, Any]:
        """``{"start": "23:00", "end": "07:00", "days": ["weekday", ...]}``."""
        return {
            "start": format_minutes(self.start),
            "end": format_minutes(self.end),
            "days": [day.value for day in DayType if day in self.days],
        }

    @classmethod
    def from_dict(cls, data: Any) -> TimeWindow:
        """Inverse of :meth:`to_dict` (``days`` defaults to ``["all"]``)."""
        obj = mapping_of(data, "start", "end", "days", required=("start", "end"))
        with at_path("start"):
            start = parse_minutes(obj["start"], allow_24=False, path="")
        with at_path("end"):
            end = parse_minutes(obj["end"], allow_24=True, path="")
        with at_path("days"):
            days = parse_days(obj.get("days", ["all"]), path="")
        return cls(start, end, days)


@dataclass(frozen=True, slots=True)
class Tier:
    """Price of a period's kWh up to ``up_to_kwh`` cumulative kWh in the billing month."""

    up_to_kwh: Decimal | None
    price: Decimal

    def __post_init__(self) -> None:
        if self.up_to_kwh is not None and self.up_to_kwh <= 0:
            raise TariffError(
                f"tier boundary {self.up_to_kwh} kWh must be positive", code="bad_tier"
            )
        if self.price < 0:
            raise TariffError(f"price {self.price} must not be negative", code="negative_price")

    @classmethod
    def of(cls, up_to_kwh: Number | None, price: Number) -> Tier:
        """Build from plain numbers."""
        return cls(None if up_to_kwh is None else number_at(up_to_kwh, ""), number_at(price, ""))

    def to_dict(self) -> dict[str, Any]:
        """``{"up_to_kwh": "120" | None, "price": "29.80"}``."""
        return {
            "up_to_kwh": None if self.up_to_kwh is None else decimal_str(self.up_to_kwh),
            "price": decimal_str(self.price),
        }

    @classmethod
    def from_dict(cls, data: Any) -> Tier:
        """Inverse of :meth:`to_dict`; ``up_to_kwh`` may be omitted for the last tier."""
        obj = mapping_of(data, "up_to_kwh", "price", required=("price",))
        raw = obj.get("up_to_kwh")
        with at_path("up_to_kwh"):
            up_to = None if raw is None or raw == "" else number_at(raw, "")
        with at_path("price"):
            price = number_at(obj["price"], "")
        return cls(up_to, price)


def _validate_tiers(tiers: Sequence[Tier]) -> None:
    if not tiers:
        raise TariffError("at least one tier (price) is needed", code="no_tiers")
    previous = ZERO
    for index, tier in enumerate(tiers):
        last = index == len(tiers) - 1
        if tier.up_to_kwh is None and not last:
            raise TariffError(
                f"tier {index + 1} has no upper boundary but is not the last tier",
                code="open_tier_not_last",
            )
        if last and tier.up_to_kwh is not None:
            raise TariffError(
                "the last tier must be open-ended (no upper boundary)", code="last_tier_bounded"
            )
        if tier.up_to_kwh is not None:
            if tier.up_to_kwh <= previous:
                raise TariffError(
                    f"tier boundaries must increase: {tier.up_to_kwh} kWh after {previous} kWh",
                    code="tiers_not_increasing",
                )
            previous = tier.up_to_kwh


@dataclass(frozen=True, slots=True)
class Period:
    """A named price period (``day``, ``night``) with its tiers and when it applies."""

    key: str
    tiers: tuple[Tier, ...]
    windows: tuple[TimeWindow, ...] = ()
    name: str = ""

    def __post_init__(self) -> None:
        check_key(self.key, "period")
        with at_path("tiers"):
            _validate_tiers(self.tiers)

    @classmethod
    def flat(
        cls, key: str, price: Number, windows: Iterable[TimeWindow] = (), name: str = ""
    ) -> Period:
        """A period with a single price."""
        return cls(key, (Tier.of(None, price),), tuple(windows), name)

    def tier_index(self, used_kwh: Decimal) -> int:
        """Index of the tier priced for the next kWh after ``used_kwh`` this billing month."""
        for index, tier in enumerate(self.tiers):
            if tier.up_to_kwh is None or used_kwh < tier.up_to_kwh:
                return index
        return len(self.tiers) - 1  # pragma: no cover - the last tier is open

    def to_dict(self) -> dict[str, Any]:
        """``{"key", "name", "tiers": [...], "windows": [...]}``."""
        return {
            "key": self.key,
            "name": self.name,
            "tiers": [tier.to_dict() for tier in self.tiers],
            "windows": [window.to_dict() for window in self.windows],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Period:
        """Inverse of :meth:`to_dict`; ``price`` may stand for ``tiers`` with one open tier."""
        obj = mapping_of(data, "key", "name", "tiers", "windows", "price", required=("key",))
        if "tiers" in obj and "price" in obj:
            raise TariffError("give either tiers or price, not both", code="tiers_and_price")
        with at_path("key"):
            key = str_at(obj["key"], "")
        if "price" in obj:
            with at_path("price"):
                tiers: tuple[Tier, ...] = (Tier(None, number_at(obj["price"], "")),)
        else:
            tiers = tuple(items_of(obj.get("tiers"), "tiers", Tier.from_dict))
        windows = tuple(items_of(obj.get("windows", []), "windows", TimeWindow.from_dict))
        with at_path("name"):
            name = str_at(obj.get("name", ""), "", empty_ok=True)
        return cls(key, tiers, windows, name)


@dataclass(frozen=True)
class Season:
    """Months of the year that share one set of periods.

    ``table[day_type][slot]`` (built on creation) is the index of the period of each half-hour
    slot of a day of that type.
    """

    key: str
    months: tuple[int, ...]
    periods: tuple[Period, ...]
    name: str = ""
    table: Mapping[DayType, tuple[int, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_key(self.key, "season")
        if not self.months:
            raise TariffError("a season needs at least one month", code="no_months")
        for month in self.months:
            if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
                raise TariffError(f"{month!r} is not a month 1-12", code="bad_month")
        if len(set(self.months)) != len(self.months):
            raise TariffError("a month is listed twice", code="duplicate_month")
        if not self.periods:
            raise TariffError("a season needs at least one period", code="no_periods")
        keys = [period.key for period in self.periods]
        duplicate = next((key for key in keys if keys.count(key) > 1), None)
        if duplicate is not None:
            raise TariffError(f"period key {duplicate!r} is used twice", code="duplicate_key")
        object.__setattr__(self, "table", self._build_table())

    def _build_table(self) -> dict[DayType, tuple[int, ...]]:
        if len(self.periods) == 1 and not self.periods[0].windows:
            return {day: (0,) * SLOTS_PER_DAY for day in DayType}
        table: dict[DayType, list[int | None]] = {day: [None] * SLOTS_PER_DAY for day in DayType}
        for index, period in enumerate(self.periods):
            if not period.windows:
                raise TariffError(
                    f"period {period.key!r} has no time windows; with more than one period "
                    "every period needs windows",
                    path=f"periods[{index}].windows",
                    code="period_without_windows",
                )
            for window in period.windows:
                for day in DayType:
                    if day not in window.days:
                        continue
                    for slot in window.slot_indices():
                        other = table[day][slot]
                        if other is not None:
                            raise TariffError(
                                f"periods {self.periods[other].key!r} and {period.key!r} "
                                f"overlap on {day.value} at {format_minutes(slot * 30)}",
                                path=f"periods[{index}].windows",
                                code="tou_overlap",
                            )
                        table[day][slot] = index
        for day in DayType:
            gap = next((slot for slot, value in enumerate(table[day]) if value is None), None)
            if gap is not None:
                raise TariffError(
                    f"no period covers {format_minutes(gap * 30)}-"
                    f"{format_minutes(gap * 30 + 30)} on {day.value}",
                    path="periods",
                    code="tou_gap",
                )
        return {day: tuple(value or 0 for value in table[day]) for day in DayType}

    def period_at(self, day_type: DayType, slot_index: int) -> Period:
        """The period of slot ``slot_index`` (0-47) on a day of ``day_type``."""
        return self.periods[self.table[day_type][slot_index]]

    def to_dict(self) -> dict[str, Any]:
        """``{"key", "name", "months": [..], "periods": [...]}``."""
        return {
            "key": self.key,
            "name": self.name,
            "months": list(self.months),
            "periods": [period.to_dict() for period in self.periods],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Season:
        """Inverse of :meth:`to_dict` (``months`` defaults to all twelve)."""
        obj = mapping_of(data, "key", "name", "months", "periods", required=("key", "periods"))
        with at_path("key"):
            key = str_at(obj["key"], "")
        with at_path("months"):
            months = tuple(int_at(value, "") for value in list_of(obj.get("months", range(1, 13))))
        periods = tuple(items_of(obj["periods"], "periods", Period.from_dict))
        with at_path("name"):
            name = str_at(obj.get("name", ""), "", empty_ok=True)
        return cls(key, months, periods, name)
