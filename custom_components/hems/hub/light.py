"""Lights: general lighting (0x0290), mono functional lighting (0x0291), lighting systems (0x02A3).

On/off 0x80, brightness 0xB0 (0-100 %) where the light can set it, and for general lighting the
light colour 0xB1 as a colour temperature: its four presets are shown in Kelvin (incandescent
2700 K, white 4200 K, daylight white 5000 K, daylight 6500 K) and a requested temperature snaps
to the nearest preset.  A lighting system's 0x80 may be read-only (its class makes setting it
optional): such a light is switched by its brightness only, and switching it on or off raises.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.components.light import (
    ATTR_BRIGHTNESS,
    ATTR_COLOR_TEMP_KELVIN,
    LightEntity,
    LightEntityDescription,
)
from homeassistant.components.light.const import ColorMode
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util.color import brightness_to_value, value_to_brightness

from ..const import DOMAIN
from ..echonet.definitions.names import (
    GeneralLighting,
    LightingSystem,
    MonoFunctionalLighting,
    SuperClass,
)
from ..echonet.node import EchonetObject
from .coordinator import EchonetNodeCoordinator
from .entity import (
    HemsEchonetEntity,
    HemsEntityDescription,
    encode,
    is_operating,
    number_value,
    state_value,
)
from .naming import object_device_name

#: Light colour setting (0x0290 0xB1) presets -> colour temperature (K).
COLOR_KELVIN: Final[dict[str, int]] = {
    "incandescent": 2700,
    "white": 4200,
    "daylight_white": 5000,
    "daylight_color": 6500,
}
LEVEL_RANGE: Final = (1, 100)
#: On/off and the light level: the same properties in every light class.
OPERATION_STATUS: Final = SuperClass.OPERATION_STATUS
LIGHT_LEVEL: Final = GeneralLighting.LIGHT_LEVEL


@dataclass(frozen=True, kw_only=True)
class HemsLightDescription(HemsEntityDescription, LightEntityDescription):
    """A light of an ECHONET Lite object."""


LIGHT: Final = HemsLightDescription(
    key="light", name=None, epcs=(OPERATION_STATUS, LIGHT_LEVEL, GeneralLighting.LIGHT_COLOR)
)
LIGHT_CLASSES: Final = frozenset(
    {GeneralLighting.CODE, MonoFunctionalLighting.CODE, LightingSystem.CODE}
)


def entities(coordinator: EchonetNodeCoordinator, obj: EchonetObject) -> Iterable[LightEntity]:
    if obj.class_code in LIGHT_CLASSES and LIGHT.exists(obj):
        yield HemsLight(coordinator, obj, LIGHT)


def nearest_color(kelvin: float) -> str:
    """The light colour preset nearest to a colour temperature."""
    return min(COLOR_KELVIN, key=lambda key: abs(COLOR_KELVIN[key] - kelvin))


class HemsLight(HemsEchonetEntity, LightEntity):
    """A light: on/off, brightness and colour presets where the device has them."""

    entity_description: HemsLightDescription

    def _configure(self) -> None:
        super()._configure()
        obj = self.obj
        self._dimmable = LIGHT_LEVEL in obj.set_map
        self._colors = (
            GeneralLighting.LIGHT_COLOR in obj.set_map and obj.class_code == GeneralLighting.CODE
        )
        if self._colors:
            mode = ColorMode.COLOR_TEMP
            self._attr_min_color_temp_kelvin = min(COLOR_KELVIN.values())
            self._attr_max_color_temp_kelvin = max(COLOR_KELVIN.values())
        elif self._dimmable:
            mode = ColorMode.BRIGHTNESS
        else:
            mode = ColorMode.ONOFF
        self._attr_color_mode = mode
        self._attr_supported_color_modes = {mode}

    @property
    def is_on(self) -> bool | None:
        """On, off or unknown (0x80)."""
        return is_operating(self.obj)

    @property
    def brightness(self) -> int | None:
        """Brightness from the light level (0xB0, 0-100 %)."""
        if self._attr_color_mode == ColorMode.ONOFF:
            return None
        level = number_value(self.obj, LIGHT_LEVEL)
        return None if level is None else value_to_brightness(LEVEL_RANGE, level)

    @property
    def color_temp_kelvin(self) -> int | None:
        """The light colour preset (0xB1) in Kelvin (None for "other")."""
        if not self._colors:
            return None
        return COLOR_KELVIN.get(state_value(self.obj, GeneralLighting.LIGHT_COLOR) or "")

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on, with brightness and colour when given (one Set)."""
        values: dict[int, Any] = {}
        if OPERATION_STATUS in self.obj.set_map:
            values[OPERATION_STATUS] = "true"
        if ATTR_BRIGHTNESS in kwargs and self._dimmable:
            level = brightness_to_value(LEVEL_RANGE, kwargs[ATTR_BRIGHTNESS])
            values[LIGHT_LEVEL] = max(1, round(level))
        if ATTR_COLOR_TEMP_KELVIN in kwargs and self._colors:
            values[GeneralLighting.LIGHT_COLOR] = nearest_color(kwargs[ATTR_COLOR_TEMP_KELVIN])
        if not values:
            self._raise_not_settable()
        await self.async_set_properties(
            {epc: encode(self.obj, epc, value) for epc, value in values.items()}
        )

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off."""
        if OPERATION_STATUS not in self.obj.set_map:
            self._raise_not_settable()
        await self.async_set_properties(
            {OPERATION_STATUS: encode(self.obj, OPERATION_STATUS, "false")}
        )

    def _raise_not_settable(self) -> None:
        language = self.hass.config.language or "en"
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="not_settable",
            translation_placeholders={
                "device": object_device_name(self.obj, language),
                "property": self.obj.prop(OPERATION_STATUS).name_ja
                if language.startswith("ja")
                else self.obj.prop(OPERATION_STATUS).name_en,
            },
        )
