"""Setting up the hub against the virtual house."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hems.const import DOMAIN

from .conftest import HouseFactory, setup_hub


async def test_hub_finds_the_house(hass: HomeAssistant, make_house: HouseFactory) -> None:
    house = await make_house()
    entry = await setup_hub(hass)
    assert entry.state is ConfigEntryState.LOADED
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    objects = sum(len(n.objects) for n in house.nodes.values())
    assert len(devices) == objects + len(house.nodes)
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    assert len(entities) > objects
    state = hass.states.get("sensor.storage_battery_state_of_charge")
    assert state is not None, sorted(e.entity_id for e in entities)[:50]
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED


async def test_removing_an_entry_deletes_its_stores(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """The meter's PAN cache and last reading and the energy ledger go with their entry."""
    entry = MockConfigEntry(domain=DOMAIN, data={}, title="removed")
    entry.add_to_hass(hass)
    other = MockConfigEntry(domain=DOMAIN, data={}, title="kept")
    other.add_to_hass(hass)
    for owner in (entry, other):
        for kind in ("broute", "energy"):
            key = f"{DOMAIN}.{kind}.{owner.entry_id}"
            hass_storage[key] = {"version": 1, "minor_version": 1, "key": key, "data": {}}
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert sorted(hass_storage) == sorted(
        f"{DOMAIN}.{kind}.{other.entry_id}" for kind in ("broute", "energy")
    )
