"""Entities of the energy entry: one "HEMS home" device with prices, costs, rates, demand,
targets, records, the home overview, the notices and the alarm mode (報知モード)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
)
from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    UnitOfEnergy,
    UnitOfMass,
    UnitOfPower,
    UnitOfTemperature,
)
from homeassistant.core import callback
from homeassistant.helpers import area_registry as ar, device_registry as dr, entity_registry as er
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.typing import StateType
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from ..const import DOMAIN
from ..energy import PeriodFigures, RecordKind, house_consumption
from .coordinator import HomeCoordinator, HomeData
from .runtime import (
    ALARM_EVENT_TYPES,
    EVENT_ALARM,
    EVENT_NOTICE,
    NOTICE_EVENT_TYPES,
    SIGNAL_HOME_EVENT,
    HomeRuntime,
)
from .sources import is_insecure, is_lock_like, power_reading

CURRENCY = "JPY"
PRICE_UNIT = f"{CURRENCY}/{UnitOfEnergy.KILO_WATT_HOUR}"
KWH = UnitOfEnergy.KILO_WATT_HOUR


def home_device_info(runtime: HomeRuntime) -> DeviceInfo:
    """The single service device of the energy entry."""
    return DeviceInfo(
        identifiers={(DOMAIN, f"home-{runtime.entry.entry_id}")},
        translation_key="home",
        name="HEMS home",
        entry_type=DeviceEntryType.SERVICE,
        manufacturer="HEMS",
        model="Home energy management",
    )


def _f(value: Decimal | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


def _pct(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value) * 100, 1)


# ----------------------------------------------------------------------------- sensors


@dataclass(frozen=True, kw_only=True)
class HomeSensorDescription(SensorEntityDescription):
    """A sensor computed by the coordinator from the ledger and the tariff."""

    value_fn: Callable[[HomeData], StateType | datetime]
    attrs_fn: Callable[[HomeData], dict[str, Any] | None] | None = None
    exists_fn: Callable[[HomeRuntime], bool] = lambda _runtime: True
    last_reset_fn: Callable[[HomeData], datetime | None] | None = None


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
        "purchase_kwh": _f(costs.purchase_kwh),
        "energy_charge": _f(costs.energy, 2),
        "fuel_adjustment": _f(costs.fuel_adjustment, 2),
        "renewable_surcharge": _f(costs.surcharge, 2),
        "by_period": {
            key: {"kwh": _f(item.kwh), "energy_charge": _f(item.energy, 2)}
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
        "energy_price": _f(price.energy_price, 4),
        "fuel_adjustment": _f(price.fuel_adjustment, 4),
        "renewable_surcharge": _f(price.renewable_surcharge, 4),
        "rates_estimated": price.rates_estimated,
        "valid_until": None if price.valid_until is None else price.valid_until.isoformat(),
        "tariff": data.snapshot.billing_month.key,
    }


def _bill_attrs(data: HomeData) -> dict[str, Any]:
    bill = data.snapshot.bill
    projected = bill.projected
    return {
        "billing_month": projected.billing_month.key,
        "kwh": _f(projected.kwh),
        "basic_charge": _f(projected.basic, 2),
        "energy_charge": _f(projected.energy, 2),
        "fuel_adjustment": _f(projected.fuel_adjustment, 2),
        "renewable_surcharge": _f(projected.surcharge, 2),
        "so_far": _f(bill.so_far.total, 0),
        "so_far_kwh": _f(bill.so_far.kwh),
        "coverage": _pct(bill.coverage),
        "rates_estimated": projected.rates_estimated,
        "sale_projected": None
        if bill.sale_projected is None
        else _f(bill.sale_projected.amount, 0),
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
        "purchase": _f(totals.purchase),
        "sale": _f(totals.sale),
        "generation": _f(totals.generation),
        "battery_charge": _f(totals.battery_charge),
        "battery_discharge": _f(totals.battery_discharge),
    }


def _has_utility(kind: str) -> Callable[[HomeRuntime], bool]:
    def exists(runtime: HomeRuntime) -> bool:
        return getattr(runtime.tariff, kind) is not None and bool(runtime.sources.get(kind))

    return exists


def _has_avoided(runtime: HomeRuntime) -> bool:
    return _has_co2(runtime) and bool(runtime.sources.get("generation"))


def _period_sensors() -> list[HomeSensorDescription]:
    out: list[HomeSensorDescription] = []
    for which, reset in (("today", _today), ("month", _month)):
        out += [
            HomeSensorDescription(
                key=f"purchase_cost_{which}",
                translation_key=f"purchase_cost_{which}",
                device_class=SensorDeviceClass.MONETARY,
                native_unit_of_measurement=CURRENCY,
                state_class=SensorStateClass.TOTAL,
                suggested_display_precision=0,
                value_fn=_on(which, lambda f: _f(f.costs.purchase_cost, 2)),
                attrs_fn=_on(which, _cost_attrs),
                last_reset_fn=reset,
            ),
            HomeSensorDescription(
                key=f"sale_revenue_{which}",
                translation_key=f"sale_revenue_{which}",
                device_class=SensorDeviceClass.MONETARY,
                native_unit_of_measurement=CURRENCY,
                state_class=SensorStateClass.TOTAL,
                suggested_display_precision=0,
                value_fn=_on(which, lambda f: _f(f.costs.sale_revenue, 2)),
                attrs_fn=_on(which, lambda f: {"sale_kwh": _f(f.costs.sale_kwh)}),
                exists_fn=_has_sale,
                last_reset_fn=reset,
            ),
            HomeSensorDescription(
                key=f"house_energy_{which}",
                translation_key=f"house_energy_{which}",
                device_class=SensorDeviceClass.ENERGY,
                native_unit_of_measurement=KWH,
                state_class=SensorStateClass.TOTAL,
                suggested_display_precision=2,
                value_fn=_on(which, lambda f: _f(max(Decimal(0), f.totals.consumption))),
                attrs_fn=_on(which, _totals_attrs),
                last_reset_fn=reset,
            ),
            HomeSensorDescription(
                key=f"self_sufficiency_{which}",
                translation_key=f"self_sufficiency_{which}",
                native_unit_of_measurement=PERCENTAGE,
                state_class=SensorStateClass.MEASUREMENT,
                suggested_display_precision=0,
                value_fn=_on(which, lambda f: _pct(f.self_sufficiency)),
            ),
            HomeSensorDescription(
                key=f"self_consumption_{which}",
                translation_key=f"self_consumption_{which}",
                native_unit_of_measurement=PERCENTAGE,
                state_class=SensorStateClass.MEASUREMENT,
                suggested_display_precision=0,
                value_fn=_on(which, lambda f: _pct(f.self_consumption)),
                exists_fn=_has("generation"),
            ),
            HomeSensorDescription(
                key=f"co2_emitted_{which}",
                translation_key=f"co2_emitted_{which}",
                device_class=SensorDeviceClass.WEIGHT,
                native_unit_of_measurement=UnitOfMass.KILOGRAMS,
                state_class=SensorStateClass.TOTAL,
                suggested_display_precision=1,
                value_fn=_on(which, lambda f: None if f.co2 is None else _f(f.co2.emitted_kg)),
                exists_fn=_has_co2,
                last_reset_fn=reset,
            ),
            HomeSensorDescription(
                key=f"co2_avoided_{which}",
                translation_key=f"co2_avoided_{which}",
                device_class=SensorDeviceClass.WEIGHT,
                native_unit_of_measurement=UnitOfMass.KILOGRAMS,
                state_class=SensorStateClass.TOTAL,
                suggested_display_precision=1,
                value_fn=_on(which, lambda f: None if f.co2 is None else _f(f.co2.avoided_kg)),
                exists_fn=_has_avoided,
                last_reset_fn=reset,
            ),
            HomeSensorDescription(
                key=f"water_cost_{which}",
                translation_key=f"water_cost_{which}",
                device_class=SensorDeviceClass.MONETARY,
                native_unit_of_measurement=CURRENCY,
                state_class=SensorStateClass.TOTAL,
                suggested_display_precision=0,
                value_fn=_on(which, lambda f: _f(f.water_cost, 2)),
                attrs_fn=_on(which, lambda f: {"volume_m3": _f(f.totals.water)}),
                exists_fn=_has_utility("water"),
                last_reset_fn=reset,
            ),
            HomeSensorDescription(
                key=f"gas_cost_{which}",
                translation_key=f"gas_cost_{which}",
                device_class=SensorDeviceClass.MONETARY,
                native_unit_of_measurement=CURRENCY,
                state_class=SensorStateClass.TOTAL,
                suggested_display_precision=0,
                value_fn=_on(which, lambda f: _f(f.gas_cost, 2)),
                attrs_fn=_on(which, lambda f: {"volume_m3": _f(f.totals.gas)}),
                exists_fn=_has_utility("gas"),
                last_reset_fn=reset,
            ),
        ]
    return out


def _peak_attrs(data: HomeData) -> dict[str, Any] | None:
    peak = data.snapshot.month.peak
    if peak is None:
        return None
    return {
        "start": peak.start.isoformat(),
        "end": peak.end.isoformat(),
        "kwh": _f(peak.kwh),
        "average_kw": _f(peak.average_kw),
    }


def _record(kind: RecordKind) -> HomeSensorDescription:
    def value(data: HomeData) -> float | None:
        record = data.records.get(kind)
        return None if record is None else _f(record.value)

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
        return None if progress is None else _pct(progress.fraction)

    def attrs(data: HomeData) -> dict[str, Any] | None:
        progress = data.targets.get(kind)
        if progress is None:
            return None
        return {
            "used": _f(progress.used),
            "target": _f(progress.target),
            "projected": _f(progress.projected),
            "remaining": _f(progress.remaining),
            "unit": unit,
            "elapsed": _pct(progress.elapsed_fraction),
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


SENSORS: tuple[HomeSensorDescription, ...] = (
    HomeSensorDescription(
        key="electricity_price",
        translation_key="electricity_price",
        native_unit_of_measurement=PRICE_UNIT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=lambda d: _f(d.snapshot.price.price_per_kwh, 4),
        attrs_fn=_price_attrs,
    ),
    HomeSensorDescription(
        key="sale_price",
        translation_key="sale_price",
        native_unit_of_measurement=PRICE_UNIT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=lambda d: (
            None if d.snapshot.sale_price is None else _f(d.snapshot.sale_price.price_per_kwh, 4)
        ),
        attrs_fn=lambda d: (
            None
            if d.snapshot.sale_price is None
            else {"stage": d.snapshot.sale_price.stage_index + 1}
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
        value_fn=lambda d: _f(d.snapshot.bill.projected.total, 0),
        attrs_fn=_bill_attrs,
    ),
    *_period_sensors(),
    HomeSensorDescription(
        key="peak_demand",
        translation_key="peak_demand",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=KWH,
        suggested_display_precision=2,
        value_fn=lambda d: None if (p := d.snapshot.month.peak) is None else _f(p.kwh),
        attrs_fn=_peak_attrs,
    ),
    HomeSensorDescription(
        key="peak_demand_power",
        translation_key="peak_demand_power",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.KILO_WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=lambda d: None if (p := d.snapshot.month.peak) is None else _f(p.average_kw),
        attrs_fn=_peak_attrs,
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


class HomeEntity(Entity):
    """An entity of the HEMS home device."""

    _attr_has_entity_name = True

    def __init__(self, runtime: HomeRuntime, key: str) -> None:
        self.runtime = runtime
        self._attr_unique_id = f"{runtime.entry.entry_id}-{key}"
        self._attr_device_info = home_device_info(runtime)


class HomeSensor(HomeEntity, CoordinatorEntity[HomeCoordinator], SensorEntity):
    """A figure of the energy entry."""

    entity_description: HomeSensorDescription

    def __init__(self, runtime: HomeRuntime, description: HomeSensorDescription) -> None:
        HomeEntity.__init__(self, runtime, description.key)
        CoordinatorEntity.__init__(self, runtime.coordinator)
        self.entity_description = description

    @property
    def native_value(self) -> StateType | datetime:
        """The figure."""
        data = self.coordinator.data
        return None if data is None else self.entity_description.value_fn(data)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Details."""
        data = self.coordinator.data
        if data is None or self.entity_description.attrs_fn is None:
            return None
        return self.entity_description.attrs_fn(data)

    @property
    def last_reset(self) -> datetime | None:
        """Start of the day or billing month for period totals."""
        data = self.coordinator.data
        if data is None or self.entity_description.last_reset_fn is None:
            return None
        return self.entity_description.last_reset_fn(data)


# ----------------------------------------------------------------------------- live entities


class HomeLiveEntity(HomeEntity):
    """An entity computed from other entities' states when they change."""

    _attr_should_poll = False

    async def async_added_to_hass(self) -> None:
        """Follow the live sources."""
        await super().async_added_to_hass()
        self._recompute()
        self.async_on_remove(self.runtime.async_add_live_listener(self._async_changed))

    @callback
    def _async_changed(self) -> None:
        self._recompute()
        self.async_write_ha_state()

    def _recompute(self) -> None:
        """Update the cached values from the states."""


class HousePowerSensor(HomeLiveEntity, SensorEntity):
    """House consumption power: purchase - sale + generation + discharge - charge."""

    _attr_translation_key = "house_power"
    _attr_device_class = SensorDeviceClass.POWER
    _attr_native_unit_of_measurement = UnitOfPower.WATT
    _attr_state_class = SensorStateClass.MEASUREMENT
    _attr_suggested_display_precision = 0

    def __init__(self, runtime: HomeRuntime) -> None:
        super().__init__(runtime, "house_power")

    def _sum(self, role: str) -> float | None:
        values = [
            power_reading(self.hass.states.get(entity_id))
            for entity_id in self.runtime.sources.get(role)
        ]
        known = [value for value in values if value is not None]
        return sum(known) if known else None

    def _recompute(self) -> None:
        purchase = self._sum("purchase_power")
        if purchase is None:
            self._attr_native_value = None
            return
        parts = {
            role: self._sum(role) or 0.0
            for role in (
                "sale_power",
                "generation_power",
                "battery_discharge_power",
                "battery_charge_power",
            )
        }
        self._attr_native_value = round(
            float(
                house_consumption(
                    purchase,
                    parts["sale_power"],
                    parts["generation_power"],
                    parts["battery_discharge_power"],
                    parts["battery_charge_power"],
                )
            ),
            1,
        )


class RoomTemperatureSensor(HomeLiveEntity, SensorEntity):
    """Warmest or coldest room among the temperature sources."""

    _attr_device_class = SensorDeviceClass.TEMPERATURE
    _attr_native_unit_of_measurement = UnitOfTemperature.CELSIUS
    _attr_state_class = SensorStateClass.MEASUREMENT
    _attr_suggested_display_precision = 1

    def __init__(self, runtime: HomeRuntime, *, warmest: bool) -> None:
        key = "warmest_room" if warmest else "coldest_room"
        super().__init__(runtime, key)
        self._attr_translation_key = key
        self._warmest = warmest

    def _room(self, entity_id: str) -> str:
        """Area of the entity (or its device), else its friendly name."""
        entry = er.async_get(self.hass).async_get(entity_id)
        area_id = None if entry is None else entry.area_id
        if area_id is None and entry is not None and entry.device_id is not None:
            device = dr.async_get(self.hass).async_get(entry.device_id)
            area_id = None if device is None else device.area_id
        if area_id is not None and (area := ar.async_get(self.hass).async_get_area(area_id)):
            return area.name
        state = self.hass.states.get(entity_id)
        return state.name if state is not None else entity_id

    def _recompute(self) -> None:
        readings: list[tuple[float, str]] = []
        for entity_id in self.runtime.sources.get("temperature"):
            state = self.hass.states.get(entity_id)
            if state is None:
                continue
            try:
                value = float(state.state)
            except ValueError:
                continue
            if state.attributes.get("unit_of_measurement") == UnitOfTemperature.FAHRENHEIT:
                value = (value - 32) * 5 / 9
            readings.append((value, entity_id))
        if not readings:
            self._attr_native_value = None
            self._attr_extra_state_attributes = {}
            return
        value, entity_id = max(readings) if self._warmest else min(readings)
        self._attr_native_value = round(value, 1)
        self._attr_extra_state_attributes = {"room": self._room(entity_id), "source": entity_id}


# ----------------------------------------------------------------------------- binary sensors


class ContractCurrentBinarySensor(HomeLiveEntity, BinarySensorEntity):
    """On when the current draw reaches the warning level of the contract current."""

    _attr_translation_key = "contract_current"
    _attr_device_class = BinarySensorDeviceClass.PROBLEM

    def __init__(self, runtime: HomeRuntime) -> None:
        super().__init__(runtime, "contract_current")

    def _recompute(self) -> None:
        status = self.runtime.live.ampere
        if status is None:
            self._attr_is_on = None
            self._attr_extra_state_attributes = {"contract": self.runtime.settings.contract_amperes}
            return
        self._attr_is_on = status.level.value != "ok"
        self._attr_extra_state_attributes = {
            "level": status.level.value,
            "current": _f(status.current, 1),
            "contract": _f(status.contract, 0),
            "ratio": _pct(status.ratio),
            "estimated": not self.runtime.sources.get("current"),
        }


def security_entities(runtime: HomeRuntime) -> tuple[list[str], list[str]]:
    """(locks, doors and windows) among the detected sources and the alarm's entities."""
    hass = runtime.hass
    locks = list(runtime.sources.get("locks"))
    openings = list(runtime.sources.get("openings"))
    for entity_id in runtime.alarm_entities():
        if entity_id in locks or entity_id in openings:
            continue
        state = hass.states.get(entity_id)
        (locks if is_lock_like(state) or entity_id.startswith("lock.") else openings).append(
            entity_id
        )
    return locks, openings


class SecuritySummaryBinarySensor(HomeLiveEntity, BinarySensorEntity):
    """ "All locked" (on when every lock is locked) or "any open" (on when a door/window is)."""

    def __init__(self, runtime: HomeRuntime, *, locks: bool) -> None:
        key = "all_locked" if locks else "any_open"
        super().__init__(runtime, key)
        self._attr_translation_key = key
        self._locks = locks
        if not locks:
            self._attr_device_class = BinarySensorDeviceClass.OPENING

    def _recompute(self) -> None:
        locks, openings = security_entities(self.runtime)
        watched = locks if self._locks else openings
        states = {entity_id: is_insecure(self.hass.states.get(entity_id)) for entity_id in watched}
        insecure = [entity_id for entity_id, bad in states.items() if bad]
        unknown = [entity_id for entity_id, bad in states.items() if bad is None]
        if self._locks:
            self._attr_is_on = None if unknown and not insecure else not insecure
        else:
            self._attr_is_on = None if unknown and not insecure else bool(insecure)
        self._attr_extra_state_attributes = {
            "unlocked" if self._locks else "open": insecure,
            "unknown": unknown,
            "entities": watched,
        }


# ----------------------------------------------------------------------------- events


class HomeEventEntity(HomeEntity, EventEntity):
    """Alarm or notice events of the energy entry."""

    _attr_should_poll = False

    def __init__(self, runtime: HomeRuntime, key: str, event_types: list[str]) -> None:
        super().__init__(runtime, f"{key}_event")
        self.entity_description = EventEntityDescription(
            key=key, translation_key=key, event_types=event_types
        )
        self._key = key

    async def async_added_to_hass(self) -> None:
        """Listen to the runtime's events."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                SIGNAL_HOME_EVENT.format(self.runtime.entry.entry_id),
                self._async_event,
            )
        )

    @callback
    def _async_event(self, key: str, event_type: str, data: dict[str, Any]) -> None:
        if key != self._key:
            return
        self._trigger_event(event_type, data)
        self.async_write_ha_state()


def event_entities(runtime: HomeRuntime) -> list[HomeEventEntity]:
    """The alarm and notice event entities."""
    return [
        HomeEventEntity(runtime, EVENT_ALARM, ALARM_EVENT_TYPES),
        HomeEventEntity(runtime, EVENT_NOTICE, NOTICE_EVENT_TYPES),
    ]


def sensor_entities(runtime: HomeRuntime) -> list[SensorEntity]:
    """Every sensor of the energy entry that its sources and tariff allow."""
    out: list[SensorEntity] = []
    for description in SENSORS:
        if not description.exists_fn(runtime):
            continue
        if description.key == "tariff_period":
            description = replace(description, options=runtime.tariff.period_keys())
        out.append(HomeSensor(runtime, description))
    if runtime.sources.get("purchase_power"):
        out.append(HousePowerSensor(runtime))
    if runtime.sources.get("temperature"):
        out += [
            RoomTemperatureSensor(runtime, warmest=True),
            RoomTemperatureSensor(runtime, warmest=False),
        ]
    return out


def binary_sensor_entities(runtime: HomeRuntime) -> list[BinarySensorEntity]:
    """Contract-current alert and the lock/door summaries."""
    out: list[BinarySensorEntity] = []
    if runtime.settings.contract_amperes and (
        runtime.sources.get("current") or runtime.sources.get("purchase_power")
    ):
        out.append(ContractCurrentBinarySensor(runtime))
    locks, openings = security_entities(runtime)
    if locks:
        out.append(SecuritySummaryBinarySensor(runtime, locks=True))
    if openings:
        out.append(SecuritySummaryBinarySensor(runtime, locks=False))
    return out
