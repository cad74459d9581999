"""Forecasts learned from the house's own history, and prices from the tariff."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from custom_components.hems.energy import SalePlan, price_at
from custom_components.hems.energy.planner import (
    SLOT,
    PlannerInputError,
    ProfileModel,
    SolarModel,
    TariffPrices,
    clear_sky_ghi,
    horizon_slots,
)

from .planner_inputs import DAY_PRICE, JST, NIGHT_PRICE, at, tariff

WORKDAY_PEAK = 0.8  # kWh at 07:00 on workdays
HOLIDAY_NOON = 0.9  # kWh at 12:00 on Saturdays, Sundays and public holidays
HEATING = 0.02  # kWh per slot per degree below 18 °C


def truth(when: datetime, mean_c: float, holiday: bool) -> float:
    """The house's (made-up) load: a base, a weekday breakfast peak or a holiday lunch,
    and heating on cold days."""
    value = 0.2 + HEATING * max(0.0, 18.0 - mean_c)
    if not holiday and when.hour == 7:
        value += WORKDAY_PEAK
    if holiday and when.hour == 12:
        value += HOLIDAY_NOON
    return value


def history(
    first: date, days: int, mean_of: dict[date, float]
) -> list[tuple[datetime, float, float | None]]:
    holidays = {date(2026, 4, 29), date(2026, 5, 4), date(2026, 5, 5), date(2026, 5, 6)}
    samples = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        holiday = day.weekday() >= 5 or day in holidays
        mean = mean_of.get(day, 15.0 if offset % 2 else 9.0)
        start = datetime(day.year, day.month, day.day, tzinfo=JST)
        samples.extend(
            (start + index * SLOT, truth(start + index * SLOT, mean, holiday), mean)
            for index in range(48)
        )
    return samples


def test_load_profile_learns_workdays_holidays_and_the_cold() -> None:
    model = ProfileModel.fit(history(date(2026, 4, 1), 42, {}))
    assert model.days[True] > 20 and model.days[False] > 10

    def day_forecast(day: str, mean_c: float) -> list[float]:
        start = at(f"{day}T00:00")
        return model.predict([start + index * SLOT for index in range(48)], [mean_c] * 48)

    workday = day_forecast("2026-05-13", 12.0)  # a Wednesday
    assert workday[14] == pytest.approx(truth(at("2026-05-13T07:00"), 12.0, False), abs=0.02)
    assert workday[24] == pytest.approx(truth(at("2026-05-13T12:00"), 12.0, False), abs=0.02)
    # 2026-05-18 is a Monday; 2026-07-20 (海の日) a Monday and a public holiday
    marine_day = day_forecast("2026-07-20", 12.0)
    assert marine_day[24] == pytest.approx(truth(at("2026-07-20T12:00"), 12.0, True), abs=0.02)
    assert marine_day[14] == pytest.approx(truth(at("2026-07-20T07:00"), 12.0, True), abs=0.02)
    # colder days: more heating, by the learned slope
    cold = day_forecast("2026-05-13", 5.0)
    assert cold[30] - workday[30] == pytest.approx(HEATING * 7, abs=0.01)


def test_load_profile_needs_a_whole_day() -> None:
    start = at("2026-05-01T00:00")
    with pytest.raises(PlannerInputError, match="complete day"):
        ProfileModel.fit([(start + index * SLOT, 0.3, None) for index in range(40)])
    with pytest.raises(PlannerInputError, match="timezone"):
        ProfileModel.fit([(datetime(2026, 5, 1), 0.3, None)])


def test_profile_without_temperatures_is_a_weighted_mean() -> None:
    start = at("2026-05-11T00:00")  # Monday
    samples = [(start + index * SLOT, 0.5, None) for index in range(48 * 5)]
    model = ProfileModel.fit(samples)
    assert model.predict([at("2026-05-18T10:00")]) == [pytest.approx(0.5)]


def test_solar_forecast_from_history_and_weather() -> None:
    """Thirty days of generation: clear days at 0.95 of the clear-sky shape, cloudy days at
    0.3; the model learns the clear day and the cloudy factor and carries them to the date."""
    latitude, longitude = 35.68, 139.77
    conditions: dict[date, str] = {}
    samples: list[tuple[datetime, float]] = []
    scale = 4.5 * 0.5 / 1000 * 0.8  # kWh per slot per W/m²
    for offset in range(30):
        day = date(2026, 5, 1) + timedelta(days=offset)
        condition = "cloudy" if offset % 3 == 0 else "sunny"
        conditions[day] = condition
        factor = 0.3 if condition == "cloudy" else 0.95
        start = datetime(day.year, day.month, day.day, tzinfo=JST)
        for index in range(48):
            when = start + index * SLOT + timedelta(minutes=15)
            samples.append(
                (start + index * SLOT, factor * scale * clear_sky_ghi(when, latitude, longitude))
            )
    model = SolarModel.fit(samples, conditions=conditions, latitude=latitude, longitude=longitude)
    assert model.factors["cloudy"] == pytest.approx(0.3 / 0.95, rel=0.05)
    target = at("2026-06-01T12:00")
    expected = 0.95 * scale * clear_sky_ghi(target + timedelta(minutes=15), latitude, longitude)
    assert model.predict([target], [None])[0] == pytest.approx(expected, rel=0.03)
    rainy, sunny = model.predict([target, target], ["rainy", "sunny"])
    assert rainy < 0.2 * sunny
    assert model.predict([at("2026-06-01T02:00")], ["sunny"]) == [0.0]


def test_solar_forecast_without_a_location_uses_recent_days() -> None:
    start = at("2026-05-01T00:00")
    samples = [
        (start + index * SLOT, 1.0 if 20 <= index % 48 < 28 else 0.0) for index in range(48 * 10)
    ]
    model = SolarModel.fit(samples)
    noon = model.predict([at("2026-05-11T12:00"), at("2026-05-11T20:00")], ["sunny", "sunny"])
    assert noon == [pytest.approx(0.95), 0.0]


# ---------------------------------------------------------------------------------------------
# Prices


def test_prices_come_from_the_tariff() -> None:
    prices = TariffPrices(tariff())
    purchase, sale = prices.horizon(at("2026-06-01T00:00"), 48)
    assert purchase[0] == pytest.approx(DAY_PRICE)
    assert purchase[2:12] == [pytest.approx(NIGHT_PRICE)] * 10
    assert purchase[12] == pytest.approx(DAY_PRICE)
    assert sale == [8.0] * 48
    when = at("2026-06-01T03:30")
    assert prices.purchase_price(when) == float(price_at(tariff(), when).price_per_kwh)


def test_two_stage_sale_price_switches_on_its_date() -> None:
    switch = date(2029, 10, 1)
    prices = TariffPrices(replace(tariff(), sale=SalePlan.two_stage(24, "8.3", switch)))
    _, sale = prices.horizon(at("2029-09-30T23:00"), 4)
    assert sale == [24.0, 24.0, 8.3, 8.3]
    no_sale = TariffPrices(replace(tariff(), sale=None))
    assert no_sale.sale_price(at("2026-06-01T12:00")) == 0.0


def test_profile_without_a_temperature_forecast_assumes_last_weeks_weather() -> None:
    cold_week = {date(2026, 5, 1) + timedelta(days=offset): 4.0 for offset in range(35, 42)}
    model = ProfileModel.fit(history(date(2026, 5, 1), 42, cold_week))
    assert model.recent_degrees[0] == pytest.approx(14.0)
    when = at("2026-06-17T15:00")
    assert model.predict([when]) == model.predict([when], [4.0])


def test_rolling_horizon_reaches_the_end_of_tomorrow() -> None:
    assert horizon_slots(at("2026-06-01T00:00")) == 96
    assert horizon_slots(at("2026-06-01T10:00")) == 76
    assert horizon_slots(at("2026-06-01T22:30")) == 51
    assert horizon_slots(at("2026-06-01T23:30")) == 49
