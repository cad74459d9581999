"""Water heaters: the EcoCute (electric water heater 0x026B) and gas water heaters (0x0272).

EcoCute: the operation modes are the automatic water heating setting 0xB0 (``auto``,
``manual_heating`` = extra boiling 沸き増し, ``manual_no_heating`` = boiling stopped), the target
temperature is the water heating temperature 0xB3 and the current temperature the tank's 0xC1.
The extra boiling and bath auto switches and the tank sensors are in :mod:`.catalog`.

Gas (instantaneous) water heater: the target is the hot water supply temperature 0xD1; where
0x80 can be set the heater turns on and off (modes ``on`` / ``off``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.components.water_heater import (
    WaterHeaterEntity,
    WaterHeaterEntityDescription,
    WaterHeaterEntityFeature,
)
from homeassistant.const import ATTR_TEMPERATURE

from ..echonet.definitions.names import ElectricWaterHeater, InstantaneousWaterHeater, SuperClass
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

#: Gas water heater operation (0x80) <-> mode.
GAS_MODES: Final[dict[str, str]] = {"true": "on", "false": "off"}


@dataclass(frozen=True, kw_only=True)
class HemsWaterHeaterDescription(HemsEntityDescription, WaterHeaterEntityDescription):
    """A water heater: which EPCs hold the mode, the target and the current temperature.

    ``mode_epc`` values are state keys; ``modes`` maps them to the entity's modes (None: the
    keys are the modes).
    """

    mode_epc: int
    modes: dict[str, str] | None = None
    target_epc: int
    current_epc: int | None = None
    min_temp: float
    max_temp: float


# Declarative on purpose: one description per class, the same shape each time.
WATER_HEATERS: Final[dict[int, HemsWaterHeaterDescription]] = {
    ElectricWaterHeater.CODE: HemsWaterHeaterDescription(
        key="water_heater",
        translation_key="ecocute",
        name=None,
        epcs=(
            ElectricWaterHeater.AUTOMATIC_WATER_HEATING,
            ElectricWaterHeater.TARGET_WATER_HEATING_TEMPERATURE,
            ElectricWaterHeater.TANK_WATER_TEMPERATURE,
        ),
        mode_epc=ElectricWaterHeater.AUTOMATIC_WATER_HEATING,
        target_epc=ElectricWaterHeater.TARGET_WATER_HEATING_TEMPERATURE,
        current_epc=ElectricWaterHeater.TANK_WATER_TEMPERATURE,
        min_temp=40,
        max_temp=90,
    ),
    InstantaneousWaterHeater.CODE: HemsWaterHeaterDescription(
        key="water_heater",
        translation_key="gas_water_heater",
        name=None,
        epcs=(
            InstantaneousWaterHeater.TARGET_SUPPLIED_WATER_TEMPERATURE,
            InstantaneousWaterHeater.OPERATION_STATUS,
        ),
        mode_epc=InstantaneousWaterHeater.OPERATION_STATUS,
        modes=GAS_MODES,
        target_epc=InstantaneousWaterHeater.TARGET_SUPPLIED_WATER_TEMPERATURE,
        min_temp=32,
        max_temp=60,
        exists_fn=lambda obj: (
            InstantaneousWaterHeater.TARGET_SUPPLIED_WATER_TEMPERATURE in obj.get_map
            or InstantaneousWaterHeater.OPERATION_STATUS in obj.set_map
        ),
    ),
}


def entities(
    coordinator: EchonetNodeCoordinator, obj: EchonetObject
) -> Iterable[WaterHeaterEntity]:
    description = WATER_HEATERS.get(obj.class_code)
    if description is not None and description.exists(obj):
        yield HemsWaterHeater(coordinator, obj, description)


class HemsWaterHeater(HemsEchonetEntity, WholeDegreesCelsius, WaterHeaterEntity):
    """A water heater: operation mode, target and current temperature."""

    entity_description: HemsWaterHeaterDescription

    def _configure(self) -> None:
        super()._configure()
        obj = self.obj
        description = self.entity_description
        self._attr_min_temp = description.min_temp
        self._attr_max_temp = description.max_temp
        features = WaterHeaterEntityFeature(0)
        if description.target_epc in obj.set_map:
            features |= WaterHeaterEntityFeature.TARGET_TEMPERATURE
        mode_epc = description.mode_epc
        if mode_epc in obj.set_map:
            features |= WaterHeaterEntityFeature.OPERATION_MODE
            keys = [o.key for o in obj.prop(mode_epc).options if not o.read_only]
            modes = description.modes
            self._attr_operation_list = [modes[k] for k in keys] if modes else keys
            if (
                mode_epc == SuperClass.OPERATION_STATUS
            ):  # the mode is the operation status: on / off
                features |= WaterHeaterEntityFeature.ON_OFF
        self._attr_supported_features = features

    @property
    def current_operation(self) -> str | None:
        """The mode the device reports."""
        key = state_value(self.obj, self.entity_description.mode_epc)
        modes = self.entity_description.modes
        if key is None or modes is None:
            return key
        return modes.get(key)

    @property
    def current_temperature(self) -> float | None:
        """The measured water temperature, where the class has one."""
        epc = self.entity_description.current_epc
        return None if epc is None else number_value(self.obj, epc)

    @property
    def target_temperature(self) -> float | None:
        """The set temperature."""
        return number_value(self.obj, self.entity_description.target_epc)

    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Set the target temperature (whole degrees)."""
        epc = self.entity_description.target_epc
        await self.async_set_properties(
            {epc: encode(self.obj, epc, round(kwargs[ATTR_TEMPERATURE]))}
        )

    async def async_set_operation_mode(self, operation_mode: str) -> None:
        """Set the operation mode."""
        modes = self.entity_description.modes
        key = operation_mode
        if modes is not None:
            key = next(k for k, mode in modes.items() if mode == operation_mode)
        epc = self.entity_description.mode_epc
        await self.async_set_properties({epc: encode(self.obj, epc, key)})

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn on (gas water heaters)."""
        await self.async_set_operation_mode(GAS_MODES["true"])

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn off (gas water heaters)."""
        await self.async_set_operation_mode(GAS_MODES["false"])
