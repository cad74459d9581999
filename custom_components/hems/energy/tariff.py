"""Electricity tariff model: plain, validated, JSON-able dataclasses and price lookups.

A :class:`Tariff` is what the options flow edits and the config entry stores (``to_dict()`` /
``from_dict()``).  The model:

* **Billing month** (:class:`BillingMonth`): with ``billing_start_day == 1`` the calendar month.
  With a later start day ``d`` (the meter reading day, 計量日) the billing month labelled ``M``
  runs from day ``d`` of month ``M-1`` 00:00 to day ``d`` of month ``M`` 00:00 (the 検針月
  convention, which is also how fuel cost adjustments and the renewable surcharge are labelled).
* **Seasons** (:class:`Season`) partition the twelve months; the season of a billing month is
  the one containing its label month (one season for the whole bill, no pro-rating).
* **Periods** (:class:`Period`) partition every day of a season into half-hour slots, by time of
  day and day type (:class:`DayType`: weekday, Saturday, Sunday, public holiday).  A season with
  a single period and no windows is a flat or tiered plan.  A window that ends at or before its
  start wraps past midnight (``23:00``-``07:00``); the day type is always that of the calendar
  date of the slot itself, so a weekday's ``00:00``-``07:00`` is governed by the weekday rules.
  Boundaries are on the hour or half hour, so every 30-minute meter slot has exactly one period.
* **Tiers** (:class:`Tier`) price a period's kWh of the billing month: ``up_to_kwh`` are
  cumulative boundaries (120, 300, then ``None`` for the open last tier).  A flat price is one
  open tier.
* **Basic charge** (:class:`BasicCharge`): none, fixed, by contract ampere (table), per 10 A, per
  kVA, or a minimum charge covering the first ``included_kwh`` of the month.
* **Fuel cost adjustment** per billing month (JPY/kWh, may be negative) and **renewable energy
  surcharge** per fiscal year (May-April, keyed by the year in which it starts).  A month or year
  that was not entered falls back to the latest earlier entry (flagged as estimated), else 0.
* **Sale price** (:class:`SalePlan`): stages with start dates (flat FIT = one stage; the two-stage
  scheme = two stages; a post-FIT price = one more stage).
* **Water and gas** (:class:`UtilityRate`): unit price per m³ and a monthly basic charge.
* **Rounding** (:class:`RoundingRules`), see :mod:`.bill` for where each rule applies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from enum import StrEnum
from functools import cache
import re
from typing import Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from .amounts import ZERO, Number, RoundingMode, decimal_str, to_decimal
from .errors import TariffError
from .slots import slot_floor, slot_index

TARIFF_FORMAT_VERSION = 1
SLOT = timedelta(minutes=30)
SLOTS_PER_DAY = 48
DEFAULT_TIMEZONE = "Asia/Tokyo"

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_MONTH_DAY_RE = re.compile(r"^(\d{2})-(\d{2})$")


# --------------------------------------------------------------------------------------------
# Small value types


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
"""Names accepted in a window's ``days`` list (``weekend`` = Saturday and Sunday)."""


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
        match = _MONTH_RE.match(text.strip()) if isinstance(text, str) else None
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
                    f"{name} {_format_minutes(value)} is not on the hour or half hour",
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
            _parse_minutes(start, allow_24=False, path="start"),
            _parse_minutes(end, allow_24=True, path="end"),
            _parse_days(days, path="days"),
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
            "start": _format_minutes(self.start),
            "end": _format_minutes(self.end),
            "days": [day.value for day in DayType if day in self.days],
        }

    @classmethod
    def from_dict(cls, data: Any) -> TimeWindow:
        """Inverse of :meth:`to_dict` (``days`` defaults to ``["all"]``)."""
        obj = _mapping(data, "start", "end", "days", required=("start", "end"))
        with _at("start"):
            start = _parse_minutes(obj["start"], allow_24=False, path="")
        with _at("end"):
            end = _parse_minutes(obj["end"], allow_24=True, path="")
        with _at("days"):
            days = _parse_days(obj.get("days", ["all"]), path="")
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
        return cls(None if up_to_kwh is None else _num(up_to_kwh, ""), _num(price, ""))

    def to_dict(self) -> dict[str, Any]:
        """``{"up_to_kwh": "120" | None, "price": "29.80"}``."""
        return {
            "up_to_kwh": None if self.up_to_kwh is None else decimal_str(self.up_to_kwh),
            "price": decimal_str(self.price),
        }

    @classmethod
    def from_dict(cls, data: Any) -> Tier:
        """Inverse of :meth:`to_dict`; ``up_to_kwh`` may be omitted for the last tier."""
        obj = _mapping(data, "up_to_kwh", "price", required=("price",))
        raw = obj.get("up_to_kwh")
        with _at("up_to_kwh"):
            up_to = None if raw is None or raw == "" else _num(raw, "")
        with _at("price"):
            price = _num(obj["price"], "")
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
        _check_key(self.key, "period")
        with _at("tiers"):
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
        obj = _mapping(data, "key", "name", "tiers", "windows", "price", required=("key",))
        if "tiers" in obj and "price" in obj:
            raise TariffError("give either tiers or price, not both", code="tiers_and_price")
        with _at("key"):
            key = _str(obj["key"], "")
        if "price" in obj:
            with _at("price"):
                tiers: tuple[Tier, ...] = (Tier(None, _num(obj["price"], "")),)
        else:
            tiers = tuple(_items(obj.get("tiers"), "tiers", Tier.from_dict))
        windows = tuple(_items(obj.get("windows", []), "windows", TimeWindow.from_dict))
        with _at("name"):
            name = _str(obj.get("name", ""), "", empty_ok=True)
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
        _check_key(self.key, "season")
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
                                f"overlap on {day.value} at {_format_minutes(slot * 30)}",
                                path=f"periods[{index}].windows",
                                code="tou_overlap",
                            )
                        table[day][slot] = index
        for day in DayType:
            gap = next((slot for slot, value in enumerate(table[day]) if value is None), None)
            if gap is not None:
                raise TariffError(
                    f"no period covers {_format_minutes(gap * 30)}-"
                    f"{_format_minutes(gap * 30 + 30)} on {day.value}",
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
        obj = _mapping(data, "key", "name", "months", "periods", required=("key", "periods"))
        with _at("key"):
            key = _str(obj["key"], "")
        with _at("months"):
            months = tuple(_int(value, "") for value in _list(obj.get("months", range(1, 13))))
        periods = tuple(_items(obj["periods"], "periods", Period.from_dict))
        with _at("name"):
            name = _str(obj.get("name", ""), "", empty_ok=True)
        return cls(key, months, periods, name)


class BasicKind(StrEnum):
    """How the monthly basic charge is determined."""

    NONE = "none"
    FIXED = "fixed"  # amount per month
    AMPERE = "ampere"  # table[contract_amperes]
    PER_10A = "per_10a"  # unit_price per 10 A of contract_amperes
    PER_KVA = "per_kva"  # unit_price per kVA of contract_kva
    MINIMUM = "minimum"  # amount covering the first included_kwh of the month (最低料金)


_BASIC_FIELDS: Mapping[BasicKind, frozenset[str]] = {
    BasicKind.NONE: frozenset(),
    BasicKind.FIXED: frozenset({"amount"}),
    BasicKind.MINIMUM: frozenset({"amount", "included_kwh"}),
    BasicKind.AMPERE: frozenset({"table", "contract_amperes"}),
    BasicKind.PER_10A: frozenset({"unit_price", "contract_amperes"}),
    BasicKind.PER_KVA: frozenset({"unit_price", "contract_kva"}),
}


@dataclass(frozen=True)
class BasicCharge:
    """Monthly basic charge (基本料金) or minimum charge (最低料金).

    ``half_if_no_usage``: the charge is halved in a month without any purchase (TEPCO's rule
    for ampere contracts).  ``included_kwh`` (minimum kind only) are not charged as energy.
    Fields that the kind does not use are reset to their defaults.
    """

    kind: BasicKind = BasicKind.NONE
    amount: Decimal = ZERO
    table: Mapping[int, Decimal] = field(default_factory=dict)
    contract_amperes: int | None = None
    contract_kva: Decimal | None = None
    unit_price: Decimal = ZERO
    included_kwh: Decimal = ZERO
    half_if_no_usage: bool = False

    def __post_init__(self) -> None:
        kind = self.kind
        if not isinstance(kind, BasicKind):
            raise TariffError(f"unknown basic charge kind {kind!r}", code="bad_basic_kind")
        # Values the kind does not use are reset, so that equal charges compare equal and the
        # dict form (which only carries the used values) round-trips.
        used = _BASIC_FIELDS[kind]
        defaults: dict[str, Any] = {
            "amount": ZERO,
            "table": {},
            "contract_amperes": None,
            "contract_kva": None,
            "unit_price": ZERO,
            "included_kwh": ZERO,
        }
        for name, default in defaults.items():
            if name not in used and getattr(self, name) != default:
                object.__setattr__(self, name, default)
        if self.amount < 0 or self.unit_price < 0 or self.included_kwh < 0:
            raise TariffError("basic charge values must not be negative", code="negative_price")
        if kind is BasicKind.AMPERE:
            if not self.table:
                raise TariffError("the ampere table is empty", code="empty_ampere_table")
            if any(price < 0 for price in self.table.values()):
                raise TariffError("basic charge values must not be negative", code="negative_price")
            if self.contract_amperes not in self.table:
                raise TariffError(
                    f"contract {self.contract_amperes} A is not in the ampere table "
                    f"({', '.join(str(amp) for amp in sorted(self.table))} A)",
                    path="contract_amperes",
                    code="ampere_not_in_table",
                )
        if kind is BasicKind.PER_10A and (
            self.contract_amperes is None or self.contract_amperes <= 0
        ):
            raise TariffError(
                "a per-10 A charge needs the contract amperes",
                path="contract_amperes",
                code="missing_contract",
            )
        if kind is BasicKind.PER_KVA and (self.contract_kva is None or self.contract_kva <= 0):
            raise TariffError(
                "a per-kVA charge needs the contract kVA",
                path="contract_kva",
                code="missing_contract",
            )

    def monthly_amount(self, *, no_usage: bool = False) -> Decimal:
        """The month's basic (or minimum) charge, exact (rounding happens on the bill)."""
        match self.kind:
            case BasicKind.NONE:
                value = ZERO
            case BasicKind.FIXED | BasicKind.MINIMUM:
                value = self.amount
            case BasicKind.AMPERE:
                value = self.table[self.contract_amperes or 0]
            case BasicKind.PER_10A:
                value = self.unit_price * Decimal(self.contract_amperes or 0) / 10
            case BasicKind.PER_KVA:
                value = self.unit_price * (self.contract_kva or ZERO)
        if no_usage and self.half_if_no_usage:
            value /= 2
        return value

    def to_dict(self) -> dict[str, Any]:
        """Only the keys that matter for the kind (plus ``kind`` and ``half_if_no_usage``)."""
        out: dict[str, Any] = {"kind": self.kind.value}
        match self.kind:
            case BasicKind.FIXED:
                out["amount"] = decimal_str(self.amount)
            case BasicKind.MINIMUM:
                out["amount"] = decimal_str(self.amount)
                out["included_kwh"] = decimal_str(self.included_kwh)
            case BasicKind.AMPERE:
                out["contract_amperes"] = self.contract_amperes
                out["table"] = {
                    str(amp): decimal_str(price) for amp, price in sorted(self.table.items())
                }
            case BasicKind.PER_10A:
                out["contract_amperes"] = self.contract_amperes
                out["unit_price"] = decimal_str(self.unit_price)
            case BasicKind.PER_KVA:
                out["contract_kva"] = decimal_str(self.contract_kva or ZERO)
                out["unit_price"] = decimal_str(self.unit_price)
            case BasicKind.NONE:
                pass
        out["half_if_no_usage"] = self.half_if_no_usage
        return out

    @classmethod
    def from_dict(cls, data: Any) -> BasicCharge:
        """Inverse of :meth:`to_dict`."""
        obj = _mapping(
            data,
            "kind",
            "amount",
            "table",
            "contract_amperes",
            "contract_kva",
            "unit_price",
            "included_kwh",
            "half_if_no_usage",
            required=("kind",),
        )
        with _at("kind"):
            kind = _enum(BasicKind, obj["kind"])
        required = {
            BasicKind.NONE: (),
            BasicKind.FIXED: ("amount",),
            BasicKind.MINIMUM: ("amount",),
            BasicKind.AMPERE: ("table", "contract_amperes"),
            BasicKind.PER_10A: ("unit_price", "contract_amperes"),
            BasicKind.PER_KVA: ("unit_price", "contract_kva"),
        }[kind]
        for name in required:
            if obj.get(name) is None:
                raise TariffError(
                    f"{name} is required for a {kind.value} basic charge",
                    path=name,
                    code="missing_value",
                )
        table: dict[int, Decimal] = {}
        with _at("table"):
            raw_table = obj.get("table") or {}
            if not isinstance(raw_table, Mapping):
                raise TariffError("must be a mapping of amperes to prices", code="bad_type")
            for amp, price in raw_table.items():
                with _at(str(amp)):
                    table[_int(amp, "")] = _num(price, "")
        values: dict[str, Any] = {}
        for name in ("amount", "unit_price", "included_kwh"):
            if obj.get(name) is not None:
                with _at(name):
                    values[name] = _num(obj[name], "")
        with _at("contract_amperes"):
            amperes = (
                None if obj.get("contract_amperes") is None else _int(obj["contract_amperes"], "")
            )
        with _at("contract_kva"):
            kva = None if obj.get("contract_kva") is None else _num(obj["contract_kva"], "")
        with _at("half_if_no_usage"):
            half = _bool(obj.get("half_if_no_usage", False))
        return cls(
            kind=kind,
            table=table,
            contract_amperes=amperes,
            contract_kva=kva,
            half_if_no_usage=half,
            **values,
        )


@dataclass(frozen=True, slots=True)
class RoundingRules:
    """Where amounts are rounded to whole yen (or kWh), see :mod:`.bill`.

    Defaults follow common retailer practice (TEPCO's supply terms): the sum of basic charge,
    energy charge and fuel cost adjustment is rounded down (切り捨て) to whole yen, the renewable
    energy surcharge is computed and rounded down separately, per-tier lines and the fuel
    adjustment keep their sen until the sum; sale revenue is rounded down; kWh are not rounded.
    """

    line: RoundingMode = RoundingMode.NONE
    fuel_adjustment: RoundingMode = RoundingMode.NONE
    subtotal: RoundingMode = RoundingMode.DOWN
    surcharge: RoundingMode = RoundingMode.DOWN
    sale: RoundingMode = RoundingMode.DOWN
    usage_kwh: RoundingMode = RoundingMode.NONE

    def to_dict(self) -> dict[str, str]:
        """``{"line": "none", ..., "usage_kwh": "none"}``."""
        return {name: getattr(self, name).value for name in _ROUNDING_FIELDS}

    @classmethod
    def from_dict(cls, data: Any) -> RoundingRules:
        """Inverse of :meth:`to_dict`; missing keys keep their defaults."""
        obj = _mapping(data, *_ROUNDING_FIELDS)
        values: dict[str, RoundingMode] = {}
        for name in _ROUNDING_FIELDS:
            if name in obj:
                with _at(name):
                    values[name] = _enum(RoundingMode, obj[name])
        return cls(**values)


_ROUNDING_FIELDS = ("line", "fuel_adjustment", "subtotal", "surcharge", "sale", "usage_kwh")

JAPANESE_YEAR_END_HOLIDAYS: tuple[tuple[int, int], ...] = (
    (1, 2),
    (1, 3),
    (4, 30),
    (5, 1),
    (5, 2),
    (12, 30),
    (12, 31),
)
"""Days some utilities' time-of-use plans also treat as holidays (add to ``HolidayRules.extra``
when a plan says so)."""


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
        return self.public and day in _japanese_holidays()

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
        obj = _mapping(data, "public", "extra")
        with _at("public"):
            public = _bool(obj.get("public", True))
        extra: list[tuple[int, int]] = []
        for index, item in enumerate(_list(obj.get("extra", []), "extra")):
            with _at(f"extra[{index}]"):
                match = _MONTH_DAY_RE.match(item) if isinstance(item, str) else None
                if match is None:
                    raise TariffError(f"{item!r} is not a day MM-DD", code="bad_date")
                extra.append((int(match[1]), int(match[2])))
        return cls(public, tuple(extra))


def preload_holidays() -> None:
    """Load the Japanese holiday calendar now (it imports modules: run it off the event loop)."""
    _japanese_holidays().get(datetime.now(_UTC).date())


@cache
def _japanese_holidays() -> holidays.HolidayBase:
    # Years are filled in on first use (expand=True); creating the object is cheap, the import
    # (at module level, so never inside an event loop) is what takes time.
    return holidays.country_holidays("JP")


@dataclass(frozen=True, slots=True)
class SaleStage:
    """Sale price from ``start`` (local date; ``None`` = since ever) until the next stage."""

    start: date | None
    price: Decimal

    def __post_init__(self) -> None:
        if self.price < 0:
            raise TariffError(f"price {self.price} must not be negative", code="negative_price")


@dataclass(frozen=True, slots=True)
class SalePlan:
    """Price paid for exported energy, in stages.  The first stage has ``start=None``."""

    stages: tuple[SaleStage, ...]

    def __post_init__(self) -> None:
        if not self.stages:
            raise TariffError("a sale plan needs at least one price", code="no_stages")
        if self.stages[0].start is not None:
            raise TariffError(
                "the first sale stage applies from the start (no date)", code="first_stage_dated"
            )
        previous: date | None = None
        for stage in self.stages[1:]:
            if stage.start is None:
                raise TariffError("every later sale stage needs a date", code="stage_without_date")
            if previous is not None and stage.start <= previous:
                raise TariffError(
                    f"sale stage dates must increase: {stage.start} after {previous}",
                    code="stages_not_increasing",
                )
            previous = stage.start

    @classmethod
    def flat(cls, price: Number) -> SalePlan:
        """One fixed price (a FIT contract, or a retailer's post-FIT price)."""
        return cls((SaleStage(None, to_decimal(price)),))

    @classmethod
    def two_stage(
        cls,
        first_price: Number,
        second_price: Number,
        switch_date: date,
        *,
        end_date: date | None = None,
        after_price: Number | None = None,
    ) -> SalePlan:
        """The two-stage scheme (e.g. 24 JPY years 1-4, 8.3 JPY years 5-10) switching on
        ``switch_date``; optionally ``after_price`` from ``end_date`` (end of the FIT period)."""
        stages = [
            SaleStage(None, to_decimal(first_price)),
            SaleStage(switch_date, to_decimal(second_price)),
        ]
        if end_date is not None:
            stages.append(SaleStage(end_date, to_decimal(after_price or 0)))
        return cls(tuple(stages))

    def stage_index(self, day: date) -> int:
        """Index of the stage in force on local date ``day``."""
        index = 0
        for position, stage in enumerate(self.stages):
            if stage.start is None or stage.start <= day:
                index = position
        return index

    def to_dict(self) -> dict[str, Any]:
        """``{"stages": [{"from": null, "price": "24"}, {"from": "2029-10-01", ...}]}``."""
        return {
            "stages": [
                {
                    "from": None if stage.start is None else stage.start.isoformat(),
                    "price": decimal_str(stage.price),
                }
                for stage in self.stages
            ]
        }

    @classmethod
    def from_dict(cls, data: Any) -> SalePlan:
        """Inverse of :meth:`to_dict`; ``{"price": p}`` is accepted for a flat plan."""
        obj = _mapping(data, "stages", "price")
        if "price" in obj:
            if "stages" in obj:
                raise TariffError("give either stages or price, not both", code="tiers_and_price")
            with _at("price"):
                return cls.flat(_num(obj["price"], ""))

        def stage(item: Any) -> SaleStage:
            entry = _mapping(item, "from", "price", required=("price",))
            start: date | None = None
            if entry.get("from") not in {None, ""}:
                with _at("from"):
                    start = _date(entry["from"])
            with _at("price"):
                return SaleStage(start, _num(entry["price"], ""))

        return cls(tuple(_items(obj.get("stages"), "stages", stage)))


@dataclass(frozen=True, slots=True)
class UtilityRate:
    """Water or gas: price per m³ and a basic charge per month (both JPY)."""

    unit_price: Decimal
    basic_charge: Decimal = ZERO

    def __post_init__(self) -> None:
        if self.unit_price < 0 or self.basic_charge < 0:
            raise TariffError("prices must not be negative", code="negative_price")

    def to_dict(self) -> dict[str, str]:
        """``{"unit_price": "250", "basic_charge": "0"}``."""
        return {
            "unit_price": decimal_str(self.unit_price),
            "basic_charge": decimal_str(self.basic_charge),
        }

    @classmethod
    def from_dict(cls, data: Any) -> UtilityRate:
        """Inverse of :meth:`to_dict`."""
        obj = _mapping(data, "unit_price", "basic_charge", required=("unit_price",))
        with _at("unit_price"):
            unit = _num(obj["unit_price"], "")
        with _at("basic_charge"):
            basic = _num(obj.get("basic_charge", 0), "")
        return cls(unit, basic)


# --------------------------------------------------------------------------------------------
# The tariff


@dataclass(frozen=True)
class Tariff:
    """A complete electricity (plus sale, water, gas) tariff.  Immutable; edit with
    :func:`dataclasses.replace` or :meth:`with_fuel_adjustment`."""

    name: str
    seasons: tuple[Season, ...]
    basic: BasicCharge = field(default_factory=BasicCharge)
    fuel_adjustment: Mapping[BillingMonth, Decimal] = field(default_factory=dict)
    renewable_surcharge: Mapping[int, Decimal] = field(default_factory=dict)
    rounding: RoundingRules = field(default_factory=RoundingRules)
    holidays: HolidayRules = field(default_factory=HolidayRules)
    sale: SalePlan | None = None
    water: UtilityRate | None = None
    gas: UtilityRate | None = None
    emission_factor: Decimal | None = None
    """kg-CO2 per kWh purchased (the retailer's published factor)."""
    billing_start_day: int = 1
    timezone: str = DEFAULT_TIMEZONE

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise TariffError("the tariff needs a name", path="name", code="missing_name")
        if (
            isinstance(self.billing_start_day, bool)
            or not isinstance(self.billing_start_day, int)
            or not 1 <= self.billing_start_day <= 28
        ):
            raise TariffError(
                f"billing start day {self.billing_start_day!r} must be 1-28",
                path="billing_start_day",
                code="bad_billing_day",
            )
        with _at("timezone"):
            _zone(self.timezone)
        if not self.seasons:
            raise TariffError("at least one season is needed", path="seasons", code="no_seasons")
        seen: dict[int, str] = {}
        keys: set[str] = set()
        for index, season in enumerate(self.seasons):
            if season.key in keys:
                raise TariffError(
                    f"season key {season.key!r} is used twice",
                    path=f"seasons[{index}].key",
                    code="duplicate_key",
                )
            keys.add(season.key)
            for month in season.months:
                if month in seen:
                    raise TariffError(
                        f"month {month} is in seasons {seen[month]!r} and {season.key!r}",
                        path=f"seasons[{index}].months",
                        code="season_overlap",
                    )
                seen[month] = season.key
        missing = sorted(set(range(1, 13)) - set(seen))
        if missing:
            raise TariffError(
                f"months {', '.join(map(str, missing))} are in no season",
                path="seasons",
                code="season_gap",
            )
        for season_index, season in enumerate(self.seasons):
            if (
                self.basic.kind is BasicKind.MINIMUM
                and self.basic.included_kwh > 0
                and len(season.periods) > 1
            ):
                raise TariffError(
                    "a minimum charge with included kWh needs a plan without time-of-use periods",
                    path=f"seasons[{season_index}].periods",
                    code="minimum_with_tou",
                )
        for year, rate in self.renewable_surcharge.items():
            if rate < 0:
                raise TariffError(
                    f"surcharge {rate} must not be negative",
                    path=f"renewable_surcharge.{year}",
                    code="negative_price",
                )
        if self.emission_factor is not None and self.emission_factor < 0:
            raise TariffError(
                "the emission factor must not be negative",
                path="emission_factor",
                code="negative_price",
            )

    # -- calendar ------------------------------------------------------------------------

    @property
    def tz(self) -> tzinfo:
        """The tariff's time zone (day types, billing months and periods use local time)."""
        return _zone(self.timezone)

    def local(self, when: datetime) -> datetime:
        """``when`` in the tariff's time zone (``when`` must be timezone-aware)."""
        return _local(when, self.tz)

    def billing_month_of(self, when: datetime) -> BillingMonth:
        """Billing month containing the instant ``when``."""
        local = self.local(when)
        month = BillingMonth(local.year, local.month)
        if self.billing_start_day > 1 and local.day >= self.billing_start_day:
            month = month.next()
        return month

    def billing_period(self, month: BillingMonth) -> tuple[datetime, datetime]:
        """``[start, end)`` of a billing month, as aware datetimes in the tariff's zone."""
        first = month if self.billing_start_day == 1 else month.previous()
        after = first.next()
        day = self.billing_start_day
        return (
            datetime(first.year, first.month, day, tzinfo=self.tz),
            datetime(after.year, after.month, day, tzinfo=self.tz),
        )

    def day_type(self, day: date) -> DayType:
        """Day type of a local date under this tariff's holiday rules."""
        return self.holidays.day_type(day)

    def season_for(self, month: BillingMonth) -> Season:
        """Season that prices the whole of billing month ``month``."""
        for season in self.seasons:
            if month.month in season.months:
                return season
        raise AssertionError("seasons cover every month")  # pragma: no cover

    def period_at(self, when: datetime) -> tuple[Season, Period, DayType]:
        """Season, period and day type of the instant ``when``."""
        local = self.local(when)
        season = self.season_for(self.billing_month_of(when))
        day_type = self.day_type(local.date())
        return season, season.period_at(day_type, slot_index(local)), day_type

    def period_keys(self) -> list[str]:
        """Every period key, in order of first appearance (the options of an enum sensor)."""
        keys: list[str] = []
        for season in self.seasons:
            keys.extend(period.key for period in season.periods if period.key not in keys)
        return keys

    @property
    def is_time_of_use(self) -> bool:
        """True when some season has more than one period."""
        return any(len(season.periods) > 1 for season in self.seasons)

    # -- rates ---------------------------------------------------------------------------

    def fuel_adjustment_for(self, month: BillingMonth) -> tuple[Decimal, bool]:
        """(JPY/kWh, exact) for ``month``: its entry, else the latest earlier one, else 0."""
        return _lookup(self.fuel_adjustment, month)

    def surcharge_for(self, month: BillingMonth) -> tuple[Decimal, bool]:
        """(JPY/kWh, exact) renewable surcharge for the fiscal year of ``month``."""
        return _lookup(self.renewable_surcharge, month.fiscal_year)

    def with_fuel_adjustment(self, month: BillingMonth | str, rate: Number | None) -> Tariff:
        """A copy with the fuel adjustment of ``month`` set (or removed with ``None``)."""
        key = BillingMonth.parse(month) if isinstance(month, str) else month
        values = dict(self.fuel_adjustment)
        if rate is None:
            values.pop(key, None)
        else:
            values[key] = _num(rate, f"fuel_adjustment.{key}")
        return replace(self, fuel_adjustment=values)

    def with_surcharge(self, fiscal_year: int, rate: Number | None) -> Tariff:
        """A copy with the renewable surcharge of ``fiscal_year`` (May-April) set or removed."""
        values = dict(self.renewable_surcharge)
        if rate is None:
            values.pop(fiscal_year, None)
        else:
            values[fiscal_year] = _num(rate, f"renewable_surcharge.{fiscal_year}")
        return replace(self, renewable_surcharge=values)

    # -- dict form -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict (strings for decimals, ``YYYY-MM`` months, ISO dates)."""
        return {
            "version": TARIFF_FORMAT_VERSION,
            "name": self.name,
            "timezone": self.timezone,
            "billing_start_day": self.billing_start_day,
            "seasons": [season.to_dict() for season in self.seasons],
            "basic": self.basic.to_dict(),
            "fuel_adjustment": {
                month.key: decimal_str(rate) for month, rate in sorted(self.fuel_adjustment.items())
            },
            "renewable_surcharge": {
                str(year): decimal_str(rate)
                for year, rate in sorted(self.renewable_surcharge.items())
            },
            "rounding": self.rounding.to_dict(),
            "holidays": self.holidays.to_dict(),
            "sale": None if self.sale is None else self.sale.to_dict(),
            "water": None if self.water is None else self.water.to_dict(),
            "gas": None if self.gas is None else self.gas.to_dict(),
            "emission_factor": (
                None if self.emission_factor is None else decimal_str(self.emission_factor)
            ),
        }

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """Build and validate from the dict form; raise :class:`TariffError` on bad data."""
        obj = _mapping(
            data,
            "version",
            "name",
            "timezone",
            "billing_start_day",
            "seasons",
            "basic",
            "fuel_adjustment",
            "renewable_surcharge",
            "rounding",
            "holidays",
            "sale",
            "water",
            "gas",
            "emission_factor",
            required=("name", "seasons"),
        )
        version = obj.get("version", TARIFF_FORMAT_VERSION)
        if version != TARIFF_FORMAT_VERSION:
            raise TariffError(
                f"unsupported tariff format version {version!r}", path="version", code="version"
            )
        with _at("name"):
            name = _str(obj["name"], "")
        with _at("timezone"):
            timezone = _str(obj.get("timezone", DEFAULT_TIMEZONE), "")
        with _at("billing_start_day"):
            start_day = _int(obj.get("billing_start_day", 1), "")
        seasons = tuple(_items(obj["seasons"], "seasons", Season.from_dict))
        with _at("basic"):
            basic = BasicCharge.from_dict(obj.get("basic") or {"kind": "none"})
        fuel: dict[BillingMonth, Decimal] = {}
        with _at("fuel_adjustment"):
            for key, rate in _map(obj.get("fuel_adjustment") or {}).items():
                with _at(str(key)):
                    fuel[BillingMonth.parse(key)] = _num(rate, "")
        surcharge: dict[int, Decimal] = {}
        with _at("renewable_surcharge"):
            for key, rate in _map(obj.get("renewable_surcharge") or {}).items():
                with _at(str(key)):
                    surcharge[_int(key, "")] = _num(rate, "")
        with _at("rounding"):
            rounding = RoundingRules.from_dict(obj.get("rounding") or {})
        with _at("holidays"):
            holiday_rules = HolidayRules.from_dict(obj.get("holidays") or {})
        optional: dict[str, Any] = {}
        for key, parser in (
            ("sale", SalePlan.from_dict),
            ("water", UtilityRate.from_dict),
            ("gas", UtilityRate.from_dict),
        ):
            if obj.get(key) is not None:
                with _at(key):
                    optional[key] = parser(obj[key])
        if obj.get("emission_factor") not in {None, ""}:
            with _at("emission_factor"):
                optional["emission_factor"] = _num(obj["emission_factor"], "")
        return cls(
            name=name,
            seasons=seasons,
            basic=basic,
            fuel_adjustment=fuel,
            renewable_surcharge=surcharge,
            rounding=rounding,
            holidays=holiday_rules,
            billing_start_day=start_day,
            timezone=timezone,
            **optional,
        )


def validate_tariff_dict(data: Any) -> list[TariffError]:
    """Errors of a dict form as a list (empty when valid), for forms that show them."""
    try:
        Tariff.from_dict(data)
    except TariffError as err:
        return [err]
    return []


# --------------------------------------------------------------------------------------------
# Price lookups


@dataclass(frozen=True, slots=True)
class PriceInfo:
    """Purchase price in force at an instant.

    ``price_per_kwh`` = ``energy_price`` + ``fuel_adjustment`` + ``renewable_surcharge``: the
    marginal all-in price of the next kWh (what a Home Assistant price sensor should show).
    ``valid_until`` is the next instant at which the period, season or month's rates change
    (a tier change caused by usage is not predicted), ``None`` beyond the look-ahead.
    """

    when: datetime
    billing_month: BillingMonth
    season_key: str
    period_key: str
    period_name: str
    day_type: DayType
    tier_index: int
    energy_price: Decimal
    fuel_adjustment: Decimal
    renewable_surcharge: Decimal
    price_per_kwh: Decimal
    rates_estimated: bool
    valid_until: datetime | None


@dataclass(frozen=True, slots=True)
class SalePriceInfo:
    """Sale price in force at an instant; ``valid_until`` is the next stage start, if any."""

    when: datetime
    stage_index: int
    price_per_kwh: Decimal
    valid_until: datetime | None


_LOOKAHEAD_SLOTS = 8 * SLOTS_PER_DAY


def price_at(
    tariff: Tariff,
    when: datetime,
    *,
    period_usage: Mapping[str, Number] | None = None,
) -> PriceInfo:
    """Purchase price at ``when`` (aware).

    ``period_usage`` is the kWh already purchased in this billing month per period key (see
    :func:`.bill.period_usage`); it selects the tier.  Without it the first tier is assumed.
    While a minimum charge's included kWh are not used up, the energy price is 0.
    """
    local = tariff.local(when)
    month = tariff.billing_month_of(local)
    season = tariff.season_for(month)
    day_type = tariff.day_type(local.date())
    index = slot_index(local)
    period = season.period_at(day_type, index)
    used = to_decimal((period_usage or {}).get(period.key, 0))
    tier_index = period.tier_index(used)
    energy_price = period.tiers[tier_index].price
    if tariff.basic.kind is BasicKind.MINIMUM and used < tariff.basic.included_kwh:
        energy_price = ZERO
    fuel, fuel_exact = tariff.fuel_adjustment_for(month)
    surcharge, surcharge_exact = tariff.surcharge_for(month)
    return PriceInfo(
        when=local,
        billing_month=month,
        season_key=season.key,
        period_key=period.key,
        period_name=period.name or period.key,
        day_type=day_type,
        tier_index=tier_index,
        energy_price=energy_price,
        fuel_adjustment=fuel,
        renewable_surcharge=surcharge,
        price_per_kwh=energy_price + fuel + surcharge,
        rates_estimated=not (fuel_exact and surcharge_exact),
        valid_until=_period_valid_until(tariff, local, month, season, period),
    )


def _period_valid_until(
    tariff: Tariff, local: datetime, month: BillingMonth, season: Season, period: Period
) -> datetime | None:
    month_end = tariff.billing_period(month)[1]
    if len(season.periods) == 1:
        return month_end
    slot = slot_floor(local, tariff.tz)
    for _ in range(_LOOKAHEAD_SLOTS):
        slot = (slot.astimezone(_UTC) + SLOT).astimezone(tariff.tz)
        if slot >= month_end:
            return month_end
        if season.period_at(tariff.day_type(slot.date()), slot_index(slot)) is not period:
            return slot
    return None


def sale_price_at(tariff: Tariff, when: datetime) -> SalePriceInfo | None:
    """Sale price at ``when`` (aware); ``None`` when the tariff has no sale plan."""
    if tariff.sale is None:
        return None
    local = tariff.local(when)
    index = tariff.sale.stage_index(local.date())
    following = tariff.sale.stages[index + 1].start if index + 1 < len(tariff.sale.stages) else None
    return SalePriceInfo(
        when=local,
        stage_index=index,
        price_per_kwh=tariff.sale.stages[index].price,
        valid_until=(
            None if following is None else datetime.combine(following, time(), tzinfo=tariff.tz)
        ),
    )


# --------------------------------------------------------------------------------------------
# Helpers (also used by the other modules)

_UTC = ZoneInfo("UTC")


def _local(when: datetime, tz: tzinfo) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{when.isoformat()} has no time zone")
    return when.astimezone(tz)


@cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise TariffError(f"unknown time zone {name!r}", code="bad_timezone") from None


def _lookup[K: (BillingMonth, int)](values: Mapping[K, Decimal], key: K) -> tuple[Decimal, bool]:
    if key in values:
        return values[key], True
    earlier = [known for known in values if known < key]
    if earlier:
        return values[max(earlier)], False
    return ZERO, False


def _format_minutes(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _parse_minutes(text: Any, *, allow_24: bool, path: str) -> int:
    match = _TIME_RE.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise TariffError(f"{text!r} is not a time HH:MM", path=path, code="bad_time")
    hours, minutes = int(match[1]), int(match[2])
    if minutes >= 60 or hours > 24 or (hours == 24 and (minutes or not allow_24)):
        raise TariffError(f"{text!r} is not a time of day", path=path, code="bad_time")
    return hours * 60 + minutes


def _parse_days(values: Any, *, path: str) -> frozenset[DayType]:
    result: set[DayType] = set()
    for item in _list(values, path):
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


def _check_key(key: Any, what: str) -> None:
    if not isinstance(key, str) or not _KEY_RE.match(key):
        raise TariffError(
            f"{what} key {key!r} must be lower-case letters, digits and _ (max 32), "
            "starting with a letter",
            path="key",
            code="bad_key",
        )


@contextmanager
def _at(segment: str) -> Iterator[None]:
    """Prefix the path of a TariffError raised inside with ``segment``."""
    try:
        yield
    except TariffError as err:
        if segment:
            joiner = "" if err.path.startswith("[") or not err.path else "."
            path = f"{segment}{joiner}{err.path}"
            raise TariffError(err.detail, path=path, code=err.code) from None
        raise


def _mapping(data: Any, *allowed: str, required: Sequence[str] = ()) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise TariffError(f"expected a mapping, got {type(data).__name__}", code="bad_type")
    unknown = sorted(str(key) for key in data if key not in allowed)
    if unknown:
        raise TariffError(f"unknown key(s) {', '.join(unknown)}", code="unknown_key")
    for key in required:
        if key not in data:
            raise TariffError(f"{key} is required", path=key, code="missing_value")
    return data


def _map(data: Any) -> Mapping[Any, Any]:
    if not isinstance(data, Mapping):
        raise TariffError(f"expected a mapping, got {type(data).__name__}", code="bad_type")
    return data


def _list(data: Any, path: str = "") -> list[Any]:
    if isinstance(data, str | bytes) or not isinstance(data, Iterable):
        raise TariffError(f"expected a list, got {type(data).__name__}", path=path, code="bad_type")
    return list(data)


def _items[T](data: Any, path: str, parse: Callable[[Any], T]) -> Iterator[T]:
    with _at(path):
        values = _list(data)
    for index, item in enumerate(values):
        with _at(f"{path}[{index}]"):
            yield parse(item)


def _num(value: Any, path: str) -> Decimal:
    try:
        return to_decimal(value)
    except ValueError as err:
        raise TariffError(str(err), path=path, code="bad_number") from None


def _int(value: Any, path: str) -> int:
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


def _str(value: Any, path: str, *, empty_ok: bool = False) -> str:
    if not isinstance(value, str) or (not empty_ok and not value.strip()):
        raise TariffError(f"expected a non-empty text, got {value!r}", path=path, code="bad_type")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TariffError(f"expected true or false, got {value!r}", code="bad_type")
    return value


def _date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise TariffError(f"{value!r} is not a date YYYY-MM-DD", code="bad_date") from None


def _enum[E: StrEnum](kind: type[E], value: Any) -> E:
    try:
        return kind(value)
    except ValueError:
        options = ", ".join(member.value for member in kind)
        raise TariffError(f"{value!r} is not one of {options}", code="bad_choice") from None
