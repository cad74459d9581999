"""Switches of ECHONET Lite devices (EcoCute boiling and bath, fuel cell generation...)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from homeassistant.components.switch import SwitchEntity

from ..echonet.node import EchonetObject
from .catalog import SWITCHES
from .coordinator import EchonetNodeCoordinator
from .descriptions import HemsSwitchDescription
from .entity import HemsEchonetEntity, encode
from .generic import generic_entities
from .platform import object_entities


def entities(coordinator: EchonetNodeCoordinator, obj: EchonetObject) -> Iterable[SwitchEntity]:
    """The curated switches of the object's class, then its generic ones."""
    curated = SWITCHES.get(obj.class_code, ())
    return object_entities(coordinator, obj, HemsSwitch, curated, generic_entities(obj).switches)


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
