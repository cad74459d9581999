"""Tariff model: dict form, validation, calendar, price lookups."""

from __future__ import annotations

from datetime import UTC, date
import json
from typing import Any

import pytest

from custom_components.hems.energy import (
    PRESETS,
    BasicCharge,
    BasicKind,
    BillingMonth,
    DayType,
    Period,
    SalePlan,
    Season,
    Tariff,
    TariffError,
    Tier,
    TimeWindow,
    preset_tariff,
    price_at,
    sale_price_at,
    validate_tariff_dict,
)
from custom_components.hems.energy.presets import two_stage_sale_plan

from .helpers import D, jst


@pytest.mark.parametrize("key", list(PRESETS))
def test_presets_round_trip_through_json(key: str) -> None:
    tariff = preset_tariff(key)
    data = json.loads(json.dumps(tariff.to_dict()))
    assert Tariff.from_dict(data) == tariff
    assert Tariff.from_dict(data).to_dict() == data


def test_tiered_preset_dict_form() -> None:
    data = preset_tariff("tiered_b").to_dict()
    assert data["version"] == 1
    assert data["seasons"][0]["periods"][0]["tiers"] == [
        {"up_to_kwh": "120", "price": "29.80"},
        {"up_to_kwh": "300", "price": "36.40"},
        {"up_to_kwh": None, "price": "40.49"},
    ]
    assert data["basic"]["kind"] == "ampere"
    assert data["basic"]["contract_amperes"] == 30
    assert data["basic"]["table"]["30"] == "935.25"
    assert data["renewable_surcharge"] == {"2024": "3.49", "2025": "3.98"}
    assert data["rounding"]["subtotal"] == "down"


def _smart_life_dict() -> dict[str, Any]:
    return preset_tariff("smart_life").to_dict()


def _error(data: Any) -> TariffError:
    with pytest.raises(TariffError) as info:
        Tariff.from_dict(data)
    return info.value


def test_overlapping_periods_are_rejected() -> None:
    data = _smart_life_dict()
    data["seasons"][0]["periods"][1]["windows"][0]["end"] = "07:00"
    err = _error(data)
    assert err.code == "tou_overlap"
    assert err.path == "seasons[0].periods[1].windows"
    assert "'day' and 'night' overlap on weekday at 06:00" in str(err)


def test_gap_in_periods_is_rejected() -> None:
    data = _smart_life_dict()
    data["seasons"][0]["periods"][1]["windows"][0]["days"] = ["weekday", "weekend"]
    err = _error(data)
    assert err.code == "tou_gap"
    assert "no period covers 01:00-01:30 on holiday" in str(err)


def test_tier_boundaries_must_increase() -> None:
    data = preset_tariff("tiered_b").to_dict()
    data["seasons"][0]["periods"][0]["tiers"][1]["up_to_kwh"] = "100"
    err = _error(data)
    assert err.code == "tiers_not_increasing"
    assert err.path == "seasons[0].periods[0].tiers"
    assert "100 kWh after 120 kWh" in str(err)


@pytest.mark.parametrize(
    ("mutate", "code", "path"),
    [
        (lambda d: d["seasons"][0]["periods"][0]["tiers"].pop(), "last_tier_bounded", "tiers"),
        (
            lambda d: d["seasons"][0]["periods"][0]["tiers"][0].update(up_to_kwh=None),
            "open_tier_not_last",
            "tiers",
        ),
        (
            lambda d: d["seasons"][0]["periods"][0]["tiers"][0].update(price="-1"),
            "negative_price",
            "",
        ),
        (
            lambda d: d["seasons"][0]["periods"][0]["tiers"][0].update(price="abc"),
            "bad_number",
            "price",
        ),
        (lambda d: d.update(colour="red"), "unknown_key", ""),
        (lambda d: d.update(billing_start_day=29), "bad_billing_day", "billing_start_day"),
        (lambda d: d.update(timezone="Mars/Olympus"), "bad_timezone", "timezone"),
        (lambda d: d["seasons"][0].update(months=[1, 2, 3]), "season_gap", "seasons"),
        (lambda d: d["basic"].update(contract_amperes=35), "ampere_not_in_table", "basic"),
        (lambda d: d["basic"].pop("table"), "missing_value", "basic.table"),
        (lambda d: d["fuel_adjustment"].update({"2026-13": "1"}), "bad_month", ""),
        (lambda d: d.update(version=2), "version", "version"),
        (lambda d: d.update(name=" "), "bad_type", "name"),
        (lambda d: d["seasons"][0].update(key="All"), "bad_key", "seasons[0].key"),
    ],
)
def test_invalid_tiered_data(mutate: Any, code: str, path: str) -> None:
    data = preset_tariff("tiered_b").to_dict()
    mutate(data)
    err = _error(data)
    assert err.code == code
    assert path in err.path
    assert str(err)
    assert validate_tariff_dict(data)[0].code == code


def test_error_paths_point_at_the_bad_value() -> None:
    data = _smart_life_dict()
    data["seasons"][0]["periods"][0]["windows"][0]["start"] = "06:15"
    err = _error(data)
    assert err.code == "time_not_half_hour"
    assert err.path == "seasons[0].periods[0].windows[0]"
    data["seasons"][0]["periods"][0]["windows"][0]["start"] = "25:00"
    assert _error(data).path == "seasons[0].periods[0].windows[0].start"
    data["seasons"][0]["periods"][0]["windows"][0]["start"] = "06:00"
    data["seasons"][0]["periods"][0]["windows"][0]["days"] = ["funday"]
    assert _error(data).code == "bad_day_type"
    data = preset_tariff("tiered_b").to_dict()
    data["fuel_adjustment"] = {"2026-11": "x"}
    assert _error(data).path == "fuel_adjustment.2026-11"


def test_overlapping_seasons_are_rejected() -> None:
    data = preset_tariff("seasonal_tou").to_dict()
    data["seasons"][1]["months"].append(7)
    err = _error(data)
    assert err.code == "season_overlap"
    assert "month 7 is in seasons 'summer' and 'other'" in str(err)


def test_minimum_charge_with_time_of_use_is_rejected() -> None:
    data = _smart_life_dict()
    data["basic"] = {"kind": "minimum", "amount": "500", "included_kwh": "15"}
    assert _error(data).code == "minimum_with_tou"


def test_sale_plan_validation() -> None:
    with pytest.raises(TariffError, match="dates must increase"):
        SalePlan.from_dict(
            {
                "stages": [
                    {"from": None, "price": "24"},
                    {"from": "2030-01-01", "price": "8.3"},
                    {"from": "2029-01-01", "price": "7"},
                ]
            }
        )
    with pytest.raises(TariffError, match="first sale stage"):
        SalePlan.from_dict({"stages": [{"from": "2029-01-01", "price": "24"}]})
    assert SalePlan.from_dict({"price": 15}) == SalePlan.flat(15)


def test_construction_in_python_validates_too() -> None:
    with pytest.raises(TariffError, match="must increase"):
        Period("standard", (Tier.of(300, 1), Tier.of(120, 2), Tier.of(None, 3)))
    with pytest.raises(TariffError, match="not on the hour or half hour"):
        TimeWindow.of("06:10", "07:00")
    with pytest.raises(TariffError, match="every period needs windows"):
        Season("all", (1,), (Period.flat("a", 1), Period.flat("b", 2)))
    with pytest.raises(TariffError, match="contract 35 A is not in the ampere table"):
        BasicCharge(BasicKind.AMPERE, table={30: D(900)}, contract_amperes=35)


def test_flat_price_shorthand_in_dict() -> None:
    tariff = Tariff.from_dict(
        {"name": "simple", "seasons": [{"key": "all", "periods": [{"key": "flat", "price": 30}]}]}
    )
    assert tariff.seasons[0].months == tuple(range(1, 13))
    assert price_at(tariff, jst("2026-11-27T12:00")).energy_price == 30


def test_float_prices_keep_their_decimal_digits() -> None:
    tariff = Tariff.from_dict(
        {
            "name": "x",
            "seasons": [{"key": "all", "periods": [{"key": "flat", "price": 29.8}]}],
            "fuel_adjustment": {"2026-11": -1.1},
        }
    )
    assert tariff.seasons[0].periods[0].tiers[0].price == D("29.8")
    assert tariff.fuel_adjustment[BillingMonth(2026, 11)] == D("-1.1")


# -- calendar --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 27), DayType.WEEKDAY),  # Friday
        (date(2026, 11, 28), DayType.SATURDAY),
        (date(2026, 11, 29), DayType.SUNDAY),
        (date(2026, 11, 23), DayType.HOLIDAY),  # 勤労感謝の日 (Monday)
        (date(2026, 5, 6), DayType.HOLIDAY),  # 振替休日
        (date(2026, 9, 22), DayType.HOLIDAY),  # 国民の休日
        (date(2026, 12, 31), DayType.WEEKDAY),  # not a public holiday
        (date(2027, 1, 1), DayType.HOLIDAY),
    ],
)
def test_day_types(day: date, expected: DayType) -> None:
    assert preset_tariff("smart_life").day_type(day) is expected


def test_extra_holidays() -> None:
    tariff = preset_tariff("seasonal_tou")
    assert tariff.day_type(date(2026, 12, 31)) is DayType.HOLIDAY
    assert tariff.day_type(date(2026, 4, 30)) is DayType.HOLIDAY
    assert tariff.day_type(date(2026, 12, 28)) is DayType.WEEKDAY


def test_billing_month_calendar() -> None:
    tariff = preset_tariff("tiered_b")
    assert tariff.billing_month_of(jst("2026-11-30T23:59")) == BillingMonth(2026, 11)
    assert tariff.billing_month_of(jst("2026-12-01T00:00")) == BillingMonth(2026, 12)
    # An instant given in UTC is placed by Tokyo time.
    assert tariff.billing_month_of(jst("2026-12-01T08:00").astimezone(UTC)) == BillingMonth(
        2026, 12
    )
    assert jst("2026-12-01T08:00").astimezone(UTC).month == 11  # (UTC still says November)
    start, end = tariff.billing_period(BillingMonth(2026, 11))
    assert (start, end) == (jst("2026-11-01T00:00"), jst("2026-12-01T00:00"))


def test_billing_month_with_reading_day() -> None:
    tariff = Tariff.from_dict({**preset_tariff("tiered_b").to_dict(), "billing_start_day": 10})
    assert tariff.billing_month_of(jst("2026-11-09T23:30")) == BillingMonth(2026, 11)
    assert tariff.billing_month_of(jst("2026-11-10T00:00")) == BillingMonth(2026, 12)
    assert tariff.billing_month_of(jst("2026-12-25T00:00")) == BillingMonth(2027, 1)
    start, end = tariff.billing_period(BillingMonth(2027, 1))
    assert (start, end) == (jst("2026-12-10T00:00"), jst("2027-01-10T00:00"))


def test_billing_month_arithmetic() -> None:
    assert BillingMonth(2026, 12).next() == BillingMonth(2027, 1)
    assert BillingMonth(2027, 1).previous() == BillingMonth(2026, 12)
    assert BillingMonth(2026, 4).fiscal_year == 2025
    assert BillingMonth(2026, 5).fiscal_year == 2026
    assert BillingMonth.parse("2026-03").key == "2026-03"
    with pytest.raises(TariffError):
        BillingMonth.parse("2026-3-1")


# -- prices ----------------------------------------------------------------------------------


def test_time_of_use_across_midnight() -> None:
    tariff = preset_tariff("smart_life").with_fuel_adjustment("2026-11", "-1.50")
    tariff = tariff.with_surcharge(2026, "3.98")
    cases = {
        "2026-11-27T00:30": ("day", "35.76", "2026-11-27T01:00"),
        "2026-11-27T01:00": ("night", "27.86", "2026-11-27T06:00"),
        "2026-11-27T05:59": ("night", "27.86", "2026-11-27T06:00"),
        "2026-11-27T06:00": ("day", "35.76", "2026-11-28T01:00"),
        "2026-11-27T23:30": ("day", "35.76", "2026-11-28T01:00"),
    }
    for when, (key, price, until) in cases.items():
        info = price_at(tariff, jst(when))
        assert info.period_key == key, when
        assert info.energy_price == D(price)
        assert info.price_per_kwh == D(price) - D("1.50") + D("3.98")
        assert info.valid_until == jst(until)
        assert not info.rates_estimated


def test_holiday_and_weekend_periods() -> None:
    tariff = preset_tariff("seasonal_tou")
    assert price_at(tariff, jst("2026-11-23T12:00")).period_key == "living"  # holiday
    assert price_at(tariff, jst("2026-11-24T12:00")).period_key == "day"
    assert price_at(tariff, jst("2026-11-28T12:00")).period_key == "living"  # Saturday
    info = price_at(tariff, jst("2026-11-23T06:30"))
    assert (info.period_key, info.day_type) == ("night", DayType.HOLIDAY)
    # The valid_until of a holiday's living time skips to the night period.
    assert price_at(tariff, jst("2026-11-23T12:00")).valid_until == jst("2026-11-23T23:00")
    assert tariff.period_keys() == ["day", "living", "night"]


def test_seasonal_prices() -> None:
    tariff = preset_tariff("seasonal_tou")
    summer = price_at(tariff, jst("2026-07-01T12:00"))
    other = price_at(tariff, jst("2026-06-30T12:00"))
    assert (summer.season_key, summer.energy_price) == ("summer", D("28.87"))
    assert (other.season_key, other.energy_price) == ("other", D("26.24"))
    # The season changes with the billing month: valid_until is the month end.
    assert price_at(tariff, jst("2026-06-30T23:30")).valid_until == jst("2026-07-01T00:00")


def test_tier_depends_on_usage_so_far() -> None:
    tariff = preset_tariff("tiered_b")
    when = jst("2026-11-27T12:00")
    assert price_at(tariff, when).energy_price == D("29.80")
    assert price_at(tariff, when, period_usage={"standard": 119.9}).energy_price == D("29.80")
    info = price_at(tariff, when, period_usage={"standard": 120})
    assert (info.tier_index, info.energy_price) == (1, D("36.40"))
    assert price_at(tariff, when, period_usage={"standard": 300}).energy_price == D("40.49")
    # Flat plans change only at the month end (fuel adjustment).
    assert price_at(tariff, when).valid_until == jst("2026-12-01T00:00")


def test_minimum_charge_included_kwh_are_free_at_the_margin() -> None:
    tariff = preset_tariff("minimum_a")
    when = jst("2026-11-27T12:00")
    assert price_at(tariff, when, period_usage={"standard": 10}).energy_price == 0
    assert price_at(tariff, when, period_usage={"standard": 15}).energy_price == D("20.21")


def test_rates_fall_back_to_the_latest_known_value() -> None:
    tariff = preset_tariff("tiered_b").with_fuel_adjustment("2026-09", "-2.1")
    assert tariff.fuel_adjustment_for(BillingMonth(2026, 11)) == (D("-2.1"), False)
    assert tariff.fuel_adjustment_for(BillingMonth(2026, 9)) == (D("-2.1"), True)
    assert tariff.fuel_adjustment_for(BillingMonth(2026, 8)) == (D(0), False)
    assert tariff.surcharge_for(BillingMonth(2026, 11)) == (D("3.98"), False)  # FY2026 unknown
    assert tariff.surcharge_for(BillingMonth(2026, 4)) == (D("3.98"), True)  # FY2025
    assert tariff.surcharge_for(BillingMonth(2025, 4)) == (D("3.49"), True)  # FY2024
    info = price_at(tariff, jst("2026-11-27T12:00"))
    assert info.rates_estimated
    assert info.price_per_kwh == D("29.80") - D("2.1") + D("3.98")
    assert tariff.with_fuel_adjustment("2026-09", None).fuel_adjustment == {}


def test_sale_price_two_stage() -> None:
    plan = two_stage_sale_plan(date(2025, 10, 15), after_price="8.5")
    tariff = Tariff.from_dict({**preset_tariff("flat").to_dict(), "sale": plan.to_dict()})
    first = sale_price_at(tariff, jst("2029-10-14T23:30"))
    assert first is not None
    assert (first.price_per_kwh, first.stage_index) == (D(24), 0)
    assert first.valid_until == jst("2029-10-15T00:00")
    second = sale_price_at(tariff, jst("2029-10-15T00:00"))
    assert second is not None
    assert second.price_per_kwh == D("8.3")
    after = sale_price_at(tariff, jst("2035-10-15T00:00"))
    assert after is not None
    assert (after.price_per_kwh, after.valid_until) == (D("8.5"), None)
    assert sale_price_at(preset_tariff("flat"), jst("2026-11-27T12:00")) is None


def test_naive_datetimes_are_refused() -> None:
    from datetime import datetime

    with pytest.raises(ValueError, match="no time zone"):
        price_at(preset_tariff("flat"), datetime(2026, 11, 27, 12))


def test_other_time_zones_are_accepted() -> None:
    tariff = preset_tariff("smart_life")
    # 2026-11-26 16:30 UTC is 2026-11-27 01:30 in Tokyo: night.
    from datetime import datetime

    info = price_at(tariff, datetime(2026, 11, 26, 16, 30, tzinfo=UTC))
    assert info.period_key == "night"
    assert info.when == jst("2026-11-27T01:30")


def test_preset_names_follow_the_language() -> None:
    """A Japanese user's tariff is named in Japanese (no "(example)" inside)."""
    for key, preset in PRESETS.items():
        assert preset_tariff(key, "ja").name == preset.name_ja
        assert "example" not in preset_tariff(key, "ja").name
        assert preset_tariff(key, "en").name == preset.name_en
        assert preset_tariff(key).name == preset.build().name


def _period(data: dict[str, Any]) -> dict[str, Any]:
    period: dict[str, Any] = data["seasons"][0]["periods"][0]
    return period


def _window(data: dict[str, Any]) -> dict[str, Any]:
    window: dict[str, Any] = _period(data)["windows"][0]
    return window


def _basic(data: dict[str, Any], **basic: Any) -> None:
    data["basic"] = basic


def _two_seasons_named_alike(data: dict[str, Any]) -> None:
    first = data["seasons"][0]
    second = {**first, "months": [7, 8, 9]}
    first["months"] = [1, 2, 3, 4, 5, 6, 10, 11, 12]
    data["seasons"].append(second)


def _months(data: dict[str, Any], extra: int) -> None:
    data["seasons"][0]["months"] = [*range(1, 13), extra]


#: (preset, change to its dict, error code, where the path points): values of the wrong type
#: or form.
_MALFORMED: list[tuple[str, Any, str, str]] = [
    (
        "smart_life",
        lambda d: d["seasons"][0]["periods"][0]["windows"][0].update(start=600),
        "bad_time",
        "seasons[0].periods[0].windows[0].start",
    ),
    ("tiered_b", lambda d: d.update(seasons="all"), "bad_type", "seasons"),
    ("tiered_b", lambda d: d["seasons"].__setitem__(0, 5), "bad_type", "seasons[0]"),
    ("tiered_b", lambda d: d["seasons"][0].pop("periods"), "missing_value", "periods"),
    ("tiered_b", lambda d: d.update(billing_start_day=True), "bad_number", "billing"),
    ("tiered_b", lambda d: d.update(billing_start_day="first"), "bad_number", "billing"),
    ("tiered_b", lambda d: d.update(billing_start_day="1.5"), "bad_number", "billing"),
    ("tiered_b", lambda d: d["holidays"].update(public="yes"), "bad_type", "holidays.public"),
    ("tiered_b", lambda d: d["holidays"].update(extra=["x"]), "bad_date", "holidays.extra[0]"),
    ("tiered_b", lambda d: d["basic"].update(kind="watts"), "bad_choice", "basic.kind"),
    ("tiered_b", lambda d: d["basic"].update(table=[]), "empty_ampere_table", "basic"),
    ("tiered_b", lambda d: d.update(fuel_adjustment=["1.2"]), "bad_type", ""),
    (
        "tiered_b",
        lambda d: d.update(sale={"stages": [{"from": "autumn", "price": "24"}]}),
        "bad_date",
        "sale.stages[0].from",
    ),
    (
        "tiered_b",
        lambda d: d.update(sale={"stages": [{"from": 2025, "price": "24"}]}),
        "bad_date",
        "sale.stages[0].from",
    ),
]
#: Seasons, periods, windows and tiers missing, empty or in conflict.
_INCOMPLETE: list[tuple[str, Any, str, str]] = [
    ("smart_life", lambda d: _window(d).update(days=[]), "no_day_types", "windows[0].days"),
    ("tiered_b", lambda d: _period(d).update(tiers=[]), "no_tiers", "periods[0].tiers"),
    ("tiered_b", lambda d: _period(d).update(price="30"), "tiers_and_price", "periods[0]"),
    ("tiered_b", lambda d: d["seasons"][0].update(months=[]), "no_months", "seasons[0]"),
    ("tiered_b", lambda d: _months(d, 13), "bad_month", "seasons[0]"),
    ("tiered_b", lambda d: _months(d, 1), "duplicate_month", "seasons[0]"),
    ("tiered_b", lambda d: d["seasons"][0].update(periods=[]), "no_periods", "seasons[0]"),
    (
        "smart_life",
        lambda d: d["seasons"][0]["periods"][1].update(key="day"),
        "duplicate_key",
        "seasons[0]",
    ),
    ("tiered_b", _two_seasons_named_alike, "duplicate_key", "seasons[1].key"),
    ("tiered_b", lambda d: d.update(seasons=[]), "no_seasons", "seasons"),
    ("tiered_b", lambda d: d.pop("name"), "missing_value", "name"),
]
#: Negative prices, missing contracts, a sale that cannot be read.
_PRICES_AND_CONTRACTS: list[tuple[str, Any, str, str]] = [
    (
        "tiered_b",
        lambda d: d.update(renewable_surcharge={"2025": "-1"}),
        "negative_price",
        "renewable_surcharge.2025",
    ),
    ("tiered_b", lambda d: d.update(emission_factor="-0.1"), "negative_price", "emission"),
    (
        "tiered_b",
        lambda d: d.update(basic={"kind": "per_10a", "unit_price": "300", "contract_amperes": 0}),
        "missing_contract",
        "basic.contract_amperes",
    ),
    (
        "tiered_b",
        lambda d: _basic(d, kind="per_kva", unit_price="300", contract_kva="0"),
        "missing_contract",
        "basic.contract_kva",
    ),
    (
        "tiered_b",
        lambda d: d.update(basic={"kind": "fixed", "amount": "-1"}),
        "negative_price",
        "basic",
    ),
    ("tiered_b", lambda d: d["basic"].update(table={"30": "-1"}), "negative_price", "basic"),
    ("tiered_b", lambda d: d["basic"].update(table="x"), "bad_type", "basic.table"),
    ("tiered_b", lambda d: d.update(sale={"price": "-1"}), "negative_price", "sale.price"),
    ("tiered_b", lambda d: d.update(sale={"stages": []}), "no_stages", "sale"),
    (
        "tiered_b",
        lambda d: d.update(sale={"stages": [{"price": "24"}, {"price": "8"}]}),
        "stage_without_date",
        "sale",
    ),
    (
        "tiered_b",
        lambda d: d.update(sale={"stages": [{"price": "24"}], "price": "8"}),
        "tiers_and_price",
        "sale",
    ),
    ("tiered_b", lambda d: d.update(water={"unit_price": "-1"}), "negative_price", "water"),
]


@pytest.mark.parametrize(
    ("preset", "mutate", "code", "path"), [*_MALFORMED, *_INCOMPLETE, *_PRICES_AND_CONTRACTS]
)
def test_every_kind_of_bad_value_names_its_place(
    preset: str, mutate: Any, code: str, path: str
) -> None:
    """What a hand-edited tariff gets wrong is refused with the code and the path of the value."""
    data = preset_tariff(preset).to_dict()
    mutate(data)
    err = _error(data)
    assert (err.code, path in err.path) == (code, True), (err.code, err.path)
    assert validate_tariff_dict(data)[0].code == code


def test_a_tariff_built_in_code_needs_a_name() -> None:
    tariff = preset_tariff("tiered_b")
    with pytest.raises(TariffError) as info:
        Tariff(**{**{f: getattr(tariff, f) for f in tariff.__dataclass_fields__}, "name": " "})
    assert (info.value.code, info.value.path) == ("missing_name", "name")
