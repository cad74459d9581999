"""Why the plan does what it does: a reason is a stable code plus parameters, rendered in
English or Japanese.

Codes are what a user interface keys on (a translation, an icon, a test); parameters carry the
numbers.  Parameter names say their unit by suffix and are formatted by it: ``*_kwh`` (one
decimal, none when it is 0: 18 kWh, 8.7 kWh), ``*_pct`` (whole per cent), ``*_yen`` (whole
yen; ``*_diff_yen`` signed), ``*_price`` (yen/kWh, one decimal), ``*_s`` (seconds); times
(``start``, ``end``, ``departure``, ``until``) are local ``HH:MM`` strings; ``condition`` is a
Home Assistant weather condition (``sunny``, ``cloudy`` ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

Language = Literal["en", "ja"]
LANGUAGES: tuple[Language, ...] = ("en", "ja")


class ReasonCode(StrEnum):
    """Every reason the planner gives."""

    # the plan as a whole
    PLAN_SAVING = "plan_saving"
    FALLBACK_INFEASIBLE = "fallback_infeasible"
    FALLBACK_EV_TARGET = "fallback_ev_target"
    FALLBACK_TIMEOUT = "fallback_timeout"
    FALLBACK_SOLVER = "fallback_solver"
    FALLBACK_NO_FORECAST = "fallback_no_forecast"
    # decisions (one per device and horizon)
    NIGHT_CHARGE_REDUCED = "night_charge_reduced"
    NIGHT_CHARGE_FULL = "night_charge_full"
    NIGHT_CHARGE_NONE = "night_charge_none"
    BATTERY_RESERVE_KEPT = "battery_reserve_kept"
    WATER_HEATER_DAYTIME = "water_heater_daytime"
    WATER_HEATER_NIGHT = "water_heater_night"
    WATER_HEATER_NOT_NEEDED = "water_heater_not_needed"
    EV_SOLAR_CHARGE = "ev_solar_charge"
    EV_NIGHT_CHARGE = "ev_night_charge"
    EV_NOT_NEEDED = "ev_not_needed"
    # actions in one slot
    BATTERY_CHARGE_CHEAP = "battery_charge_cheap"
    BATTERY_STORE_SURPLUS = "battery_store_surplus"
    BATTERY_DISCHARGE = "battery_discharge"
    BATTERY_HOLD = "battery_hold"
    BATTERY_AUTO = "battery_auto"
    BOIL_SURPLUS = "boil_surplus"
    BOIL_CHEAP = "boil_cheap"
    BOIL_KEEP_HOT_WATER = "boil_keep_hot_water"
    EV_CHARGE_SURPLUS = "ev_charge_surplus"
    EV_CHARGE_CHEAP = "ev_charge_cheap"
    EV_CHARGE_DEADLINE = "ev_charge_deadline"
    EV_SUPPLY_HOUSE = "ev_supply_house"
    DEVICE_AUTOMATIC = "device_automatic"
    DEVICE_REFUSED = "device_refused"


@dataclass(frozen=True, slots=True)
class Reason:
    """A reason: its code and the numbers that go with it."""

    code: ReasonCode
    params: Mapping[str, str | float | int] = field(default_factory=dict)

    def render(self, language: Language = "en") -> str:
        """The reason in plain words."""
        return render(self, language)

    def as_dict(self) -> dict[str, str | float | int]:
        """``{"code": ..., **params}`` (JSON-able, for attributes and diagnostics)."""
        return {"code": self.code.value, **self.params}


_CONDITIONS: Mapping[str, tuple[str, str]] = {
    "sunny": ("sunny", "晴れ"),
    "clear-night": ("clear", "晴れ"),
    "partlycloudy": ("partly cloudy", "晴れ時々曇り"),
    "cloudy": ("cloudy", "曇り"),
    "fog": ("foggy", "霧"),
    "rainy": ("rainy", "雨"),
    "pouring": ("pouring", "大雨"),
    "lightning": ("stormy", "雷"),
    "lightning-rainy": ("stormy", "雷雨"),
    "snowy": ("snowy", "雪"),
    "snowy-rainy": ("sleety", "みぞれ"),
    "hail": ("hail", "ひょう"),
    "windy": ("windy", "強風"),
    "windy-variant": ("windy", "強風"),
    "exceptional": ("exceptional weather", "荒天"),
}

# (English, Japanese) per code.  ``{condition_phrase}`` is filled in from ``condition``.
_TEMPLATES: Mapping[ReasonCode, tuple[str, str]] = {
    ReasonCode.PLAN_SAVING: (
        "Expected cost of this plan {cost_yen} yen against {baseline_yen} yen without planning; "
        "with the energy left stored at the end ({stored_diff_yen} yen) it saves {saving_yen} yen",
        "この計画の見込み電気代は {cost_yen} 円、計画なしでは {baseline_yen} 円です"
        "（最後に蓄えに残るエネルギーの差 {stored_diff_yen} 円を含め {saving_yen} 円おトク）",
    ),
    ReasonCode.FALLBACK_INFEASIBLE: (
        "No plan satisfies every limit ({detail}); the devices run in their automatic modes",
        "すべての条件を満たす計画が立てられないため（{detail}）、各機器の自動運転に戻します",
    ),
    ReasonCode.FALLBACK_EV_TARGET: (
        "The EV cannot reach {target_pct} % by {departure} (needs {needed_kwh} kWh, at most "
        "{possible_kwh} kWh possible); it charges now at full power and the other devices run "
        "in their automatic modes",
        "EV を {departure} までに {target_pct} % にできないため（必要 {needed_kwh} kWh・最大 "
        "{possible_kwh} kWh）、すぐに最大出力で充電し、他の機器は自動運転に戻します",
    ),
    ReasonCode.FALLBACK_TIMEOUT: (
        "The plan was not found within {limit_s} s; the devices run in their automatic modes",
        "{limit_s} 秒以内に計画が求まらなかったため、各機器の自動運転に戻します",
    ),
    ReasonCode.FALLBACK_SOLVER: (
        "The solver failed ({status}); the devices run in their automatic modes",
        "計算に失敗したため（{status}）、各機器の自動運転に戻します",
    ),
    ReasonCode.FALLBACK_NO_FORECAST: (
        "No solar forecast is available; the devices run in their automatic modes",
        "発電予報がないため、各機器の自動運転に戻します",
    ),
    ReasonCode.NIGHT_CHARGE_REDUCED: (
        "{day_en}{condition_phrase}{solar_kwh} kWh of solar and {surplus_kwh} kWh of surplus "
        "forecast, so the battery charges only to {target_pct} % at night",
        "{day_ja}は{condition_phrase}発電 {solar_kwh} kWh・余剰 {surplus_kwh} kWh の予報のため、"
        "夜間の充電を {target_pct} % までにします",
    ),
    ReasonCode.NIGHT_CHARGE_FULL: (
        "{day_en}{condition_phrase}only {surplus_kwh} kWh of surplus forecast, so the battery "
        "charges to {target_pct} % at the night price",
        "{day_ja}は{condition_phrase}余剰が {surplus_kwh} kWh の予報のため、"
        "夜間の安い電気で {target_pct} % まで充電します",
    ),
    ReasonCode.NIGHT_CHARGE_NONE: (
        "{day_en}{condition_phrase}{surplus_kwh} kWh of surplus forecast, enough to charge the "
        "battery with solar, so it does not charge at night",
        "{day_ja}は{condition_phrase}余剰 {surplus_kwh} kWh の予報で太陽光で充電できるため、"
        "夜間は充電しません",
    ),
    ReasonCode.BATTERY_RESERVE_KEPT: (
        "Weather warning: the battery is kept full ({target_pct} %) and does not discharge",
        "気象警報のため、蓄電池を満充電（{target_pct} %）に保ち、放電しません",
    ),
    ReasonCode.WATER_HEATER_DAYTIME: (
        "The EcoCute heats water with surplus solar {start}–{end} ({energy_kwh} kWh) instead "
        "of at night",
        "余剰電力を使うため、エコキュートを夜間ではなく {start}–{end} に沸き上げます"
        "（{energy_kwh} kWh）",
    ),
    ReasonCode.WATER_HEATER_NIGHT: (
        "The EcoCute heats water at the night price {start}–{end} ({energy_kwh} kWh)",
        "エコキュートは夜間の安い時間帯 {start}–{end} に沸き上げます（{energy_kwh} kWh）",
    ),
    ReasonCode.WATER_HEATER_NOT_NEEDED: (
        "The tank holds enough hot water; the EcoCute does not heat",
        "お湯が足りているため、エコキュートは沸き上げません",
    ),
    ReasonCode.EV_SOLAR_CHARGE: (
        "The EV charges with surplus solar {start}–{end} ({energy_kwh} kWh)",
        "余剰電力で {start}–{end} に EV を充電します（{energy_kwh} kWh）",
    ),
    ReasonCode.EV_NIGHT_CHARGE: (
        "The EV charges {start}–{end} ({energy_kwh} kWh) to reach {target_pct} % by {departure}",
        "出発 {departure} までに {target_pct} % にするため、{start}–{end} に EV を充電します"
        "（{energy_kwh} kWh）",
    ),
    ReasonCode.EV_NOT_NEEDED: (
        "The EV needs no charge before it leaves",
        "出発までに EV の充電は必要ありません",
    ),
    ReasonCode.BATTERY_CHARGE_CHEAP: (
        "Charge at the low price ({price} yen/kWh)",
        "安い時間帯（{price} 円/kWh）に充電",
    ),
    ReasonCode.BATTERY_STORE_SURPLUS: (
        "Store surplus solar instead of selling it at {sale_price} yen/kWh",
        "余剰電力を {sale_price} 円/kWh で売らずにためる",
    ),
    ReasonCode.BATTERY_DISCHARGE: (
        "Discharge instead of buying at {price} yen/kWh",
        "{price} 円/kWh の買電の代わりに放電",
    ),
    ReasonCode.BATTERY_HOLD: (
        "Hold the charge for the dearer hours from {until}",
        "{until} からの高い時間帯のために放電を控える",
    ),
    ReasonCode.BATTERY_AUTO: (
        "Automatic: store surplus, cover the house",
        "自動：余剰をためて家の消費をまかなう",
    ),
    ReasonCode.BOIL_SURPLUS: (
        "Heat water with surplus solar",
        "余剰電力で沸き上げ",
    ),
    ReasonCode.BOIL_CHEAP: (
        "Heat water at the low price ({price} yen/kWh)",
        "安い時間帯（{price} 円/kWh）に沸き上げ",
    ),
    ReasonCode.BOIL_KEEP_HOT_WATER: (
        "Heat water so that it does not run out",
        "お湯切れを防ぐため沸き増し",
    ),
    ReasonCode.EV_CHARGE_SURPLUS: (
        "Charge the EV with surplus solar",
        "余剰電力で EV を充電",
    ),
    ReasonCode.EV_CHARGE_CHEAP: (
        "Charge the EV at the low price ({price} yen/kWh)",
        "安い時間帯（{price} 円/kWh）に EV を充電",
    ),
    ReasonCode.EV_CHARGE_DEADLINE: (
        "Charge the EV to reach the target by {departure}",
        "{departure} の出発までに目標まで EV を充電",
    ),
    ReasonCode.EV_SUPPLY_HOUSE: (
        "The EV supplies the house instead of buying at {price} yen/kWh",
        "{price} 円/kWh の買電の代わりに EV から給電",
    ),
    ReasonCode.DEVICE_AUTOMATIC: (
        "Device in its automatic mode",
        "機器の自動運転",
    ),
    ReasonCode.DEVICE_REFUSED: (
        "{device} refused the planner's command ({detail}); it runs in its automatic mode",
        "{device}が計画の指示を受け付けなかったため（{detail}）、自動運転に戻しました",
    ),
}

_DAYS: Mapping[str, tuple[str, str]] = {
    "today": ("Today: ", "今日"),
    "tomorrow": ("Tomorrow: ", "明日"),
}


def _format_value(name: str, value: str | float | int) -> str:
    if isinstance(value, str):
        return value
    if name.endswith("_kwh"):
        text = f"{value:.1f}"
        return text.removesuffix(".0")
    if name.endswith("_pct"):
        return f"{round(value):d}"
    if name.endswith("_diff_yen"):
        return f"{round(value):+,d}".replace("-", "−")
    if name.endswith("_yen"):
        return f"{round(value):,d}"
    if name.endswith("price"):
        return f"{value:.1f}"
    if name.endswith("_s"):
        return f"{value:g}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def render(reason: Reason, language: Language = "en") -> str:
    """``reason`` in English (``"en"``) or Japanese (``"ja"``)."""
    english, japanese = _TEMPLATES[reason.code]
    values = {name: _format_value(name, value) for name, value in reason.params.items()}
    day = str(reason.params.get("day", "tomorrow"))
    day_en, day_ja = _DAYS.get(day, _DAYS["tomorrow"])
    condition = reason.params.get("condition")
    words = _CONDITIONS.get(condition) if isinstance(condition, str) else None
    if language == "ja":
        phrase = f"{words[1]}で" if words else ""
        template = japanese
    else:
        phrase = f"{words[0]}, " if words else ""
        template = english
    values.update(day_en=day_en, day_ja=day_ja, condition_phrase=phrase)
    return template.format_map(_Missing(values))


class _Missing(dict[str, str]):
    """Leaves an unknown placeholder visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
