"""Buttons of ECHONET Lite devices (set-only properties such as counter resets)."""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.components.button import ButtonEntity

from ..echonet.node import EchonetObject
from .coordinator import EchonetNodeCoordinator
from .descriptions import HemsButtonDescription
from .entity import HemsEchonetEntity, encode
from .generic import generic_entities


def entities(coordinator: EchonetNodeCoordinator, obj: EchonetObject) -> Iterable[ButtonEntity]:
    for description in generic_entities(obj).buttons:
        yield HemsButton(coordinator, obj, description)


class HemsButton(HemsEchonetEntity, ButtonEntity):
    """A one-shot command to an ECHONET Lite object."""

    entity_description: HemsButtonDescription

    async def async_press(self) -> None:
        """Send the command (confirmed by the device's Set_Res)."""
        description = self.entity_description
        epc = description.epcs[0]
        edt = description.press_edt or encode(self.obj, epc, description.press_state)
        await self.async_set_properties({epc: edt})
