"""Curated Home Assistant mappings on top of the generated MRA definitions.

Per class code: which properties become which entities, with device class, unit and state
class.  Everything a curated entity does not claim falls to the generic fallback
(:mod:`.generic`).  The MRA gives names, units, ranges and states; this module only adds
what Home Assistant needs to present them well.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final

from homeassistant.components.binary_sensor import BinarySensorDeviceClass
from homeassistant.components.number import NumberDeviceClass, NumberMode
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import (
    CONCENTRATION_PARTS_PER_MILLION,
    PERCENTAGE,
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfTemperature,
    UnitOfVolume,
)

from ..echonet.board import board_channels, channel_count
from ..echonet.node import EchonetObject
from .descriptions import (
    HemsBinarySensorDescription,
    HemsNumberDescription,
    HemsSelectDescription,
    HemsSensorDescription,
    HemsSwitchDescription,
    SensorValue,
)
from .entity import number_value, state_value

W = UnitOfPower.WATT
KWH = UnitOfEnergy.KILO_WATT_HOUR
WH = UnitOfEnergy.WATT_HOUR
C = UnitOfTemperature.CELSIUS
M3 = UnitOfVolume.CUBIC_METERS
L = UnitOfVolume.LITERS
A = UnitOfElectricCurrent.AMPERE
V = UnitOfElectricPotential.VOLT
MEASUREMENT = SensorStateClass.MEASUREMENT
TOTAL_INCREASING = SensorStateClass.TOTAL_INCREASING


# --------------------------------------------------------------------------- value helpers


def _positive(epc: int, sign: int) -> Callable[[EchonetObject], SensorValue]:
    """The positive part of a signed power (``sign`` -1: of its negation)."""

    def value(obj: EchonetObject) -> SensorValue:
        raw = number_value(obj, epc)
        return None if raw is None else max(0, sign * raw)

    return value


def _field(epc: int, key: str) -> Callable[[EchonetObject], SensorValue]:
    """One numeric field of an object-typed property."""

    def value(obj: EchonetObject) -> SensorValue:
        decoded = obj.value(epc)
        if not isinstance(decoded, dict):
            return None
        item = decoded.get(key)
        return item if isinstance(item, int | float) and not isinstance(item, bool) else None

    return value


def _field_time(epc: int, key: str) -> Callable[[EchonetObject], dict[str, Any] | None]:
    def attrs(obj: EchonetObject) -> dict[str, Any] | None:
        decoded = obj.value(epc)
        if not isinstance(decoded, dict) or decoded.get(key) is None:
            return None
        return {"measured_at": decoded[key].isoformat()}

    return attrs


def _state(epc: int) -> Callable[[EchonetObject], SensorValue]:
    def value(obj: EchonetObject) -> SensorValue:
        return state_value(obj, epc)

    return value


def _has(*epcs: int) -> Callable[[EchonetObject], bool]:
    def exists(obj: EchonetObject) -> bool:
        return all(e in obj.get_map for e in epcs)

    return exists


def _settable(epc: int) -> Callable[[EchonetObject], bool]:
    def exists(obj: EchonetObject) -> bool:
        return epc in obj.set_map

    return exists


# --------------------------------------------------------------------------- sensor builders


def power(key: str, epc: int, **kw: Any) -> HemsSensorDescription:
    """An instantaneous power sensor (W), polled at the fast interval."""
    return HemsSensorDescription(
        key=key,
        translation_key=kw.pop("translation_key", key),
        epcs=(epc,),
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=W,
        state_class=MEASUREMENT,
        fast=True,
        **kw,
    )


def energy(key: str, epc: int, *, unit: str = KWH, **kw: Any) -> HemsSensorDescription:
    """A lifetime energy counter for the Energy dashboard."""
    return HemsSensorDescription(
        key=key,
        translation_key=kw.pop("translation_key", key),
        epcs=(epc,),
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=unit,
        state_class=TOTAL_INCREASING,
        monotonic=True,
        suggested_display_precision=kw.pop("suggested_display_precision", 2),
        **kw,
    )


def temperature(key: str, epc: int, **kw: Any) -> HemsSensorDescription:
    """A temperature sensor (°C)."""
    return HemsSensorDescription(
        key=key,
        translation_key=kw.pop("translation_key", key),
        epcs=(epc,),
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=C,
        state_class=MEASUREMENT,
        **kw,
    )


def enum(key: str, epc: int, **kw: Any) -> HemsSensorDescription:
    """An enum sensor with the MRA's states (translated; the options come from the object's
    class when the entity is made, so importing this module reads no definitions)."""
    return HemsSensorDescription(
        key=key,
        translation_key=kw.pop("translation_key", key),
        epcs=(epc,),
        device_class=SensorDeviceClass.ENUM,
        value_fn=_state(epc),
        **kw,
    )


# Every object: its own power and energy measurement (super class 0x84 / 0x85).
COMMON_SENSORS: Final = (
    power("power_consumption", 0x84),
    energy("energy_consumption", 0x85),
)

SENSORS: Final[dict[int, tuple[HemsSensorDescription, ...]]] = {
    0x0011: (temperature("temperature", 0xE0),),
    0x0012: (
        HemsSensorDescription(
            key="humidity",
            translation_key="humidity",
            epcs=(0xE0,),
            device_class=SensorDeviceClass.HUMIDITY,
            native_unit_of_measurement=PERCENTAGE,
            state_class=MEASUREMENT,
        ),
    ),
    0x001B: (
        HemsSensorDescription(
            key="co2",
            translation_key="co2",
            epcs=(0xE0,),
            device_class=SensorDeviceClass.CO2,
            native_unit_of_measurement=CONCENTRATION_PARTS_PER_MILLION,
            state_class=MEASUREMENT,
        ),
    ),
    0x0130: (
        temperature("room_temperature", 0xBB),
        HemsSensorDescription(
            key="room_humidity",
            translation_key="room_humidity",
            epcs=(0xBA,),
            device_class=SensorDeviceClass.HUMIDITY,
            native_unit_of_measurement=PERCENTAGE,
            state_class=MEASUREMENT,
        ),
        temperature("outdoor_temperature", 0xBE),
    ),
    0x0134: (
        HemsSensorDescription(
            key="co2",
            translation_key="co2",
            epcs=(0xC0,),
            device_class=SensorDeviceClass.CO2,
            native_unit_of_measurement=CONCENTRATION_PARTS_PER_MILLION,
            state_class=MEASUREMENT,
        ),
        HemsSensorDescription(
            key="room_humidity",
            translation_key="room_humidity",
            epcs=(0xBA,),
            device_class=SensorDeviceClass.HUMIDITY,
            native_unit_of_measurement=PERCENTAGE,
            state_class=MEASUREMENT,
        ),
        temperature("outdoor_temperature", 0xBE),
    ),
    0x026B: (
        temperature("tank_temperature", 0xC1),
        HemsSensorDescription(
            key="remaining_hot_water",
            translation_key="remaining_hot_water",
            epcs=(0xE1,),
            device_class=SensorDeviceClass.VOLUME_STORAGE,
            native_unit_of_measurement=L,
            suggested_display_precision=0,  # whole litres
            state_class=MEASUREMENT,
        ),
        HemsSensorDescription(
            key="tank_capacity",
            translation_key="tank_capacity",
            epcs=(0xE2,),
            device_class=SensorDeviceClass.VOLUME_STORAGE,
            native_unit_of_measurement=L,
            suggested_display_precision=0,  # whole litres
            entity_category=EntityCategory.DIAGNOSTIC,
        ),
    ),
    0x026F: (enum("alarm_status", 0xE5),),
    0x0272: (enum("bath_operation_status", 0xEF),),
    0x0279: (
        power("solar_power", 0xE0),
        energy("solar_energy", 0xE1),
        energy("sold_energy", 0xE3),
    ),
    0x027B: (
        temperature("room_temperature", 0xE2),
        temperature("floor_temperature", 0xE3),
    ),
    0x027C: (
        power("generation_power", 0xC4),
        energy("generated_energy", 0xC5),
        HemsSensorDescription(
            key="gas_consumption",
            translation_key="gas_consumption",
            epcs=(0xC8,),
            device_class=SensorDeviceClass.GAS,
            native_unit_of_measurement=M3,
            state_class=TOTAL_INCREASING,
            monotonic=True,
        ),
        enum("generation_status", 0xCB),
        HemsSensorDescription(
            key="remaining_hot_water",
            translation_key="remaining_hot_water",
            epcs=(0xE1,),
            device_class=SensorDeviceClass.VOLUME_STORAGE,
            native_unit_of_measurement=L,
            suggested_display_precision=0,  # whole litres
            state_class=MEASUREMENT,
        ),
    ),
    0x027D: (
        HemsSensorDescription(
            key="state_of_charge",
            translation_key="state_of_charge",
            epcs=(0xE4,),
            device_class=SensorDeviceClass.BATTERY,
            native_unit_of_measurement=PERCENTAGE,
            state_class=MEASUREMENT,
        ),
        power("battery_power", 0xD3),
        power("charging_power", 0xD3, value_fn=_positive(0xD3, 1)),
        power("discharging_power", 0xD3, value_fn=_positive(0xD3, -1)),
        energy("charged_energy", 0xD8),
        energy("discharged_energy", 0xD6),
        HemsSensorDescription(
            key="remaining_energy",
            translation_key="remaining_energy",
            epcs=(0xE2,),
            device_class=SensorDeviceClass.ENERGY_STORAGE,
            native_unit_of_measurement=WH,
            state_class=MEASUREMENT,
        ),
        HemsSensorDescription(
            key="rated_capacity",
            translation_key="rated_capacity",
            epcs=(0xD0,),
            device_class=SensorDeviceClass.ENERGY_STORAGE,
            native_unit_of_measurement=WH,
            entity_category=EntityCategory.DIAGNOSTIC,
        ),
        enum("working_status", 0xCF),
    ),
    0x027E: (
        enum("vehicle_status", 0xC7),
        power("ev_power", 0xD3),
        power("charging_power", 0xD3, value_fn=_positive(0xD3, 1)),
        power("discharging_power", 0xD3, value_fn=_positive(0xD3, -1)),
        energy("charged_energy", 0xD8),
        energy("discharged_energy", 0xD6),
        HemsSensorDescription(
            key="vehicle_state_of_charge",
            translation_key="vehicle_state_of_charge",
            epcs=(0xE4,),
            device_class=SensorDeviceClass.BATTERY,
            native_unit_of_measurement=PERCENTAGE,
            state_class=MEASUREMENT,
        ),
        HemsSensorDescription(
            key="vehicle_remaining_energy",
            translation_key="vehicle_remaining_energy",
            epcs=(0xE2,),
            device_class=SensorDeviceClass.ENERGY_STORAGE,
            native_unit_of_measurement=WH,
            state_class=MEASUREMENT,
        ),
    ),
    0x0281: (
        HemsSensorDescription(
            key="water_consumption",
            translation_key="water_consumption",
            epcs=(0xE0,),
            device_class=SensorDeviceClass.WATER,
            native_unit_of_measurement=M3,
            state_class=TOTAL_INCREASING,
            monotonic=True,
            suggested_display_precision=3,
        ),
    ),
    0x0282: (
        HemsSensorDescription(
            key="gas_consumption",
            translation_key="gas_consumption",
            epcs=(0xE0,),
            device_class=SensorDeviceClass.GAS,
            native_unit_of_measurement=M3,
            state_class=TOTAL_INCREASING,
            monotonic=True,
            suggested_display_precision=3,
        ),
    ),
    0x0287: (
        power("main_power", 0xC6),
        energy("grid_import_energy", 0xC0),
        energy("grid_export_energy", 0xC1),
        HemsSensorDescription(
            key="current_r",
            translation_key="current_r",
            epcs=(0xC7,),
            device_class=SensorDeviceClass.CURRENT,
            native_unit_of_measurement=A,
            state_class=MEASUREMENT,
            value_fn=_field(0xC7, "r_phase"),
            fast=True,
        ),
        HemsSensorDescription(
            key="current_t",
            translation_key="current_t",
            epcs=(0xC7,),
            device_class=SensorDeviceClass.CURRENT,
            native_unit_of_measurement=A,
            state_class=MEASUREMENT,
            value_fn=_field(0xC7, "t_phase"),
            fast=True,
        ),
    ),
    0x0288: (
        power("grid_power", 0xE7),
        power("grid_import_power", 0xE7, value_fn=_positive(0xE7, 1)),
        power("grid_export_power", 0xE7, value_fn=_positive(0xE7, -1)),
        HemsSensorDescription(
            key="current_r",
            translation_key="current_r",
            epcs=(0xE8,),
            device_class=SensorDeviceClass.CURRENT,
            native_unit_of_measurement=A,
            state_class=MEASUREMENT,
            value_fn=_field(0xE8, "r_phase"),
            fast=True,
        ),
        HemsSensorDescription(
            key="current_t",
            translation_key="current_t",
            epcs=(0xE8,),
            device_class=SensorDeviceClass.CURRENT,
            native_unit_of_measurement=A,
            state_class=MEASUREMENT,
            value_fn=_field(0xE8, "t_phase"),
            fast=True,
        ),
        energy("grid_import_energy", 0xE0),
        energy("grid_export_energy", 0xE3),
        HemsSensorDescription(
            key="fixed_time_import_energy",
            translation_key="fixed_time_import_energy",
            epcs=(0xEA,),
            device_class=SensorDeviceClass.ENERGY,
            native_unit_of_measurement=KWH,
            state_class=TOTAL_INCREASING,
            monotonic=True,
            value_fn=_field(0xEA, "electric_energy"),
            attrs_fn=_field_time(0xEA, "date_and_time"),
            entity_registry_enabled_default=False,
        ),
        HemsSensorDescription(
            key="fixed_time_export_energy",
            translation_key="fixed_time_export_energy",
            epcs=(0xEB,),
            device_class=SensorDeviceClass.ENERGY,
            native_unit_of_measurement=KWH,
            state_class=TOTAL_INCREASING,
            monotonic=True,
            value_fn=_field(0xEB, "electric_energy"),
            attrs_fn=_field_time(0xEB, "date_and_time"),
            entity_registry_enabled_default=False,
        ),
    ),
    0x02A1: (
        enum("vehicle_status", 0xC7),
        power("ev_power", 0xD3),
        energy("charged_energy", 0xD8),
        HemsSensorDescription(
            key="vehicle_state_of_charge",
            translation_key="vehicle_state_of_charge",
            epcs=(0xE4,),
            device_class=SensorDeviceClass.BATTERY,
            native_unit_of_measurement=PERCENTAGE,
            state_class=MEASUREMENT,
        ),
    ),
    0x02A5: (
        power("pcs_power", 0xE7),
        energy("pcs_output_energy", 0xE0),
        energy("pcs_input_energy", 0xE3),
    ),
}


def board_circuit_sensors(obj: EchonetObject) -> list[HemsSensorDescription]:
    """Power and energy of every circuit of a distribution board (named "Circuit N")."""
    out: list[HemsSensorDescription] = []
    for index in range(channel_count(obj)):

        def _power(o: EchonetObject, i: int = index) -> SensorValue:
            channels = board_channels(o)
            return None if channels is None or i >= channels.count else channels.power_w[i]

        def _energy(o: EchonetObject, i: int = index) -> SensorValue:
            channels = board_channels(o)
            return None if channels is None or i >= channels.count else channels.energy_kwh[i]

        placeholders = {"circuit": str(index + 1)}
        out.append(
            HemsSensorDescription(
                key=f"circuit_{index + 1}_power",
                translation_key="circuit_power",
                translation_placeholders=placeholders,
                epcs=(0xB7,),
                device_class=SensorDeviceClass.POWER,
                native_unit_of_measurement=W,
                state_class=MEASUREMENT,
                value_fn=_power,
                exists_fn=_has(0xB7),
            )
        )
        out.append(
            HemsSensorDescription(
                key=f"circuit_{index + 1}_energy",
                translation_key="circuit_energy",
                translation_placeholders=placeholders,
                epcs=(0xB3,),
                device_class=SensorDeviceClass.ENERGY,
                native_unit_of_measurement=KWH,
                state_class=TOTAL_INCREASING,
                monotonic=True,
                suggested_display_precision=2,
                value_fn=_energy,
                exists_fn=_has(0xB3),
            )
        )
    return out


# --------------------------------------------------------------------------- binary sensors

FAULT: Final = HemsBinarySensorDescription(
    key="fault",
    translation_key="fault",
    epcs=(0x88,),
    device_class=BinarySensorDeviceClass.PROBLEM,
    entity_category=EntityCategory.DIAGNOSTIC,
)

BINARY_SENSORS: Final[dict[int, tuple[HemsBinarySensorDescription, ...]]] = {
    0x0007: (
        HemsBinarySensorDescription(
            key="motion",
            translation_key="motion",
            epcs=(0xB1,),
            device_class=BinarySensorDeviceClass.MOTION,
        ),
    ),
    0x0029: (
        HemsBinarySensorDescription(
            key="opening",
            translation_key="opening",
            epcs=(0xB1,),
            device_class=BinarySensorDeviceClass.OPENING,
            on_states=frozenset({"open"}),
        ),
    ),
    0x0135: (
        HemsBinarySensorDescription(
            key="air_pollution",
            translation_key="air_pollution",
            epcs=(0xC0,),
            device_class=BinarySensorDeviceClass.PROBLEM,
        ),
        HemsBinarySensorDescription(
            key="smoke",
            translation_key="smoke",
            epcs=(0xC1,),
            device_class=BinarySensorDeviceClass.SMOKE,
        ),
        HemsBinarySensorDescription(
            key="filter_change",
            translation_key="filter_change",
            epcs=(0xE1,),
            device_class=BinarySensorDeviceClass.PROBLEM,
            entity_category=EntityCategory.DIAGNOSTIC,
        ),
    ),
    0x026B: (
        HemsBinarySensorDescription(
            key="heating",
            translation_key="heating",
            epcs=(0xB2,),
            device_class=BinarySensorDeviceClass.RUNNING,
        ),
    ),
    0x026F: (
        HemsBinarySensorDescription(
            key="door",
            translation_key="door",
            epcs=(0xE3,),
            device_class=BinarySensorDeviceClass.DOOR,
        ),
        HemsBinarySensorDescription(
            key="door_guard",
            translation_key="door_guard",
            epcs=(0xE2,),
            device_class=BinarySensorDeviceClass.LOCK,
            on_states=frozenset({"false"}),  # lock class: on means unlocked
        ),
        HemsBinarySensorDescription(
            key="occupancy",
            translation_key="occupancy",
            epcs=(0xE4,),
            device_class=BinarySensorDeviceClass.OCCUPANCY,
        ),
        HemsBinarySensorDescription(
            key="battery_low",
            translation_key="battery_low",
            epcs=(0xE7,),
            device_class=BinarySensorDeviceClass.BATTERY,
            entity_category=EntityCategory.DIAGNOSTIC,
        ),
    ),
    0x0272: (
        HemsBinarySensorDescription(
            key="heating",
            translation_key="heating",
            epcs=(0xD0,),
            device_class=BinarySensorDeviceClass.RUNNING,
        ),
        HemsBinarySensorDescription(
            key="bath_heating",
            translation_key="bath_heating",
            epcs=(0xE2,),
            device_class=BinarySensorDeviceClass.RUNNING,
        ),
    ),
}

# --------------------------------------------------------------------------- switches

SWITCHES: Final[dict[int, tuple[HemsSwitchDescription, ...]]] = {
    0x026B: (
        HemsSwitchDescription(
            key="manual_boiling",
            translation_key="manual_boiling",
            epcs=(0xB0,),
            on_state="manual_heating",
            off_state="auto",
            exists_fn=_settable(0xB0),
        ),
        HemsSwitchDescription(
            key="bath_auto",
            translation_key="bath_auto",
            epcs=(0xE3,),
            exists_fn=_settable(0xE3),
        ),
    ),
    0x026F: (
        HemsSwitchDescription(
            key="auto_lock",
            translation_key="auto_lock",
            epcs=(0xE6,),
            entity_category=EntityCategory.CONFIG,
            exists_fn=_settable(0xE6),
        ),
    ),
    0x0272: (
        HemsSwitchDescription(
            key="bath_auto",
            translation_key="bath_auto",
            epcs=(0xE3,),
            exists_fn=_settable(0xE3),
        ),
        HemsSwitchDescription(
            key="bath_reheating",
            translation_key="bath_reheating",
            epcs=(0xE4,),
            exists_fn=_settable(0xE4),
        ),
    ),
    0x027C: (
        HemsSwitchDescription(
            key="generation",
            translation_key="generation",
            epcs=(0xCA,),
            on_state="generation_on",
            off_state="generation_off",
            exists_fn=_settable(0xCA),
        ),
    ),
}

# --------------------------------------------------------------------------- selects

SELECTS: Final[dict[int, tuple[HemsSelectDescription, ...]]] = {
    0x027D: (
        HemsSelectDescription(
            key="operation_mode",
            translation_key="battery_operation_mode",
            epcs=(0xDA,),
            exists_fn=_settable(0xDA),
        ),
    ),
    0x027E: (
        HemsSelectDescription(
            key="operation_mode",
            translation_key="ev_operation_mode",
            epcs=(0xDA,),
            exists_fn=_settable(0xDA),
        ),
    ),
    0x02A1: (
        HemsSelectDescription(
            key="operation_mode",
            translation_key="ev_charger_operation_mode",
            epcs=(0xDA,),
            exists_fn=_settable(0xDA),
        ),
    ),
}

# --------------------------------------------------------------------------- numbers

#: Target charge of a vehicle (EV charger/discharger and EV charger, 0xE7).
_CHARGE_AMOUNT: Final = HemsNumberDescription(
    key="charge_amount",
    translation_key="charge_amount",
    epcs=(0xE7,),
    device_class=NumberDeviceClass.ENERGY,
    native_unit_of_measurement=WH,
    native_min_value=0,
    native_max_value=100_000,
    native_step=100,
    mode=NumberMode.BOX,
    exists_fn=_settable(0xE7),
)

NUMBERS: Final[dict[int, tuple[HemsNumberDescription, ...]]] = {
    0x027E: (_CHARGE_AMOUNT,),
    0x02A1: (_CHARGE_AMOUNT,),
}

# --------------------------------------------------------------------------- entity platforms

#: Properties that the climate/light/lock/cover/water_heater/fan entities present, per class.
PLATFORM_EPCS: Final[dict[int, frozenset[int]]] = {
    0x0130: frozenset({0x80, 0xB0, 0xB3, 0xA0, 0xA3, 0xBB, 0xBA}),
    0x027B: frozenset({0x80, 0xE0, 0xE1, 0xD1, 0xE2, 0xE3}),
    0x0290: frozenset({0x80, 0xB0, 0xB1}),
    0x0291: frozenset({0x80, 0xB0}),
    0x02A3: frozenset({0x80, 0xB0}),
    0x026F: frozenset({0xE0, 0xE1}),
    0x0260: frozenset({0xE0, 0xE1, 0xEA}),
    0x0261: frozenset({0xE0, 0xE1, 0xEA}),
    0x0262: frozenset({0xE0, 0xE1, 0xEA}),
    0x0263: frozenset({0xE0, 0xE1, 0xEA}),
    0x0264: frozenset({0xE0, 0xE1, 0xEA}),
    0x0265: frozenset({0xE0, 0xE1, 0xEA}),
    0x0266: frozenset({0xE0, 0xE1, 0xEA}),
    0x026B: frozenset({0xB0, 0xB3, 0xC1}),
    0x0272: frozenset({0x80, 0xD1}),
    0x0133: frozenset({0x80, 0xA0}),
    0x0134: frozenset({0x80, 0xA0}),
    0x0135: frozenset({0x80, 0xA0}),
}


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
    if code == 0x0287:
        claimed |= {0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7}
    return claimed
