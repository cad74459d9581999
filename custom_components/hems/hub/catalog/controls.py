"""Curated binary sensors, switches, selects and numbers, per class."""

from __future__ import annotations

from typing import Final

from homeassistant.components.binary_sensor import BinarySensorDeviceClass
from homeassistant.components.number import NumberDeviceClass, NumberMode
from homeassistant.const import EntityCategory

from ...echonet.definitions.names import (
    AirCleaner,
    ElectricLock,
    ElectricWaterHeater as EcoCute,
    EvCharger,
    EvChargerDischarger,
    FuelCell,
    HumanDetectionSensor,
    InstantaneousWaterHeater as GasWaterHeater,
    OpenCloseSensor,
    StorageBattery,
    SuperClass,
)
from ...models import EnergyRole
from ..descriptions import (
    HemsBinarySensorDescription,
    HemsNumberDescription,
    HemsSelectDescription,
    HemsSwitchDescription,
)
from .values import WH, readable, settable

# --------------------------------------------------------------------------- binary sensors

FAULT: Final = HemsBinarySensorDescription(
    key="fault",
    translation_key="fault",
    epcs=(SuperClass.FAULT_STATUS,),
    device_class=BinarySensorDeviceClass.PROBLEM,
    entity_category=EntityCategory.DIAGNOSTIC,
)


# Declarative on purpose: one description per property, the same shape each time (the
# duplicates tool pairs them); what they share is in the builders of values.py.
def _running_where_offered(key: str, epc: int) -> HemsBinarySensorDescription:
    """A "running" binary sensor of a status the device may not offer (made only where its
    get map has it)."""
    return HemsBinarySensorDescription(
        key=key,
        translation_key=key,
        epcs=(epc,),
        device_class=BinarySensorDeviceClass.RUNNING,
        exists_fn=readable(epc),
    )


BINARY_SENSORS: Final[dict[int, tuple[HemsBinarySensorDescription, ...]]] = {
    HumanDetectionSensor.CODE: (
        HemsBinarySensorDescription(
            key="motion",
            translation_key="motion",
            epcs=(HumanDetectionSensor.DETECTION,),
            device_class=BinarySensorDeviceClass.MOTION,
        ),
    ),
    OpenCloseSensor.CODE: (
        HemsBinarySensorDescription(
            key="opening",
            translation_key="opening",
            energy_role=EnergyRole("openings", 1),
            epcs=(OpenCloseSensor.OPEN_CLOSE_STATUS,),
            device_class=BinarySensorDeviceClass.OPENING,
            on_states=frozenset({"open"}),
        ),
    ),
    AirCleaner.CODE: (
        HemsBinarySensorDescription(
            key="air_pollution",
            translation_key="air_pollution",
            epcs=(AirCleaner.AIR_POLLUTION_DETECTION,),
            device_class=BinarySensorDeviceClass.PROBLEM,
        ),
        HemsBinarySensorDescription(
            key="smoke",
            translation_key="smoke",
            epcs=(AirCleaner.SMOKE_DETECTION,),
            device_class=BinarySensorDeviceClass.SMOKE,
        ),
        HemsBinarySensorDescription(
            key="filter_change",
            translation_key="filter_change",
            epcs=(AirCleaner.FILTER_CHANGE_NOTICE,),
            device_class=BinarySensorDeviceClass.PROBLEM,
            entity_category=EntityCategory.DIAGNOSTIC,
        ),
    ),
    EcoCute.CODE: (
        HemsBinarySensorDescription(
            key="heating",
            translation_key="heating",
            epcs=(EcoCute.WATER_HEATING_STATUS,),
            device_class=BinarySensorDeviceClass.RUNNING,
        ),
        # hot water in use (給湯中), where the unit offers it
        _running_where_offered("hot_water_supply", EcoCute.HOT_WATER_SUPPLY_STATUS),
    ),
    ElectricLock.CODE: (
        HemsBinarySensorDescription(
            key="door",
            translation_key="door",
            energy_role=EnergyRole("openings"),
            epcs=(ElectricLock.DOOR_OPENED,),
            device_class=BinarySensorDeviceClass.DOOR,
        ),
        HemsBinarySensorDescription(
            key="door_guard",
            translation_key="door_guard",
            epcs=(ElectricLock.DOOR_GUARD_LOCKED,),
            device_class=BinarySensorDeviceClass.LOCK,
            on_states=frozenset({"false"}),  # lock class: on means unlocked
        ),
        HemsBinarySensorDescription(
            key="occupancy",
            translation_key="occupancy",
            epcs=(ElectricLock.OCCUPANT,),
            device_class=BinarySensorDeviceClass.OCCUPANCY,
        ),
        HemsBinarySensorDescription(
            key="battery_low",
            translation_key="battery_low",
            epcs=(ElectricLock.REPLACE_BATTERY_LEVEL,),
            device_class=BinarySensorDeviceClass.BATTERY,
            entity_category=EntityCategory.DIAGNOSTIC,
        ),
    ),
    GasWaterHeater.CODE: (
        HemsBinarySensorDescription(
            key="heating",
            translation_key="heating",
            epcs=(GasWaterHeater.HOT_WATER_HEATING_STATUS,),
            device_class=BinarySensorDeviceClass.RUNNING,
        ),
        HemsBinarySensorDescription(
            key="bath_heating",
            translation_key="bath_heating",
            epcs=(GasWaterHeater.BATH_WATER_HEATING_STATUS,),
            device_class=BinarySensorDeviceClass.RUNNING,
        ),
        # hot water in use at the shower and in the kitchen, where the unit offers them
        _running_where_offered(
            "shower_hot_water_supply", GasWaterHeater.SHOWER_HOT_WATER_SUPPLY_STATUS
        ),
        _running_where_offered(
            "kitchen_hot_water_supply", GasWaterHeater.KITCHEN_HOT_WATER_SUPPLY_STATUS
        ),
    ),
}

# --------------------------------------------------------------------------- switches

SWITCHES: Final[dict[int, tuple[HemsSwitchDescription, ...]]] = {
    EcoCute.CODE: (
        HemsSwitchDescription(
            key="manual_boiling",
            translation_key="manual_boiling",
            epcs=(EcoCute.AUTOMATIC_WATER_HEATING,),
            on_state="manual_heating",
            off_state="auto",
            exists_fn=settable(EcoCute.AUTOMATIC_WATER_HEATING),
        ),
        HemsSwitchDescription(
            key="bath_auto",
            translation_key="bath_auto",
            epcs=(EcoCute.AUTOMATIC_BATH_OPERATION,),
            exists_fn=settable(EcoCute.AUTOMATIC_BATH_OPERATION),
        ),
    ),
    ElectricLock.CODE: (
        HemsSwitchDescription(
            key="auto_lock",
            translation_key="auto_lock",
            epcs=(ElectricLock.AUTO_LOCK_MODE,),
            entity_category=EntityCategory.CONFIG,
            exists_fn=settable(ElectricLock.AUTO_LOCK_MODE),
        ),
    ),
    GasWaterHeater.CODE: (
        HemsSwitchDescription(
            key="bath_auto",
            translation_key="bath_auto",
            epcs=(GasWaterHeater.AUTOMATIC_BATH_OPERATION,),
            exists_fn=settable(GasWaterHeater.AUTOMATIC_BATH_OPERATION),
        ),
        HemsSwitchDescription(
            key="bath_reheating",
            translation_key="bath_reheating",
            epcs=(GasWaterHeater.TARGET_BATH_ADDITIONAL_BOILUP_OPERATION,),
            exists_fn=settable(GasWaterHeater.TARGET_BATH_ADDITIONAL_BOILUP_OPERATION),
        ),
    ),
    FuelCell.CODE: (
        HemsSwitchDescription(
            key="generation",
            translation_key="generation",
            epcs=(FuelCell.POWER_GENERATION_SETTING,),
            on_state="generation_on",
            off_state="generation_off",
            exists_fn=settable(FuelCell.POWER_GENERATION_SETTING),
        ),
    ),
}

# --------------------------------------------------------------------------- selects

SELECTS: Final[dict[int, tuple[HemsSelectDescription, ...]]] = {
    StorageBattery.CODE: (
        HemsSelectDescription(
            key="operation_mode",
            translation_key="battery_operation_mode",
            epcs=(StorageBattery.OPERATION_MODE,),
            exists_fn=settable(StorageBattery.OPERATION_MODE),
        ),
    ),
    EvChargerDischarger.CODE: (
        HemsSelectDescription(
            key="operation_mode",
            translation_key="ev_operation_mode",
            epcs=(EvChargerDischarger.OPERATION_MODE,),
            exists_fn=settable(EvChargerDischarger.OPERATION_MODE),
        ),
    ),
    EvCharger.CODE: (
        HemsSelectDescription(
            key="operation_mode",
            translation_key="ev_charger_operation_mode",
            epcs=(EvCharger.OPERATION_MODE,),
            exists_fn=settable(EvCharger.OPERATION_MODE),
        ),
    ),
}

# --------------------------------------------------------------------------- numbers

#: Target charge of a vehicle (EV charger/discharger and EV charger, 0xE7).
_TARGET_CHARGE: Final = EvCharger.TARGET_CHARGING_ELECTRIC_ENERGY
_CHARGE_AMOUNT: Final = HemsNumberDescription(
    key="charge_amount",
    translation_key="charge_amount",
    epcs=(_TARGET_CHARGE,),
    device_class=NumberDeviceClass.ENERGY,
    native_unit_of_measurement=WH,
    native_min_value=0,
    native_max_value=100_000,
    native_step=100,
    mode=NumberMode.BOX,
    exists_fn=settable(_TARGET_CHARGE),
)

NUMBERS: Final[dict[int, tuple[HemsNumberDescription, ...]]] = {
    EvChargerDischarger.CODE: (_CHARGE_AMOUNT,),
    EvCharger.CODE: (_CHARGE_AMOUNT,),
}
