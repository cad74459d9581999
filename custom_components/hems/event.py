"""Event platform: the energy entry's alarm and notice events."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .models import HemsConfigEntry
from .platform import async_setup_kind_platform

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HemsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up event entities (only entry kinds that have them; hubs have none)."""
    await async_setup_kind_platform(hass, entry, async_add_entities, "event")
