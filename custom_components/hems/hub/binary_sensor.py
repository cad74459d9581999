"""Binary sensors of ECHONET Lite devices (fault status on every device)."""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.components.binary_sensor import BinarySensorEntity

from ..echonet.node import EchonetObject
from .catalog import BINARY_SENSORS, FAULT
from .coordinator import EchonetNodeCoordinator
from .descriptions import HemsBinarySensorDescription
from .entity import HemsEchonetEntity
from .platform import object_entities


def entities(
    coordinator: EchonetNodeCoordinator, obj: EchonetObject
) -> Iterable[BinarySensorEntity]:
    """The fault status, then the binary sensors of the object's class."""
    curated = (FAULT, *BINARY_SENSORS.get(obj.class_code, ()))
    return object_entities(coordinator, obj, HemsBinarySensor, curated)


class HemsBinarySensor(HemsEchonetEntity, BinarySensorEntity):
    """A two-state property of an ECHONET Lite object."""

    entity_description: HemsBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        """On, off or unknown."""
        return self.entity_description.value(self.obj)
