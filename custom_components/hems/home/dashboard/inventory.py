"""What the integration has, for the HEMS dashboard: its entities by role and by room.

:func:`collect` reads Home Assistant's registries and states once and returns plain
:class:`Item` records; the views (:mod:`.views`) are built from them by pure functions.  An
entity is left out when the user disabled or hid it, or when it has no state or is
unavailable right now: the dashboard shows what the house has, never an empty card.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from homeassistant.const import STATE_UNAVAILABLE, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
)

from ...const import DOMAIN
from ..runtime import HomeRuntime


@dataclass(frozen=True, slots=True)
class Item:
    """One entity of the integration as the dashboard sees it."""

    entity_id: str
    domain: str
    key: str
    """The entity's translation key (what it is, in every language)."""
    area: str | None = None
    """The name of the entity's (or its device's) area."""
    diagnostic: bool = False
    short_name: str | None = None
    """The entity's own name without its device's (None when it has no name of its own)."""
    statistics: bool = False
    """Whether Home Assistant keeps long-term statistics of it (it has a state class)."""


@dataclass(frozen=True, slots=True)
class Inventory:
    """The integration's usable entities, in registry order."""

    items: tuple[Item, ...] = field(default_factory=tuple)
    full_feed_in: bool = False
    """The energy entry sells under full feed-in (全量買取): no solar reaches the house."""

    def find(self, domain: str, *keys: str) -> list[Item]:
        """Every entity of ``domain`` with one of ``keys`` (all of the domain without keys)."""
        return [
            item for item in self.items if item.domain == domain and (not keys or item.key in keys)
        ]

    def ids(self, domain: str, *keys: str, diagnostic: bool = False) -> list[str]:
        """Entity ids of :meth:`find` (diagnostic entities only when asked for)."""
        return [
            item.entity_id for item in self.find(domain, *keys) if diagnostic or not item.diagnostic
        ]

    def short_names(self) -> dict[str, str]:
        """Entity id -> the entity's own name, for those that have one."""
        return {item.entity_id: item.short_name for item in self.items if item.short_name}

    def with_statistics(self, entity_ids: Iterable[str]) -> list[str]:
        """Those of ``entity_ids`` that have long-term statistics."""
        kept = {item.entity_id for item in self.items if item.statistics}
        return [entity_id for entity_id in entity_ids if entity_id in kept]

    def first(self, domain: str, *keys: str) -> str | None:
        """The first entity of ``domain`` with the first of ``keys`` that exists."""
        for key in keys:
            if found := self.ids(domain, key):
                return found[0]
        return None

    def by_area(self, items: Iterable[Item]) -> Iterator[tuple[str | None, list[Item]]]:
        """``items`` grouped by area, named areas first (by name), then those without one."""
        groups: dict[str | None, list[Item]] = {}
        for item in items:
            groups.setdefault(item.area, []).append(item)
        for area in sorted((name for name in groups if name is not None), key=str.casefold):
            yield area, groups[area]
        if None in groups:
            yield None, groups[None]


def collect(hass: HomeAssistant) -> Inventory:
    """The integration's entities that are enabled, visible and available now."""
    entities = er.async_get(hass)
    devices = dr.async_get(hass)
    areas = ar.async_get(hass)
    items: list[Item] = []
    for entry in entities.entities.values():
        if entry.platform != DOMAIN or entry.disabled or entry.hidden:
            continue
        state = hass.states.get(entry.entity_id)
        if state is None or state.state == STATE_UNAVAILABLE:
            continue
        device = devices.async_get(entry.device_id) if entry.device_id is not None else None
        area_id = entry.area_id or (device.area_id if device is not None else None)
        area = areas.async_get_area(area_id) if area_id is not None else None
        friendly = str(state.attributes.get("friendly_name") or "")
        device_name = (device.name_by_user or device.name or "") if device is not None else ""
        items.append(
            Item(
                entity_id=entry.entity_id,
                domain=entry.domain,
                key=entry.translation_key or "",
                area=area.name if area is not None else None,
                diagnostic=entry.entity_category is EntityCategory.DIAGNOSTIC,
                short_name=_own_name(friendly, device_name),
                statistics="state_class" in state.attributes,
            )
        )
    return Inventory(tuple(items), full_feed_in=_full_feed_in(hass))


def _full_feed_in(hass: HomeAssistant) -> bool:
    """Whether the loaded energy entry sells under full feed-in (全量買取)."""
    return any(
        isinstance(entry.runtime_data, HomeRuntime) and entry.runtime_data.tariff.full_feed_in
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
    )


def _own_name(friendly: str, device: str) -> str | None:
    """``friendly`` without the device's name in front (None if nothing is left)."""
    if device and friendly.startswith(f"{device} "):
        return friendly[len(device) + 1 :].strip() or None
    return None
