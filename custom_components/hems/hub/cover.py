"""Covers: electrically operated blinds, shutters, curtains, gates, windows and entrance doors.

Classes 0x0260 ... 0x0266 share the open/close properties: open/close/stop through 0xE0,
the degree of opening 0xE1 (0-100 %, 100 = open) as the position where the device reports it
(settable position where it can set it), and the open/closed status 0xEA (fully open, fully
closed, opening, closing, stopped halfway).  Without 0xEA the position tells open from closed;
with neither (many curtains and simple shutters have only 0xE0) the last open/close/stop the
device reports in 0xE0 does: closed after "close", open after "open" or "stop" (halfway).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
import logging
from typing import Any, Final

from homeassistant.components.cover import (
    ATTR_POSITION,
    CoverDeviceClass,
    CoverEntity,
    CoverEntityDescription,
    CoverEntityFeature,
)

from ..echonet import EchonetError
from ..echonet.definitions.names import (
    ElectricBlindShade,
    ElectricCurtain,
    ElectricDoor,
    ElectricGate,
    ElectricRainDoor,
    ElectricShutter,
    ElectricWindow,
)
from ..echonet.node import EchonetObject, Priority
from ..models import EnergyRole
from .coordinator import EchonetNodeCoordinator
from .entity import HemsEchonetEntity, HemsEntityDescription, encode, number_value, state_value

_LOGGER = logging.getLogger(__name__)


#: The open/close properties, the same in every cover class: open/close/stop, the degree of
#: opening, the open/closed status.
OPERATION: Final = ElectricRainDoor.OPEN_CLOSE_OPERATION
POSITION: Final = ElectricRainDoor.DEGREE_OF_OPENING
STATUS: Final = ElectricRainDoor.OPEN_CLOSE_STATUS
#: Properties that show where the cover is (read back after a command unless announced).
STATUS_EPCS: Final = (POSITION, STATUS)
#: What each settable operation (0xE0) lets the user do.
_OPERATION_FEATURES: Final = {
    "open": CoverEntityFeature.OPEN,
    "close": CoverEntityFeature.CLOSE,
    "stop": CoverEntityFeature.STOP,
}


@dataclass(frozen=True, kw_only=True)
class HemsCoverDescription(HemsEntityDescription, CoverEntityDescription):
    """A cover of an ECHONET Lite object."""


def _cover(device_class: CoverDeviceClass, *, watched: bool = False) -> HemsCoverDescription:
    # Position and status change while the cover moves: poll them at the fast interval too.
    # ``watched``: a way into the house (window, door, gate, shutter): the alarm mode watches
    # it by default (an opening source of the energy entry).
    return HemsCoverDescription(
        key="cover",
        name=None,
        device_class=device_class,
        epcs=(OPERATION, POSITION, STATUS),
        fast=True,
        energy_role=EnergyRole("openings", 2) if watched else None,
    )


COVERS: Final[dict[int, HemsCoverDescription]] = {
    ElectricBlindShade.CODE: _cover(CoverDeviceClass.BLIND),
    ElectricShutter.CODE: _cover(CoverDeviceClass.SHUTTER, watched=True),
    ElectricCurtain.CODE: _cover(CoverDeviceClass.CURTAIN),
    ElectricRainDoor.CODE: _cover(CoverDeviceClass.SHUTTER, watched=True),
    ElectricGate.CODE: _cover(CoverDeviceClass.GATE, watched=True),
    ElectricWindow.CODE: _cover(CoverDeviceClass.WINDOW, watched=True),
    ElectricDoor.CODE: _cover(CoverDeviceClass.DOOR, watched=True),
}


def entities(coordinator: EchonetNodeCoordinator, obj: EchonetObject) -> Iterable[CoverEntity]:
    description = COVERS.get(obj.class_code)
    if description is not None and description.exists(obj):
        yield HemsCover(coordinator, obj, description)


class HemsCover(HemsEchonetEntity, CoverEntity):
    """An electrically operated cover."""

    entity_description: HemsCoverDescription

    def _configure(self) -> None:
        super()._configure()
        obj = self.obj
        features = CoverEntityFeature(0)
        if OPERATION in obj.set_map:
            settable = {o.key for o in obj.prop(OPERATION).options if not o.read_only}
            for key in settable & _OPERATION_FEATURES.keys():
                features |= _OPERATION_FEATURES[key]
        if POSITION in obj.set_map:
            features |= CoverEntityFeature.SET_POSITION
        self._attr_supported_features = features

    @property
    def _status(self) -> str | None:
        return state_value(self.obj, STATUS) if STATUS in self.obj.get_map else None

    @property
    def current_cover_position(self) -> int | None:
        """Degree of opening (0xE1) where the device reports it."""
        if POSITION not in self.obj.get_map:
            return None
        value = number_value(self.obj, POSITION)
        return None if value is None else int(value)

    @property
    def is_closed(self) -> bool | None:
        """Closed when fully closed (0xEA), else from the position, else from the last
        operation (0xE0); None when unknown."""
        status = self._status
        if status is not None:
            return status == "fully_closed"
        position = self.current_cover_position
        if position is not None:
            return position == 0
        if STATUS in self.obj.get_map or POSITION in self.obj.get_map:
            return None  # not read yet
        operation = state_value(self.obj, OPERATION)
        return None if operation is None else operation == "close"

    @property
    def is_opening(self) -> bool:
        """Opening (0xEA)."""
        return self._status == "opening"

    @property
    def is_closing(self) -> bool:
        """Closing (0xEA)."""
        return self._status == "closing"

    async def async_open_cover(self, **kwargs: Any) -> None:
        """Open."""
        await self._command({OPERATION: "open"})

    async def async_close_cover(self, **kwargs: Any) -> None:
        """Close."""
        await self._command({OPERATION: "close"})

    async def async_stop_cover(self, **kwargs: Any) -> None:
        """Stop where it is."""
        await self._command({OPERATION: "stop"})

    async def async_set_cover_position(self, **kwargs: Any) -> None:
        """Move to a degree of opening."""
        await self._command({POSITION: int(kwargs[ATTR_POSITION])})

    async def _command(self, values: dict[int, Any]) -> None:
        """Send the command, then read what the cover does now unless the device announces it
        (what changed reaches the entity from the controller)."""
        await self.async_set_properties(
            {epc: encode(self.obj, epc, value) for epc, value in values.items()}
        )
        silent = [
            epc for epc in STATUS_EPCS if epc in self.obj.get_map and epc not in self.obj.inf_map
        ]
        if not silent:
            return
        try:
            await self.coordinator.hub.controller.get(self.obj, silent, priority=Priority.USER)
        except EchonetError as err:
            _LOGGER.debug("Reading %s after a command failed: %s", self.obj, err)
