"""Setting up entries: the hub against the virtual house, every kind through one path."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hems.const import DOMAIN
from custom_components.hems.echonet import AddressInUseError, EchonetError, RequestTimeoutError
from custom_components.hems.home import KIND as HOME
from custom_components.hems.hub import KIND as HUB
from custom_components.hems.hub.devices import parse_entity_unique_id
from custom_components.hems.hub.errors import ECHONET_ERRORS, Operation
from custom_components.hems.kinds import KINDS, async_get_kind, loaded_runtime, runtime_of
from custom_components.hems.meter import KIND as METER

from .conftest import HouseFactory, setup_hub
from .test_energy_support import energy_entry, setup_energy

SET_CONTEXT = {"device": "Storage battery", "property": "Operation mode setting"}


async def test_hub_finds_the_house(hass: HomeAssistant, make_house: HouseFactory) -> None:
    house = await make_house()
    entry = await setup_hub(hass)
    assert entry.state is ConfigEntryState.LOADED
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    objects = sum(len(n.objects) for n in house.nodes.values())
    # One device per object, and one per node with several objects (above theirs).
    several = sum(1 for n in house.nodes.values() if len(n.objects) > 1)
    assert 0 < several < len(house.nodes)
    assert len(devices) == objects + several
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


# --------------------------------------------------------------------------- entry kinds


async def test_each_kind_sets_up_its_own_platforms(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """A hub and the energy home, each through its kind: entities only on its platforms, the
    typed runtime only for its kind."""
    await make_house()
    hub = await setup_hub(hass)
    home = await setup_energy(hass)
    registry = er.async_get(hass)
    for entry, kind in ((hub, HUB), (home, HOME)):
        assert await async_get_kind(hass, entry) is kind
        domains = {e.domain for e in er.async_entries_for_config_entry(registry, entry.entry_id)}
        assert domains and domains <= set(kind.platforms), (kind.name, domains)
    assert loaded_runtime(hub, HUB) is hub.runtime_data
    assert loaded_runtime(hub, HOME) is None
    assert runtime_of(home, HOME).entry is home
    with pytest.raises(RuntimeError, match="not a loaded energy entry"):
        runtime_of(hub, HOME)
    assert set(KINDS) == {HUB.name, METER.name, HOME.name}


async def test_an_energy_entry_that_is_not_loaded(hass: HomeAssistant) -> None:
    """Its diagnostics say so; its device may always be removed."""
    entry = energy_entry()
    entry.add_to_hass(hass)
    assert await HOME.async_diagnostics(hass, entry, loaded_runtime(entry, HOME)) == {
        "loaded": False
    }
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, f"home-{entry.entry_id}")}
    )
    assert HOME.device_diagnostics(None, device) == {}
    assert METER.device_diagnostics(None, device) == {}
    assert HUB.device_diagnostics(None, device) == {}
    for kind in (HOME, METER, HUB):
        assert kind.can_remove_device(None, device), kind.name


def test_error_tables_translate_the_first_match() -> None:
    """Subclasses before their bases; an error the operation does not know is a bug."""
    timeout = ECHONET_ERRORS.translate(
        Operation.SET, RequestTimeoutError("late"), HomeAssistantError, SET_CONTEXT
    )
    assert timeout.translation_key == "set_timeout"
    assert timeout.translation_placeholders == SET_CONTEXT
    failed = ECHONET_ERRORS.translate(
        Operation.SET, EchonetError("broken"), HomeAssistantError, SET_CONTEXT
    )
    assert failed.translation_placeholders == {**SET_CONTEXT, "error": "broken"}
    assert ECHONET_ERRORS.key(Operation.OPEN, AddressInUseError("busy")) == "port_in_use"
    with pytest.raises(ValueError, match="no translation"):
        ECHONET_ERRORS.key(Operation.GET, KeyError("not a library error"))
    with pytest.raises(ValueError, match="no translation"):
        ECHONET_ERRORS.translate(Operation.GET, KeyError("x"), HomeAssistantError)


def test_unique_ids_of_hub_entities() -> None:
    """The energy entry reads a hub entity's class and description key from its unique id."""
    assert parse_entity_unique_id("0102-0x028801-grid_import_energy") == (
        0x0288,
        "grid_import_energy",
    )
    for other in ("broute_c0f9-grid_import_energy", "a-0x02880-k", "a-0xZZZZ01-k", "a-0x028801-"):
        assert parse_entity_unique_id(other) is None, other
