"""Small, hand-checkable planner situations for the planner tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
import math
from zoneinfo import ZoneInfo

from custom_components.hems.energy import SalePlan, Tariff, preset_tariff
from custom_components.hems.energy.planner import (
    SLOT,
    Battery,
    ElectricVehicle,
    Forecast,
    PlanInputs,
    PlannerConfig,
    TariffPrices,
    WaterHeater,
)

JST = ZoneInfo("Asia/Tokyo")
DAY_PRICE = 39.74
NIGHT_PRICE = 31.84


def tariff() -> Tariff:
    """スマートライフ-like: night 01:00-06:00 (31.84 yen all-in), day 39.74; sale 8 yen (卒FIT)."""
    return replace(preset_tariff("smart_life"), sale=SalePlan.flat(8))


PRICES = TariffPrices(tariff())


def at(text: str) -> datetime:
    """An aware Tokyo datetime from ``YYYY-MM-DDTHH:MM``."""
    return datetime.fromisoformat(text).replace(tzinfo=JST)


def solar_kwh(when: datetime, peak_kwh: float) -> float:
    """A clear-day bell from 06:00 to 18:00 peaking at noon (kWh per slot)."""
    hour = when.hour + when.minute / 60 + 0.25
    return max(0.0, math.sin((hour - 6) / 12 * math.pi)) * peak_kwh


def house_load(when: datetime) -> float:
    """0.4 kWh per slot from 06:00 to 23:00, 0.15 at night."""
    return 0.4 if 6 <= when.hour < 23 else 0.15


def hot_water(when: datetime) -> float:
    """Draws: baths 19:00-21:00 (2 kWh per slot), a little in the morning."""
    if 19 <= when.hour < 21:
        return 2.0
    if 6 <= when.hour < 8:
        return 0.3
    return 0.02


def battery(soc: float = 0.2, **changes: float | bool) -> Battery:
    """7 kWh, 3 kW, 90 % round trip, 20 % reserve."""
    return replace(
        Battery(7.0, 3.0, 3.0, soc=soc, round_trip_efficiency=0.9, reserve=0.2), **changes
    )


def water_heater(heat_kwh: float = 8.0) -> WaterHeater:
    """370 L EcoCute (21.5 kWh usable), 1.5 kW heat pump, 2 kWh reserve."""
    return WaterHeater(capacity_kwh=21.5, heat_kwh=heat_kwh, max_input_kw=1.5, reserve_kwh=2.0)


def ev(
    soc: float = 0.5, departure: datetime | None = None, **changes: float | bool
) -> ElectricVehicle:
    """40 kWh car on a 3 kW charger, plugged in, 80 % wanted at ``departure``."""
    car = ElectricVehicle(40.0, 3.0, soc=soc, plugged=True, departure=departure, target_soc=0.8)
    return replace(car, **changes)


def inputs(
    start: str = "2026-06-01T22:00",
    slots: int = 48,
    *,
    sun: float = 1.9,
    with_battery: Battery | None = None,
    with_water_heater: WaterHeater | None = None,
    with_ev: ElectricVehicle | None = None,
    contract_kw: float | None = None,
    config: PlannerConfig | None = None,
    condition: str = "sunny",
) -> PlanInputs:
    """A horizon from ``start`` with the clear-day sun scaled to ``sun`` kWh per slot at noon."""
    first = at(start)
    times = [first + index * SLOT for index in range(slots)]
    purchase, sale = PRICES.horizon(first, slots)
    return PlanInputs(
        start=first,
        forecast=Forecast(
            solar_kwh=[solar_kwh(when, sun) for when in times],
            load_kwh=[house_load(when) for when in times],
            purchase_price=purchase,
            sale_price=sale,
            hot_water_kwh=[hot_water(when) for when in times],
            outdoor_c=[20.0] * slots,
            conditions=[condition] * slots,
        ),
        battery=with_battery,
        water_heater=with_water_heater,
        ev=with_ev,
        contract_kw=contract_kw,
        cop=[3.0] * slots,
        config=config or PlannerConfig(),
    )
