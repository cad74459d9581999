"""The figures of the energy entry as sensor descriptions: prices, costs, rates, demand,
records and targets, computed by the coordinator (:mod:`.coordinator`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, UnitOfEnergy, UnitOfMass, UnitOfPower
from homeassistant.helpers.typing import StateType

from ..energy import PeriodFigures, RecordKind
from .coordinator import HomeData
from .runtime import HomeRuntime

CURRENCY = "JPY"
PRICE_UNIT = f"{CURRENCY}/{UnitOfEnergy.KILO_WATT_HOUR}"
KWH = UnitOfEnergy.KILO_WATT_HOUR


def format_number(value: Decimal | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


def percent(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value) * 100, 1)


@dataclass(frozen=True, kw_only=True)
class HomeSensorDescription(SensorEntityDescription):
    """A sensor computed by the coordinator from the ledger and the tariff."""

    value_fn: Callable[[HomeData], StateType | datetime]
    attrs_fn: Callable[[HomeData], dict[str, Any] | None] | None = None
    exists_fn: Callable[[HomeRuntime], bool] = lambda _runtime: True
    last_reset_fn: Callable[[HomeData], datetime | None] | None = None


def _always(_runtime: HomeRuntime) -> bool:
    return True


def _has(*roles: str) -> Callable[[HomeRuntime], bool]:
    def exists(runtime: HomeRuntime) -> bool:
        return all(runtime.sources.get(role) for role in roles)

    return exists


def _has_sale(runtime: HomeRuntime) -> bool:
    return runtime.tariff.sale is not None


def _has_co2(runtime: HomeRuntime) -> bool:
    return runtime.tariff.emission_factor is not None


def _cost_attrs(figures: PeriodFigures) -> dict[str, Any]:
    costs = figures.costs
    return {
        "purchase_kwh": format_number(costs.purchase_kwh),
        "energy_charge": format_number(costs.energy, 2),
        "fuel_adjustment": format_number(costs.fuel_adjustment, 2),
        "renewable_surcharge": format_number(costs.surcharge, 2),
        "by_period": {
            key: {"kwh": format_number(item.kwh), "energy_charge": format_number(item.energy, 2)}
            for key, item in costs.by_period.items()
        },
    }


def _price_attrs(data: HomeData) -> dict[str, Any]:
    price = data.snapshot.price
    return {
        "period": price.period_key,
        "period_name": price.period_name,
        "season": price.season_key,
        "day_type": price.day_type.value,
        "tier": price.tier_index + 1,
        "energy_price": format_number(price.energy_price, 4),
        "fuel_adjustment": format_number(price.fuel_adjustment, 4),
        "renewable_surcharge": format_number(price.renewable_surcharge, 4),
        "rates_estimated": price.rates_estimated,
        "valid_until": None if price.valid_until is None else price.valid_until.isoformat(),
        "tariff": data.snapshot.billing_month.key,
    }


def _bill_attrs(data: HomeData) -> dict[str, Any]:
    bill = data.snapshot.bill
    projected = bill.projected
    return {
        "billing_month": projected.billing_month.key,
        "kwh": format_number(projected.kwh),
        "basic_charge": format_number(projected.basic, 2),
        "energy_charge": format_number(projected.energy, 2),
        "fuel_adjustment": format_number(projected.fuel_adjustment, 2),
        "renewable_surcharge": format_number(projected.surcharge, 2),
        "so_far": format_number(bill.so_far.total, 0),
        "so_far_kwh": format_number(bill.so_far.kwh),
        "coverage": percent(bill.coverage),
        "rates_estimated": projected.rates_estimated,
        "sale_projected": None
        if bill.sale_projected is None
        else format_number(bill.sale_projected.amount, 0),
    }


def _today(data: HomeData) -> datetime:
    return data.snapshot.today.start


def _month(data: HomeData) -> datetime:
    return data.snapshot.month.start


def _on[T](which: str, fn: Callable[[PeriodFigures], T]) -> Callable[[HomeData], T]:
    """``fn`` applied to today's or this month's figures."""

    def get(data: HomeData) -> T:
        return fn(data.snapshot.today if which == "today" else data.snapshot.month)

    return get


def _totals_attrs(figures: PeriodFigures) -> dict[str, Any]:
    totals = figures.totals
    return {
        "purchase": format_number(totals.purchase),
        "sale": format_number(totals.sale),
        "generation": format_number(totals.generation),
        "battery_charge": format_number(totals.battery_charge),
        "battery_discharge": format_number(totals.battery_discharge),
    }


def _has_utility(kind: str) -> Callable[[HomeRuntime], bool]:
    def exists(runtime: HomeRuntime) -> bool:
        return getattr(runtime.tariff, kind) is not None and bool(runtime.sources.get(kind))

    return exists


def _has_avoided(runtime: HomeRuntime) -> bool:
    return _has_co2(runtime) and bool(runtime.sources.get("generation"))


#: The start of the day or of the billing month (the period totals' last reset).
_RESET: Final[dict[str, Callable[[HomeData], datetime]]] = {"today": _today, "month": _month}


def _period_total(
    which: str,
    name: str,
    *,
    money: bool = True,
    value: Callable[[PeriodFigures], float | None],
    attrs: Callable[[PeriodFigures], dict[str, Any]] | None = None,
    exists: Callable[[HomeRuntime], bool] | None = None,
) -> HomeSensorDescription:
    """A total of today or of the billing month: a cost (yen) or, with ``money`` False, CO2
    (kg); reset at the start of the period."""
    return HomeSensorDescription(
        key=f"{name}_{which}",
        translation_key=f"{name}_{which}",
        device_class=SensorDeviceClass.MONETARY if money else SensorDeviceClass.WEIGHT,
        native_unit_of_measurement=CURRENCY if money else UnitOfMass.KILOGRAMS,
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=0 if money else 1,
        value_fn=_on(which, value),
        attrs_fn=None if attrs is None else _on(which, attrs),
        last_reset_fn=_RESET[which],
        exists_fn=_always if exists is None else exists,
    )


def _period_ratio(
    which: str, name: str, value: Callable[[PeriodFigures], float | None], **kw: Any
) -> HomeSensorDescription:
    """A percentage of today or of the billing month."""
    return HomeSensorDescription(
        key=f"{name}_{which}",
        translation_key=f"{name}_{which}",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=_on(which, value),
        **kw,
    )


def _house_energy(which: str) -> HomeSensorDescription:
    """What the house used today or in the billing month (kWh)."""
    return HomeSensorDescription(
        key=f"house_energy_{which}",
        translation_key=f"house_energy_{which}",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=KWH,
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=2,
        value_fn=_on(which, lambda f: format_number(max(Decimal(0), f.totals.consumption))),
        attrs_fn=_on(which, _totals_attrs),
        last_reset_fn=_RESET[which],
    )


# The period sensors' calls look alike on purpose: each line is one figure of the period.
def _energy_total(
    which: str, channel: str, exists: Callable[[HomeRuntime], bool] | None = None
) -> HomeSensorDescription:
    """Purchased, sold or generated kWh of today or of the billing month (AiSEG2's 買電・売電・
    発電 figures), from the same slots as the house's use."""
    return HomeSensorDescription(
        key=f"{channel}_energy_{which}",
        translation_key=f"{channel}_energy_{which}",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=KWH,
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=2,
        value_fn=_on(which, lambda f: format_number(getattr(f.totals, channel))),
        last_reset_fn=_RESET[which],
        exists_fn=_always if exists is None else exists,
    )


def _period_sensors(which: str) -> list[HomeSensorDescription]:
    """Costs, revenue, house energy, self-sufficiency and consumption, CO2, water and gas
    costs of today (``which`` "today") or of the billing month ("month")."""
    return [
        _period_total(
            which,
            "purchase_cost",
            value=lambda f: format_number(f.costs.purchase_cost, 2),
            attrs=_cost_attrs,
        ),
        _period_total(
            which,
            "sale_revenue",
            value=lambda f: format_number(f.costs.sale_revenue, 2),
            attrs=lambda f: {"sale_kwh": format_number(f.costs.sale_kwh)},
            exists=_has_sale,
        ),
        _house_energy(which),
        _energy_total(which, "purchase"),
        _energy_total(which, "sale", _has_sale),
        _energy_total(which, "generation", _has("generation")),
        _period_ratio(which, "self_sufficiency", lambda f: percent(f.self_sufficiency)),
        _period_ratio(
            which,
            "self_consumption",
            lambda f: percent(f.self_consumption),
            exists_fn=_has("generation"),
        ),
        _period_total(
            which,
            "co2_emitted",
            money=False,
            value=lambda f: None if f.co2 is None else format_number(f.co2.emitted_kg),
            exists=_has_co2,
        ),
        _period_total(
            which,
            "co2_avoided",
            money=False,
            value=lambda f: None if f.co2 is None else format_number(f.co2.avoided_kg),
            exists=_has_avoided,
        ),
        _period_total(
            which,
            "water_cost",
            value=lambda f: format_number(f.water_cost, 2),
            attrs=lambda f: {"volume_m3": format_number(f.totals.water)},
            exists=_has_utility("water"),
        ),
        _period_total(
            which,
            "gas_cost",
            value=lambda f: format_number(f.gas_cost, 2),
            attrs=lambda f: {"volume_m3": format_number(f.totals.gas)},
            exists=_has_utility("gas"),
        ),
    ]


def _peak_attrs(data: HomeData) -> dict[str, Any] | None:
    peak = data.snapshot.month.peak
    if peak is None:
        return None
    return {
        "start": peak.start.isoformat(),
        "end": peak.end.isoformat(),
        "kwh": format_number(peak.kwh),
        "average_kw": format_number(peak.average_kw),
    }


def _year_peak(data: HomeData) -> float | None:
    """The highest 30-minute demand of the last 12 months (kW)."""
    peaks = [peak for _, peak in data.monthly_peaks if peak is not None]
    if not peaks:
        return None
    return format_number(max(peak.average_kw for peak in peaks))


def _year_peak_attrs(data: HomeData) -> dict[str, Any]:
    """Each month's peak (newest first): month, kW, when."""
    return {
        "months": [
            {
                "month": first.strftime("%Y-%m"),
                "average_kw": None if peak is None else format_number(peak.average_kw),
                "start": None if peak is None else peak.start.isoformat(),
            }
            for first, peak in data.monthly_peaks
        ]
    }


def _record(kind: RecordKind) -> HomeSensorDescription:
    def value(data: HomeData) -> float | None:
        record = data.records.get(kind)
        return None if record is None else format_number(record.value)

    def attrs(data: HomeData) -> dict[str, Any] | None:
        record = data.records.get(kind)
        return None if record is None else {"date": record.day.isoformat()}

    exists = {
        RecordKind.BEST_GENERATION: _has("generation"),
        RecordKind.BEST_SALE: _has("sale"),
    }.get(kind, lambda _runtime: True)
    return HomeSensorDescription(
        key=f"record_{kind.value}",
        translation_key=f"record_{kind.value}",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=KWH,
        suggested_display_precision=2,
        value_fn=value,
        attrs_fn=attrs,
        exists_fn=exists,
    )


def _target(kind: str, unit: str) -> HomeSensorDescription:
    def value(data: HomeData) -> float | None:
        progress = data.targets.get(kind)
        return None if progress is None else percent(progress.fraction)

    def attrs(data: HomeData) -> dict[str, Any] | None:
        progress = data.targets.get(kind)
        if progress is None:
            return None
        return {
            "used": format_number(progress.used),
            "target": format_number(progress.target),
            "projected": format_number(progress.projected),
            "remaining": format_number(progress.remaining),
            "unit": unit,
            "elapsed": percent(progress.elapsed_fraction),
            "about_to_exceed": progress.about_to_exceed,
            "exceeded": progress.exceeded,
        }

    return HomeSensorDescription(
        key=f"{kind}_target",
        translation_key=f"{kind}_target",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=value,
        attrs_fn=attrs,
        exists_fn=lambda r: kind in r.settings.targets,
    )


# Declarative on purpose: one description per figure (the duplicates tool pairs their shapes).
SENSORS: tuple[HomeSensorDescription, ...] = (
    HomeSensorDescription(
        key="electricity_price",
        translation_key="electricity_price",
        native_unit_of_measurement=PRICE_UNIT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=lambda d: format_number(d.snapshot.price.price_per_kwh, 4),
        attrs_fn=_price_attrs,
    ),
    HomeSensorDescription(
        key="sale_price",
        translation_key="sale_price",
        native_unit_of_measurement=PRICE_UNIT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=lambda d: (
            None
            if d.snapshot.sale_price is None
            else format_number(d.snapshot.sale_price.price_per_kwh, 4)
        ),
        attrs_fn=lambda d: (
            None
            if d.snapshot.sale_price is None
            else {
                "stage": d.snapshot.sale_price.stage_index + 1,
                "scheme": d.snapshot.sale_price.scheme.value,
            }
        ),
        exists_fn=_has_sale,
    ),
    HomeSensorDescription(
        key="tariff_period",
        translation_key="tariff_period",
        device_class=SensorDeviceClass.ENUM,
        value_fn=lambda d: d.snapshot.price.period_key,
        attrs_fn=lambda d: {"period_name": d.snapshot.price.period_name},
    ),
    HomeSensorDescription(
        key="projected_bill",
        translation_key="projected_bill",
        device_class=SensorDeviceClass.MONETARY,
        native_unit_of_measurement=CURRENCY,
        suggested_display_precision=0,
        value_fn=lambda d: format_number(d.snapshot.bill.projected.total, 0),
        attrs_fn=_bill_attrs,
    ),
    *_period_sensors("today"),
    *_period_sensors("month"),
    HomeSensorDescription(
        key="peak_demand",
        translation_key="peak_demand",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=KWH,
        suggested_display_precision=2,
        value_fn=lambda d: None if (p := d.snapshot.month.peak) is None else format_number(p.kwh),
        attrs_fn=_peak_attrs,
    ),
    HomeSensorDescription(
        key="peak_demand_power",
        translation_key="peak_demand_power",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.KILO_WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=lambda d: (
            None if (p := d.snapshot.month.peak) is None else format_number(p.average_kw)
        ),
        attrs_fn=_peak_attrs,
    ),
    HomeSensorDescription(
        key="peak_demand_year",
        translation_key="peak_demand_year",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.KILO_WATT,
        suggested_display_precision=2,
        value_fn=_year_peak,
        attrs_fn=_year_peak_attrs,
    ),
    HomeSensorDescription(
        key="peak_demand_time",
        translation_key="peak_demand_time",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda d: None if (p := d.snapshot.month.peak) is None else p.start,
    ),
    _record(RecordKind.BEST_GENERATION),
    _record(RecordKind.BEST_SALE),
    _record(RecordKind.LOWEST_CONSUMPTION),
    _target("electricity", KWH),
    _target("gas", "m³"),
    _target("water", "m³"),
)
