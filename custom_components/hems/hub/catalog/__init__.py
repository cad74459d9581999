"""Curated Home Assistant mappings on top of the generated MRA definitions.

Per class code: which properties become which entities, with device class, unit and state
class.  Everything a curated entity does not claim falls to the generic fallback
(:mod:`.generic`).  The MRA gives names, units, ranges and states; this module only adds
what Home Assistant needs to present them well.
"""

from collections.abc import Iterable
from typing import Any, Final

from ...echonet.definitions.names import (
    AirCleaner,
    AirConditionerVentilationFan,
    ElectricBlindShade,
    ElectricCurtain,
    ElectricDoor,
    ElectricGate,
    ElectricLock,
    ElectricRainDoor,
    ElectricShutter,
    ElectricWaterHeater as EcoCute,
    ElectricWindow,
    FloorHeater,
    GeneralLighting,
    HomeAirConditioner,
    InstantaneousWaterHeater as GasWaterHeater,
    LightingSystem,
    MonoFunctionalLighting,
    PowerDistributionBoardMetering as DistributionBoard,
    SuperClass,
    VentilationFan,
)
from ...echonet.node import EchonetObject
from ..descriptions import HemsSensorDescription
from .controls import BINARY_SENSORS, FAULT, NUMBERS, SELECTS, SWITCHES
from .sensors import COMMON_SENSORS, SENSORS, board_circuit_sensors

__all__ = [
    "BINARY_SENSORS",
    "COMMON_SENSORS",
    "FAULT",
    "NUMBERS",
    "PLATFORM_EPCS",
    "SELECTS",
    "SENSORS",
    "SWITCHES",
    "board_circuit_sensors",
    "claimed_epcs",
]

# --------------------------------------------------------------------------- entity platforms

#: Properties that the climate/light/lock/cover/water_heater/fan entities present, per class.
_ON: Final = SuperClass.OPERATION_STATUS
_AC: Final = HomeAirConditioner
_FLOOR: Final = FloorHeater
_LIGHT: Final = frozenset({_ON, GeneralLighting.LIGHT_LEVEL})
#: Open/close, degree of opening, open/closed status: the same in every cover class.
_COVER: Final = frozenset(
    {
        ElectricRainDoor.OPEN_CLOSE_OPERATION,
        ElectricRainDoor.DEGREE_OF_OPENING,
        ElectricRainDoor.OPEN_CLOSE_STATUS,
    }
)
_FAN: Final = frozenset({_ON, VentilationFan.AIR_FLOW_LEVEL})
PLATFORM_EPCS: Final[dict[int, frozenset[int]]] = {
    _AC.CODE: frozenset(
        {
            _ON,
            _AC.OPERATION_MODE,
            _AC.TARGET_TEMPERATURE,
            _AC.AIR_FLOW_LEVEL,
            _AC.AUTOMATIC_SWING_AIR_FLOW,
            _AC.ROOM_TEMPERATURE,
            _AC.HUMIDITY,
        }
    ),
    _FLOOR.CODE: frozenset(
        {
            _ON,
            _FLOOR.TARGET_TEMPERATURE1,
            _FLOOR.TARGET_TEMPERATURE2,
            _FLOOR.MAXIMUM_TARGET_TEMPERATURE2,
            _FLOOR.MEASURED_ROOM_TEMPERATURE,
            _FLOOR.MEASURED_FLOOR_TEMPERATURE,
        }
    ),
    GeneralLighting.CODE: _LIGHT | {GeneralLighting.LIGHT_COLOR},
    MonoFunctionalLighting.CODE: _LIGHT,
    LightingSystem.CODE: _LIGHT,
    ElectricLock.CODE: frozenset({ElectricLock.MAIN_ELECTRIC_LOCK, ElectricLock.SUB_ELECTRIC_LOCK}),
    ElectricBlindShade.CODE: _COVER,
    ElectricShutter.CODE: _COVER,
    ElectricCurtain.CODE: _COVER,
    ElectricRainDoor.CODE: _COVER,
    ElectricGate.CODE: _COVER,
    ElectricWindow.CODE: _COVER,
    ElectricDoor.CODE: _COVER,
    EcoCute.CODE: frozenset(
        {
            EcoCute.AUTOMATIC_WATER_HEATING,
            EcoCute.TARGET_WATER_HEATING_TEMPERATURE,
            EcoCute.TANK_WATER_TEMPERATURE,
        }
    ),
    GasWaterHeater.CODE: frozenset({_ON, GasWaterHeater.TARGET_SUPPLIED_WATER_TEMPERATURE}),
    VentilationFan.CODE: _FAN,
    AirConditionerVentilationFan.CODE: _FAN,
    AirCleaner.CODE: _FAN,
}
#: The distribution board's channel ranges and per-circuit lists (the circuit sensors).
_BOARD_CIRCUITS: Final = frozenset(
    {
        DistributionBoard.CHANNEL_RANGE_FOR_CUMULATIVE_ELECTRIC_POWER_CONSUMPTION_SIMPLEX,
        DistributionBoard.CUMULATIVE_ELECTRIC_ENERGY_LIST_SIMPLEX,
        DistributionBoard.CHANNEL_RANGE_FOR_INSTANTANEOUS_CURRENT_SIMPLEX,
        DistributionBoard.INSTANTANEOUS_CURRENT_LIST_SIMPLEX,
        DistributionBoard.CHANNEL_RANGE_FOR_INSTANTANEOUS_POWER_CONSUMPTION_SIMPLEX,
        DistributionBoard.INSTANTANEOUS_ELECTRIC_POWER_LIST_SIMPLEX,
    }
)


def _claimed(tables: Iterable[HemsSensorDescription | Any], obj: EchonetObject) -> set[int]:
    epcs: set[int] = set()
    for description in tables:
        if description.exists(obj):
            epcs.update(description.epcs)
    return epcs


def claimed_epcs(obj: EchonetObject) -> set[int]:
    """Properties of ``obj`` presented by a curated entity (the fallback skips them)."""
    code = obj.class_code
    claimed = set(PLATFORM_EPCS.get(code, ()))
    claimed |= _claimed(COMMON_SENSORS, obj)
    claimed |= _claimed((FAULT,), obj)
    for table in (SENSORS, BINARY_SENSORS, SWITCHES, SELECTS, NUMBERS):
        claimed |= _claimed(table.get(code, ()), obj)
    if code == DistributionBoard.CODE:
        claimed |= _BOARD_CIRCUITS
    return claimed
