"""Sensors of ECHONET Lite devices."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.helpers.restore_state import RestoreEntity

from ..echonet.definitions.names import PowerDistributionBoardMetering
from ..echonet.node import EchonetObject
from .catalog import COMMON_SENSORS, SENSORS, board_circuit_sensors
from .coordinator import EchonetNodeCoordinator
from .descriptions import HemsCircuitDescription, HemsSensorDescription, SensorValue
from .entity import HemsEchonetEntity
from .generic import generic_entities


def entities(coordinator: EchonetNodeCoordinator, obj: EchonetObject) -> Iterable[SensorEntity]:
    descriptions: list[HemsSensorDescription] = [
        *COMMON_SENSORS,
        *SENSORS.get(obj.class_code, ()),
    ]
    if obj.class_code == PowerDistributionBoardMetering.CODE:
        descriptions.extend(board_circuit_sensors(obj))
    for description in descriptions:
        if isinstance(description, HemsCircuitDescription):
            if description.exists(obj):
                yield HemsCircuitSensor(coordinator, obj, description)
        elif description.exists(obj):
            yield HemsSensor(coordinator, obj, description)
    for description in generic_entities(obj).sensors:
        yield HemsSensor(coordinator, obj, description)


class HemsSensor(HemsEchonetEntity, SensorEntity, RestoreEntity):
    """A sensor showing one value of an ECHONET Lite object."""

    entity_description: HemsSensorDescription

    def _configure(self) -> None:
        super()._configure()
        obj = self.obj
        description = self.entity_description
        self._last: float | None = None
        if description.device_class == SensorDeviceClass.ENUM and description.options is None:
            self._attr_options = [o.key for o in obj.prop(description.epcs[0]).options]

    async def async_added_to_hass(self) -> None:
        """Restore the last counter value, so a counter never goes backwards across restarts."""
        if self.entity_description.monotonic:
            state = await self.async_get_last_state()
            try:
                self._last = None if state is None else float(state.state)
            except ValueError:
                self._last = None
        await super().async_added_to_hass()

    def _value(self) -> SensorValue:
        return self.entity_description.value(self.obj)

    def _update_from_device(self) -> None:
        """The value, with lifetime counters kept monotonic."""
        value = self._value()
        if self.entity_description.monotonic and isinstance(value, int | float):
            last = self._last
            if last is not None and value < last and value > last * 0.5:
                # A small step back is a glitch (a late or rounded answer): keep the counter.
                value = last
            else:
                self._last = float(value)
        self._attr_native_value = value

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Extra attributes (e.g. when a fixed-time value was measured)."""
        if self.entity_description.attrs_fn is None:
            return None
        return self.entity_description.attrs_fn(self.obj)


class HemsCircuitSensor(HemsSensor):
    """Power or energy of one circuit of a distribution board (read after the board)."""

    entity_description: HemsCircuitDescription

    async def async_added_to_hass(self) -> None:
        """Follow the reads of the board's circuits too."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_board_listener(self.obj.eoj, self._async_write_device_state)
        )

    def _value(self) -> SensorValue:
        channels = self.coordinator.boards.get(self.obj.eoj)
        index = self.entity_description.circuit
        if channels is None or index >= channels.count:
            return None
        if self.entity_description.quantity == "power":
            return channels.power_w[index]
        return channels.energy_kwh[index]
