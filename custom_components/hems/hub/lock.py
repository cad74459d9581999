"""Locks of electric locks (0x026F): the main lock (0xE0) and the sub lock (0xE1).

The door guard, door open state, occupancy, alarm and battery of the same device are binary
sensors and sensors (see :mod:`.catalog`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.components.lock import LockEntity, LockEntityDescription

from ..echonet.definitions.names import ElectricLock
from ..echonet.node import EchonetObject
from ..models import EnergyRole
from .coordinator import EchonetNodeCoordinator
from .entity import HemsEchonetEntity, HemsEntityDescription, encode, state_value


@dataclass(frozen=True, kw_only=True)
class HemsLockDescription(HemsEntityDescription, LockEntityDescription):
    """A lock setting (state keys "true" locked / "false" unlocked) of the first EPC."""


LOCKS: Final = (
    HemsLockDescription(
        key="lock",
        name=None,
        energy_role=EnergyRole("locks"),
        epcs=(ElectricLock.MAIN_ELECTRIC_LOCK,),
        exists_fn=lambda obj: ElectricLock.MAIN_ELECTRIC_LOCK in obj.set_map,
    ),
    HemsLockDescription(
        key="sub_lock",
        translation_key="sub_lock",
        energy_role=EnergyRole("locks"),
        epcs=(ElectricLock.SUB_ELECTRIC_LOCK,),
        exists_fn=lambda obj: ElectricLock.SUB_ELECTRIC_LOCK in obj.set_map,
    ),
)


def entities(coordinator: EchonetNodeCoordinator, obj: EchonetObject) -> Iterable[LockEntity]:
    if obj.class_code != ElectricLock.CODE:
        return
    for description in LOCKS:
        if description.exists(obj):
            yield HemsLock(coordinator, obj, description)


class HemsLock(HemsEchonetEntity, LockEntity):
    """One lock of an electric lock; locking an open door is refused by the device."""

    entity_description: HemsLockDescription

    @property
    def is_locked(self) -> bool | None:
        """Locked, unlocked or unknown."""
        state = state_value(self.obj, self.entity_description.epcs[0])
        return {"true": True, "false": False}.get(state or "")

    async def async_lock(self, **kwargs: Any) -> None:
        """Lock (confirmed by the device)."""
        await self._write("true")

    async def async_unlock(self, **kwargs: Any) -> None:
        """Unlock (confirmed by the device)."""
        await self._write("false")

    async def _write(self, state: str) -> None:
        epc = self.entity_description.epcs[0]
        await self.async_set_properties({epc: encode(self.obj, epc, state)})
