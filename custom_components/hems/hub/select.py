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


def entities(coordinator: EchonetNodeCoordinator, obj: EchonetObject) -> Iterable[SelectEntity]:
    for description in SELECTS.get(obj.class_code, ()):
        if description.exists(obj):
            yield HemsSelect(coordinator, obj, description)
    for description in generic_entities(obj).selects:
        yield HemsSelect(coordinator, obj, description)


class HemsSelect(HemsEchonetEntity, SelectEntity):
    """An enumerated setting of an ECHONET Lite object."""

    entity_description: HemsSelectDescription

    def __init__(
        self,
        coordinator: EchonetNodeCoordinator,
        obj: EchonetObject,
        description: HemsSelectDescription,
    ) -> None:
        super().__init__(coordinator, obj, description)
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
