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

The parts live in their own modules: :mod:`.calendar` (billing months, day types, holidays),
:mod:`.periods` (windows, tiers, periods, seasons), :mod:`.charges` (basic charge, rounding,
sale plan, water and gas) and :mod:`.parsing` (reading the dict form); this module holds the
:class:`Tariff` itself and the price lookups.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, tzinfo
from decimal import Decimal
from typing import Any, Self

from .amounts import ZERO, Number, decimal_str, to_decimal
from .calendar import (
    BillingMonth,
    DayType,
    HolidayRules,
)
from .charges import BasicCharge, BasicKind, RoundingRules, SalePlan, SaleScheme, UtilityRate
from .errors import TariffError
from .parsing import (
    UTC_ZONE,
    at_path,
    int_at,
    items_of,
    local_time,
    map_of,
    mapping_of,
    number_at,
    str_at,
    zone,
)
from .periods import SLOTS_PER_DAY, Period, Season
from .slots import SLOT, slot_floor, slot_index

TARIFF_FORMAT_VERSION = 1

DEFAULT_TIMEZONE = "Asia/Tokyo"
"""Names accepted in a window's ``days`` list (``weekend`` = Saturday and Sunday)."""
"""Days some utilities' time-of-use plans also treat as holidays (add to ``HolidayRules.extra``
when a plan says so)."""


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
        with at_path("timezone"):
            zone(self.timezone)
        self._check_seasons()
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

    def _check_seasons(self) -> None:
        """The seasons partition the twelve months, with distinct keys."""
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

    # -- calendar ------------------------------------------------------------------------

    @property
    def tz(self) -> tzinfo:
        """The tariff's time zone (day types, billing months and periods use local time)."""
        return zone(self.timezone)

    @property
    def full_feed_in(self) -> bool:
        """True when the sale plan is full feed-in (全量買取, see :class:`.charges.SaleScheme`)."""
        return self.sale is not None and self.sale.full_feed_in

    def local(self, when: datetime) -> datetime:
        """``when`` in the tariff's time zone (``when`` must be timezone-aware)."""
        return local_time(when, self.tz)

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
            values[key] = number_at(rate, f"fuel_adjustment.{key}")
        return replace(self, fuel_adjustment=values)

    def with_surcharge(self, fiscal_year: int, rate: Number | None) -> Tariff:
        """A copy with the renewable surcharge of ``fiscal_year`` (May-April) set or removed."""
        values = dict(self.renewable_surcharge)
        if rate is None:
            values.pop(fiscal_year, None)
        else:
            values[fiscal_year] = number_at(rate, f"renewable_surcharge.{fiscal_year}")
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
        obj = mapping_of(
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
        with at_path("name"):
            name = str_at(obj["name"], "")
        with at_path("timezone"):
            timezone = str_at(obj.get("timezone", DEFAULT_TIMEZONE), "")
        with at_path("billing_start_day"):
            start_day = int_at(obj.get("billing_start_day", 1), "")
        seasons = tuple(items_of(obj["seasons"], "seasons", Season.from_dict))
        with at_path("basic"):
            basic = BasicCharge.from_dict(obj.get("basic") or {"kind": "none"})
        fuel, surcharge = _monthly_rates(obj)
        with at_path("rounding"):
            rounding = RoundingRules.from_dict(obj.get("rounding") or {})
        with at_path("holidays"):
            holiday_rules = HolidayRules.from_dict(obj.get("holidays") or {})
        optional = _optional_parts(obj)
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


def _monthly_rates(
    obj: Mapping[str, Any],
) -> tuple[dict[BillingMonth, Decimal], dict[int, Decimal]]:
    """The fuel cost adjustments (per billing month) and surcharges (per fiscal year)."""
    fuel: dict[BillingMonth, Decimal] = {}
    with at_path("fuel_adjustment"):
        for key, rate in map_of(obj.get("fuel_adjustment") or {}).items():
            with at_path(str(key)):
                fuel[BillingMonth.parse(key)] = number_at(rate, "")
    surcharge: dict[int, Decimal] = {}
    with at_path("renewable_surcharge"):
        for key, rate in map_of(obj.get("renewable_surcharge") or {}).items():
            with at_path(str(key)):
                surcharge[int_at(key, "")] = number_at(rate, "")
    return fuel, surcharge


def _optional_parts(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The sale plan, water and gas rates and the emission factor that are given."""
    optional: dict[str, Any] = {}
    for key, parser in (
        ("sale", SalePlan.from_dict),
        ("water", UtilityRate.from_dict),
        ("gas", UtilityRate.from_dict),
    ):
        if obj.get(key) is not None:
            with at_path(key):
                optional[key] = parser(obj[key])
    if obj.get("emission_factor") not in {None, ""}:
        with at_path("emission_factor"):
            optional["emission_factor"] = number_at(obj["emission_factor"], "")
    return optional


def validate_tariff_dict(data: Any) -> list[TariffError]:
    """Errors of a dict form as a list (empty when valid), for forms that show them."""
    try:
        Tariff.from_dict(data)
    except TariffError as err:
        return [err]
    return []


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
    #: What the price is paid for: the surplus exported, or every kWh generated (全量買取).
    scheme: SaleScheme = SaleScheme.SURPLUS


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
        slot = (slot.astimezone(UTC_ZONE) + SLOT).astimezone(tariff.tz)
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
        scheme=tariff.sale.scheme,
    )


def _lookup[K: (BillingMonth, int)](values: Mapping[K, Decimal], key: K) -> tuple[Decimal, bool]:
    if key in values:
        return values[key], True
    earlier = [known for known in values if known < key]
    if earlier:
        return values[max(earlier)], False
    return ZERO, False
