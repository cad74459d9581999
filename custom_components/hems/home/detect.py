"""The sources the energy entry finds by itself: hems entities with an energy role.

The descriptions of the hub's and the meter's entities say what each is to the energy entry
(:class:`~..models.EnergyRole`: a role and a rank, lower first).  An entity of the registry is
matched to its description by its unique id, read by the kind that made it.  A role that takes
one source (:data:`~.sources.SINGLE_ROLES`) takes the lowest rank: the B-route meter before the
hub's smart meter, the smart meter before the distribution board; some roles take every
entity found (:data:`EVERY_RANK`), the others every entity of the best rank.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from ..const import CONF_KIND, DOMAIN, KIND_BROUTE
from ..echonet.definitions.names import ElectricLock
from ..hub.catalog import BINARY_SENSORS, SENSORS
from ..hub.cover import COVERS
from ..hub.devices import parse_entity_unique_id
from ..hub.entity import HemsEntityDescription
from ..hub.lock import LOCKS
from ..meter.descriptions import SENSORS as METER_SENSORS
from ..meter.session import entity_key
from ..models import EnergyRole
from .sources import FIXED_ROLES, SINGLE_ROLES, Sources

#: Roles for which every entity found is used (the others take the best rank only).
EVERY_RANK: Final = frozenset(
    {"generation", "generation_power", "temperature", "openings", "battery_charge"}
    | {"battery_discharge", "battery_charge_power", "battery_discharge_power", "locks"}
)

#: Roles that full feed-in gives to the solar instead (the meter's reverse direction).
FULL_FEED_IN_REPLACED: Final = frozenset({"sale", "fixed_sale", "sale_power"})


def _hub_roles() -> dict[tuple[str, int, str], EnergyRole]:
    """(platform, class code, description key) -> role, for the hub's descriptions."""
    tables: Iterable[tuple[Platform, int, Iterable[HemsEntityDescription]]] = (
        *((Platform.SENSOR, code, items) for code, items in SENSORS.items()),
        *((Platform.BINARY_SENSOR, code, items) for code, items in BINARY_SENSORS.items()),
        (Platform.LOCK, ElectricLock.CODE, LOCKS),
        *((Platform.COVER, code, (item,)) for code, item in COVERS.items()),
    )
    return {
        (platform.value, code, item.key): item.energy_role
        for platform, code, items in tables
        for item in items
        if item.energy_role is not None
    }


HUB_ROLES: Final = _hub_roles()
METER_ROLES: Final[dict[tuple[str, str], EnergyRole]] = {
    (Platform.SENSOR.value, item.key): item.energy_role
    for item in METER_SENSORS
    if item.energy_role is not None
}


def energy_role(entity: er.RegistryEntry, from_meter: bool) -> EnergyRole | None:
    """The energy role of a hems entity (``from_meter``: of a B-route entry)."""
    if from_meter:
        return METER_ROLES.get((entity.domain, entity_key(entity.unique_id)))
    parsed = parse_entity_unique_id(entity.unique_id)
    return None if parsed is None else HUB_ROLES.get((entity.domain, *parsed))


def detect_sources(
    hass: HomeAssistant, exclude_entry_id: str | None = None, *, full_feed_in: bool = False
) -> Sources:
    """Sources found among the hems entities of the entity registry.

    Under full feed-in (全量買取) the sale is what the solar generates (its sale meter counts
    exactly that): the sale roles take the entities whose role says so
    (:attr:`~..models.EnergyRole.full_feed_in`, every one of them), never the house meter's
    reverse direction, which sells nothing there.
    """
    registry = er.async_get(hass)
    meter_entries = {
        entry.entry_id
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.data.get(CONF_KIND) == KIND_BROUTE
    }
    found: dict[str, list[tuple[int, str]]] = {}
    sold: dict[str, list[str]] = {}
    for entity in registry.entities.values():
        if entity.platform != DOMAIN or entity.config_entry_id == exclude_entry_id:
            continue
        role = energy_role(entity, entity.config_entry_id in meter_entries)
        if role is None:
            continue
        if not (full_feed_in and role.role in FULL_FEED_IN_REPLACED):
            found.setdefault(role.role, []).append((role.rank, entity.entity_id))
        if full_feed_in and role.full_feed_in is not None:
            sold.setdefault(role.full_feed_in, []).append(entity.entity_id)
    roles: dict[str, tuple[str, ...]] = {}
    for role_name, candidates in found.items():
        candidates.sort()
        best = candidates[0][0]
        chosen = [
            entity_id for rank, entity_id in candidates if role_name in EVERY_RANK or rank == best
        ]
        if role_name in SINGLE_ROLES:
            chosen = chosen[:1]
        roles[role_name] = tuple(chosen)
    for role_name, entity_ids in sold.items():
        roles[role_name] = tuple(sorted(entity_ids))
    return Sources(roles)


def disabled_fixed_sources(hass: HomeAssistant, sources: Sources) -> list[str]:
    """Fixed-time sensors chosen as sources that the registry has disabled by the integration
    (version 0.1 made the smart meter's half-hour values disabled)."""
    registry = er.async_get(hass)
    out: list[str] = []
    for role in FIXED_ROLES:
        for entity_id in sources.get(role):
            entry = registry.async_get(entity_id)
            if entry is not None and entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION:
                out.append(entity_id)
    return out
