"""Locks: the main (0xE0) and sub (0xE1) lock of an electric lock (0x026F)."""

from __future__ import annotations

from homeassistant.components.lock import LockState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest

from custom_components.hems.hub.catalog import PLATFORM_EPCS
from custom_components.hems.hub.lock import LOCKS
from simulator import behaviours as b

from .conftest import HouseFactory
from .platform_helpers import device_name, entity_id, obj_spec, start, state_of, wait_for_state

LOCKED = b"\x41"
UNLOCKED = b"\x42"


async def _call(hass: HomeAssistant, service: str, entity: str) -> None:
    await hass.services.async_call("lock", service, {"entity_id": entity}, blocking=True)


def test_platform_epcs_match_the_catalog() -> None:
    assert {epc for lock in LOCKS for epc in lock.epcs} == PLATFORM_EPCS[0x026F]


async def test_main_and_sub_lock(hass: HomeAssistant, make_house: HouseFactory) -> None:
    house, _entry = await start(hass, make_house)
    door = house.obj("entrance-lock")
    main = entity_id(hass, "lock", door, "lock")
    sub = entity_id(hass, "lock", door, "sub_lock")
    assert state_of(hass, main).state == LockState.LOCKED
    # the main lock takes the device's name
    assert device_name(hass, main) == "Entrance electric lock"
    assert state_of(hass, sub).state == LockState.LOCKED
    sub_entry = er.async_get(hass).async_get(sub)
    assert sub_entry is not None and sub_entry.translation_key == "sub_lock"
    assert device_name(hass, sub) == "Entrance electric lock"
    assert state_of(hass, main).attributes["supported_features"] == 0

    await _call(hass, "unlock", main)
    assert door.values[0xE0] == UNLOCKED
    assert state_of(hass, main).state == LockState.UNLOCKED
    assert state_of(hass, sub).state == LockState.LOCKED
    await _call(hass, "unlock", sub)
    assert door.values[0xE1] == UNLOCKED
    assert state_of(hass, sub).state == LockState.UNLOCKED
    await _call(hass, "lock", main)
    assert door.values[0xE0] == LOCKED
    assert state_of(hass, main).state == LockState.LOCKED

    # Unlocked with the key at the door: the lock announces it.
    door.update({0xE0: UNLOCKED})
    await wait_for_state(hass, main, lambda s: s.state == LockState.UNLOCKED)
    door.update({0xE1: LOCKED})
    await wait_for_state(hass, sub, lambda s: s.state == LockState.LOCKED)


async def test_locking_an_open_door_is_refused(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house, _entry = await start(hass, make_house)
    door = house.obj("entrance-lock")
    main = entity_id(hass, "lock", door, "lock")
    await _call(hass, "unlock", main)
    door.update({0xE3: b"\x41"})  # the door opens
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "lock", main)
    assert err.value.translation_key == "set_rejected"
    assert door.values[0xE0] == UNLOCKED
    assert state_of(hass, main).state == LockState.UNLOCKED

    house.node("entrance-lock").quirks.silent = True
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "lock", main)
    assert err.value.translation_key == "set_timeout"
    assert state_of(hass, main).state == STATE_UNAVAILABLE
    assert state_of(hass, entity_id(hass, "lock", door, "sub_lock")).state == STATE_UNAVAILABLE


async def test_lock_without_sub_lock(hass: HomeAssistant, make_house: HouseFactory) -> None:
    spec = obj_spec("lock", 0x026F01, b.Lock(), omit=(0xE1,), values={0xE0: UNLOCKED})
    house, entry = await start(hass, make_house, [spec])
    door = house.obj("lock")
    assert state_of(hass, entity_id(hass, "lock", door, "lock")).state == LockState.UNLOCKED
    locks = [
        e.unique_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if e.domain == "lock"
    ]
    assert len(locks) == 1
