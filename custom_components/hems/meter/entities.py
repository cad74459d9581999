"""Entities of a B-route smart meter: power, currents, energy counters, fixed-time values,
link quality and connection state.

Unique ids are ``broute_<meter MAC>-<key>``; the keys are those of the ECHONET Lite smart meter
(class 0x0288) entities of the hub, so the energy entry finds either kind of meter.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
)
from homeassistant.components.sensor import (
    RestoreSensor,
    SensorEntity,
    SensorExtraStoredData,
)
from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from ..const import DOMAIN
from ..echonet.manufacturers import manufacturer_name
from ..energy.counter import HOUSEHOLD_MAX_KW, CounterNormaliser
from .coordinator import BrouteCoordinator
from .descriptions import CONNECTED, SENSORS, BrouteSensorDescription, StateValue
from .session import entity_unique_id


def device_info(coordinator: BrouteCoordinator, meter: dict[str, Any]) -> DeviceInfo:
    """The meter's device: maker from its manufacturer code, its serial number."""
    language = coordinator.hass.config.language or "en"
    code = meter.get("manufacturer")
    maker = manufacturer_name(code, language) if isinstance(code, int) else None
    serial = meter.get("serial")
    return DeviceInfo(
        identifiers={(DOMAIN, coordinator.uid)},
        translation_key="smart_meter",
        manufacturer=maker,
        model="ECHONET Lite 0x0288",
        serial_number=serial if isinstance(serial, str) and serial else None,
    )


def sensor_entities(coordinator: BrouteCoordinator, meter: dict[str, Any]) -> list[SensorEntity]:
    """The sensors this meter has."""
    info = device_info(coordinator, meter)
    out: list[SensorEntity] = []
    for description in SENSORS:
        if description.exists_fn is not None and not description.exists_fn(coordinator.data):
            continue
        if description.counter is not None:
            out.append(BrouteCounterSensor(coordinator, description, info))
        else:
            out.append(BrouteSensor(coordinator, description, info))
    return out


def binary_sensor_entities(
    coordinator: BrouteCoordinator, meter: dict[str, Any]
) -> list[BinarySensorEntity]:
    """The connection binary sensor."""
    return [BrouteConnectedSensor(coordinator, CONNECTED, device_info(coordinator, meter))]


class BrouteEntity(CoordinatorEntity[BrouteCoordinator]):
    """An entity of the smart meter."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: BrouteCoordinator, description: EntityDescription, info: DeviceInfo
    ) -> None:
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = entity_unique_id(coordinator.uid, description.key)
        self._attr_device_info = info


class BrouteSensor(BrouteEntity, SensorEntity):
    """A value of the meter (or of the session, for the diagnostic ones)."""

    entity_description: BrouteSensorDescription

    @property
    def available(self) -> bool:
        """Session sensors always; meter values while readings come in."""
        if self.entity_description.session_fn:
            return True
        return super().available and self.coordinator.live

    @property
    def native_value(self) -> StateValue:
        """The value."""
        return self.entity_description.value_fn(self.coordinator)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """When a fixed-time value was measured."""
        attrs_fn = self.entity_description.attrs_fn
        return None if attrs_fn is None else attrs_fn(self.coordinator)


class CounterStoredData(SensorExtraStoredData):
    """The sensor's restore data plus the counter's state."""

    def __init__(self, value: StateValue, unit: str | None, counter: dict[str, Any]) -> None:
        super().__init__(value, unit)
        self.counter = counter

    def as_dict(self) -> dict[str, Any]:
        """Native value, unit and counter state."""
        return {**super().as_dict(), "counter": self.counter}


class BrouteCounterSensor(BrouteSensor, RestoreSensor):
    """A lifetime energy counter through the one counter policy
    (:class:`~..energy.counter.CounterNormaliser`): wraps at 10 ** 0xD7 counts, no value while
    the meter's scaling is unusable, unavailable when the counter falls or jumps; advanced at
    once by a newer fixed-time push."""

    def __init__(
        self,
        coordinator: BrouteCoordinator,
        description: BrouteSensorDescription,
        info: DeviceInfo,
    ) -> None:
        super().__init__(coordinator, description, info)
        self._counter = CounterNormaliser(HOUSEHOLD_MAX_KW, name=str(description.key))
        coordinator.counters[description.key] = self._counter
        self._fed: float | None = None
        self._accepted = True

    async def async_added_to_hass(self) -> None:
        """Restore the counter (to continue across a wrap while Home Assistant was off)."""
        await super().async_added_to_hass()
        self._counter.name = self.entity_id
        extra = await self.async_get_last_extra_data()
        data = None if extra is None else extra.as_dict()
        if data is not None and not self._counter.restore(data.get("counter")):
            value = data.get("native_value")
            if isinstance(value, int | float):
                self._counter.restore_total(float(value), None)
        self._update_value()

    @property
    def extra_restore_state_data(self) -> CounterStoredData:
        """The value, its unit and the counter's state."""
        return CounterStoredData(
            self.native_value, self.native_unit_of_measurement, self._counter.to_dict()
        )

    @callback
    def _handle_coordinator_update(self) -> None:
        self._update_value()
        super()._handle_coordinator_update()

    def _reading(self) -> tuple[float | None, datetime]:
        """The counter's latest value (kWh, registers) and when it was measured."""
        data = self.coordinator.data
        reading = data.reading
        kind = self.entity_description.counter
        fixed = data.fixed
        if kind in ("fixed_import", "fixed_export"):
            if fixed is None:
                return None, reading.timestamp
            if kind == "fixed_import":
                return fixed.import_kwh, fixed.timestamp or reading.timestamp
            return fixed.export_kwh, fixed.export_timestamp or fixed.timestamp or reading.timestamp
        importing = kind == "import"
        value = reading.energy_import_kwh if importing else reading.energy_export_kwh
        when = reading.timestamp
        modulus = reading.modulus_kwh
        pushed = None if fixed is None else (fixed.import_kwh if importing else fixed.export_kwh)
        if (
            pushed is not None
            and reading.count_kwh is not None
            and (value is None or value < pushed < value + (modulus or pushed) / 2)
        ):
            # A fixed-time value newer than the last reading (a push between two polls).
            value = pushed
            if fixed is not None and fixed.timestamp is not None:
                when = max(when, fixed.timestamp)
        return value, when

    def _update_value(self) -> None:
        value, when = self._reading()
        reading = self.coordinator.data.reading
        if value is None:
            # No data: unknown before the first value, else unavailable (never stale); no
            # value at all while the meter's scaling is unusable (0xD3 = 0, no unit).
            self._accepted = self._counter.total is None and reading.count_kwh is not None
            return
        if value != self._fed:
            self._counter.modulus = reading.modulus_kwh
            self._counter.resolution = reading.count_kwh or 0.0
            self._fed = value
            self._accepted = self._counter.feed(value, when) is not None

    @property
    def available(self) -> bool:
        """Unavailable while the counter's reading is not a measurement."""
        return super().available and self._accepted

    @property
    def native_value(self) -> StateValue:
        """The counter in kWh."""
        return self._counter.total


class BrouteConnectedSensor(BrouteEntity, BinarySensorEntity):
    """On while the PANA session with the meter is up."""

    @property
    def available(self) -> bool:
        """Always: it tells whether the meter is reachable."""
        return True

    @property
    def is_on(self) -> bool:
        """Connected (also while re-authenticating or transmission-limited)."""
        return self.coordinator.session.state.is_connected
