"""Entities of the energy entry: one "HEMS home" device with its figures (:mod:`.figures`),
the live overview of the home (house power, rooms, contract current, locks and openings) and
the notices; the alarm mode (報知モード) is in :mod:`.alarm`."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
)
from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorStateClass,
)
from homeassistant.const import (
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
from ..energy import house_consumption
from .coordinator import HomeCoordinator
from .figures import SENSORS, HomeSensorDescription, format_number, percent
from .runtime import (
    ALARM_EVENT_TYPES,
    EVENT_ALARM,
    EVENT_NOTICE,
    NOTICE_EVENT_TYPES,
    SIGNAL_HOME_EVENT,
    HomeRuntime,
)
from .sources import is_insecure, is_lock_like, power_reading


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
            "current": format_number(status.current, 1),
            "contract": format_number(status.contract, 0),
            "ratio": percent(status.ratio),
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
