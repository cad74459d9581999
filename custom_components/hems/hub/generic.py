"""The generic fallback: every property no curated entity presents still gets an entity.

Readable properties become sensors, settable two-state properties switches, settable
enumerations selects, settable numbers and levels number entities, set-only single-value
properties (resets) buttons.  All are disabled by default and named from the MRA in English
and Japanese through generated translation keys (``x<class>_<epc>``).
"""

from __future__ import annotations

from enum import StrEnum
import json
from typing import Any, Final
from weakref import WeakKeyDictionary

from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import (
    DEGREE,
    LIGHT_LUX,
    PERCENTAGE,
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfTemperature,
    UnitOfTime,
    UnitOfVolume,
    UnitOfVolumeFlowRate,
)

from ..echonet.definitions import SUPER_CLASS, PropertyDef
from ..echonet.definitions.datatypes import (
    DateTimeType,
    DateType,
    LevelType,
    NumberType,
    NumericValueType,
    OneOfType,
    StateType,
    TimeType,
)
from ..echonet.definitions.names import SuperClass
from ..echonet.node import EchonetObject
from ..units import PARTS_PER_MILLION
from .catalog import claimed_epcs
from .descriptions import (
    HemsButtonDescription,
    HemsNumberDescription,
    HemsSelectDescription,
    HemsSensorDescription,
    HemsSwitchDescription,
    SensorValue,
)
from .entity import is_valid, number_value

#: Properties that never become entities (identity, maps, clocks: shown elsewhere or useless).
SKIP: Final = frozenset(
    {
        SuperClass.INSTALLATION_LOCATION,
        SuperClass.PROTOCOL,
        SuperClass.ID,
        SuperClass.MANUFACTURER,
        SuperClass.BUSINESS_FACILITY_CODE,
        SuperClass.PRODUCT_CODE,
        SuperClass.SERIAL_NUMBER,
        SuperClass.PRODUCTION_DATE,
        SuperClass.CURRENT_TIME_SETTING,
        SuperClass.CURRENT_DATE_AND_TIME,
        SuperClass.STATUS_CHANGE_ANNOUNCEMENT_PROPERTY_MAP,
        SuperClass.SET_PROPERTY_MAP,
        SuperClass.GET_PROPERTY_MAP,
    }
)

#: MRA unit -> Home Assistant unit.
UNITS: Final[dict[str, str]] = {
    "W": UnitOfPower.WATT,
    "kW": UnitOfPower.KILO_WATT,
    "Wh": UnitOfEnergy.WATT_HOUR,
    "kWh": UnitOfEnergy.KILO_WATT_HOUR,
    "Celsius": UnitOfTemperature.CELSIUS,
    "%": PERCENTAGE,
    "A": UnitOfElectricCurrent.AMPERE,
    "mA": UnitOfElectricCurrent.MILLIAMPERE,
    "V": UnitOfElectricPotential.VOLT,
    "L": UnitOfVolume.LITERS,
    "m3": UnitOfVolume.CUBIC_METERS,
    "m3/h": UnitOfVolumeFlowRate.CUBIC_METERS_PER_HOUR,
    "ppm": PARTS_PER_MILLION,
    "lux": LIGHT_LUX,
    "second": UnitOfTime.SECONDS,
    "minute": UnitOfTime.MINUTES,
    "minutes": UnitOfTime.MINUTES,
    "days": UnitOfTime.DAYS,
    "degree": DEGREE,
    "ms": UnitOfTime.MILLISECONDS,
}

_DEVICE_CLASSES: Final[dict[str, SensorDeviceClass]] = {
    "W": SensorDeviceClass.POWER,
    "kW": SensorDeviceClass.POWER,
    "A": SensorDeviceClass.CURRENT,
    "mA": SensorDeviceClass.CURRENT,
    "V": SensorDeviceClass.VOLTAGE,
    "Celsius": SensorDeviceClass.TEMPERATURE,
    "lux": SensorDeviceClass.ILLUMINANCE,
    "second": SensorDeviceClass.DURATION,
    "minute": SensorDeviceClass.DURATION,
    "minutes": SensorDeviceClass.DURATION,
    "days": SensorDeviceClass.DURATION,
    "ms": SensorDeviceClass.DURATION,
}

_ON_KEYS: Final = frozenset({"true", "on", "enabled", "permitted", "allowed", "yes", "start"})
_OFF_KEYS: Final = frozenset(
    {"false", "off", "disabled", "prohibited", "not_permitted", "no", "stop"}
)


class Kind(StrEnum):
    """How a property's value is presented."""

    STATE = "state"
    NUMBER = "number"
    LEVEL = "level"
    COMPLEX = "complex"


def kind_of(prop: PropertyDef) -> Kind:
    """The presentation kind of a property's data type."""
    data = prop.data
    alternatives = data.alternatives if isinstance(data, OneOfType) else (data,)
    kinds = {type(a) for a in alternatives}
    if kinds <= {StateType}:
        return Kind.STATE
    if kinds & {NumberType, NumericValueType} and kinds <= {
        NumberType,
        NumericValueType,
        StateType,
    }:
        return Kind.NUMBER
    if LevelType in kinds and kinds <= {LevelType, StateType}:
        return Kind.LEVEL
    return Kind.COMPLEX


def translation_key(obj: EchonetObject, epc: int) -> str:
    """Generated translation key of a property: super-class ones are shared by every class."""
    prop = obj.prop(epc)
    base = SUPER_CLASS.properties.get(epc)
    code = 0 if base is not None and base == prop else obj.class_code
    return f"x{code:04x}_{epc:02x}"


def _switch_states(prop: PropertyDef) -> tuple[str, str] | None:
    options = [o for o in prop.options if not o.read_only]
    if len(options) != 2:
        return None
    keys = [o.key for o in options]
    on = [k for k in keys if k in _ON_KEYS or k.endswith("_on")]
    off = [k for k in keys if k in _OFF_KEYS or k.endswith("_off")]
    if len(on) == 1 and len(off) == 1 and on[0] != off[0]:
        return on[0], off[0]
    return None


def _text(value: Any) -> SensorValue:
    """A complex value as a compact text state (at most 255 characters)."""
    if isinstance(value, bytes):
        return value.hex()[:255]
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))[:255]


def _number_classes(prop: PropertyDef) -> tuple[SensorDeviceClass | None, SensorStateClass | None]:
    """Device and state class of a numeric property, from its unit and name."""
    device_class = _DEVICE_CLASSES.get(prop.unit or "")
    state_class: SensorStateClass | None = SensorStateClass.MEASUREMENT
    if prop.unit in ("kWh", "Wh", "m3", "kvarh", "MJ"):
        cumulative = "cumulative" in prop.short_name.lower()
        device_class = {
            "kWh": SensorDeviceClass.ENERGY,
            "Wh": SensorDeviceClass.ENERGY,
            "m3": SensorDeviceClass.VOLUME,
        }.get(prop.unit or "")
        state_class = SensorStateClass.TOTAL_INCREASING if cumulative else None
        if device_class in (SensorDeviceClass.ENERGY, SensorDeviceClass.VOLUME) and (
            not cumulative
        ):
            state_class = SensorStateClass.TOTAL
    if prop.unit and UNITS.get(prop.unit) is None:
        device_class = None  # a unit Home Assistant has no class for
    return device_class, state_class


def _sensor(obj: EchonetObject, epc: int, key: str, prop: PropertyDef) -> HemsSensorDescription:
    common: dict[str, Any] = {
        "key": f"x{epc:02x}",
        "translation_key": key,
        "epcs": (epc,),
        "entity_registry_enabled_default": False,
        "entity_category": EntityCategory.DIAGNOSTIC,
    }
    kind = kind_of(prop)
    if kind is Kind.STATE:
        options = [o.key for o in prop.options]

        def state(o: EchonetObject) -> SensorValue:
            value = o.value(epc)
            return value if isinstance(value, str) and value in options else None

        return HemsSensorDescription(
            device_class=SensorDeviceClass.ENUM, options=options, value_fn=state, **common
        )
    if kind in (Kind.NUMBER, Kind.LEVEL):
        device_class, state_class = _number_classes(prop)
        return HemsSensorDescription(
            device_class=device_class,
            state_class=state_class,
            native_unit_of_measurement=UNITS.get(prop.unit or "") or (prop.unit or None),
            value_fn=lambda o: number_value(o, epc),
            **common,
        )
    if isinstance(prop.data, DateTimeType | DateType | TimeType):

        def when(o: EchonetObject) -> SensorValue:
            value = o.value(epc)
            return str(value) if is_valid(value) else None

        return HemsSensorDescription(value_fn=when, **common)
    return _complex_sensor(epc, common)


def _complex_sensor(epc: int, common: dict[str, Any]) -> HemsSensorDescription:
    """A value with several parts: compact text as the state, the parts as an attribute."""

    def text(o: EchonetObject) -> SensorValue:
        value = o.value(epc)
        return _text(value) if is_valid(value) else None

    def attrs(o: EchonetObject) -> dict[str, Any] | None:
        value = o.value(epc)
        if not is_valid(value) or isinstance(value, bytes):
            return None
        return {"value": json.loads(json.dumps(value, default=str))}

    return HemsSensorDescription(value_fn=text, attrs_fn=attrs, **common)


class GenericEntities:
    """The generic descriptions for one object, by platform."""

    def __init__(self, obj: EchonetObject) -> None:
        self.sensors: list[HemsSensorDescription] = []
        self.switches: list[HemsSwitchDescription] = []
        self.selects: list[HemsSelectDescription] = []
        self.numbers: list[HemsNumberDescription] = []
        self.buttons: list[HemsButtonDescription] = []
        claimed = claimed_epcs(obj)
        skip = SKIP | claimed | obj.class_def.mcrules_deleted_epcs | obj.class_def.coefficient_epcs
        for epc in sorted((obj.get_map | obj.set_map) - skip):
            self._add(obj, epc)

    def _add(self, obj: EchonetObject, epc: int) -> None:
        prop = obj.prop(epc)
        key = translation_key(obj, epc)
        readable = epc in obj.get_map
        writable = epc in obj.set_map
        kind = kind_of(prop)
        common: dict[str, Any] = {
            "key": f"x{epc:02x}",
            "translation_key": key,
            "epcs": (epc,),
            "entity_registry_enabled_default": False,
            "entity_category": EntityCategory.CONFIG,
        }
        if writable and readable and kind is Kind.STATE:
            states = _switch_states(prop)
            if states is not None:
                self.switches.append(
                    HemsSwitchDescription(on_state=states[0], off_state=states[1], **common)
                )
            else:
                self.selects.append(HemsSelectDescription(**common))
            return
        if writable and readable and kind in (Kind.NUMBER, Kind.LEVEL):
            unit = UNITS.get(prop.unit or "") or prop.unit
            if kind is Kind.LEVEL:
                levels = prop.levels or 1
                self.numbers.append(
                    HemsNumberDescription(
                        native_min_value=1, native_max_value=levels, native_step=1, **common
                    )
                )
            elif (rng := prop.number_range) is not None:
                self.numbers.append(
                    HemsNumberDescription(
                        native_min_value=rng.minimum,
                        native_max_value=rng.maximum,
                        native_step=rng.step,
                        native_unit_of_measurement=unit,
                        **common,
                    )
                )
            return
        if writable and not readable:
            options = [o for o in prop.options if not o.read_only]
            if kind is Kind.STATE and len(options) == 1:
                self.buttons.append(HemsButtonDescription(press_state=options[0].key, **common))
            return
        # Readable (a property in neither map is never asked for): a sensor.
        self.sensors.append(_sensor(obj, epc, key, prop))


#: The descriptions per object, built once: every platform asks for its own part.
_BUILT: WeakKeyDictionary[EchonetObject, GenericEntities] = WeakKeyDictionary()


def generic_entities(obj: EchonetObject) -> GenericEntities:
    """The generic fallback descriptions of ``obj`` (built once per object)."""
    built = _BUILT.get(obj)
    if built is None:
        built = _BUILT[obj] = GenericEntities(obj)
    return built
