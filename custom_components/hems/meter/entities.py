"""Entities of a B-route smart meter: power, currents, energy counters, fixed-time values,
link quality and connection state.

Unique ids are ``broute_<meter MAC>-<key>``; the keys are those of the ECHONET Lite smart meter
(class 0x0288) entities of the hub, so the energy entry finds either kind of meter.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
)
from homeassistant.components.sensor import (
    RestoreSensor,
    SensorEntity,
)
from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from ..const import DOMAIN
from ..echonet.manufacturers import manufacturer_name
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


def unwrap(value: float, reference: float | None, span: float | None) -> float:
    """``value`` plus whole counter spans, to be no more than half a span below ``reference``."""
    if reference is None or span is None or span <= 0:
        return value
    while value < reference - span / 2:
        value += span
    return round(value, 6)


class BrouteCounterSensor(BrouteSensor, RestoreSensor):
    """A lifetime energy counter: monotonic across counter wraps, restarts and glitches, and
    advanced at once by a newer fixed-time push."""

    def __init__(
        self,
        coordinator: BrouteCoordinator,
        description: BrouteSensorDescription,
        info: DeviceInfo,
    ) -> None:
        super().__init__(coordinator, description, info)
        self._last: float | None = None

    async def async_added_to_hass(self) -> None:
        """Restore the last value (to continue across a wrap while Home Assistant was off)."""
        await super().async_added_to_hass()
        last = await self.async_get_last_sensor_data()
        if last is not None and isinstance(last.native_value, int | float):
            self._last = float(last.native_value)
        self._update_value()

    @callback
    def _handle_coordinator_update(self) -> None:
        self._update_value()
        super()._handle_coordinator_update()

    def _update_value(self) -> None:
        data = self.coordinator.data
        reading = data.reading
        importing = self.entity_description.counter == "import"
        value = reading.energy_import_kwh if importing else reading.energy_export_kwh
        span = None
        if reading.digits is not None:
            span = 10**reading.digits * reading.unit_kwh * reading.coefficient
        fixed = data.fixed
        pushed = None if fixed is None else (fixed.import_kwh if importing else fixed.export_kwh)
        if pushed is not None:
            pushed = unwrap(pushed, value if value is not None else self._last, span)
            value = pushed if value is None else max(value, pushed)
        if value is None:
            return
        value = unwrap(value, self._last, span)
        if self._last is not None and value < self._last:
            value = self._last  # a glitch or an older value: counters never go back
        self._last = value

    @property
    def native_value(self) -> StateValue:
        """The counter in kWh."""
        return self._last


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
