"""The devices a user sees: removed when an object leaves its node, one device for a
single-object node (and the migration from the node-plus-object pair), names that tell two of
a kind apart, areas that are the user's own, and entity ids in ASCII in Japanese too."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import inspect
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.hems.const import DOMAIN
from custom_components.hems.echonet.discovery import parse_instance_list
from custom_components.hems.echonet.frame import EOJ
from custom_components.hems.hub import KIND as HUB
from custom_components.hems.hub.naming import (
    location_area_names,
    location_name,
    name_number,
    numbered,
    object_base_name,
)
from custom_components.hems.kinds import runtime_of
from simulator import behaviours as b
from simulator.house import NodeSpec, _obj
from tests.waiting import wait_for

from .conftest import HouseFactory, hub_entry, settle, setup_hub


def _devices(hass: HomeAssistant, entry_id: str) -> dict[str, dr.DeviceEntry]:
    """The entry's devices by their hems identifier."""
    out: dict[str, dr.DeviceEntry] = {}
    for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry_id):
        for domain, identifier in device.identifiers:
            if domain == DOMAIN:
                out[identifier] = device
    return out


def _entities(hass: HomeAssistant, entry_id: str, prefix: str) -> list[er.RegistryEntry]:
    return [
        e
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry_id)
        if e.unique_id.startswith(prefix)
    ]


def _three_objects() -> NodeSpec:
    return NodeSpec(
        "trio",
        [
            _obj(0x001101, b.Sensor(), location=0x08),
            _obj(0x001201, b.Sensor(), location=0x08),
            _obj(0x029001, b.Light(), values={0x80: b.ON}, location=0x18),
        ],
    )


async def test_objects_that_leave_the_instance_list_are_removed(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """INF 0xD5 and a 0xD6 read again: each removed object loses its device and entities;
    the node with one object left is one device with the node's data."""
    house = await make_house(specs=[_three_objects()])
    entry = await setup_hub(hass)
    node = house.node("trio")
    uid = node.uid.hex()
    controller = runtime_of(entry, HUB).controller
    light, humidity = f"{uid}-0x029001", f"{uid}-0x001201"
    assert {uid, light, humidity, f"{uid}-0x001101"} <= set(_devices(hass, entry.entry_id))
    assert _entities(hass, entry.entry_id, light)
    light_entity = er.async_get(hass).async_get_entity_id("light", DOMAIN, f"{light}-light")
    assert light_entity is not None and hass.states.get(light_entity) is not None

    def gone(identifier: str) -> Callable[[], Awaitable[bool]]:
        async def check() -> bool:
            await controller.wait_for_setups()
            await settle(hass)
            return identifier not in _devices(hass, entry.entry_id)

        return check

    # The light is uninstalled: the node announces its new instance list (INF 0xD5).
    node.remove_object(EOJ(0x02, 0x90, 0x01))
    await wait_for(gone(light), what="the light's device removed")
    assert not _entities(hass, entry.entry_id, light)
    assert hass.states.get(light_entity) is None
    assert uid in _devices(hass, entry.entry_id)  # two objects left: the node stays
    # The humidity sensor goes silently; the next discovery reads 0xD6 again.
    node.remove_object(EOJ(0x00, 0x12, 0x01), announce=False)
    controller.discover()
    await wait_for(gone(humidity), what="the humidity sensor's device removed")
    assert not _entities(hass, entry.entry_id, humidity)
    devices = _devices(hass, entry.entry_id)
    # One object left: no node device any more; its device has the node's data.
    assert uid not in devices
    temperature = devices[f"{uid}-0x001101"]
    assert temperature.via_device_id is None
    assert temperature.serial_number and temperature.model == "HEMS-SIM"
    assert _entities(hass, entry.entry_id, f"{uid}-0x001101")


async def test_a_malformed_instance_list_removes_nothing(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house = await make_house(specs=[_three_objects()])
    entry = await setup_hub(hass)
    controller = runtime_of(entry, HUB).controller
    node = controller.node_at(house.node("trio").address)
    assert node is not None
    # Count 3, one EOJ: a truncated list, not a list of one.
    truncated = b"\x03\x00\x11\x01"
    controller.discovery.on_new_instances(node, parse_instance_list(truncated), truncated)
    await settle(hass)
    assert len(node.objects) == 3
    assert len(_devices(hass, entry.entry_id)) == 4


async def test_devices_of_objects_gone_while_stopped_are_removed_at_setup(
    hass: HomeAssistant, make_house: HouseFactory, hass_ws_client: WebSocketGenerator
) -> None:
    house = await make_house(specs=[_three_objects()])
    entry = hub_entry()
    entry.add_to_hass(hass)
    uid = house.node("trio").uid.hex()
    registry = dr.async_get(hass)
    stale = registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, f"{uid}-0x013001")}
    )
    er.async_get(hass).async_get_or_create(
        "climate", DOMAIN, f"{uid}-0x013001-climate", device_id=stale.id, config_entry=entry
    )
    # A device of a node that does not answer stays (and the user may remove it).
    silent = registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, "fe00000b-silent-0x013001")}
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert registry.async_get(stale.id) is None
    assert not _entities(hass, entry.entry_id, f"{uid}-0x013001")
    assert registry.async_get(silent.id) is not None
    assert await async_setup_component(hass, "config", {})
    client = await hass_ws_client(hass)
    if len(inspect.signature(client.remove_device).parameters) == 2:
        response: dict[str, Any] = await client.remove_device(silent.id, entry.entry_id)
    else:
        response = await client.remove_device(silent.id)
    assert response["success"]
    assert registry.async_get(silent.id) is None


async def test_single_object_node_devices_are_migrated(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """An installation from before: an empty node device above the object's device.  The
    node device goes, the object's device (same id) takes its data, the entity keeps its
    unique id and entity id; a second object brings the node device back."""
    spec = NodeSpec("solo", [_obj(0x001101, b.Sensor(), omit=(0x8C, 0x8D), location=0x08)])
    house = await make_house(specs=[spec])
    node = house.node("solo")
    uid = node.uid.hex()
    entry = hub_entry()
    entry.add_to_hass(hass)
    registry = dr.async_get(hass)
    old_node, old_object, entity = _devices_from_before(hass, entry, uid)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    devices = _devices(hass, entry.entry_id)
    assert uid not in devices and registry.async_get(old_node.id) is None
    device = devices[f"{uid}-0x001101"]
    assert device.id == old_object.id and device.via_device_id is None
    # The object has no product code or serial number of its own: the node profile's.
    assert device.model == "HEMS-SIM"
    assert device.serial_number is not None and device.serial_number.startswith("SN")
    assert device.sw_version == "ECHONET Lite 1.13"
    assert device.manufacturer == "Panasonic"
    # Renamed by its place; its entity keeps the id it had.
    assert device.name == "Living room temperature sensor"
    now = er.async_get(hass).async_get(entity.entity_id)
    assert now is not None and now.unique_id == entity.unique_id
    assert now.device_id == device.id
    assert hass.states.get("sensor.temperature_sensor_temperature") is not None
    # A second object: the node is a device again, above both.
    controller = runtime_of(entry, HUB).controller
    node.add_object(_obj(0x001201, b.Sensor()))

    async def node_device() -> bool:
        await controller.wait_for_setups()
        await settle(hass)
        return uid in _devices(hass, entry.entry_id)

    await wait_for(node_device, what="the node's device")
    devices = _devices(hass, entry.entry_id)
    parent = devices[uid].id
    assert devices[f"{uid}-0x001101"].via_device_id == parent
    assert devices[f"{uid}-0x001201"].via_device_id == parent


def _devices_from_before(
    hass: HomeAssistant, entry: MockConfigEntry, uid: str
) -> tuple[dr.DeviceEntry, dr.DeviceEntry, er.RegistryEntry]:
    """The registry as an installation from before left it: an empty node device above the
    single object's device, and the object's temperature entity."""
    registry = dr.async_get(hass)
    old_node = registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, uid)}, name="Panasonic HEMS-SIM"
    )
    old_object = registry.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, f"{uid}-0x001101")},
        name="Temperature sensor",
    )
    old_object = (
        registry.async_update_device(old_object.id, via_device_id=old_node.id) or old_object
    )
    entity = er.async_get(hass).async_get_or_create(
        "sensor",
        DOMAIN,
        f"{uid}-0x001101-temperature",
        device_id=old_object.id,
        config_entry=entry,
        suggested_object_id="temperature_sensor_temperature",
    )
    assert old_object.via_device_id == old_node.id
    return old_node, old_object, entity


def _two_of_a_kind() -> list[NodeSpec]:
    return [
        NodeSpec("ac-living", [_obj(0x013001, b.AirConditioner(), location=0x08)]),
        NodeSpec("ac-room-2", [_obj(0x013001, b.AirConditioner(), location=0x42)]),
        NodeSpec("ac-plain-a", [_obj(0x013001, b.AirConditioner())]),
        NodeSpec("ac-plain-b", [_obj(0x013001, b.AirConditioner(), location=0x78)]),
        NodeSpec("kitchen-light", [_obj(0x029001, b.Light(), location=0x18)]),
        NodeSpec("bath-light", [_obj(0x029001, b.Light(), location=0x20)]),
    ]


async def _names(
    hass: HomeAssistant, make_house: HouseFactory
) -> tuple[dict[str, dr.DeviceEntry], dict[str, str]]:
    """Set up the two-of-a-kind house: devices by node name, climate entity ids by node."""
    house = await make_house(specs=_two_of_a_kind())
    entry = await setup_hub(hass)
    devices = _devices(hass, entry.entry_id)
    by_node = {
        spec: devices[f"{house.node(spec).uid.hex()}-{eoj}"]
        for spec, eoj in [(s.name, s.objects[0].eoj) for s in _two_of_a_kind()]
    }
    entities = er.async_get(hass)
    climates = {
        spec: entities.async_get_entity_id(
            "climate", DOMAIN, f"{house.node(spec).uid.hex()}-0x013001-climate"
        )
        or ""
        for spec in ("ac-living", "ac-room-2", "ac-plain-a", "ac-plain-b")
    }
    return by_node, climates


async def test_names_and_areas_in_english(hass: HomeAssistant, make_house: HouseFactory) -> None:
    areas = ar.async_get(hass)
    # What onboarding creates for an English user.
    living = areas.async_create("Living Room")
    kitchen = areas.async_create("Kitchen")
    bedroom = areas.async_create("Bedroom")
    devices, climates = await _names(hass, make_house)
    names = {spec: d.name for spec, d in devices.items()}
    assert names["ac-living"] == "Living room air conditioner"
    assert names["ac-room-2"] == "Room 2 air conditioner"  # the location's number kept
    # Without a place ("Other" is none): numbered.
    assert sorted([names["ac-plain-a"], names["ac-plain-b"]]) == [
        "Air conditioner",
        "Air conditioner 2",
    ]
    assert names["kitchen-light"] == "Kitchen light"
    assert devices["ac-living"].area_id == living.id
    assert devices["kitchen-light"].area_id == kitchen.id
    assert devices["ac-plain-a"].area_id is None and devices["ac-plain-b"].area_id is None
    # No second living room; new areas only for places without one.
    assert sorted(a.name for a in areas.async_list_areas()) == [
        "Bathroom",
        "Bedroom",
        "Kitchen",
        "Living Room",
        "Room 2",
    ]
    assert bedroom.id not in {d.area_id for d in devices.values()}
    assert climates["ac-living"] == "climate.living_room_air_conditioner"
    assert climates["ac-room-2"] == "climate.room_2_air_conditioner"
    assert sorted([climates["ac-plain-a"], climates["ac-plain-b"]]) == [
        "climate.air_conditioner",
        "climate.air_conditioner_2",
    ]


async def test_names_areas_and_ascii_entity_ids_in_japanese(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    hass.config.language = "ja"
    areas = ar.async_get(hass)
    # What onboarding creates for a Japanese user, and an area the user gave an alias.
    living = areas.async_create("リビングルーム")
    kitchen = areas.async_create("台所")
    bath = areas.async_create("Bath and shower", aliases={"浴室"})
    devices, climates = await _names(hass, make_house)
    entry_id = hass.config_entries.async_entries(DOMAIN)[0].entry_id
    names = {spec: d.name for spec, d in devices.items()}
    assert names["ac-living"] == "リビング エアコン"
    assert names["ac-room-2"] == "部屋 2 エアコン"
    assert sorted([names["ac-plain-a"], names["ac-plain-b"]]) == ["エアコン", "エアコン 2"]
    assert names["kitchen-light"] == "キッチン 照明"
    assert devices["ac-living"].area_id == living.id
    assert devices["kitchen-light"].area_id == kitchen.id
    assert devices["bath-light"].area_id == bath.id
    assert sorted(a.name for a in areas.async_list_areas()) == [
        "Bath and shower",
        "リビングルーム",
        "台所",
        "部屋 2",
    ]
    # Entity ids from the English names, not romanised Japanese ("rihinku_eakon").
    assert climates["ac-living"] == "climate.living_room_air_conditioner"
    assert climates["ac-room-2"] == "climate.room_2_air_conditioner"
    number = {names["ac-plain-a"]: "ac-plain-a", names["ac-plain-b"]: "ac-plain-b"}
    assert climates[number["エアコン"]] == "climate.air_conditioner"
    assert climates[number["エアコン 2"]] == "climate.air_conditioner_2"
    entities = er.async_get(hass)
    for entity in er.async_entries_for_config_entry(entities, entry_id):
        assert entity.entity_id.isascii(), entity.entity_id
    light = entities.async_get_entity_id(
        "light", DOMAIN, next(iter(devices["kitchen-light"].identifiers))[1] + "-light"
    )
    assert light == "light.kitchen_light"
    state = hass.states.get("climate.living_room_air_conditioner")
    assert state is not None and state.name == "リビング エアコン"


async def test_names_and_numbers_are_kept_across_a_reload(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    devices, _ = await _names(hass, make_house)
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    after = _devices(hass, entry.entry_id)
    for device in devices.values():
        identifier = next(i for d, i in device.identifiers if d == DOMAIN)
        assert after[identifier].name == device.name
        assert after[identifier].area_id == device.area_id


def test_location_and_class_names() -> None:
    assert location_name(b"\x08", "en") == "Living room"
    assert location_name(b"\x09", "ja") == "リビング 1"
    assert location_name(b"\x78", "en") is None  # "other": no place
    assert location_name(b"\x00", "en") is None
    assert location_name(b"\x08\x00", "en") is None
    assert location_name(None, "en") is None
    assert location_area_names(b"\x18", "ja") == ["キッチン", "Kitchen", "台所"]
    assert location_area_names(b"\x42", "en") == ["Room 2", "部屋 2"]
    assert location_area_names(b"\x78", "en") == []
    assert numbered("Light", 1) == "Light" and numbered("Light", 3) == "Light 3"
    assert name_number("Light 3", "Light") == 3
    assert name_number("Light", "Light") == 1
    assert name_number("Light 1", "Light") is None
    assert name_number("Lights", "Light") is None
    assert name_number(None, "Light") is None


def test_location_in_front_of_the_class() -> None:
    class Def:
        name_en, name_ja = "Some device", "何か"

    class Obj:
        def __init__(self, class_code: int, location: int | None) -> None:
            self.class_code = class_code
            self.class_def = Def()
            self.values = {} if location is None else {0x81: bytes((location,))}

    def name(class_code: int, location: int | None, language: str = "en") -> str:
        return object_base_name(Obj(class_code, location), language)  # type: ignore[arg-type]

    assert name(0x0130, 0x08) == "Living room air conditioner"
    assert name(0x0130, 0x08, "ja") == "リビング エアコン"
    assert name(0x026B, 0x20) == "Bathroom EcoCute"  # a mixed-case word stays
    assert name(0x001B, 0x40) == "Room CO2 sensor"
    assert name(0x027E, 0x68) == "Garage V2H charger"
    assert name(0x0130, None) == "Air conditioner"
    assert name(0x0999, 0x50) == "Entrance some device"  # the MRA's name
