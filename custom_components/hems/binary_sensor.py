"""Binary sensors of ECHONET Lite devices (fault status on every device)."""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .catalog import BINARY_SENSORS, FAULT
from .coordinator import EchonetNodeCoordinator
from .descriptions import HemsBinarySensorDescription
from .echonet.node import EchonetObject
from .entity import HemsEchonetEntity
from .models import HemsConfigEntry
from .platform import async_setup_kind_platform, async_setup_objects

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HemsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up binary sensors."""
    if await async_setup_kind_platform(hass, entry, async_add_entities, "binary_sensor"):
        return
    async_setup_objects(hass, entry, async_add_entities, _entities)


def _entities(
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
