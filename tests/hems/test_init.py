"""Setting up the hub against the virtual house."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er

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
