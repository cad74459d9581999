"""Fans: ventilation fans 0x0133, air conditioner ventilation fans 0x0134, air cleaners 0x0135.

On/off 0x80; the air flow rate 0xA0 (levels 1-8) as the speed and its "auto" as the preset
``auto``.  The ventilation mode of 0x0134 (0xB2) is not a preset: presets are one setting, and
"auto" air flow already is that setting (the generic fallback offers the mode as a select).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
import math
from typing import Any, Final

from homeassistant.components.fan import FanEntity, FanEntityDescription, FanEntityFeature
from homeassistant.util.percentage import (
    percentage_to_ranged_value,
    ranged_value_to_percentage,
)

from ..echonet.definitions.names import (
    AirCleaner,
    AirConditionerVentilationFan,
    SuperClass,
    VentilationFan,
)
from ..echonet.node import EchonetObject
from .coordinator import EchonetNodeCoordinator
from .entity import HemsEchonetEntity, HemsEntityDescription, encode, is_operating

PRESET_AUTO: Final = "auto"
#: On/off and the air flow rate: the same properties in every fan class.
OPERATION_STATUS: Final = SuperClass.OPERATION_STATUS
AIR_FLOW: Final = VentilationFan.AIR_FLOW_LEVEL
FAN_CLASSES: Final = frozenset(
    {VentilationFan.CODE, AirConditionerVentilationFan.CODE, AirCleaner.CODE}
)


@dataclass(frozen=True, kw_only=True)
class HemsFanDescription(HemsEntityDescription, FanEntityDescription):
    """A fan of an ECHONET Lite object."""


FAN: Final = HemsFanDescription(
    key="fan", translation_key="fan", name=None, epcs=(OPERATION_STATUS, AIR_FLOW)
)


def entities(coordinator: EchonetNodeCoordinator, obj: EchonetObject) -> Iterable[FanEntity]:
    if obj.class_code in FAN_CLASSES and FAN.exists(obj):
        yield HemsFan(coordinator, obj, FAN)


class HemsFan(HemsEchonetEntity, FanEntity):
    """A fan: on/off, air flow level as the speed, "auto" air flow as a preset."""

    entity_description: HemsFanDescription

    def _configure(self) -> None:
        super()._configure()
        obj = self.obj
        features = FanEntityFeature(0)
        if OPERATION_STATUS in obj.set_map:
            features |= FanEntityFeature.TURN_ON | FanEntityFeature.TURN_OFF
        self._levels = 0
        if AIR_FLOW in obj.set_map:
            flow = obj.prop(AIR_FLOW)
            self._levels = flow.levels or 0
            if self._levels:
                features |= FanEntityFeature.SET_SPEED
                self._attr_speed_count = self._levels
            if any(o.key == PRESET_AUTO and not o.read_only for o in flow.options):
                features |= FanEntityFeature.PRESET_MODE
                self._attr_preset_modes = [PRESET_AUTO]
        self._attr_supported_features = features

    @property
    def is_on(self) -> bool | None:
        """On, off or unknown (0x80)."""
        return is_operating(self.obj)

    @property
    def percentage(self) -> int | None:
        """The air flow level as a percentage (0 while off, None on "auto")."""
        if self.is_on is False:
            return 0
        value = self.obj.value(AIR_FLOW)
        if not self._levels or not isinstance(value, int) or isinstance(value, bool):
            return None
        return ranged_value_to_percentage((1, self._levels), value)

    @property
    def preset_mode(self) -> str | None:
        """The "auto" preset while the air flow is automatic."""
        return PRESET_AUTO if self.obj.value(AIR_FLOW) == PRESET_AUTO else None

    async def async_turn_on(
        self,
        percentage: int | None = None,
        preset_mode: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Switch on, at a speed or preset when given (one Set)."""
        values: dict[int, Any] = {}
        if OPERATION_STATUS in self.obj.set_map:
            values[OPERATION_STATUS] = "true"
        if preset_mode is not None:
            values[AIR_FLOW] = preset_mode
        elif percentage is not None and self._levels:
            values[AIR_FLOW] = self._level(percentage)
        await self._async_set(values)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off."""
        await self._async_set({OPERATION_STATUS: "false"})

    async def async_set_percentage(self, percentage: int) -> None:
        """Set the air flow level (0 % switches off; a speed switches on)."""
        if percentage == 0:
            await self.async_turn_off()
            return
        await self.async_turn_on(percentage=percentage)

    async def async_set_preset_mode(self, preset_mode: str) -> None:
        """Set the air flow to "auto"."""
        await self._async_set({AIR_FLOW: preset_mode})

    def _level(self, percentage: int) -> int:
        return max(1, math.ceil(percentage_to_ranged_value((1, self._levels), percentage)))

    async def _async_set(self, values: dict[int, Any]) -> None:
        await self.async_set_properties(
            {epc: encode(self.obj, epc, value) for epc, value in values.items()}
        )
