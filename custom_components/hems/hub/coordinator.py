"""Coordinators: one ECHONET Lite hub per entry, one polling coordinator per node.

Push first: the controller's INF/INFC updates reach the entities of the changed properties
at once (no poll involved).  Polling is the safety net: every node is polled on its own
schedule (a fast interval for power values, the normal interval for everything), slowed
down while the node does not answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from ..const import (
    CONF_DISABLED_DEVICES,
    CONF_FAST_POLL_INTERVAL,
    CONF_POLL_INTERVAL,
    DEFAULT_FAST_POLL_INTERVAL,
    DEFAULT_POLL_INTERVAL,
    DOMAIN,
    MAX_BACKOFF,
    SIGNAL_NEW_OBJECTS,
)
from ..echonet import EOJ, EchonetError
from ..echonet.board import refresh_board_channels
from ..echonet.controller import (
    Controller,
    ControllerEvent,
    NodeAdded,
    NodeAddressChanged,
    NodeAvailability,
    ObjectAdded,
    PropertiesUpdated,
)
from ..echonet.definitions.names import NodeProfile, PowerDistributionBoardMetering, SuperClass
from ..echonet.manufacturers import manufacturer_name
from ..echonet.node import EchonetObject, Node, Priority
from ..models import KindRuntime
from .errors import ECHONET_ERRORS, Operation
from .naming import object_device_name, object_suggested_area

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

_LOGGER = logging.getLogger(__name__)


def node_identifier(node: Node) -> str:
    """Device registry identifier of a node."""
    return node.uid


def object_identifier(obj: EchonetObject) -> str:
    """Device registry identifier of an object (node identification number + EOJ)."""
    return f"{obj.node.uid}-{obj.eoj}"


@dataclass(slots=True)
class Changes:
    """What the latest push or poll changed (None: everything may have changed)."""

    eoj: EOJ
    epcs: frozenset[int]


class EchonetNodeCoordinator(DataUpdateCoordinator[None]):
    """Polls one node's objects and relays its pushed changes to the entities."""

    config_entry: ConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, hub: EchonetHub, node: Node
    ) -> None:
        self.hub = hub
        self.node = node
        self.fast_interval = timedelta(seconds=hub.fast_interval)
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"ECHONET Lite node {node.uid}",
            update_interval=self.fast_interval,
        )
        # The controller read everything when it found the node: count the fast polls
        # until the next full one.
        self._polls = 0
        #: Properties that entities want refreshed at the fast interval, per object.
        self.fast_epcs: dict[EOJ, set[int]] = {}
        #: The latest change (entities of other properties skip their state write).
        self.changes: Changes | None = None

    @property
    def objects(self) -> list[EchonetObject]:
        """The node's objects that the user has not disabled."""
        return [o for o in self.node.objects.values() if self.hub.enabled(o)]

    async def _async_update_data(self) -> None:
        self._polls += 1
        every = max(1, round(self.hub.poll_interval / self.hub.fast_interval))
        full = self._polls % every == 0
        controller = self.hub.controller
        try:
            for obj in self.objects:
                if full:
                    await controller.refresh(obj, priority=Priority.POLL)
                    if obj.class_code == PowerDistributionBoardMetering.CODE:
                        await refresh_board_channels(controller, obj, priority=Priority.POLL)
                else:
                    epcs = self.fast_epcs.get(obj.eoj)
                    if epcs:
                        await controller.get(obj, epcs, priority=Priority.POLL)
        except EchonetError as err:
            self._back_off()
            raise ECHONET_ERRORS.translate(
                Operation.POLL, err, UpdateFailed, {"address": self.node.address}
            ) from err
        self.update_interval = self.fast_interval
        self.changes = None

    async def async_refresh_boards(self) -> None:
        """Read the circuits of the node's distribution boards now (not at the first poll)."""
        for obj in self.objects:
            if obj.class_code != PowerDistributionBoardMetering.CODE:
                continue
            try:
                await refresh_board_channels(self.hub.controller, obj, priority=Priority.REFRESH)
            except EchonetError as err:
                _LOGGER.debug("Reading the circuits of %s failed: %s", obj, err)
        self.changes = None
        self.async_update_listeners()

    def diagnostics(self) -> dict[str, Any]:
        """Polling state (the fast properties per object)."""
        return {
            "update_interval_s": None
            if self.update_interval is None
            else self.update_interval.total_seconds(),
            "last_update_success": self.last_update_success,
            "fast_epcs": {
                str(eoj): [f"0x{e:02X}" for e in sorted(epcs)]
                for eoj, epcs in self.fast_epcs.items()
            },
        }

    def _back_off(self) -> None:
        current = self.update_interval or self.fast_interval
        self.update_interval = min(timedelta(seconds=MAX_BACKOFF), current * 2)

    @callback
    def async_pushed(self, event: ControllerEvent) -> None:
        """Relay a controller event for this node to the entities."""
        if isinstance(event, PropertiesUpdated):
            if event.source != "inf":
                return  # poll results are written when the poll ends
            self.changes = Changes(event.obj.eoj, frozenset(event.changes))
        else:
            self.changes = None
        self.async_update_listeners()
        self.changes = None


@dataclass
class EchonetHub(KindRuntime):
    """Runtime data of an ECHONET Lite hub entry."""

    hass: HomeAssistant
    entry: ConfigEntry
    controller: Controller
    coordinators: dict[str, EchonetNodeCoordinator] = field(default_factory=dict)
    unsubscribe: list[Callable[[], None]] = field(default_factory=list)
    #: Device registry id of every node's device (the parent of its objects' devices).
    node_devices: dict[str, str] = field(default_factory=dict)

    @property
    def poll_interval(self) -> int:
        """Seconds between full refreshes."""
        return int(self.entry.options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL))

    @property
    def fast_interval(self) -> int:
        """Seconds between refreshes of power values."""
        fast = int(self.entry.options.get(CONF_FAST_POLL_INTERVAL, DEFAULT_FAST_POLL_INTERVAL))
        return min(fast, self.poll_interval)

    def enabled(self, obj: EchonetObject) -> bool:
        """False for objects the user switched off in the options."""
        return object_identifier(obj) not in self.entry.options.get(CONF_DISABLED_DEVICES, [])

    # ------------------------------------------------------------------ lifecycle

    @callback
    def async_start(self) -> None:
        """Track the controller's events (nodes found before this are added too)."""
        self.unsubscribe.append(self.controller.subscribe(self._on_event))
        for node in list(self.controller.nodes.values()):
            self._add_node(node)

    async def async_stop(self) -> None:
        """Stop listening and close the controller."""
        for unsub in self.unsubscribe:
            unsub()
        self.unsubscribe.clear()
        for coordinator in self.coordinators.values():
            await coordinator.async_shutdown()
        await self.controller.stop()

    # ------------------------------------------------------------------ events

    @callback
    def _on_event(self, event: ControllerEvent) -> None:
        if isinstance(event, NodeAdded):
            self._add_node(event.node)
            return
        if isinstance(event, ObjectAdded):
            coordinator = self.coordinators.get(event.obj.node.uid)
            if coordinator is None:  # pragma: no cover - NodeAdded always comes first
                return
            self._register_object(event.obj)
            self._announce([event.obj])
            return
        node = event.obj.node if isinstance(event, PropertiesUpdated) else event.node
        coordinator = self.coordinators.get(node.uid)
        if coordinator is None:  # pragma: no cover - NodeAdded always comes first
            return
        if isinstance(event, NodeAddressChanged):
            self._register_node(node)
        elif isinstance(event, NodeAvailability) and event.available:
            coordinator.update_interval = coordinator.fast_interval
        coordinator.async_pushed(event)

    @callback
    def _add_node(self, node: Node) -> None:
        if node.uid in self.coordinators:  # pragma: no cover - one NodeAdded per node
            return
        coordinator = EchonetNodeCoordinator(self.hass, self.entry, self, node)
        self.coordinators[node.uid] = coordinator
        self._register_node(node)
        for obj in node.objects.values():
            self._register_object(obj)
        self._announce(list(node.objects.values()))
        if any(o.class_code == PowerDistributionBoardMetering.CODE for o in node.objects.values()):
            self.entry.async_create_background_task(
                self.hass, coordinator.async_refresh_boards(), f"hems boards {node.uid}"
            )

    @callback
    def _announce(self, objects: list[EchonetObject]) -> None:
        enabled = [o for o in objects if self.enabled(o)]
        if enabled:
            async_dispatcher_send(
                self.hass, SIGNAL_NEW_OBJECTS.format(self.entry.entry_id), enabled
            )

    # ------------------------------------------------------------------ devices

    def _language(self) -> str:
        return self.hass.config.language or "en"

    @callback
    def _register_node(self, node: Node) -> dr.DeviceEntry:
        registry = dr.async_get(self.hass)
        profile = node.profile
        language = self._language()
        maker = manufacturer_name(node.manufacturer_code, language)
        product = _text(profile.values.get(NodeProfile.PRODUCT_CODE)) if profile else None
        device = registry.async_get_or_create(
            config_entry_id=self.entry.entry_id,
            identifiers={(DOMAIN, node_identifier(node))},
            manufacturer=maker,
            model=product or None,
            serial_number=_text(profile.values.get(NodeProfile.SERIAL_NUMBER)) if profile else None,
            sw_version=_version(profile.values.get(NodeProfile.VERSION)) if profile else None,
            name=f"{maker} {product}".strip() if product else f"ECHONET Lite {node.address}",
            configuration_url=None,
        )
        self.node_devices[node.uid] = device.id
        return device

    @callback
    def _register_object(self, obj: EchonetObject) -> None:
        registry = dr.async_get(self.hass)
        # Not registry.async_get_device: deprecated in 2026.10 (identifiers are unique per entry).
        node_device_id = self.node_devices.get(obj.node.uid)
        code = _maker_code(obj.values.get(SuperClass.MANUFACTURER)) or obj.node.manufacturer_code
        device = registry.async_get_or_create(
            config_entry_id=self.entry.entry_id,
            identifiers={(DOMAIN, object_identifier(obj))},
            manufacturer=manufacturer_name(code, self._language()),
            model=_text(obj.values.get(SuperClass.PRODUCT_CODE)) or obj.class_def.name_en,
            model_id=f"0x{obj.class_code:04X}",
            serial_number=_text(obj.values.get(SuperClass.SERIAL_NUMBER)),
            sw_version=_release(obj.values.get(SuperClass.PROTOCOL)),
            name=object_device_name(obj, self._language()),
            suggested_area=object_suggested_area(obj, self._language()),
        )
        if node_device_id is not None and device.via_device_id != node_device_id:
            registry.async_update_device(device.id, via_device_id=node_device_id)


def _text(edt: bytes | None) -> str | None:
    if not edt:
        return None
    text = edt.rstrip(b"\x00 ").decode("ascii", "replace").strip()
    return text or None


def _maker_code(edt: bytes | None) -> int | None:
    return int.from_bytes(edt, "big") if edt and len(edt) == 3 else None


def _release(edt: bytes | None) -> str | None:
    """Appendix release of a device object (0x82: 00 00 'R' 00)."""
    if not edt or len(edt) < 3 or not ord("A") <= edt[2] <= ord("Z"):
        return None
    return f"Release {chr(edt[2])}"


def _version(edt: bytes | None) -> str | None:
    """ECHONET Lite version of a node profile (0x82: major minor type type)."""
    if not edt or len(edt) < 2:
        return None
    return f"ECHONET Lite {edt[0]}.{edt[1]}"
