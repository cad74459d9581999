"""Climate entities: home air conditioners (0x0130) and floor heaters (0x027B).

Air conditioner: on/off 0x80, operation mode 0xB0 (the unit's "auto" is Home Assistant's
``heat_cool``: it heats or cools towards one target), target temperature 0xB3, air flow 0xA0 as
fan modes ``auto`` and ``1``..``8``, automatic swing 0xA3 where the unit can set it, room
temperature 0xBB and humidity 0xBA.

Floor heater: on/off 0x80 (modes ``off`` / ``heat``), room temperature 0xE2 (the floor's 0xE3
when the room is not measured).  A heater that sets a temperature (0xE0) gets a target
temperature; one that only sets the 15-step level (0xE1) shows the level as presets ``level_1``
.. ``level_N`` (N from 0xD1, the highest level it accepts) and ``auto``: a level is not a
temperature, so it is never shown as degrees.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.components.climate import ClimateEntity, ClimateEntityDescription
from homeassistant.components.climate.const import (
    ATTR_HVAC_MODE,
    FAN_AUTO,
    SWING_BOTH,
    SWING_HORIZONTAL,
    SWING_OFF,
    SWING_VERTICAL,
    ClimateEntityFeature,
    HVACMode,
)
from homeassistant.const import ATTR_TEMPERATURE

from ..echonet.definitions.names import (
    FloorHeater as FH,
    HomeAirConditioner as AC,
    SuperClass,
)
from ..echonet.node import EchonetObject
from .coordinator import EchonetNodeCoordinator
from .entity import (
    HemsEchonetEntity,
    HemsEntityDescription,
    WholeDegreesCelsius,
    encode,
    number_value,
    state_value,
)

ON = "true"
OFF = "false"

#: 0x0130 0xB0 state key -> HVAC mode ("other" has none).
AC_MODES: Final[dict[str, HVACMode]] = {
    "auto": HVACMode.HEAT_COOL,
    "cooling": HVACMode.COOL,
    "heating": HVACMode.HEAT,
    "dehumidification": HVACMode.DRY,
    "circulation": HVACMode.FAN_ONLY,
}
#: 0x0130 0xA3 state key -> swing mode.
AC_SWING: Final[dict[str, str]] = {
    "off": SWING_OFF,
    "vertical": SWING_VERTICAL,
    "horizontal": SWING_HORIZONTAL,
    "vertical_and_horizontal": SWING_BOTH,
}
#: Target temperature range offered for air conditioners (the class allows 0-50 °C but
#: reports no unit's range; units refuse what they cannot do, which is shown as an error).
AC_MIN_TEMP: Final = 10
AC_MAX_TEMP: Final = 32
#: Target temperature range offered for floor heaters that set degrees (0xE0).
FLOOR_MIN_TEMP: Final = 10
FLOOR_MAX_TEMP: Final = 45
#: Levels of 0xE1 when the heater does not say its highest (0xD1).
FLOOR_LEVELS: Final = 15
PRESET_AUTO: Final = "auto"


@dataclass(frozen=True, kw_only=True)
class HemsClimateDescription(HemsEntityDescription, ClimateEntityDescription):
    """A climate entity of an ECHONET Lite object."""


AIR_CONDITIONER: Final = HemsClimateDescription(
    key="climate",
    translation_key="air_conditioner",
    name=None,
    epcs=(
        AC.OPERATION_STATUS,
        AC.OPERATION_MODE,
        AC.TARGET_TEMPERATURE,
        AC.AIR_FLOW_LEVEL,
        AC.AUTOMATIC_SWING_AIR_FLOW,
        AC.ROOM_TEMPERATURE,
        AC.HUMIDITY,
    ),
)
FLOOR_HEATER: Final = HemsClimateDescription(
    key="climate",
    translation_key="floor_heater",
    name=None,
    epcs=(
        FH.OPERATION_STATUS,
        FH.TARGET_TEMPERATURE1,
        FH.TARGET_TEMPERATURE2,
        FH.MAXIMUM_TARGET_TEMPERATURE2,
        FH.MEASURED_ROOM_TEMPERATURE,
        FH.MEASURED_FLOOR_TEMPERATURE,
    ),
)


def entities(coordinator: EchonetNodeCoordinator, obj: EchonetObject) -> Iterable[ClimateEntity]:
    if obj.class_code == AC.CODE and AIR_CONDITIONER.exists(obj):
        yield HemsAirConditioner(coordinator, obj, AIR_CONDITIONER)
    elif obj.class_code == FH.CODE and FLOOR_HEATER.exists(obj):
        yield HemsFloorHeater(coordinator, obj, FLOOR_HEATER)


class HemsClimate(HemsEchonetEntity, WholeDegreesCelsius, ClimateEntity):
    """What the air conditioner and the floor heater share: power, Celsius, whole degrees."""

    entity_description: HemsClimateDescription

    def _configure(self) -> None:
        super()._configure()
        obj = self.obj
        features = ClimateEntityFeature(0)
        if SuperClass.OPERATION_STATUS in obj.set_map:
            features |= ClimateEntityFeature.TURN_ON | ClimateEntityFeature.TURN_OFF
        self._attr_supported_features = features

    @property
    def _is_off(self) -> bool:
        return state_value(self.obj, SuperClass.OPERATION_STATUS) == OFF

    async def _async_set(self, values: dict[int, Any]) -> None:
        """Set decoded values (state keys, numbers), confirmed by the device."""
        await self.async_set_properties(
            {epc: encode(self.obj, epc, value) for epc, value in values.items()}
        )

    async def async_turn_on(self) -> None:
        """Switch on (operation status 0x80)."""
        await self._async_set({SuperClass.OPERATION_STATUS: ON})

    async def async_turn_off(self) -> None:
        """Switch off (operation status 0x80)."""
        await self._async_set({SuperClass.OPERATION_STATUS: OFF})


class HemsAirConditioner(HemsClimate):
    """A home air conditioner (0x0130)."""

    _attr_min_temp = AC_MIN_TEMP
    _attr_max_temp = AC_MAX_TEMP

    def _configure(self) -> None:
        super()._configure()
        obj = self.obj
        features = self._attr_supported_features
        modes: list[HVACMode] = [HVACMode.OFF] if AC.OPERATION_STATUS in obj.set_map else []
        if AC.OPERATION_MODE in obj.set_map:
            modes.extend(
                AC_MODES[o.key]
                for o in obj.prop(AC.OPERATION_MODE).options
                if o.key in AC_MODES and not o.read_only
            )
        self._attr_hvac_modes = modes
        if AC.TARGET_TEMPERATURE in obj.set_map:
            features |= ClimateEntityFeature.TARGET_TEMPERATURE
        if AC.AIR_FLOW_LEVEL in obj.set_map:
            features |= ClimateEntityFeature.FAN_MODE
            flow = obj.prop(AC.AIR_FLOW_LEVEL)
            self._attr_fan_modes = [o.key for o in flow.options if not o.read_only] + [
                str(level) for level in range(1, (flow.levels or 0) + 1)
            ]
        if AC.AUTOMATIC_SWING_AIR_FLOW in obj.set_map:
            features |= ClimateEntityFeature.SWING_MODE
            self._attr_swing_modes = [
                AC_SWING[o.key]
                for o in obj.prop(AC.AUTOMATIC_SWING_AIR_FLOW).options
                if o.key in AC_SWING
            ]
        self._attr_supported_features = features

    @property
    def hvac_mode(self) -> HVACMode | None:
        """Off, or the operation mode (None for the class's "other" mode)."""
        if self._is_off:
            return HVACMode.OFF
        if state_value(self.obj, AC.OPERATION_STATUS) != ON:
            return None
        return AC_MODES.get(state_value(self.obj, AC.OPERATION_MODE) or "")

    @property
    def current_temperature(self) -> float | None:
        """Room temperature (0xBB)."""
        return number_value(self.obj, AC.ROOM_TEMPERATURE)

    @property
    def current_humidity(self) -> float | None:
        """Room humidity (0xBA)."""
        return number_value(self.obj, AC.HUMIDITY)

    @property
    def target_temperature(self) -> float | None:
        """The set temperature (0xB3; None while the unit reports it undefined)."""
        return number_value(self.obj, AC.TARGET_TEMPERATURE)

    @property
    def fan_mode(self) -> str | None:
        """Air flow rate (0xA0): "auto" or the level."""
        value = self.obj.value(AC.AIR_FLOW_LEVEL)
        if value == FAN_AUTO:
            return FAN_AUTO
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def swing_mode(self) -> str | None:
        """Automatic swing of the air flow (0xA3)."""
        return AC_SWING.get(state_value(self.obj, AC.AUTOMATIC_SWING_AIR_FLOW) or "")

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Switch off, or on in the given mode (one Set of 0x80 and 0xB0)."""
        await self._async_set(self._mode_values(hvac_mode))

    def _mode_values(self, hvac_mode: HVACMode) -> dict[int, Any]:
        if hvac_mode == HVACMode.OFF:
            return {AC.OPERATION_STATUS: OFF}
        key = next(k for k, mode in AC_MODES.items() if mode == hvac_mode)
        values: dict[int, Any] = (
            {AC.OPERATION_STATUS: ON} if AC.OPERATION_STATUS in self.obj.set_map else {}
        )
        values[AC.OPERATION_MODE] = key
        return values

    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Set the target temperature (and the mode, when given), in one Set."""
        mode = kwargs.get(ATTR_HVAC_MODE)
        values = self._mode_values(mode) if mode is not None else {}
        # Home Assistant's action always gives a temperature to entities without a range.
        values[AC.TARGET_TEMPERATURE] = round(kwargs[ATTR_TEMPERATURE])
        await self._async_set(values)

    async def async_set_fan_mode(self, fan_mode: str) -> None:
        """Set the air flow rate: "auto" or a level."""
        await self._async_set(
            {AC.AIR_FLOW_LEVEL: fan_mode if fan_mode == FAN_AUTO else int(fan_mode)}
        )

    async def async_set_swing_mode(self, swing_mode: str) -> None:
        """Set the automatic swing."""
        key = next(k for k, mode in AC_SWING.items() if mode == swing_mode)
        await self._async_set({AC.AUTOMATIC_SWING_AIR_FLOW: key})


class HemsFloorHeater(HemsClimate):
    """A floor heater (0x027B): heat or off, a temperature or a level preset."""

    _attr_min_temp = FLOOR_MIN_TEMP
    _attr_max_temp = FLOOR_MAX_TEMP

    def _configure(self) -> None:
        super()._configure()
        obj = self.obj
        features = self._attr_supported_features
        self._attr_hvac_modes = (
            [HVACMode.OFF, HVACMode.HEAT] if FH.OPERATION_STATUS in obj.set_map else [HVACMode.HEAT]
        )
        self._degrees = FH.TARGET_TEMPERATURE1 in obj.set_map
        self._levels = not self._degrees and FH.TARGET_TEMPERATURE2 in obj.set_map
        if self._degrees:
            features |= ClimateEntityFeature.TARGET_TEMPERATURE
        if self._levels:
            features |= ClimateEntityFeature.PRESET_MODE
        self._attr_supported_features = features

    @property
    def hvac_mode(self) -> HVACMode | None:
        """Off or heat."""
        state = state_value(self.obj, FH.OPERATION_STATUS)
        return {ON: HVACMode.HEAT, OFF: HVACMode.OFF}.get(state or "")

    @property
    def current_temperature(self) -> float | None:
        """Room temperature (0xE2), else the floor temperature (0xE3)."""
        room = number_value(self.obj, FH.MEASURED_ROOM_TEMPERATURE)
        return room if room is not None else number_value(self.obj, FH.MEASURED_FLOOR_TEMPERATURE)

    @property
    def target_temperature(self) -> float | None:
        """The set temperature (0xE0) of heaters that set degrees."""
        return number_value(self.obj, FH.TARGET_TEMPERATURE1) if self._degrees else None

    @property
    def preset_modes(self) -> list[str] | None:
        """The "auto" preset and the levels the heater accepts (heaters that set levels)."""
        if not self._levels:
            return None
        top = number_value(self.obj, FH.MAXIMUM_TARGET_TEMPERATURE2)
        count = int(top) if top is not None and 1 <= top <= FLOOR_LEVELS else FLOOR_LEVELS
        return [PRESET_AUTO, *(f"level_{n}" for n in range(1, count + 1))]

    @property
    def preset_mode(self) -> str | None:
        """The set level (0xE1) as a preset."""
        if not self._levels:
            return None
        value = self.obj.value(FH.TARGET_TEMPERATURE2)
        if value == PRESET_AUTO:
            return PRESET_AUTO
        if isinstance(value, int) and not isinstance(value, bool):
            return f"level_{value}"
        return None

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Heat (on) or off."""
        await self._async_set({FH.OPERATION_STATUS: OFF if hvac_mode == HVACMode.OFF else ON})

    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Set the temperature (0xE0), and on/off when a mode is given."""
        values: dict[int, Any] = {}
        if (mode := kwargs.get(ATTR_HVAC_MODE)) is not None:
            values[FH.OPERATION_STATUS] = OFF if mode == HVACMode.OFF else ON
        # Home Assistant's action always gives a temperature to entities without a range.
        values[FH.TARGET_TEMPERATURE1] = round(kwargs[ATTR_TEMPERATURE])
        await self._async_set(values)

    async def async_set_preset_mode(self, preset_mode: str) -> None:
        """Set the level (0xE1): "auto" or "level_N"."""
        if preset_mode == PRESET_AUTO:
            await self._async_set({FH.TARGET_TEMPERATURE2: PRESET_AUTO})
        else:
            await self._async_set({FH.TARGET_TEMPERATURE2: int(preset_mode.removeprefix("level_"))})
