"""Curated sensors: every object's power and energy, and per class what it measures."""

from __future__ import annotations

from typing import Final

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import CONCENTRATION_PARTS_PER_MILLION, PERCENTAGE, EntityCategory

from ...echonet.board import EPC_ENERGY_LIST, EPC_POWER_LIST, channel_count
from ...echonet.definitions.names import (
    AirConditionerVentilationFan,
    Co2Sensor,
    ElectricLock,
    ElectricWaterHeater as EcoCute,
    EvCharger,
    EvChargerDischarger,
    FloorHeater,
    FuelCell,
    GasMeter,
    HomeAirConditioner,
    HumiditySensor,
    InstantaneousWaterHeater as GasWaterHeater,
    LvSmartElectricEnergyMeter as SmartMeter,
    MultipleInputPCS,
    PowerDistributionBoardMetering as DistributionBoard,
    PvPowerGeneration,
    StorageBattery,
    SuperClass,
    TemperatureSensor,
    WaterFlowMeter,
)
from ...echonet.node import EchonetObject
from ...models import EnergyRole
from ..descriptions import HemsCircuitDescription, HemsSensorDescription
from .values import (
    KWH,
    M3,
    MEASUREMENT,
    TOTAL_INCREASING,
    WH,
    A,
    L,
    W,
    energy,
    enum,
    field,
    field_time,
    positive_part,
    power,
    readable,
    temperature,
)

# Every object: its own power and energy measurement (super class 0x84 / 0x85).
COMMON_SENSORS: Final = (
    power("power_consumption", SuperClass.INSTANTANEOUS_ELECTRIC_POWER_CONSUMPTION),
    energy("energy_consumption", SuperClass.CONSUMED_CUMULATIVE_ELECTRIC_ENERGY),
)

SENSORS: Final[dict[int, tuple[HemsSensorDescription, ...]]] = {
    TemperatureSensor.CODE: (
        temperature("temperature", TemperatureSensor.VALUE, energy_role=EnergyRole("temperature")),
    ),
    HumiditySensor.CODE: (
        HemsSensorDescription(
            key="humidity",
            translation_key="humidity",
            epcs=(HumiditySensor.VALUE,),
            device_class=SensorDeviceClass.HUMIDITY,
            native_unit_of_measurement=PERCENTAGE,
            state_class=MEASUREMENT,
        ),
    ),
    Co2Sensor.CODE: (
        HemsSensorDescription(
            key="co2",
            translation_key="co2",
            epcs=(Co2Sensor.VALUE,),
            device_class=SensorDeviceClass.CO2,
            native_unit_of_measurement=CONCENTRATION_PARTS_PER_MILLION,
            state_class=MEASUREMENT,
        ),
    ),
    HomeAirConditioner.CODE: (
        temperature(
            "room_temperature",
            HomeAirConditioner.ROOM_TEMPERATURE,
            energy_role=EnergyRole("temperature", 1),
        ),
        HemsSensorDescription(
            key="room_humidity",
            translation_key="room_humidity",
            epcs=(HomeAirConditioner.HUMIDITY,),
            device_class=SensorDeviceClass.HUMIDITY,
            native_unit_of_measurement=PERCENTAGE,
            state_class=MEASUREMENT,
        ),
        temperature("outdoor_temperature", HomeAirConditioner.OUTDOOR_TEMPERATURE),
    ),
    AirConditionerVentilationFan.CODE: (
        HemsSensorDescription(
            key="co2",
            translation_key="co2",
            epcs=(AirConditionerVentilationFan.CO2_CONCENTRATION,),
            device_class=SensorDeviceClass.CO2,
            native_unit_of_measurement=CONCENTRATION_PARTS_PER_MILLION,
            state_class=MEASUREMENT,
        ),
        HemsSensorDescription(
            key="room_humidity",
            translation_key="room_humidity",
            epcs=(AirConditionerVentilationFan.HUMIDITY,),
            device_class=SensorDeviceClass.HUMIDITY,
            native_unit_of_measurement=PERCENTAGE,
            state_class=MEASUREMENT,
        ),
        temperature("outdoor_temperature", AirConditionerVentilationFan.OUTDOOR_TEMPERATURE),
    ),
    EcoCute.CODE: (
        temperature("tank_temperature", EcoCute.TANK_WATER_TEMPERATURE),
        HemsSensorDescription(
            key="remaining_hot_water",
            translation_key="remaining_hot_water",
            epcs=(EcoCute.REMAINING_WATER,),
            device_class=SensorDeviceClass.VOLUME_STORAGE,
            native_unit_of_measurement=L,
            suggested_display_precision=0,  # whole litres
            state_class=MEASUREMENT,
        ),
        HemsSensorDescription(
            key="tank_capacity",
            translation_key="tank_capacity",
            epcs=(EcoCute.TANK_CAPACITY,),
            device_class=SensorDeviceClass.VOLUME_STORAGE,
            native_unit_of_measurement=L,
            suggested_display_precision=0,  # whole litres
            entity_category=EntityCategory.DIAGNOSTIC,
        ),
    ),
    ElectricLock.CODE: (enum("alarm_status", ElectricLock.ALARM_STATUS),),
    GasWaterHeater.CODE: (enum("bath_operation_status", GasWaterHeater.BATH_OPERATION_STATUS),),
    PvPowerGeneration.CODE: (
        power(
            "solar_power",
            PvPowerGeneration.INSTANTANEOUS_ELECTRIC_POWER_GENERATION,
            energy_role=EnergyRole("generation_power"),
        ),
        energy(
            "solar_energy",
            PvPowerGeneration.CUMULATIVE_ELECTRIC_ENERGY_OF_GENERATION,
            energy_role=EnergyRole("generation"),
        ),
        energy("sold_energy", PvPowerGeneration.CUMULATIVE_ELECTRIC_ENERGY_SOLD),
    ),
    FloorHeater.CODE: (
        temperature(
            "room_temperature",
            FloorHeater.MEASURED_ROOM_TEMPERATURE,
            energy_role=EnergyRole("temperature", 2),
        ),
        temperature("floor_temperature", FloorHeater.MEASURED_FLOOR_TEMPERATURE),
    ),
    FuelCell.CODE: (
        power(
            "generation_power",
            FuelCell.INSTANTANEOUS_ELECTRIC_POWER_OF_GENERATION,
            energy_role=EnergyRole("generation_power", 1),
        ),
        energy(
            "generated_energy",
            FuelCell.CUMULATIVE_ELECTRIC_ENERGY_OF_GENERATION,
            energy_role=EnergyRole("generation", 1),
        ),
        HemsSensorDescription(
            key="gas_consumption",
            translation_key="gas_consumption",
            epcs=(FuelCell.CUMULATIVE_GAS_CONSUMPTION,),
            device_class=SensorDeviceClass.GAS,
            native_unit_of_measurement=M3,
            state_class=TOTAL_INCREASING,
            monotonic=True,
        ),
        enum("generation_status", FuelCell.POWER_GENERATION_STATUS),
        HemsSensorDescription(
            key="remaining_hot_water",
            translation_key="remaining_hot_water",
            epcs=(FuelCell.REMAINING_HOT_WATER_AMOUNT,),
            device_class=SensorDeviceClass.VOLUME_STORAGE,
            native_unit_of_measurement=L,
            suggested_display_precision=0,  # whole litres
            state_class=MEASUREMENT,
        ),
    ),
    StorageBattery.CODE: (
        HemsSensorDescription(
            key="state_of_charge",
            translation_key="state_of_charge",
            epcs=(StorageBattery.REMAINING_CAPACITY3,),
            device_class=SensorDeviceClass.BATTERY,
            native_unit_of_measurement=PERCENTAGE,
            state_class=MEASUREMENT,
        ),
        power(
            "battery_power", StorageBattery.INSTANTANEOUS_CHARGING_AND_DISCHARGING_ELECTRIC_POWER
        ),
        power(
            "charging_power",
            StorageBattery.INSTANTANEOUS_CHARGING_AND_DISCHARGING_ELECTRIC_POWER,
            value_fn=positive_part(
                StorageBattery.INSTANTANEOUS_CHARGING_AND_DISCHARGING_ELECTRIC_POWER, 1
            ),
            energy_role=EnergyRole("battery_charge_power"),
        ),
        power(
            "discharging_power",
            StorageBattery.INSTANTANEOUS_CHARGING_AND_DISCHARGING_ELECTRIC_POWER,
            value_fn=positive_part(
                StorageBattery.INSTANTANEOUS_CHARGING_AND_DISCHARGING_ELECTRIC_POWER, -1
            ),
            energy_role=EnergyRole("battery_discharge_power"),
        ),
        energy(
            "charged_energy",
            StorageBattery.CUMULATIVE_CHARGING_ELECTRIC_ENERGY,
            energy_role=EnergyRole("battery_charge"),
        ),
        energy(
            "discharged_energy",
            StorageBattery.CUMULATIVE_DISCHARGING_ELECTRIC_ENERGY,
            energy_role=EnergyRole("battery_discharge"),
        ),
        HemsSensorDescription(
            key="remaining_energy",
            translation_key="remaining_energy",
            epcs=(StorageBattery.REMAINING_CAPACITY1,),
            device_class=SensorDeviceClass.ENERGY_STORAGE,
            native_unit_of_measurement=WH,
            state_class=MEASUREMENT,
        ),
        HemsSensorDescription(
            key="rated_capacity",
            translation_key="rated_capacity",
            epcs=(StorageBattery.RATED_ELECTRIC_ENERGY,),
            device_class=SensorDeviceClass.ENERGY_STORAGE,
            native_unit_of_measurement=WH,
            entity_category=EntityCategory.DIAGNOSTIC,
        ),
        enum("working_status", StorageBattery.ACTUAL_OPERATION_MODE),
    ),
    EvChargerDischarger.CODE: (
        enum("vehicle_status", EvChargerDischarger.CHARGE_DISCHARGE_STATUS),
        power("ev_power", EvChargerDischarger.INSTANTANEOUS_ELECTRIC_POWER),
        power(
            "charging_power",
            EvChargerDischarger.INSTANTANEOUS_ELECTRIC_POWER,
            value_fn=positive_part(EvChargerDischarger.INSTANTANEOUS_ELECTRIC_POWER, 1),
        ),
        power(
            "discharging_power",
            EvChargerDischarger.INSTANTANEOUS_ELECTRIC_POWER,
            value_fn=positive_part(EvChargerDischarger.INSTANTANEOUS_ELECTRIC_POWER, -1),
        ),
        energy("charged_energy", EvChargerDischarger.CUMULATIVE_CHARGING_ELECTRIC_ENERGY),
        energy("discharged_energy", EvChargerDischarger.CUMULATIVE_DISCHARGING_ELECTRIC_ENERGY),
        HemsSensorDescription(
            key="vehicle_state_of_charge",
            translation_key="vehicle_state_of_charge",
            epcs=(EvChargerDischarger.REMAINING_CAPACITY3,),
            device_class=SensorDeviceClass.BATTERY,
            native_unit_of_measurement=PERCENTAGE,
            state_class=MEASUREMENT,
        ),
        HemsSensorDescription(
            key="vehicle_remaining_energy",
            translation_key="vehicle_remaining_energy",
            epcs=(EvChargerDischarger.REMAINING_CAPACITY1,),
            device_class=SensorDeviceClass.ENERGY_STORAGE,
            native_unit_of_measurement=WH,
            state_class=MEASUREMENT,
        ),
    ),
    WaterFlowMeter.CODE: (
        HemsSensorDescription(
            key="water_consumption",
            translation_key="water_consumption",
            energy_role=EnergyRole("water"),
            epcs=(WaterFlowMeter.CUMULATIVE_FLOWING_WATER,),
            device_class=SensorDeviceClass.WATER,
            native_unit_of_measurement=M3,
            state_class=TOTAL_INCREASING,
            monotonic=True,
            suggested_display_precision=3,
        ),
    ),
    GasMeter.CODE: (
        HemsSensorDescription(
            key="gas_consumption",
            translation_key="gas_consumption",
            energy_role=EnergyRole("gas"),
            epcs=(GasMeter.CUMULATIVE_GAS_CONSUMPTION,),
            device_class=SensorDeviceClass.GAS,
            native_unit_of_measurement=M3,
            state_class=TOTAL_INCREASING,
            monotonic=True,
            suggested_display_precision=3,
        ),
    ),
    DistributionBoard.CODE: (
        power("main_power", DistributionBoard.INSTANTANEOUS_ELECTRIC_POWER),
        energy(
            "grid_import_energy",
            DistributionBoard.NORMAL_DIRECTION_CUMULATIVE_ELECTRIC_ENERGY,
            energy_role=EnergyRole("purchase", 1),
        ),
        energy(
            "grid_export_energy",
            DistributionBoard.REVERSE_DIRECTION_CUMULATIVE_ELECTRIC_ENERGY,
            energy_role=EnergyRole("sale", 1),
        ),
        HemsSensorDescription(
            key="current_r",
            translation_key="current_r",
            energy_role=EnergyRole("current", 1),
            epcs=(DistributionBoard.INSTANTANEOUS_CURRENT,),
            device_class=SensorDeviceClass.CURRENT,
            native_unit_of_measurement=A,
            state_class=MEASUREMENT,
            value_fn=field(DistributionBoard.INSTANTANEOUS_CURRENT, "r_phase"),
            fast=True,
        ),
        HemsSensorDescription(
            key="current_t",
            translation_key="current_t",
            energy_role=EnergyRole("current", 1),
            epcs=(DistributionBoard.INSTANTANEOUS_CURRENT,),
            device_class=SensorDeviceClass.CURRENT,
            native_unit_of_measurement=A,
            state_class=MEASUREMENT,
            value_fn=field(DistributionBoard.INSTANTANEOUS_CURRENT, "t_phase"),
            fast=True,
        ),
    ),
    SmartMeter.CODE: (
        power("grid_power", SmartMeter.INSTANTANEOUS_ELECTRIC_POWER),
        power(
            "grid_import_power",
            SmartMeter.INSTANTANEOUS_ELECTRIC_POWER,
            value_fn=positive_part(SmartMeter.INSTANTANEOUS_ELECTRIC_POWER, 1),
            energy_role=EnergyRole("purchase_power"),
        ),
        power(
            "grid_export_power",
            SmartMeter.INSTANTANEOUS_ELECTRIC_POWER,
            value_fn=positive_part(SmartMeter.INSTANTANEOUS_ELECTRIC_POWER, -1),
            energy_role=EnergyRole("sale_power"),
        ),
        HemsSensorDescription(
            key="current_r",
            translation_key="current_r",
            energy_role=EnergyRole("current"),
            epcs=(SmartMeter.INSTANTANEOUS_CURRENT,),
            device_class=SensorDeviceClass.CURRENT,
            native_unit_of_measurement=A,
            state_class=MEASUREMENT,
            value_fn=field(SmartMeter.INSTANTANEOUS_CURRENT, "r_phase"),
            fast=True,
        ),
        HemsSensorDescription(
            key="current_t",
            translation_key="current_t",
            energy_role=EnergyRole("current"),
            epcs=(SmartMeter.INSTANTANEOUS_CURRENT,),
            device_class=SensorDeviceClass.CURRENT,
            native_unit_of_measurement=A,
            state_class=MEASUREMENT,
            value_fn=field(SmartMeter.INSTANTANEOUS_CURRENT, "t_phase"),
            fast=True,
        ),
        energy(
            "grid_import_energy",
            SmartMeter.NORMAL_DIRECTION_CUMULATIVE_ELECTRIC_ENERGY,
            energy_role=EnergyRole("purchase"),
        ),
        energy(
            "grid_export_energy",
            SmartMeter.REVERSE_DIRECTION_CUMULATIVE_ELECTRIC_ENERGY,
            energy_role=EnergyRole("sale"),
        ),
        HemsSensorDescription(
            key="fixed_time_import_energy",
            translation_key="fixed_time_import_energy",
            energy_role=EnergyRole("fixed_purchase"),
            epcs=(SmartMeter.NORMAL_DIRECTION_CUMULATIVE_ELECTRIC_ENERGY_AT_EVERY30_MIN,),
            device_class=SensorDeviceClass.ENERGY,
            native_unit_of_measurement=KWH,
            state_class=TOTAL_INCREASING,
            monotonic=True,
            value_fn=field(
                SmartMeter.NORMAL_DIRECTION_CUMULATIVE_ELECTRIC_ENERGY_AT_EVERY30_MIN,
                "electric_energy",
            ),
            attrs_fn=field_time(
                SmartMeter.NORMAL_DIRECTION_CUMULATIVE_ELECTRIC_ENERGY_AT_EVERY30_MIN,
                "date_and_time",
            ),
            entity_registry_enabled_default=False,
        ),
        HemsSensorDescription(
            key="fixed_time_export_energy",
            translation_key="fixed_time_export_energy",
            energy_role=EnergyRole("fixed_sale"),
            epcs=(SmartMeter.REVERSE_DIRECTION_CUMULATIVE_ELECTRIC_ENERGY_AT_EVERY30_MIN,),
            device_class=SensorDeviceClass.ENERGY,
            native_unit_of_measurement=KWH,
            state_class=TOTAL_INCREASING,
            monotonic=True,
            value_fn=field(
                SmartMeter.REVERSE_DIRECTION_CUMULATIVE_ELECTRIC_ENERGY_AT_EVERY30_MIN,
                "electric_energy",
            ),
            attrs_fn=field_time(
                SmartMeter.REVERSE_DIRECTION_CUMULATIVE_ELECTRIC_ENERGY_AT_EVERY30_MIN,
                "date_and_time",
            ),
            entity_registry_enabled_default=False,
        ),
    ),
    EvCharger.CODE: (
        enum("vehicle_status", EvCharger.CHARGE_STATUS),
        power("ev_power", EvCharger.INSTANTANEOUS_ELECTRIC_POWER),
        energy("charged_energy", EvCharger.CUMULATIVE_CHARGING_ELECTRIC_ENERGY),
        HemsSensorDescription(
            key="vehicle_state_of_charge",
            translation_key="vehicle_state_of_charge",
            epcs=(EvCharger.REMAINING_CAPACITY3,),
            device_class=SensorDeviceClass.BATTERY,
            native_unit_of_measurement=PERCENTAGE,
            state_class=MEASUREMENT,
        ),
    ),
    MultipleInputPCS.CODE: (
        power("pcs_power", MultipleInputPCS.INSTANTANEOUS_ELECTRIC_POWER),
        energy("pcs_output_energy", MultipleInputPCS.NORMAL_DIRECTION_ELECTRIC_ENERGY),
        energy("pcs_input_energy", MultipleInputPCS.REVERSE_DIRECTION_ELECTRIC_ENERGY),
    ),
}


def board_circuit_sensors(obj: EchonetObject) -> list[HemsCircuitDescription]:
    """Power and energy of every circuit of a distribution board (named "Circuit N")."""
    out: list[HemsCircuitDescription] = []
    for index in range(channel_count(obj)):
        placeholders = {"circuit": str(index + 1)}
        out.append(
            HemsCircuitDescription(
                key=f"circuit_{index + 1}_power",
                translation_key="circuit_power",
                translation_placeholders=placeholders,
                epcs=(EPC_POWER_LIST,),
                device_class=SensorDeviceClass.POWER,
                native_unit_of_measurement=W,
                state_class=MEASUREMENT,
                exists_fn=readable(EPC_POWER_LIST),
                circuit=index,
                quantity="power",
            )
        )
        out.append(
            HemsCircuitDescription(
                key=f"circuit_{index + 1}_energy",
                translation_key="circuit_energy",
                translation_placeholders=placeholders,
                epcs=(EPC_ENERGY_LIST,),
                device_class=SensorDeviceClass.ENERGY,
                native_unit_of_measurement=KWH,
                state_class=TOTAL_INCREASING,
                monotonic=True,
                suggested_display_precision=2,
                exists_fn=readable(EPC_ENERGY_LIST),
                circuit=index,
                quantity="energy",
            )
        )
    return out
