"""Value helpers and sensor builders of the curated catalog."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import (
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfTemperature,
    UnitOfVolume,
)

from ...echonet.node import EchonetObject
from ..descriptions import HemsSensorDescription, SensorValue
from ..entity import number_value, state_value

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


def positive_part(epc: int, sign: int) -> Callable[[EchonetObject], SensorValue]:
    """The positive part of a signed power (``sign`` -1: of its negation)."""

    def value(obj: EchonetObject) -> SensorValue:
        raw = number_value(obj, epc)
        return None if raw is None else max(0, sign * raw)

    return value


def field(epc: int, key: str) -> Callable[[EchonetObject], SensorValue]:
    """One numeric field of an object-typed property."""

    def value(obj: EchonetObject) -> SensorValue:
        decoded = obj.value(epc)
        if not isinstance(decoded, dict):
            return None
        item = decoded.get(key)
        return item if isinstance(item, int | float) and not isinstance(item, bool) else None

    return value


def field_time(epc: int, key: str) -> Callable[[EchonetObject], dict[str, Any] | None]:
    def attrs(obj: EchonetObject) -> dict[str, Any] | None:
        decoded = obj.value(epc)
        if not isinstance(decoded, dict) or decoded.get(key) is None:
            return None
        return {"measured_at": decoded[key].isoformat()}

    return attrs


def state_of(epc: int) -> Callable[[EchonetObject], SensorValue]:
    def value(obj: EchonetObject) -> SensorValue:
        return state_value(obj, epc)

    return value


def readable(*epcs: int) -> Callable[[EchonetObject], bool]:
    def exists(obj: EchonetObject) -> bool:
        return all(e in obj.get_map for e in epcs)

    return exists


def settable(epc: int) -> Callable[[EchonetObject], bool]:
    def exists(obj: EchonetObject) -> bool:
        return epc in obj.set_map

    return exists


# --------------------------------------------------------------------------- sensor builders


def sensor(key: str, epc: int, **kw: Any) -> HemsSensorDescription:
    """A sensor of property ``epc`` keyed ``key`` (also its translation key unless given)."""
    kw.setdefault("translation_key", key)
    return HemsSensorDescription(key=key, epcs=(epc,), **kw)


def power(key: str, epc: int, **kw: Any) -> HemsSensorDescription:
    """An instantaneous power sensor (W), polled at the fast interval."""
    defaults = {"native_unit_of_measurement": W, "state_class": MEASUREMENT, "fast": True}
    return sensor(key, epc, device_class=SensorDeviceClass.POWER, **{**defaults, **kw})


def energy(key: str, epc: int, *, unit: str = KWH, **kw: Any) -> HemsSensorDescription:
    """A lifetime energy counter for the Energy dashboard."""
    defaults = {
        "state_class": TOTAL_INCREASING,
        "suggested_display_precision": 2,
    }
    return sensor(
        key,
        epc,
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=unit,
        **{**defaults, **kw},
    )


def temperature(key: str, epc: int, **kw: Any) -> HemsSensorDescription:
    """A temperature sensor (°C)."""
    defaults = {"native_unit_of_measurement": C, "state_class": MEASUREMENT}
    return sensor(key, epc, device_class=SensorDeviceClass.TEMPERATURE, **{**defaults, **kw})


def enum(key: str, epc: int, **kw: Any) -> HemsSensorDescription:
    """An enum sensor with the MRA's states (translated; the options come from the object's
    class when the entity is made, so importing this module reads no definitions)."""
    return sensor(key, epc, device_class=SensorDeviceClass.ENUM, value_fn=state_of(epc), **kw)
