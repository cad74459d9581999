"""Hot water in use, where the water heater offers it: the EcoCute's 給湯中 (0xC3), hot water it
can supply (給湯可能湯量, 0xD8) and bath status (0xEA); the gas water heater's shower and kitchen
hot water (0xEA, 0xEB).  Entities exist only when the device's Get map has the property."""

from __future__ import annotations

from homeassistant.components.binary_sensor import BinarySensorDeviceClass
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import UnitOfVolume
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from custom_components.hems.const import DOMAIN
from simulator import behaviours as b
from simulator.device import SimObject
from simulator.house import NodeSpec, _obj

from .conftest import HouseFactory
from .platform_helpers import entity_id, obj_spec, start, state_of, wait_for_state

ECOCUTE_KEYS = {
    ("binary_sensor", "hot_water_supply"),
    ("sensor", "available_hot_water"),
    ("sensor", "bath_operation_status"),
}
GAS_KEYS = {
    ("binary_sensor", "shower_hot_water_supply"),
    ("binary_sensor", "kitchen_hot_water_supply"),
}


def _keys(hass: HomeAssistant, obj: SimObject) -> set[tuple[str, str]]:
    assert obj.node is not None
    prefix = f"{obj.node.uid.hex()}-{obj.eoj}-"
    return {
        (entry.domain, entry.unique_id.removeprefix(prefix))
        for entry in er.async_get(hass).entities.values()
        if entry.platform == DOMAIN and entry.unique_id.startswith(prefix)
    }


async def test_the_ecocute_of_the_virtual_house(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """The default house's EcoCute offers all three: they follow the tank and the bath."""
    house, _entry = await start(hass, make_house)
    ecocute = house.obj("ecocute")
    assert _keys(hass, ecocute) >= ECOCUTE_KEYS
    supply = entity_id(hass, "binary_sensor", ecocute, "hot_water_supply")
    available = entity_id(hass, "sensor", ecocute, "available_hot_water")
    bath = entity_id(hass, "sensor", ecocute, "bath_operation_status")
    assert state_of(hass, supply).attributes["device_class"] == BinarySensorDeviceClass.RUNNING
    litres = state_of(hass, available)
    assert litres.attributes["device_class"] == SensorDeviceClass.VOLUME_STORAGE
    assert litres.attributes["unit_of_measurement"] == UnitOfVolume.LITERS
    assert litres.attributes["state_class"] == SensorStateClass.MEASUREMENT
    assert float(litres.state) == int.from_bytes(ecocute.values[0xD8], "big")
    assert state_of(hass, bath).attributes["options"] == [
        "running_hot_water",
        "no_operation",
        "keeping_temperature",
    ]
    # Someone runs a shower, the bath is being filled: the unit announces it.
    ecocute.update({0xC3: b"\x41", 0xEA: b"\x41"})
    await wait_for_state(hass, supply, lambda s: s.state == "on")
    await wait_for_state(hass, bath, lambda s: s.state == "running_hot_water")
    ecocute.update({0xC3: b"\x42", 0xEA: b"\x43"})
    await wait_for_state(hass, supply, lambda s: s.state == "off")
    await wait_for_state(hass, bath, lambda s: s.state == "keeping_temperature")
    translated = er.async_get(hass).async_get(supply)
    assert translated is not None and translated.translation_key == "hot_water_supply"


async def test_only_what_the_device_offers(hass: HomeAssistant, make_house: HouseFactory) -> None:
    """An EcoCute without those properties and a gas water heater without its shower/kitchen
    status get none of these entities; a gas water heater with them gets both."""
    plain = _obj(0x026B01, b.WaterHeater(), omit=(0xC3, 0xD8, 0xEA))
    gas = obj_spec(
        "gas",
        0x027201,
        b.Base(),
        values={0x80: b.ON, 0xD1: bytes((40,)), 0xEA: b"\x42", 0xEB: b"\x41"},
        inf=(0x80, 0xEA, 0xEB),
    )
    bare_gas = obj_spec("gas-bare", 0x027201, b.Base(), values={0x80: b.ON}, omit=(0xEA, 0xEB))
    house, _entry = await start(hass, make_house, [NodeSpec("ecocute", [plain]), gas, bare_gas])
    assert not ECOCUTE_KEYS & _keys(hass, house.obj("ecocute"))
    assert not GAS_KEYS & _keys(hass, house.obj("gas-bare"))
    heater = house.obj("gas")
    assert _keys(hass, heater) >= GAS_KEYS
    shower = entity_id(hass, "binary_sensor", heater, "shower_hot_water_supply")
    kitchen = entity_id(hass, "binary_sensor", heater, "kitchen_hot_water_supply")
    assert (state_of(hass, shower).state, state_of(hass, kitchen).state) == ("off", "on")
    heater.update({0xEA: b"\x41", 0xEB: b"\x42"})
    await wait_for_state(hass, shower, lambda s: s.state == "on")
    await wait_for_state(hass, kitchen, lambda s: s.state == "off")
