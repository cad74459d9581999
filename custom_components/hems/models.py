"""Typed runtime data of the integration's config entries."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry


class KindRuntime:
    """Base class of the runtime data of every entry kind (hub, meter, home)."""


type HemsConfigEntry = ConfigEntry[KindRuntime]


@dataclass(frozen=True, slots=True)
class EnergyRole:
    """What an entity is to the energy entry (see :mod:`.home.detect`): a source ``role``
    (``purchase``, ``generation``, ``temperature``, ``openings``...) and its ``rank`` among the
    entities of that role, lower first (a role that takes one entity takes the lowest).

    ``full_feed_in``: the role the entity takes as well under full feed-in (全量買取), where the
    solar's own meter sells all it generates: its generation counter is then the sale."""

    role: str
    rank: int = 0
    full_feed_in: str | None = None
