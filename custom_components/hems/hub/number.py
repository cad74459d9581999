"""Number entities of ECHONET Lite devices (charge amounts, levels, set values...)."""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.components.number import NumberEntity

from ..echonet.node import EchonetObject
from .catalog import NUMBERS
from .coordinator import EchonetNodeCoordinator
from .descriptions import HemsNumberDescription
from .entity import HemsEchonetEntity, encode, number_value
from .generic import generic_entities
from .platform import object_entities


def entities(coordinator: EchonetNodeCoordinator, obj: EchonetObject) -> Iterable[NumberEntity]:
    """The curated numbers of the object's class, then its generic ones."""
    curated = NUMBERS.get(obj.class_code, ())
    return object_entities(coordinator, obj, HemsNumber, curated, generic_entities(obj).numbers)


class HemsNumber(HemsEchonetEntity, NumberEntity):
    """A numeric setting of an ECHONET Lite object."""

    entity_description: HemsNumberDescription

    @property
    def native_value(self) -> float | None:
        """The device's current value."""
        value = number_value(self.obj, self.entity_description.epcs[0])
        return None if value is None else value * self.entity_description.scale

    async def async_set_native_value(self, value: float) -> None:
        """Set the value (confirmed by the device)."""
        epc = self.entity_description.epcs[0]
        raw = value / self.entity_description.scale
        native: float | int = round(raw) if float(raw).is_integer() else raw
        await self.async_set_properties({epc: encode(self.obj, epc, native)})
