"""Where the energy entry reads its inputs: Home Assistant entities, auto-detected or chosen.

Every input is an entity id, of any integration, in a role (:data:`ROLES`); without a choice in
the options the entry uses the hems entities that :mod:`.detect` finds.  This module holds the
roles, and reads the sources' states: counters, power, fixed-time values, locks and openings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import Decimal
import math
from typing import Any, Final

from homeassistant.components.binary_sensor import BinarySensorDeviceClass
from homeassistant.const import UnitOfEnergy, UnitOfPower, UnitOfVolume
from homeassistant.core import HomeAssistant, State

from ..energy import Channel
from ..energy.slots import CHANNELS

#: Source roles, in the order of the options form: the ledger's channels.
COUNTER_ROLES: Final[tuple[Channel, ...]] = CHANNELS
FIXED_ROLES: Final = ("fixed_purchase", "fixed_sale")
POWER_ROLES: Final = (
    "purchase_power",
    "sale_power",
    "generation_power",
    "battery_charge_power",
    "battery_discharge_power",
)
OTHER_ROLES: Final = ("current", "temperature", "locks", "openings")
ROLES: Final = (*COUNTER_ROLES, *FIXED_ROLES, *POWER_ROLES, *OTHER_ROLES)

#: Channels that take only one source (a second one would count the same energy twice).
SINGLE_ROLES: Final = frozenset(
    {"purchase", "sale", "gas", "water", "fixed_purchase", "fixed_sale"}
    | {"purchase_power", "sale_power"}
)

FIXED_CHANNEL: Final[dict[str, Channel]] = {"fixed_purchase": "purchase", "fixed_sale": "sale"}


@dataclass(frozen=True, slots=True)
class Sources:
    """Entity ids per role (see :data:`ROLES`)."""

    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def get(self, role: str) -> tuple[str, ...]:
        """Entity ids of ``role`` (empty when none)."""
        return self.roles.get(role, ())

    def to_dict(self) -> dict[str, list[str]]:
        """JSON-able form (options)."""
        return {role: list(ids) for role, ids in self.roles.items() if ids}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Sources:
        """Inverse of :meth:`to_dict` (unknown roles dropped, single roles cut to one)."""
        roles: dict[str, tuple[str, ...]] = {}
        for role, ids in (data or {}).items():
            if role not in ROLES or not isinstance(ids, list | tuple):
                continue
            clean = tuple(dict.fromkeys(str(i) for i in ids if isinstance(i, str) and i))
            if role in SINGLE_ROLES:
                clean = clean[:1]
            if clean:
                roles[role] = clean
        return cls(roles)

    def all_entities(self) -> set[str]:
        """Every entity id used."""
        return {entity_id for ids in self.roles.values() for entity_id in ids}


# ----------------------------------------------------------------------------- readings

_ENERGY_KWH: Final[dict[str, float]] = {
    UnitOfEnergy.WATT_HOUR: 0.001,
    UnitOfEnergy.KILO_WATT_HOUR: 1.0,
    UnitOfEnergy.MEGA_WATT_HOUR: 1000.0,
}
_VOLUME_M3: Final[dict[str, float]] = {UnitOfVolume.CUBIC_METERS: 1.0, UnitOfVolume.LITERS: 0.001}
_POWER_W: Final[dict[str, float]] = {UnitOfPower.WATT: 1.0, UnitOfPower.KILO_WATT: 1000.0}


def _number(state: State | None) -> float | None:
    if state is None:
        return None
    try:
        value = float(state.state)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def counter_reading(state: State | None, channel: str) -> float | None:
    """A counter's value in kWh (m³ for gas and water); None when unknown or of another unit."""
    value = _number(state)
    if value is None or state is None:
        return None
    unit = state.attributes.get("unit_of_measurement")
    table = _VOLUME_M3 if channel in ("gas", "water") else _ENERGY_KWH
    factor = 1.0 if unit is None else table.get(str(unit))
    return None if factor is None else value * factor


def power_reading(state: State | None) -> float | None:
    """A power value in W."""
    value = _number(state)
    if value is None or state is None:
        return None
    factor = _POWER_W.get(str(state.attributes.get("unit_of_measurement")), 1.0)
    return value * factor


def number_reading(state: State | None) -> float | None:
    """A plain numeric state."""
    return _number(state)


# ----------------------------------------------------------------------------- security

INSECURE_LOCK_STATES: Final = frozenset({"unlocked", "open", "opening", "unlocking", "jammed"})


def is_insecure(state: State | None) -> bool | None:
    """True when a lock is unlocked or a door/window is open; None when unknown."""
    if state is None or state.state in ("unavailable", "unknown"):
        return None
    if state.domain == "lock":
        return state.state in INSECURE_LOCK_STATES
    if state.domain == "cover":
        return state.state != "closed"
    return state.state == "on"


def is_lock_like(state: State | None) -> bool:
    """A lock, or a binary sensor of device class lock (on = unlocked)."""
    if state is None:
        return False
    return state.domain == "lock" or (
        state.domain == "binary_sensor"
        and state.attributes.get("device_class") == BinarySensorDeviceClass.LOCK
    )


def friendly_names(hass: HomeAssistant, entity_ids: Iterable[str]) -> list[str]:
    """Friendly names (entity ids when unnamed), in order."""
    out: list[str] = []
    for entity_id in entity_ids:
        state = hass.states.get(entity_id)
        out.append(state.name if state is not None else entity_id)
    return out


def fixed_reading(state: State, tz: tzinfo) -> tuple[Decimal, datetime] | None:
    """A fixed-time value and when it was measured (``measured_at``; the meter's clock is the
    local time of ``tz`` when it says no zone); None when unreadable."""
    try:
        value = Decimal(str(float(state.state)))
        when = datetime.fromisoformat(str(state.attributes.get("measured_at")))
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=tz)
    return value, when
