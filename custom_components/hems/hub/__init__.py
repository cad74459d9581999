"""The ECHONET Lite hub entry kind: one controller per network interface, its devices.

Setup opens UDP 3610 on the interface's address (a busy port is a repair issue that names
the program holding it), waits a moment for the devices to answer, then the platforms add the
entities of every object found; objects found later are added as they appear
(:mod:`.platform`).  The coordinators (:mod:`.coordinator`) poll; the entities follow the
controller's pushes themselves (:mod:`.entity`).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Final

from homeassistant.components import network
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.importlib import async_import_module

from ..const import (
    CONF_ADDRESS,
    CONF_HOSTS,
    CONF_INTERFACE,
    CONF_MAX_NODES,
    DEFAULT_MAX_NODES,
    DOMAIN,
    KIND_ECHONET,
)
from ..echonet import AddressInUseError, TransportError
from ..echonet.controller import Controller, node_diagnostics, object_diagnostics
from ..issues import async_clear_issue, async_raise_issue
from ..kinds import EntryKind, loaded_runtime
from ..models import HemsConfigEntry
from .devices import object_identifier
from .errors import ECHONET_ERRORS, Operation
from .platform import EntityFactory, async_setup_objects
from .portinfo import describe_port_owner
from .runtime import EchonetHub

#: Seconds to wait for devices to answer at setup before the platforms are set up.
SETUP_DISCOVERY_SECONDS = 2.0

#: The platforms of hub entries; ``.hub.<platform>`` makes an object's entities (``entities``).
PLATFORMS: Final = (
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
)


async def async_interface_address(hass: HomeAssistant, interface: str, fallback: str) -> str:
    """The current IPv4 address of a network adapter (it may have changed since setup)."""
    for adapter in await network.async_get_adapters(hass):
        if adapter["name"] == interface and adapter["ipv4"]:
            return adapter["ipv4"][0]["address"]
    return fallback


async def async_start_controller(hass: HomeAssistant, entry: HemsConfigEntry) -> Controller:
    """The entry's controller, listening on its interface (a busy port is a repair issue)."""
    address = await async_interface_address(
        hass, entry.data[CONF_INTERFACE], entry.data[CONF_ADDRESS]
    )
    controller = Controller(
        address,
        hosts=entry.data.get(CONF_HOSTS, []),
        max_nodes=int(entry.options.get(CONF_MAX_NODES, DEFAULT_MAX_NODES)),
    )
    issue_id = f"port_in_use_{entry.entry_id}"
    try:
        await controller.start()
    except TransportError as err:
        context = {"address": address, "error": str(err)}
        if isinstance(err, AddressInUseError):
            context["owner"] = await hass.async_add_executor_job(describe_port_owner, 3610)
            placeholders = {"address": address, "owner": context["owner"]}
            async_raise_issue(hass, issue_id, "port_in_use", placeholders)
        raise ECHONET_ERRORS.translate(Operation.OPEN, err, ConfigEntryNotReady, context) from err
    async_clear_issue(hass, issue_id)
    return controller


def _async_stop_hub(hub: EchonetHub) -> Callable[[Event], Coroutine[Any, Any, None]]:
    async def _stop(_event: Event) -> None:
        await hub.async_stop()

    return _stop


class HubKind:
    """ECHONET Lite hub entries (see :class:`~..kinds.EntryKind`)."""

    name = KIND_ECHONET
    platforms: tuple[Platform, ...] = PLATFORMS
    runtime_type = EchonetHub

    async def async_setup(self, hass: HomeAssistant, entry: HemsConfigEntry) -> EchonetHub:
        """Open the controller, wait a moment for the devices, start the coordinators."""
        controller = await async_start_controller(hass, entry)
        try:
            hub = EchonetHub(hass, entry, controller)
            hub.async_watch_limits()
            entry.async_on_unload(
                hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _async_stop_hub(hub))
            )
            # Nodes found in the first seconds are added with the platforms; later ones
            # dynamically.
            await controller.async_discover(wait=SETUP_DISCOVERY_SECONDS)
        except BaseException:
            # Setup cancelled (Home Assistant stopping, a reload) or failed: free the port.
            await controller.stop()
            raise
        hub.async_start()
        return hub

    def async_entities_added(self, runtime: EchonetHub) -> None:
        """Nothing to do: entities of later objects are added as they appear."""

    async def async_setup_platform(
        self,
        hass: HomeAssistant,
        entry: HemsConfigEntry,
        runtime: EchonetHub,
        platform: Platform,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        """Entities of every object, now and as objects appear."""
        module = await async_import_module(hass, f"{__name__}.{platform.value}")
        factory: EntityFactory = module.entities
        async_setup_objects(hass, entry, runtime, async_add_entities, factory)

    async def async_unload(self, hass: HomeAssistant, runtime: EchonetHub) -> None:
        """Close the sockets and stop the tasks."""
        await runtime.async_stop()

    def reload_on_update(self, entry: HemsConfigEntry, runtime: EchonetHub | None) -> bool:
        """Options (intervals, devices switched off) and hosts take effect on a reload; hosts
        that followed a moved node are in effect already."""
        return runtime is None or runtime.needs_reload()

    async def async_diagnostics(
        self, hass: HomeAssistant, entry: HemsConfigEntry, runtime: EchonetHub | None
    ) -> dict[str, Any]:
        """Nodes, maps, learned batch sizes, latency, timeouts, ignored frames, polling."""
        if runtime is None:  # e.g. port 3610 busy: not set up
            return {}
        return {
            "controller": runtime.controller.diagnostics(),
            "polling": {
                uid: coordinator.diagnostics() for uid, coordinator in runtime.coordinators.items()
            },
        }

    def device_diagnostics(
        self, runtime: EchonetHub | None, device: dr.DeviceEntry
    ) -> dict[str, Any]:
        """Diagnostics of a node, or of an object with its node's statistics."""
        ids = {i for d, i in device.identifiers if d == DOMAIN}
        if runtime is None:
            return {}
        for node in runtime.controller.nodes.values():
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

    def can_remove_device(self, runtime: EchonetHub | None, device: dr.DeviceEntry) -> bool:
        """Devices of nodes that still answer stay (they would come back)."""
        if runtime is None:
            return True
        ids = {identifier for domain, identifier in device.identifiers if domain == DOMAIN}
        for node in runtime.controller.nodes.values():
            if node.uid in ids and node.available:
                return False
            for obj in node.objects.values():
                if object_identifier(obj) in ids and node.available:
                    return False
        return True


KIND: Final[EntryKind[EchonetHub]] = HubKind()


def loaded_hubs(hass: HomeAssistant) -> list[EchonetHub]:
    """The runtime data of every loaded hub entry."""
    return [
        hub
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
        if (hub := loaded_runtime(entry, KIND)) is not None
    ]
