"""HEMS: home energy management for Home Assistant over ECHONET Lite and Wi-SUN B-route."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
import logging
from typing import Any

from homeassistant.components import network
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    issue_registry as ir,
)
from homeassistant.helpers.storage import Store
from homeassistant.helpers.typing import ConfigType

from .const import (
    BROUTE_STORE_KEY,
    CONF_ADDRESS,
    CONF_HOSTS,
    CONF_INTERFACE,
    DOMAIN,
    ENERGY_STORE_KEY,
)
from .coordinator import EchonetHub, object_identifier
from .discovery import async_start_discovery
from .echonet import AddressInUseError, TransportError
from .echonet.controller import Controller
from .kinds import async_kind_module
from .models import HemsConfigEntry
from .portinfo import describe_port_owner
from .services import async_setup_services

_LOGGER = logging.getLogger(__name__)

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

#: Seconds to wait for devices to answer at setup before the platforms are set up.
SETUP_DISCOVERY_SECONDS = 2.0

ECHONET_PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CLIMATE,
    Platform.COVER,
    Platform.FAN,
    Platform.LIGHT,
    Platform.LOCK,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.WATER_HEATER,
]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions and, without any entry yet, look for ECHONET Lite devices."""
    async_setup_services(hass)
    async_start_discovery(hass)
    return True


async def async_interface_address(hass: HomeAssistant, interface: str, fallback: str) -> str:
    """The current IPv4 address of a network adapter (it may have changed since setup)."""
    for adapter in await network.async_get_adapters(hass):
        if adapter["name"] == interface and adapter["ipv4"]:
            return adapter["ipv4"][0]["address"]
    return fallback


async def async_setup_entry(hass: HomeAssistant, entry: HemsConfigEntry) -> bool:
    """Set up a config entry (an ECHONET Lite hub, or another kind's entry)."""
    module = await async_kind_module(hass, entry)
    if module is not None:
        result: bool = await module.async_setup_entry(hass, entry)
        return result
    return await _async_setup_echonet(hass, entry)


async def _async_setup_echonet(hass: HomeAssistant, entry: HemsConfigEntry) -> bool:
    interface = entry.data[CONF_INTERFACE]
    address = await async_interface_address(hass, interface, entry.data[CONF_ADDRESS])
    controller = Controller(address, hosts=entry.data.get(CONF_HOSTS, []))
    issue_id = f"port_in_use_{entry.entry_id}"
    try:
        await controller.start()
    except AddressInUseError as err:
        owner = await hass.async_add_executor_job(describe_port_owner, 3610)
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="port_in_use",
            translation_placeholders={"address": address, "owner": owner},
        )
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="port_in_use",
            translation_placeholders={"address": address, "owner": owner},
        ) from err
    except TransportError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_open_interface",
            translation_placeholders={"address": address, "error": str(err)},
        ) from err
    ir.async_delete_issue(hass, DOMAIN, issue_id)
    hub = EchonetHub(hass, entry, controller)
    entry.runtime_data = hub
    entry.async_on_unload(
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _async_stop_hub(hub))
    )
    # Nodes found in the first seconds are added with the platforms; later ones dynamically.
    await controller.async_discover(wait=SETUP_DISCOVERY_SECONDS)
    hub.async_start()
    await hass.config_entries.async_forward_entry_setups(entry, ECHONET_PLATFORMS)
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    return True


def _async_stop_hub(hub: EchonetHub) -> Callable[[Event], Coroutine[Any, Any, None]]:
    async def _stop(_event: Event) -> None:
        await hub.async_stop()

    return _stop


async def _async_options_updated(hass: HomeAssistant, entry: HemsConfigEntry) -> None:
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: HemsConfigEntry) -> bool:
    """Unload a config entry: platforms first, then the sockets and tasks."""
    module = await async_kind_module(hass, entry)
    if module is not None:
        result: bool = await module.async_unload_entry(hass, entry)
        return result
    unloaded = await hass.config_entries.async_unload_platforms(entry, ECHONET_PLATFORMS)
    if unloaded and isinstance(entry.runtime_data, EchonetHub):
        await entry.runtime_data.async_stop()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: HemsConfigEntry) -> None:
    """Delete what an entry kept on disk (meter PAN cache and last reading, energy ledger)."""
    for key in (BROUTE_STORE_KEY, ENERGY_STORE_KEY):
        await Store[Any](hass, 1, f"{key}.{entry.entry_id}").async_remove()


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: HemsConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let the user remove a device that no longer answers (a live one would come back)."""
    module = await async_kind_module(hass, entry)
    if module is not None:
        remove = getattr(module, "async_remove_config_entry_device", None)
        return True if remove is None else bool(await remove(hass, entry, device))
    hub = getattr(entry, "runtime_data", None)  # None while the entry is not set up
    if not isinstance(hub, EchonetHub):
        return True
    ids = {identifier for domain, identifier in device.identifiers if domain == DOMAIN}
    for node in hub.controller.nodes.values():
        if node.uid in ids and node.available:
            return False
        for obj in node.objects.values():
            if object_identifier(obj) in ids and node.available:
                return False
    return True
