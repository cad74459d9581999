"""Ready-made example tariffs for the options flow.

These are **examples with approximate prices** modelled on common Japanese residential plans
(prices including consumption tax, as published around 2023-2025).  They are starting points
for the user to check against their own bill and edit, not authoritative price lists; the fuel
cost adjustment is not filled in (it changes every month), and the renewable surcharge has the
published FY2024 and FY2025 values only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from .amounts import Number, to_decimal
from .calendar import JAPANESE_YEAR_END_HOLIDAYS, HolidayRules
from .charges import BasicCharge, BasicKind, SalePlan
from .periods import Period, Season, Tier, TimeWindow
from .tariff import Tariff

RENEWABLE_SURCHARGE: Mapping[int, Decimal] = {2024: Decimal("3.49"), 2025: Decimal("3.98")}
"""Published renewable energy surcharge (JPY/kWh) per fiscal year (May-April)."""

EXAMPLE_EMISSION_FACTOR = Decimal("0.45")
"""A typical large retailer's emission factor (kg-CO2/kWh); replace with the retailer's own."""

ALL_MONTHS = tuple(range(1, 13))


def _three_tiers(first: str, second: str, third: str) -> tuple[Season, ...]:
    """One season, one period, the usual three tiers (to 120 kWh, to 300 kWh, above)."""
    tiers = (Tier.of(120, first), Tier.of(300, second), Tier.of(None, third))
    return (Season("all", ALL_MONTHS, (Period("standard", tiers),)),)


def tiered_b_like(contract_amperes: int = 30) -> Tariff:
    """従量電灯B-like (TEPCO area): basic charge by contract ampere, three tiers."""
    return Tariff(
        name="従量電灯B (example)",
        seasons=_three_tiers("29.80", "36.40", "40.49"),
        basic=BasicCharge(
            kind=BasicKind.AMPERE,
            table={
                10: Decimal("311.75"),
                15: Decimal("467.63"),
                20: Decimal("623.50"),
                30: Decimal("935.25"),
                40: Decimal("1247.00"),
                50: Decimal("1558.75"),
                60: Decimal("1870.50"),
            },
            contract_amperes=contract_amperes,
            half_if_no_usage=True,
        ),
        renewable_surcharge=dict(RENEWABLE_SURCHARGE),
        emission_factor=EXAMPLE_EMISSION_FACTOR,
    )


def minimum_charge_a_like() -> Tariff:
    """従量電灯A-like (Kansai area): a minimum charge covering the first 15 kWh, three tiers."""
    return Tariff(
        name="従量電灯A (example)",
        seasons=_three_tiers("20.21", "25.61", "28.59"),
        basic=BasicCharge(
            kind=BasicKind.MINIMUM, amount=Decimal("522.58"), included_kwh=Decimal(15)
        ),
        renewable_surcharge=dict(RENEWABLE_SURCHARGE),
        emission_factor=EXAMPLE_EMISSION_FACTOR,
    )


def smart_life_like(contract_amperes: int = 40) -> Tariff:
    """スマートライフS-like (TEPCO area, all-electric homes): basic charge per 10 A, a day price
    06:00-01:00 and a night price 01:00-06:00 on every day."""
    return Tariff(
        name="スマートライフS (example)",
        seasons=(
            Season(
                "all",
                ALL_MONTHS,
                (
                    Period.flat("day", "35.76", (TimeWindow.of("06:00", "01:00"),), "昼間"),
                    Period.flat("night", "27.86", (TimeWindow.of("01:00", "06:00"),), "夜間"),
                ),
            ),
        ),
        basic=BasicCharge(
            kind=BasicKind.PER_10A,
            unit_price=Decimal("311.75"),
            contract_amperes=contract_amperes,
            half_if_no_usage=True,
        ),
        renewable_surcharge=dict(RENEWABLE_SURCHARGE),
        emission_factor=EXAMPLE_EMISSION_FACTOR,
    )


def seasonal_three_period_example(contract_kva: Number = 10) -> Tariff:
    """A seasonal three-period time-of-use plan of the はぴeタイム kind (illustrative prices):
    weekday daytime 10:00-17:00 (dearer in July-September), living time 07:00-10:00 and
    17:00-23:00 on weekdays and 07:00-23:00 on weekends and holidays, night 23:00-07:00.
    Year-end and Golden Week days count as holidays."""

    def periods(day_price: str) -> tuple[Period, ...]:
        return (
            Period.flat(
                "day", day_price, (TimeWindow.of("10:00", "17:00", ("weekday",)),), "デイタイム"
            ),
            Period.flat(
                "living",
                "22.80",
                (
                    TimeWindow.of("07:00", "10:00", ("weekday",)),
                    TimeWindow.of("17:00", "23:00", ("weekday",)),
                    TimeWindow.of("07:00", "23:00", ("weekend", "holiday")),
                ),
                "リビングタイム",
            ),
            Period.flat("night", "15.37", (TimeWindow.of("23:00", "07:00"),), "ナイトタイム"),
        )

    return Tariff(
        name="季節別時間帯別電灯 (example)",
        seasons=(
            Season("summer", (7, 8, 9), periods("28.87"), "夏季"),
            Season("other", (1, 2, 3, 4, 5, 6, 10, 11, 12), periods("26.24"), "その他季"),
        ),
        basic=BasicCharge(
            kind=BasicKind.PER_KVA,
            unit_price=Decimal("220.90"),
            contract_kva=to_decimal(contract_kva),
        ),
        holidays=HolidayRules(public=True, extra=JAPANESE_YEAR_END_HOLIDAYS),
        renewable_surcharge=dict(RENEWABLE_SURCHARGE),
        emission_factor=EXAMPLE_EMISSION_FACTOR,
    )


def flat_example(price: Number = 31) -> Tariff:
    """One price per kWh at all times, no basic charge (simple or market-average plans)."""
    return Tariff(
        name="Flat price (example)",
        seasons=(Season("all", ALL_MONTHS, (Period.flat("flat", price),)),),
        renewable_surcharge=dict(RENEWABLE_SURCHARGE),
        emission_factor=EXAMPLE_EMISSION_FACTOR,
    )


def fit_sale_plan(price: Number = 15) -> SalePlan:
    """A flat feed-in tariff (15 JPY/kWh: residential solar under 10 kW, FY2025 first half)."""
    return SalePlan.flat(price)


def two_stage_sale_plan(
    start: date,
    *,
    first_price: Number = 24,
    second_price: Number = "8.3",
    after_price: Number | None = None,
) -> SalePlan:
    """The two-stage scheme from October 2025 (24 JPY/kWh for years 1-4, 8.3 JPY/kWh for years
    5-10) for a system whose FIT period started on ``start``; ``after_price`` (a retailer's
    post-FIT price) from the end of year 10 when given."""
    switch = _add_years(start, 4)
    end = _add_years(start, 10) if after_price is not None else None
    return SalePlan.two_stage(
        first_price, second_price, switch, end_date=end, after_price=after_price
    )


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True, slots=True)
class Preset:
    """A tariff preset the options flow can offer (names in English and Japanese)."""

    key: str
    name_en: str
    name_ja: str
    build: Callable[[], Tariff]


PRESETS: Mapping[str, Preset] = {
    preset.key: preset
    for preset in (
        Preset(
            "tiered_b",
            "Tiered, basic charge by ampere (従量電灯B-like, example prices)",
            "従量電灯B相当（アンペア制・3段階、参考価格）",
            tiered_b_like,
        ),
        Preset(
            "minimum_a",
            "Tiered with a minimum charge (従量電灯A-like, example prices)",
            "従量電灯A相当（最低料金制・3段階、参考価格）",
            minimum_charge_a_like,
        ),
        Preset(
            "smart_life",
            "Day/night time-of-use (スマートライフ-like, example prices)",
            "スマートライフ相当（昼夜2時間帯、参考価格）",
            smart_life_like,
        ),
        Preset(
            "seasonal_tou",
            "Seasonal three-period time-of-use (example prices)",
            "季節別3時間帯（参考価格）",
            seasonal_three_period_example,
        ),
        Preset(
            "flat",
            "Flat price (example)",
            "単一料金（参考価格）",
            flat_example,
        ),
    )
}
"""Presets by key, in the order to offer them."""


def preset_tariff(key: str, language: str | None = None) -> Tariff:
    """A fresh tariff from preset ``key`` (``KeyError`` for an unknown key); with a
    ``language``, named as the preset is offered in it (no English inside Japanese names)."""
    preset = PRESETS[key]
    tariff = preset.build()
    if language is None:
        return tariff
    return replace(tariff, name=preset.name_ja if language.startswith("ja") else preset.name_en)
