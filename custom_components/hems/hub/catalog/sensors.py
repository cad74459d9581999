"""Curated sensors: every object's power and energy, and per class what it measures."""

from __future__ import annotations

from typing import Final

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import PERCENTAGE, EntityCategory

from ...echonet.board import EPC_ENERGY_LIST, EPC_POWER_LIST, channel_count, channel_epc
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
from ...units import PARTS_PER_MILLION
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
    sensor,
    temperature,
)

# Every object: its own power and energy measurement (super class 0x84 / 0x85).
COMMON_SENSORS: Final = (
    power("power_consumption", SuperClass.INSTANTANEOUS_ELECTRIC_POWER_CONSUMPTION),
    energy("energy_consumption", SuperClass.CONSUMED_CUMULATIVE_ELECTRIC_ENERGY),
)

# Declarative on purpose: one description per property, the same shape each time (the
# duplicates tool pairs them); what they share is in the builders of values.py.
SENSORS: Final[dict[int, tuple[HemsSensorDescription, ...]]] = {
    TemperatureSensor.CODE: (
        temperature("temperature", TemperatureSensor.VALUE, energy_role=EnergyRole("temperature")),
    ),
    HumiditySensor.CODE: (
        sensor(
            "humidity",
            HumiditySensor.VALUE,
            device_class=SensorDeviceClass.HUMIDITY,
            native_unit_of_measurement=PERCENTAGE,
            state_class=MEASUREMENT,
        ),
    ),
    Co2Sensor.CODE: (
        sensor(
            "co2",
            Co2Sensor.VALUE,
            device_class=SensorDeviceClass.CO2,
            native_unit_of_measurement=PARTS_PER_MILLION,
            state_class=MEASUREMENT,
        ),
    ),
    HomeAirConditioner.CODE: (
        temperature(
            "room_temperature",
            HomeAirConditioner.ROOM_TEMPERATURE,
            energy_role=EnergyRole("temperature", 1),
        ),
        sensor(
            "room_humidity",
            HomeAirConditioner.HUMIDITY,
            device_class=SensorDeviceClass.HUMIDITY,
            native_unit_of_measurement=PERCENTAGE,
            state_class=MEASUREMENT,
        ),
        temperature("outdoor_temperature", HomeAirConditioner.OUTDOOR_TEMPERATURE),
    ),
    AirConditionerVentilationFan.CODE: (
        sensor(
            "co2",
            AirConditionerVentilationFan.CO2_CONCENTRATION,
            device_class=SensorDeviceClass.CO2,
            native_unit_of_measurement=PARTS_PER_MILLION,
            state_class=MEASUREMENT,
        ),
        sensor(
            "room_humidity",
            AirConditionerVentilationFan.HUMIDITY,
            device_class=SensorDeviceClass.HUMIDITY,
            native_unit_of_measurement=PERCENTAGE,
            state_class=MEASUREMENT,
        ),
        temperature("outdoor_temperature", AirConditionerVentilationFan.OUTDOOR_TEMPERATURE),
    ),
    EcoCute.CODE: (
        temperature("tank_temperature", EcoCute.TANK_WATER_TEMPERATURE),
        sensor(
            "remaining_hot_water",
            EcoCute.REMAINING_WATER,
            device_class=SensorDeviceClass.VOLUME_STORAGE,
            native_unit_of_measurement=L,
            suggested_display_precision=0,  # whole litres
            state_class=MEASUREMENT,
        ),
        sensor(
            "tank_capacity",
            EcoCute.TANK_CAPACITY,
            device_class=SensorDeviceClass.VOLUME_STORAGE,
            native_unit_of_measurement=L,
            suggested_display_precision=0,  # whole litres
            entity_category=EntityCategory.DIAGNOSTIC,
        ),
        # hot water it can supply now (給湯可能湯量) and the bath, where the unit offers them
        sensor(
            "available_hot_water",
            EcoCute.REMAINING_WATER_VOLUME,
            device_class=SensorDeviceClass.VOLUME_STORAGE,
            native_unit_of_measurement=L,
            suggested_display_precision=0,  # whole litres
            state_class=MEASUREMENT,
        ),
        enum("bath_operation_status", EcoCute.BATH_OPERATION_STATUS_MONITOR),
    ),
    ElectricLock.CODE: (enum("alarm_status", ElectricLock.ALARM_STATUS),),
    GasWaterHeater.CODE: (enum("bath_operation_status", GasWaterHeater.BATH_OPERATION_STATUS),),
    PvPowerGeneration.CODE: (
        power(
            "solar_power",
            PvPowerGeneration.INSTANTANEOUS_ELECTRIC_POWER_GENERATION,
            energy_role=EnergyRole("generation_power", full_feed_in="sale_power"),
        ),
        energy(
            "solar_energy",
            PvPowerGeneration.CUMULATIVE_ELECTRIC_ENERGY_OF_GENERATION,
            energy_role=EnergyRole("generation", full_feed_in="sale"),
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
        sensor(
            "gas_consumption",
            FuelCell.CUMULATIVE_GAS_CONSUMPTION,
            device_class=SensorDeviceClass.GAS,
            native_unit_of_measurement=M3,
            state_class=TOTAL_INCREASING,
        ),
        enum("generation_status", FuelCell.POWER_GENERATION_STATUS),
        sensor(
            "remaining_hot_water",
            FuelCell.REMAINING_HOT_WATER_AMOUNT,
            device_class=SensorDeviceClass.VOLUME_STORAGE,
            native_unit_of_measurement=L,
            suggested_display_precision=0,  # whole litres
            state_class=MEASUREMENT,
        ),
    ),
    StorageBattery.CODE: (
        sensor(
            "state_of_charge",
            StorageBattery.REMAINING_CAPACITY3,
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
        sensor(
            "remaining_energy",
            StorageBattery.REMAINING_CAPACITY1,
            device_class=SensorDeviceClass.ENERGY_STORAGE,
            native_unit_of_measurement=WH,
            state_class=MEASUREMENT,
        ),
        sensor(
            "rated_capacity",
            StorageBattery.RATED_ELECTRIC_ENERGY,
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
        sensor(
            "vehicle_state_of_charge",
            EvChargerDischarger.REMAINING_CAPACITY3,
            device_class=SensorDeviceClass.BATTERY,
            native_unit_of_measurement=PERCENTAGE,
            state_class=MEASUREMENT,
        ),
        sensor(
            "vehicle_remaining_energy",
            EvChargerDischarger.REMAINING_CAPACITY1,
            device_class=SensorDeviceClass.ENERGY_STORAGE,
            native_unit_of_measurement=WH,
            state_class=MEASUREMENT,
        ),
    ),
    WaterFlowMeter.CODE: (
        sensor(
            "water_consumption",
            WaterFlowMeter.CUMULATIVE_FLOWING_WATER,
            energy_role=EnergyRole("water"),
            device_class=SensorDeviceClass.WATER,
            native_unit_of_measurement=M3,
            state_class=TOTAL_INCREASING,
            suggested_display_precision=3,
        ),
    ),
    GasMeter.CODE: (
        sensor(
            "gas_consumption",
            GasMeter.CUMULATIVE_GAS_CONSUMPTION,
            energy_role=EnergyRole("gas"),
            device_class=SensorDeviceClass.GAS,
            native_unit_of_measurement=M3,
            state_class=TOTAL_INCREASING,
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
        sensor(
            "current_r",
            DistributionBoard.INSTANTANEOUS_CURRENT,
            energy_role=EnergyRole("current", 1),
            device_class=SensorDeviceClass.CURRENT,
            native_unit_of_measurement=A,
            state_class=MEASUREMENT,
            value_fn=field(DistributionBoard.INSTANTANEOUS_CURRENT, "r_phase"),
            fast=True,
        ),
        sensor(
            "current_t",
            DistributionBoard.INSTANTANEOUS_CURRENT,
            energy_role=EnergyRole("current", 1),
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
        sensor(
            "current_r",
            SmartMeter.INSTANTANEOUS_CURRENT,
            energy_role=EnergyRole("current"),
            device_class=SensorDeviceClass.CURRENT,
            native_unit_of_measurement=A,
            state_class=MEASUREMENT,
            value_fn=field(SmartMeter.INSTANTANEOUS_CURRENT, "r_phase"),
            fast=True,
        ),
        sensor(
            "current_t",
            SmartMeter.INSTANTANEOUS_CURRENT,
            energy_role=EnergyRole("current"),
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
        sensor(
            "fixed_time_import_energy",
            SmartMeter.NORMAL_DIRECTION_CUMULATIVE_ELECTRIC_ENERGY_AT_EVERY30_MIN,
            energy_role=EnergyRole("fixed_purchase"),
            device_class=SensorDeviceClass.ENERGY,
            native_unit_of_measurement=KWH,
            state_class=TOTAL_INCREASING,
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
        sensor(
            "fixed_time_export_energy",
            SmartMeter.REVERSE_DIRECTION_CUMULATIVE_ELECTRIC_ENERGY_AT_EVERY30_MIN,
            energy_role=EnergyRole("fixed_sale"),
            device_class=SensorDeviceClass.ENERGY,
            native_unit_of_measurement=KWH,
            state_class=TOTAL_INCREASING,
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
        sensor(
            "vehicle_state_of_charge",
            EvCharger.REMAINING_CAPACITY3,
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
        single = channel_epc(index)
        # The energy list, else the circuit's own measurement property (0xD0-0xEF).
        energy_epc = (
            single
            if EPC_ENERGY_LIST not in obj.get_map and single is not None and single in obj.get_map
            else EPC_ENERGY_LIST
        )
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
                epcs=(energy_epc,),
                device_class=SensorDeviceClass.ENERGY,
                native_unit_of_measurement=KWH,
                state_class=TOTAL_INCREASING,
                suggested_display_precision=2,
                exists_fn=readable(energy_epc),
                circuit=index,
                quantity="energy",
            )
        )
    return out
