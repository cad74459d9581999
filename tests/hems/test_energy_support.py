"""Helpers of the energy entry tests (and a test of source detection)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hems.const import CONF_KIND, DOMAIN, KIND_ENERGY
from custom_components.hems.home import KIND as HOME
from custom_components.hems.home.runtime import HomeRuntime
from custom_components.hems.home.settings import ENERGY_UNIQUE_ID, ENTRY_TITLE, OPT_TARIFF
from custom_components.hems.kinds import runtime_of as kind_runtime
from simulator.house import House


def energy_entry(tariff: dict[str, Any] | None = None, **options: Any) -> MockConfigEntry:
    """An energy entry (default tariff unless given)."""
    if tariff is not None:
        options[OPT_TARIFF] = tariff
    return MockConfigEntry(
        domain=DOMAIN,
        title=ENTRY_TITLE,
        unique_id=ENERGY_UNIQUE_ID,
        data={CONF_KIND: KIND_ENERGY},
        options=options,
    )


async def setup_energy(
    hass: HomeAssistant, entry: MockConfigEntry | None = None
) -> MockConfigEntry:
    """Add and set up an energy entry."""
    entry = entry or energy_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    return entry


def runtime_of(entry: MockConfigEntry) -> HomeRuntime:
    """The entry's runtime."""
    return kind_runtime(entry, HOME)


def entity_id(hass: HomeAssistant, entry: MockConfigEntry, key: str, domain: str = "sensor") -> str:
    """Entity id of an energy entry entity by its key."""
    found = er.async_get(hass).async_get_entity_id(domain, DOMAIN, f"{entry.entry_id}-{key}")
    assert found is not None, key
    return found


def value(hass: HomeAssistant, entity: str) -> float:
    """A numeric state."""
    state = hass.states.get(entity)
    assert state is not None, entity
    return float(state.state)


def sync_house(house: House, now: datetime | None = None) -> None:
    """Bring the house's clock to Home Assistant's time and step its dynamics."""
    target = now or dt_util.now()
    behind = (target - house.clock.now()).total_seconds()
    house.step(behind if behind > 0 else None)
