"""Actions ``hems.get_property`` and ``hems.set_property`` against the virtual house."""

from __future__ import annotations

from typing import Any

from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError, Unauthorized
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
import voluptuous as vol

from custom_components.hems.const import DOMAIN
from simulator.device import SimObject
from simulator.house import House

from .conftest import HouseFactory
from .platform_helpers import start


def hems_device(hass: HomeAssistant, identifier: str) -> dr.DeviceEntry:
    """A device of a hems entry by its identifier.

    (Not ``async_get_device``: Home Assistant 2026.10 deprecates it, and fails tests using it.)
    """
    registry = dr.async_get(hass)
    for entry in hass.config_entries.async_entries(DOMAIN):
        for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
            if (DOMAIN, identifier) in device.identifiers:
                return device
    raise AssertionError(f"no device {identifier}")


def device_id(hass: HomeAssistant, obj: SimObject) -> str:
    """The Home Assistant device of a simulated object."""
    assert obj.node is not None
    return hems_device(hass, f"{obj.node.uid.hex()}-{obj.eoj}").id


async def get_property(hass: HomeAssistant, device: str, epc: Any) -> list[dict[str, Any]]:
    response = await hass.services.async_call(
        DOMAIN,
        "get_property",
        {"device_id": device, "epc": epc},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    properties = response["properties"]
    assert isinstance(properties, list)
    return properties


async def set_property(
    hass: HomeAssistant, data: dict[str, Any], context: Context | None = None
) -> list[dict[str, Any]]:
    response = await hass.services.async_call(
        DOMAIN, "set_property", data, blocking=True, return_response=True, context=context
    )
    assert response is not None
    properties = response["properties"]
    assert isinstance(properties, list)
    return properties


@pytest.fixture
async def house(hass: HomeAssistant, make_house: HouseFactory) -> House:
    """The default house with a hub set up for it."""
    house, _entry = await start(hass, make_house)
    return house


# --------------------------------------------------------------------------- get_property


async def test_get_property_raw_decoded_unit_and_names(hass: HomeAssistant, house: House) -> None:
    ac = device_id(hass, house.obj("living-ac"))
    props = await get_property(hass, ac, ["0x80", "0xB0", "0xB3", "0xBB", "0x8A"])
    assert [p["epc"] for p in props] == ["0x80", "0xB0", "0xB3", "0xBB", "0x8A"]
    status, mode, target, room, maker = props
    assert status == {
        "epc": "0x80",
        "name": "Operation status",
        "name_ja": "動作状態",
        "edt": "30",
        "value": "true",
    }
    assert mode["edt"] == "43" and mode["value"] == "heating"  # a January noon
    assert mode["name"] == "Operation mode setting" and mode["name_ja"] == "運転モード設定"
    assert target["edt"] == "16" and target["value"] == 22 and target["unit"] == "Celsius"
    assert room["value"] == 22 and room["unit"] == "Celsius"
    assert maker["edt"] == "000008"  # Daikin
    print(props)


async def test_get_property_decodes_structured_values(hass: HomeAssistant, house: House) -> None:
    board, meter = house.obj("board"), house.obj("smart-meter")
    (currents, circuits) = await get_property(hass, device_id(hass, board), ["0xC7", "0xB3"])
    assert set(currents["value"]) == {"r_phase", "t_phase"} and currents["unit"] == "A"
    assert circuits["value"]["range"] == len(circuits["value"]["electric_energy"])
    assert all(isinstance(v, float) for v in circuits["value"]["electric_energy"])
    (fixed,) = await get_property(hass, device_id(hass, meter), "0xEA")
    # the meter's import counter after 45 days of the house's history (from 12000 kWh)
    model = house.meter
    assert model is not None
    kwh = model.register(model.fixed_time()[1]) / 10
    assert fixed["value"] == {"date_and_time": "2026-01-15 12:00:00", "electric_energy": kwh}
    assert 12_000 < kwh < 13_500
    (ident,) = await get_property(hass, device_id(hass, meter), 0x83)
    assert ident["value"] == ident["edt"] == meter.values[0x83].hex()  # raw bytes as hex


async def test_get_property_epc_notations(hass: HomeAssistant, house: House) -> None:
    ac = device_id(hass, house.obj("living-ac"))
    props = await get_property(hass, ac, ["0x80", "b3", "128", 0xB0, " 0XBB "])
    # 128 is 0x80 again: each property once, in the order first given.
    assert [p["epc"] for p in props] == ["0x80", "0xB3", "0xB0", "0xBB"]
    for bad in ("zz", "0x10", "256", ""):
        with pytest.raises(vol.Invalid):
            await get_property(hass, ac, [bad])


async def test_get_property_unsupported_and_invalid(hass: HomeAssistant, house: House) -> None:
    obj = house.obj("living-ac")
    house.node("living-ac").quirks.wrong_length = {0xB3}
    obj.values[0xB0] = b"\x99"
    unsupported, target, mode = await get_property(
        hass, device_id(hass, obj), ["0xFF", "0xB3", "0xB0"]
    )
    assert unsupported["edt"] is None and unsupported["value"] is None
    assert unsupported["error"] == "not supported by the device"
    assert unsupported["name"] == "Unknown property 0xFF"
    assert target == {
        "epc": "0xB3",
        "name": "Set temperature value",
        "name_ja": "温度設定値",
        "edt": "1600",
        "value": None,
        "error": "EDT of 2 bytes, 1 expected",
        "unit": "Celsius",
    }
    assert mode["value"] is None and mode["error"] == "0x99 is not a valid state"


async def test_get_property_of_a_silent_device(hass: HomeAssistant, house: House) -> None:
    house.node("battery").quirks.silent = True
    with pytest.raises(HomeAssistantError) as err:
        await get_property(hass, device_id(hass, house.obj("battery")), ["0xE4"])
    assert not isinstance(err.value, ServiceValidationError)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "get_timeout"
    assert err.value.translation_placeholders == {"address": house.node("battery").address}
    address = house.node("battery").address
    assert str(err.value) == f"The ECHONET Lite device at {address} did not answer"


async def test_get_property_when_the_hub_cannot_send(hass: HomeAssistant, house: House) -> None:
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    transport = entry.runtime_data.controller.transport
    transport.close()  # e.g. the network adapter went away
    await transport.wait_closed()
    with pytest.raises(HomeAssistantError) as err:
        await get_property(hass, device_id(hass, house.obj("battery")), ["0xE4"])
    assert err.value.translation_key == "get_failed"
    assert "not started" in err.value.translation_placeholders["error"]


async def test_unknown_and_foreign_devices(hass: HomeAssistant, house: House) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await get_property(hass, "no-such-device", ["0x80"])
    assert err.value.translation_key == "unknown_device"
    assert err.value.translation_placeholders == {"device_id": "no-such-device"}
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    foreign = dr.async_get(hass).async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other", "x")}
    )
    # A node (the ECHONET Lite node profile) is no device object either.
    node = hems_device(hass, house.node("sensors").uid.hex())
    for device in (foreign.id, node.id):
        with pytest.raises(ServiceValidationError) as err:
            await get_property(hass, device, ["0x80"])
        assert err.value.translation_key == "not_an_echonet_device"
        with pytest.raises(ServiceValidationError) as err:
            await set_property(hass, {"device_id": device, "epc": "0x80", "edt": "30"})
        assert err.value.translation_key == "not_an_echonet_device"


# --------------------------------------------------------------------------- set_property


async def test_set_property_by_value_is_confirmed(hass: HomeAssistant, house: House) -> None:
    battery = house.obj("battery")
    props = await set_property(
        hass, {"device_id": device_id(hass, battery), "epc": "0xDA", "value": "charging"}
    )
    assert battery.values[0xDA] == b"\x42"  # the simulated device changed
    assert props == [
        {
            "epc": "0xDA",
            "name": "Operation mode setting",
            "name_ja": "運転モード設定",
            "edt": "42",
            "value": "charging",
        }
    ]
    await hass.async_block_till_done()
    assert hass.states.get("select.storage_battery_operation_mode").state == "charging"


async def test_set_property_by_number_and_by_raw_edt(hass: HomeAssistant, house: House) -> None:
    ac = house.obj("living-ac")
    props = await set_property(hass, {"device_id": device_id(hass, ac), "epc": "0xB3", "value": 24})
    assert ac.values[0xB3] == bytes((24,))
    assert props[0]["value"] == 24 and props[0]["unit"] == "Celsius"
    props = await set_property(hass, {"device_id": device_id(hass, ac), "epc": 0xB0, "edt": "0x43"})
    assert ac.values[0xB0] == b"\x43"
    assert props[0]["edt"] == "43" and props[0]["value"] == "heating"
    # Without asking for the response, the action just runs.
    await hass.services.async_call(
        DOMAIN,
        "set_property",
        {"device_id": device_id(hass, ac), "epc": "80", "edt": "31"},
        blocking=True,
    )
    assert ac.values[0x80] == b"\x31"


async def test_set_property_refused_by_the_device(hass: HomeAssistant, house: House) -> None:
    battery = house.obj("battery")
    house.node("battery").quirks.refuse_set = {0xDA}
    with pytest.raises(HomeAssistantError) as err:
        await set_property(
            hass, {"device_id": device_id(hass, battery), "epc": "0xDA", "value": "charging"}
        )
    assert err.value.translation_key == "set_rejected"
    assert err.value.translation_placeholders == {
        "device": "Storage battery",
        "property": "Operation mode setting",
    }
    assert battery.values[0xDA] == b"\x46"


async def test_set_property_of_a_silent_device(hass: HomeAssistant, house: House) -> None:
    house.node("battery").quirks.silent = True
    with pytest.raises(HomeAssistantError) as err:
        await set_property(
            hass,
            {"device_id": device_id(hass, house.obj("battery")), "epc": "0xDA", "edt": "42"},
        )
    assert err.value.translation_key == "set_timeout"


async def test_set_property_invalid_values(hass: HomeAssistant, house: House) -> None:
    battery = device_id(hass, house.obj("battery"))
    for value in ("no-such-mode", 7.5):
        with pytest.raises(ServiceValidationError) as err:
            await set_property(hass, {"device_id": battery, "epc": "0xDA", "value": value})
        assert err.value.translation_key == "invalid_value"
        assert err.value.translation_placeholders["value"] == str(value)
    for data in (
        {"epc": "0xDA"},  # neither value nor edt
        {"epc": "0xDA", "value": "charging", "edt": "42"},  # both
        {"epc": "0xDA", "edt": "4"},  # odd hex digits
        {"epc": "0xDA", "edt": "0x"},  # no byte
    ):
        with pytest.raises(vol.Invalid):
            await set_property(hass, {"device_id": battery, **data})
    assert house.obj("battery").values[0xDA] == b"\x46"


async def test_set_property_needs_an_admin(
    hass: HomeAssistant,
    house: House,
    hass_admin_user: MockUser,
    hass_read_only_user: MockUser,
) -> None:
    battery = house.obj("battery")
    data = {"device_id": device_id(hass, battery), "epc": "0xDA", "value": "discharging"}
    with pytest.raises(Unauthorized):
        await set_property(hass, data, Context(user_id=hass_read_only_user.id))
    assert battery.values[0xDA] == b"\x46"
    props = await set_property(hass, data, Context(user_id=hass_admin_user.id))
    assert props[0]["value"] == "discharging"
    assert battery.values[0xDA] == b"\x43"
    # Reading raw properties is an admin action too.
    for user, allowed in ((hass_read_only_user, False), (hass_admin_user, True)):
        call = hass.services.async_call(
            DOMAIN,
            "get_property",
            {"device_id": data["device_id"], "epc": "0xDA"},
            blocking=True,
            return_response=True,
            context=Context(user_id=user.id),
        )
        if not allowed:
            with pytest.raises(Unauthorized):
                await call
            continue
        response = await call
        assert response is not None
        assert response["properties"][0]["value"] == "discharging"  # type: ignore[index]


async def test_duplicate_epcs_are_merged(hass: HomeAssistant, house: House) -> None:
    ac = house.obj("living-ac")
    props = await get_property(hass, device_id(hass, ac), ["0xB3", "0xb3", 179, "B3", "0x80"])
    assert [p["epc"] for p in props] == ["0xB3", "0x80"]


async def test_set_property_checks_the_set_map_unless_forced(
    hass: HomeAssistant, house: House
) -> None:
    battery = house.obj("battery")
    assert 0xE4 not in battery.set_map  # the state of charge is read-only
    data = {"device_id": device_id(hass, battery), "epc": "0xE4", "edt": "32"}
    controller = hass.config_entries.async_entries(DOMAIN)[0].runtime_data.controller
    sets = controller.get_object(battery.node.uid.hex(), battery.eoj).stats
    before = sets.sets
    with pytest.raises(ServiceValidationError) as err:
        await set_property(hass, data)
    assert err.value.translation_key == "not_in_set_map"
    assert err.value.translation_placeholders == {
        "device": "Storage battery",
        "property": "Remaining stored electricity 3",
        "epc": "0xE4",
    }
    assert "force: true" in str(err.value)
    assert sets.sets == before  # nothing was sent
    # Forced, the Set goes out; this device refuses it.
    with pytest.raises(HomeAssistantError) as err:
        await set_property(hass, {**data, "force": True})
    assert err.value.translation_key == "set_rejected"  # the device answered: it was sent
    assert sets.sets == before + 1
