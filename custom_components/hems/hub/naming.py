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

#: Installation location (0x81, upper five bits) -> (English, Japanese)
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
    0x78: ("Other", "その他"),
}


def _ja(language: str) -> bool:
    return language.lower().startswith("ja")


def class_name(class_code: int, language: str, fallback: tuple[str, str] | None = None) -> str:
    """Display name of a device class."""
    names = CLASS_NAMES.get(class_code) or fallback or (f"0x{class_code:04X}",) * 2
    return names[1] if _ja(language) else names[0]


def location_name(edt: bytes | None, language: str) -> str | None:
    """The installation location (0x81) as text, None when not set."""
    if not edt or len(edt) != 1:
        return None
    code, number = edt[0] & 0xF8, edt[0] & 0x07
    names = LOCATIONS.get(code)
    if names is None:
        return None
    text = names[1] if _ja(language) else names[0]
    return f"{text} {number}" if number > 1 else text


def object_device_name(obj: EchonetObject, language: str) -> str:
    """Name of the Home Assistant device of an object.

    The class name; the installation location (0x81) becomes the device's area instead of a
    part of its name (Home Assistant puts the area in front of entity names and ids).
    Without a location, instances after the first are numbered.
    """
    name = class_name(obj.class_code, language, (obj.class_def.name_en, obj.class_def.name_ja))
    if obj.eoj.instance > 1 and not location_name(
        obj.values.get(mra.SuperClass.INSTALLATION_LOCATION), language
    ):
        return f"{name} {obj.eoj.instance}"
    return name


def object_suggested_area(obj: EchonetObject, language: str) -> str | None:
    """The area the device's installation location suggests."""
    return location_name(obj.values.get(mra.SuperClass.INSTALLATION_LOCATION), language)
