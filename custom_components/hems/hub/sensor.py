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
from .descriptions import HemsSensorDescription, SensorValue
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
        if description.exists(obj):
            yield HemsSensor(coordinator, obj, description)
    for description in generic_entities(obj).sensors:
        yield HemsSensor(coordinator, obj, description)


class HemsSensor(HemsEchonetEntity, SensorEntity, RestoreEntity):
    """A sensor showing one value of an ECHONET Lite object."""

    entity_description: HemsSensorDescription

    def __init__(
        self,
        coordinator: EchonetNodeCoordinator,
        obj: EchonetObject,
        description: HemsSensorDescription,
    ) -> None:
        super().__init__(coordinator, obj, description)
        self._last: float | None = None
        if description.device_class == SensorDeviceClass.ENUM and description.options is None:
            self._attr_options = [o.key for o in obj.prop(description.epcs[0]).options]

    async def async_added_to_hass(self) -> None:
        """Restore the last counter value, so a counter never goes backwards across restarts."""
        await super().async_added_to_hass()
        if not self.entity_description.monotonic:
            return
        if (state := await self.async_get_last_state()) is not None:
            try:
                self._last = float(state.state)
            except ValueError:
                self._last = None

    @property
    def native_value(self) -> SensorValue:
        """The value, with lifetime counters kept monotonic."""
        value = self.entity_description.value(self.obj)
        if not self.entity_description.monotonic or not isinstance(value, int | float):
            return value
        last = self._last
        if last is not None and value < last and value > last * 0.5:
            # A small step back is a glitch (a late or rounded answer): keep the counter.
            return last
        self._last = float(value)
        return value

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Extra attributes (e.g. when a fixed-time value was measured)."""
        if self.entity_description.attrs_fn is None:
            return None
        return self.entity_description.attrs_fn(self.obj)
