"""Selects of ECHONET Lite devices (operation modes of batteries and EV chargers...)."""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.components.select import SelectEntity

from ..echonet.node import EchonetObject
from .catalog import SELECTS
from .coordinator import EchonetNodeCoordinator
from .descriptions import HemsSelectDescription
from .entity import HemsEchonetEntity, encode, state_value
from .generic import generic_entities
from .platform import object_entities


def entities(coordinator: EchonetNodeCoordinator, obj: EchonetObject) -> Iterable[SelectEntity]:
    """The curated selects of the object's class, then its generic ones."""
    curated = SELECTS.get(obj.class_code, ())
    return object_entities(coordinator, obj, HemsSelect, curated, generic_entities(obj).selects)


class HemsSelect(HemsEchonetEntity, SelectEntity):
    """An enumerated setting of an ECHONET Lite object."""

    entity_description: HemsSelectDescription

    def _configure(self) -> None:
        super()._configure()
        obj = self.obj
        description = self.entity_description
        prop = obj.prop(description.epcs[0])
        self._attr_options = [
            o.key for o in prop.options if not o.read_only and o.key not in description.exclude
        ]

    @property
    def current_option(self) -> str | None:
        """The device's current state (None when it is not one of the options)."""
        state = state_value(self.obj, self.entity_description.epcs[0])
        return state if state in self._attr_options else None

    async def async_select_option(self, option: str) -> None:
        """Set the option (confirmed by the device)."""
        epc = self.entity_description.epcs[0]
        await self.async_set_properties({epc: encode(self.obj, epc, option)})
