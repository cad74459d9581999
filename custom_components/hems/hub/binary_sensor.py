"""Binary sensors of ECHONET Lite devices (fault status on every device)."""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.components.binary_sensor import BinarySensorEntity

from ..echonet.node import EchonetObject
from .catalog import BINARY_SENSORS, FAULT
from .coordinator import EchonetNodeCoordinator
from .descriptions import HemsBinarySensorDescription
from .entity import HemsEchonetEntity


def entities(
    coordinator: EchonetNodeCoordinator, obj: EchonetObject
) -> Iterable[BinarySensorEntity]:
    for description in (FAULT, *BINARY_SENSORS.get(obj.class_code, ())):
        if description.exists(obj):
            yield HemsBinarySensor(coordinator, obj, description)


class HemsBinarySensor(HemsEchonetEntity, BinarySensorEntity):
    """A two-state property of an ECHONET Lite object."""

    entity_description: HemsBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        """On, off or unknown."""
        return self.entity_description.value(self.obj)
