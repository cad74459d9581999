"""Switches of ECHONET Lite devices (EcoCute boiling and bath, fuel cell generation...)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .catalog import SWITCHES
from .coordinator import EchonetNodeCoordinator
from .descriptions import HemsSwitchDescription
from .echonet.node import EchonetObject
from .entity import HemsEchonetEntity, encode
from .generic import generic_entities
from .models import HemsConfigEntry
from .platform import async_setup_kind_platform, async_setup_objects

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HemsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up switches."""
    if await async_setup_kind_platform(hass, entry, async_add_entities, "switch"):
        return
    async_setup_objects(hass, entry, async_add_entities, _entities)


def _entities(coordinator: EchonetNodeCoordinator, obj: EchonetObject) -> Iterable[SwitchEntity]:
    for description in SWITCHES.get(obj.class_code, ()):
        if description.exists(obj):
            yield HemsSwitch(coordinator, obj, description)
    for description in generic_entities(obj).switches:
        yield HemsSwitch(coordinator, obj, description)


class HemsSwitch(HemsEchonetEntity, SwitchEntity):
    """A two-state setting of an ECHONET Lite object."""

    entity_description: HemsSwitchDescription

    @property
    def is_on(self) -> bool | None:
        """On, off or unknown."""
        return self.entity_description.is_on(self.obj)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on (confirmed by the device)."""
        await self._write(self.entity_description.on_state)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off (confirmed by the device)."""
        await self._write(self.entity_description.off_state)

    async def _write(self, state: str) -> None:
        epc = self.entity_description.epcs[0]
        await self.async_set_properties({epc: encode(self.obj, epc, state)})
