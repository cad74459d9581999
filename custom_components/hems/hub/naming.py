"""Names of ECHONET Lite devices in Home Assistant (English and Japanese).

Japanese names follow the terms of the reference HEMS controller's manual (エアコン,
エコキュート, 蓄電池, 太陽光発電, 電気錠 ...); classes without a curated name use the MRA's.
"""

from __future__ import annotations

from typing import Final

from ..echonet.definitions import names as mra
from ..echonet.node import EchonetObject

#: class code -> (English, Japanese)
CLASS_NAMES: Final[dict[int, tuple[str, str]]] = {
    mra.HumanDetectionSensor.CODE: ("Motion sensor", "人感センサー"),
    mra.TemperatureSensor.CODE: ("Temperature sensor", "温度センサー"),
    mra.HumiditySensor.CODE: ("Humidity sensor", "湿度センサー"),
    mra.Co2Sensor.CODE: ("CO2 sensor", "CO2センサー"),
    mra.OpenCloseSensor.CODE: ("Open/close sensor", "開閉センサー"),
    mra.HomeAirConditioner.CODE: ("Air conditioner", "エアコン"),
    mra.VentilationFan.CODE: ("Ventilation fan", "換気扇"),
    mra.AirConditionerVentilationFan.CODE: ("Heat exchange ventilation", "熱交換気"),
    mra.AirCleaner.CODE: ("Air cleaner", "空気清浄機"),
    mra.ElectricBlindShade.CODE: ("Electric blind", "電動ブラインド"),
    mra.ElectricShutter.CODE: ("Electric shutter", "電動シャッター"),
    mra.ElectricCurtain.CODE: ("Electric curtain", "電動カーテン"),
    mra.ElectricRainDoor.CODE: ("Electric storm shutter", "電動雨戸・シャッター"),
    mra.ElectricGate.CODE: ("Electric gate", "電動ゲート"),
    mra.ElectricWindow.CODE: ("Electric window", "電動窓"),
    mra.ElectricDoor.CODE: ("Entrance door", "電動玄関ドア"),
    mra.ElectricWaterHeater.CODE: ("EcoCute", "エコキュート"),
    mra.ElectricLock.CODE: ("Electric lock", "電気錠"),
    mra.InstantaneousWaterHeater.CODE: ("Gas water heater", "ガス給湯器"),
    mra.PvPowerGeneration.CODE: ("Solar power", "太陽光発電"),
    mra.FloorHeater.CODE: ("Floor heating", "床暖房"),
    mra.FuelCell.CODE: ("Fuel cell", "エネファーム"),
    mra.StorageBattery.CODE: ("Storage battery", "蓄電池"),
    mra.EvChargerDischarger.CODE: ("V2H charger", "V2H"),
    mra.WaterFlowMeter.CODE: ("Water meter", "水道メーター"),
    mra.GasMeter.CODE: ("Gas meter", "ガスメーター"),
    mra.PowerDistributionBoardMetering.CODE: ("Distribution board", "分電盤"),
    mra.LvSmartElectricEnergyMeter.CODE: ("Smart meter", "スマートメーター"),
    mra.GeneralLighting.CODE: ("Light", "照明"),
    mra.MonoFunctionalLighting.CODE: ("Light", "照明"),
    mra.EvCharger.CODE: ("EV charger", "EV充電器"),
    mra.LightingSystem.CODE: ("Lighting system", "照明システム"),
    mra.MultipleInputPCS.CODE: ("Multi-input PCS", "マルチ入力PCS"),
}

#: Installation location (0x81, upper five bits) -> (English, Japanese).  "Other" (0x78) and
#: "not set" (0x00) are no location: a device there is told apart by a number.
LOCATIONS: Final[dict[int, tuple[str, str]]] = {
    0x08: ("Living room", "リビング"),
    0x10: ("Dining room", "ダイニング"),
    0x18: ("Kitchen", "キッチン"),
    0x20: ("Bathroom", "浴室"),
    0x28: ("Toilet", "トイレ"),
    0x30: ("Washroom", "洗面所"),
    0x38: ("Hallway", "廊下"),
    0x40: ("Room", "部屋"),
    0x48: ("Stairs", "階段"),
    0x50: ("Entrance", "玄関"),
    0x58: ("Storeroom", "納戸"),
    0x60: ("Garden", "庭"),
    0x68: ("Garage", "車庫"),
    0x70: ("Balcony", "ベランダ"),
}

#: Other names of the same place (Home Assistant's default areas, as its onboarding creates
#: them in each language, and common words), for finding an area the user already has.
LOCATION_ALIASES: Final[dict[int, tuple[str, ...]]] = {
    0x08: ("Living Room", "Lounge", "リビングルーム", "居間"),
    0x10: ("Dining", "食堂"),
    0x18: ("台所",),
    0x20: ("Bath", "お風呂", "風呂", "風呂場"),
    0x28: ("WC", "Restroom", "お手洗い"),
    0x30: ("Changing room", "脱衣所"),
    0x38: ("Corridor", "Hall"),
    0x48: ("Stairway", "Staircase"),
    0x50: ("Front door", "Entryway"),
    0x58: ("Storage", "物置"),
    0x60: ("Yard", "Garden"),
    0x68: ("Carport", "ガレージ"),
    0x70: ("Veranda", "バルコニー"),
}

LANGUAGES: Final = ("en", "ja")


def _ja(language: str) -> bool:
    return language.lower().startswith("ja")


def class_name(class_code: int, language: str, fallback: tuple[str, str] | None = None) -> str:
    """Display name of a device class."""
    names = CLASS_NAMES.get(class_code) or fallback or (f"0x{class_code:04X}",) * 2
    return names[1] if _ja(language) else names[0]


def _location(edt: bytes | None) -> tuple[int, int] | None:
    """(location code, number) of an installation location (0x81); None when not a place."""
    if not edt or len(edt) != 1:
        return None
    code, number = edt[0] & 0xF8, edt[0] & 0x07
    return (code, number) if code in LOCATIONS else None


def location_name(edt: bytes | None, language: str) -> str | None:
    """The installation location (0x81) as text ("Room 2"), None when not set.

    A numbered location code keeps its number (0x42: "Room 2"); 0 means no number.
    """
    location = _location(edt)
    if location is None:
        return None
    code, number = location
    names = LOCATIONS[code]
    text = names[1] if _ja(language) else names[0]
    return f"{text} {number}" if number else text


def location_area_names(edt: bytes | None, language: str) -> list[str]:
    """The names an existing area for this location may have, the user's language first."""
    location = _location(edt)
    if location is None:
        return []
    code, number = location
    ordered = sorted(LANGUAGES, key=lambda lang: _ja(lang) != _ja(language))
    names = [location_name(edt, lang) or "" for lang in ordered]
    if not number:
        names += LOCATION_ALIASES.get(code, ())
    return names


def _lowercase_first_word(name: str) -> str:
    """ "Air conditioner" -> "air conditioner"; "EcoCute", "CO2 sensor", "V2H" stay."""
    first = name.split(" ", 1)[0]
    if first[1:] != first[1:].lower() or any(ch.isdigit() for ch in first):
        return name
    return name[0].lower() + name[1:]


def object_base_name(obj: EchonetObject, language: str) -> str:
    """Name of the Home Assistant device of an object, before any number.

    The installation location (0x81) in front of the class: "Living room air conditioner",
    「リビング エアコン」.  Two devices of the same base name are numbered by the caller.
    """
    name = class_name(obj.class_code, language, (obj.class_def.name_en, obj.class_def.name_ja))
    location = location_name(obj.values.get(mra.SuperClass.INSTALLATION_LOCATION), language)
    if location is None:
        return name
    if _ja(language):
        return f"{location} {name}"
    return f"{location} {_lowercase_first_word(name)}"


def numbered(name: str, number: int) -> str:
    """The ``number``-th device of a name: the first has no number."""
    return f"{name} {number}" if number > 1 else name


def name_number(name: str | None, base: str) -> int | None:
    """The number ``name`` gives a device of base name ``base`` (None: another name)."""
    if name is None:
        return None
    if name == base:
        return 1
    head, _, tail = name.rpartition(" ")
    if head == base and tail.isdigit() and int(tail) > 1:
        return int(tail)
    return None


def object_device_name(obj: EchonetObject, language: str) -> str:
    """A short name of the object's device for messages (without its number)."""
    return object_base_name(obj, language)
