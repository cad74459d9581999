"""Every reason renders in English and Japanese; inputs that are not valid say which."""

from __future__ import annotations

import re

import pytest

from custom_components.hems.energy.planner import (
    LANGUAGES,
    Battery,
    ElectricVehicle,
    Forecast,
    PlanInputs,
    PlannerConfig,
    PlannerInputError,
    Reason,
    ReasonCode,
    WaterHeater,
    render,
)

from .planner_inputs import at

SAMPLE = {
    "cost_yen": 412.4,
    "baseline_yen": 1598.0,
    "saving_yen": 1185.6,
    "stored_diff_yen": -35.2,
    "detail": "Infeasible",
    "device": "Storage battery (192.168.1.20)",
    "target_pct": 80,
    "departure": "07:30",
    "needed_kwh": 14.2,
    "possible_kwh": 9.0,
    "limit_s": 2.0,
    "status": "Unknown",
    "day": "tomorrow",
    "condition": "sunny",
    "solar_kwh": 18.0,
    "surplus_kwh": 9.0,
    "start": "10:00",
    "end": "13:00",
    "energy_kwh": 2.4,
    "price": 31.84,
    "sale_price": 8.0,
    "until": "17:00",
}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.mark.parametrize("code", list(ReasonCode))
def test_every_reason_renders_in_both_languages(code: ReasonCode) -> None:
    reason = Reason(code, SAMPLE)
    english, japanese = (reason.render(language) for language in LANGUAGES)
    assert "{" not in english and "{" not in japanese
    assert english and not JAPANESE.search(english.replace("円", ""))
    assert JAPANESE.search(japanese)
    assert reason.as_dict()["code"] == code.value


def test_the_night_charge_sentence() -> None:
    reason = Reason(
        ReasonCode.NIGHT_CHARGE_REDUCED,
        {
            "day": "tomorrow",
            "condition": "sunny",
            "solar_kwh": 18,
            "surplus_kwh": 9.04,
            "target_pct": 30,
        },
    )
    assert render(reason, "ja") == (
        "明日は晴れで発電 18 kWh・余剰 9 kWh の予報のため、夜間の充電を 30 % までにします"
    )
    assert render(reason, "en") == (
        "Tomorrow: sunny, 18 kWh of solar and 9 kWh of surplus forecast, so the battery "
        "charges only to 30 % at night"
    )
    without_weather = Reason(
        ReasonCode.NIGHT_CHARGE_FULL, {"day": "today", "surplus_kwh": 0.72, "target_pct": 100}
    )
    assert render(without_weather, "ja") == (
        "今日は余剰が 0.7 kWh の予報のため、夜間の安い電気で 100 % まで充電します"
    )


def test_money_is_in_whole_yen_with_separators() -> None:
    reason = Reason(ReasonCode.PLAN_SAVING, SAMPLE)
    assert "1,598 yen" in reason.render("en")
    assert "(−35 yen) it saves 1,186 yen" in reason.render("en")
    assert "差 −35 円を含め 1,186 円おトク" in reason.render("ja")


def test_a_tank_from_its_litres_and_temperature() -> None:
    tank = WaterHeater.from_tank(370, 65.0, max_input_kw=1.5)
    assert tank.capacity_kwh == pytest.approx(370 * 4.186 / 3600 * 50)
    assert tank.heat_kwh == pytest.approx(370 * 4.186 / 3600 * 25)
    assert WaterHeater.tank_heat_kwh(370, 35.0, 40.0) == 0


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Battery(7, 3, 3, soc=1.2), "battery.soc"),
        (lambda: Battery(7, 3, 3, soc=0.5, reserve=0.9, max_soc=0.8), "battery.max_soc"),
        (lambda: WaterHeater(21.5, 30.0, 1.5), "water_heater.heat_kwh"),
        (lambda: WaterHeater(21.5, 5.0, 1.5, min_input_kw=2.0), "water_heater.min_input_kw"),
        (lambda: WaterHeater(21.5, 5.0, 1.5, reserve_kwh=30.0), "water_heater.reserve_kwh"),
        (lambda: ElectricVehicle(40, 3, 0.5, True, target_soc=0.9, max_soc=0.8), "ev.target_soc"),
        (lambda: ElectricVehicle(40, 3, 0.5, True, charge_efficiency=0.0), "ev.charge_efficiency"),
        (lambda: PlannerConfig(time_limit_s=0), "config.time_limit_s"),
        (lambda: PlannerConfig(terminal_discount=1.5), "config.terminal_discount"),
        (
            lambda: ElectricVehicle(
                40, 3, 0.5, True, departure=at("2026-06-01T07:00").replace(tzinfo=None)
            ),
            "ev.departure",
        ),
        (lambda: Forecast([0.1, 0.2], [0.3], [30.0, 30.0], [8.0, 8.0]), "forecast.load_kwh"),
        (lambda: Forecast([-0.1], [0.3], [30.0], [8.0]), "forecast.solar_kwh[0]"),
        (lambda: Forecast([float("nan")], [0.3], [30.0], [8.0]), "forecast.solar_kwh[0]"),
        (
            lambda: PlanInputs(
                at("2026-06-01T00:00"),
                Forecast([0.1], [0.3], [30.0], [8.0]),
                water_heater=WaterHeater(21.5, 5.0, 1.5),
            ),
            "forecast.hot_water_kwh",
        ),
    ],
)
def test_bad_inputs_say_what_is_wrong(build: object, field: str) -> None:
    with pytest.raises(PlannerInputError) as caught:
        build()  # type: ignore[operator]
    assert caught.value.field == field
    assert field in str(caught.value)
