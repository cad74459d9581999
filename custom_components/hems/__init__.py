"""HEMS: home energy management for Home Assistant over ECHONET Lite and Wi-SUN B-route.

Three kinds of config entry (see :mod:`.kinds`): an ECHONET Lite hub per network interface,
a smart meter over a B-route dongle, and one energy home.  Each takes the same path here.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .blueprints import async_install_blueprints
from .const import BROUTE_SESSIONS, BROUTE_STORE_KEY, DOMAIN, ENERGY_STORE_KEY
from .frontend import async_register_frontend
from .home.dashboard import async_setup_dashboard_service
from .hub.discovery import async_start_discovery
from .hub.services import async_setup_services
from .kinds import async_get_kind, loaded_runtime
from .models import HemsConfigEntry
from .storage import async_remove_stores

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, serve the power-flow card, install the blueprints and, without
    any entry yet, look for ECHONET Lite devices."""
    async_setup_services(hass)
    async_setup_dashboard_service(hass)
    await async_register_frontend(hass)
    await async_install_blueprints(hass)
    async_start_discovery(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: HemsConfigEntry) -> bool:
    """Set up an entry of any kind: its runtime, then its platforms."""
    kind = await async_get_kind(hass, entry)
    entry.runtime_data = runtime = await kind.async_setup(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, kind.platforms)
    kind.async_entities_added(runtime)
    entry.async_on_unload(entry.add_update_listener(_async_entry_updated))
    return True


async def _async_entry_updated(hass: HomeAssistant, entry: HemsConfigEntry) -> None:
    kind = await async_get_kind(hass, entry)
    if kind.reload_on_update(entry, loaded_runtime(entry, kind)):
        await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: HemsConfigEntry) -> bool:
    """Unload the platforms, then stop the kind's runtime (sockets, serial port, tasks)."""
    kind = await async_get_kind(hass, entry)
    unloaded = await hass.config_entries.async_unload_platforms(entry, kind.platforms)
    if unloaded:
        await kind.async_unload(hass, entry.runtime_data)
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: HemsConfigEntry) -> None:
    """Delete what an entry kept on disk (meter PAN cache and last reading, energy ledger)."""
    for key in (BROUTE_STORE_KEY, ENERGY_STORE_KEY):
        await async_remove_stores(hass, 1, f"{key}.{entry.entry_id}")
    # the session of a meter entry removed during a setup retry (an unload forgets it)
    hass.data.get(BROUTE_SESSIONS, {}).pop(entry.entry_id, None)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: HemsConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let the user remove a device that no longer answers (a live one would come back)."""
    kind = await async_get_kind(hass, entry)
    return kind.can_remove_device(loaded_runtime(entry, kind), device)
