"""Diagnostics: nodes, maps, learned batch sizes, latency, timeouts and ignored frames."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from .const import DOMAIN
from .coordinator import EchonetHub, object_identifier
from .echonet.controller import node_diagnostics, object_diagnostics
from .kinds import async_kind_module
from .models import HemsConfigEntry

#: Keys never shown (the B-route credentials live in other entries; listed for safety).
TO_REDACT = {"rbid", "password", "route_b_id", "broute_id", "broute_password"}


def _redact(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: ("**REDACTED**" if k in TO_REDACT else _redact(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [_redact(v) for v in data]
    return data


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: HemsConfigEntry
) -> dict[str, Any]:
    """Diagnostics of an entry (other kinds add their own part)."""
    module = await async_kind_module(hass, entry)
    if module is not None:
        diagnostics = getattr(module, "async_get_config_entry_diagnostics", None)
        kind_data: dict[str, Any] = {} if diagnostics is None else await diagnostics(hass, entry)
        entry_data = {"data": dict(entry.data), "options": dict(entry.options)}
        redacted: dict[str, Any] = _redact({"entry": entry_data, **kind_data})
        return redacted
    out: dict[str, Any] = {
        "entry": {
            "data": _redact(dict(entry.data)),
            "options": _redact(dict(entry.options)),
        }
    }
    # An entry that failed to set up (e.g. port 3610 busy) has no runtime data yet.
    hub = getattr(entry, "runtime_data", None)
    if isinstance(hub, EchonetHub):
        out["controller"] = hub.controller.diagnostics()
        out["polling"] = {
            uid: {
                "update_interval_s": None
                if c.update_interval is None
                else c.update_interval.total_seconds(),
                "last_update_success": c.last_update_success,
                "fast_epcs": {
                    str(eoj): [f"0x{e:02X}" for e in sorted(epcs)]
                    for eoj, epcs in c.fast_epcs.items()
                },
            }
            for uid, c in hub.coordinators.items()
        }
    return out


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: HemsConfigEntry, device: dr.DeviceEntry
) -> dict[str, Any]:
    """Diagnostics of one device (an object, or a node)."""
    hub = getattr(entry, "runtime_data", None)
    ids = {i for d, i in device.identifiers if d == DOMAIN}
    if not isinstance(hub, EchonetHub):
        return {}
    for node in hub.controller.nodes.values():
        if node.uid in ids:
            return node_diagnostics(node)
        for obj in node.objects.values():
            if object_identifier(obj) in ids:
                return {
                    "node": {
                        "uid": node.uid,
                        "address": node.address,
                        "available": node.available,
                        "stats": node.stats.as_dict(),
                    },
                    "object": object_diagnostics(obj),
                }
    return {}
