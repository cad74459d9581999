"""Diagnostics of every entry kind: the entry (secrets redacted) and the kind's own part."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from .kinds import async_get_kind, loaded_runtime
from .models import HemsConfigEntry

#: Keys never shown (the B-route ID and password of meter entries).
TO_REDACT = {"rbid", "password", "route_b_id", "broute_id", "broute_password"}


def polling_diagnostics(coordinator: DataUpdateCoordinator[Any]) -> dict[str, Any]:
    """How often a coordinator polls now, and whether its last poll succeeded."""
    interval = coordinator.update_interval
    return {
        "update_interval_s": None if interval is None else interval.total_seconds(),
        "last_update_success": coordinator.last_update_success,
    }


def _redact(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: ("**REDACTED**" if k in TO_REDACT else _redact(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [_redact(v) for v in data]
    return data


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: HemsConfigEntry
) -> dict[str, Any]:
    """The entry's data and options, and what its kind reports."""
    kind = await async_get_kind(hass, entry)
    kind_data = await kind.async_diagnostics(hass, entry, loaded_runtime(entry, kind))
    entry_data = {"data": dict(entry.data), "options": dict(entry.options)}
    redacted: dict[str, Any] = _redact({"entry": entry_data, **kind_data})
    return redacted


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: HemsConfigEntry, device: dr.DeviceEntry
) -> dict[str, Any]:
    """Diagnostics of one device (an ECHONET Lite object or node; other kinds have none)."""
    kind = await async_get_kind(hass, entry)
    return kind.device_diagnostics(loaded_runtime(entry, kind), device)
