"""Runtime data of a hub entry: the controller, a coordinator per node, the devices.

A node that moves to a new address takes its configured host with it: the entry's hosts are
updated (so that a unicast-only device is probed at its new address after a restart) without
reloading the entry.  A device claiming another's identity is a repair issue naming both
addresses while the claim lasts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send

from ..const import (
    CONF_DISABLED_DEVICES,
    CONF_FRESHNESS,
    CONF_HOSTS,
    DOMAIN,
    SIGNAL_NEW_OBJECTS,
)
from ..echonet.controller import (
    Controller,
    ControllerEvent,
    IdentityConflict,
    NodeAdded,
    NodeAddressChanged,
    NodeAvailability,
    NodeRefused,
    ObjectAdded,
    ObjectRemoved,
    ObjectsRefused,
)
from ..echonet.node import EchonetObject, Node
from ..echonet.polling import DEFAULT_FRESHNESS, MAX_FRESHNESS, MIN_FRESHNESS
from ..issues import async_clear_issue, async_raise_issue
from ..models import HemsConfigEntry, KindRuntime
from .coordinator import BOARD_CLASS, EchonetNodeCoordinator
from .devices import HubDevices, object_identifier
from .meter_history import MeterHistoryImports, offers_history

#: Claiming addresses named in a repair issue at most.
MAX_SHOWN_CLAIMANTS = 5

#: The fast poll interval of entries made before the planner: their freshness.
LEGACY_FAST_INTERVAL = "fast_poll_interval"


def freshness_option(options: Mapping[str, Any]) -> float:
    """The hub's freshness: the option, else the fast poll interval of older entries, else
    the default (within the option's bounds)."""
    value = options.get(CONF_FRESHNESS, options.get(LEGACY_FAST_INTERVAL, DEFAULT_FRESHNESS))
    return max(MIN_FRESHNESS, min(float(value), MAX_FRESHNESS))


@dataclass
class EchonetHub(KindRuntime):
    """Runtime data of an ECHONET Lite hub entry."""

    hass: HomeAssistant
    entry: HemsConfigEntry
    controller: Controller
    coordinators: dict[str, EchonetNodeCoordinator] = field(default_factory=dict)
    unsubscribe: list[Callable[[], None]] = field(default_factory=list)
    #: Object identifier -> its device's name in English (the entity ids are made from it).
    english_names: dict[str, str] = field(default_factory=dict)
    #: The options and data (hosts aside) the hub started with: changing them reloads it.
    started_with: tuple[dict[str, Any], dict[str, Any]] = field(default_factory=lambda: ({}, {}))
    #: The addresses claiming each node's identity now (a repair issue per node).
    conflicts: dict[str, set[str]] = field(default_factory=dict)
    #: The smart meters' history imports (each meter once).
    history: MeterHistoryImports | None = None

    def __post_init__(self) -> None:
        self.started_with = (dict(self.entry.options), self._data_but_hosts())

    def _data_but_hosts(self) -> dict[str, Any]:
        return {k: v for k, v in self.entry.data.items() if k != CONF_HOSTS}

    def needs_reload(self) -> bool:
        """Whether the entry changed in a way only a reload applies (not the hosts that
        followed a moved node)."""
        return (
            dict(self.entry.options) != self.started_with[0]
            or self._data_but_hosts() != self.started_with[1]
            or list(self.entry.data.get(CONF_HOSTS, [])) != self.controller.hosts
        )

    @property
    def devices(self) -> HubDevices:
        """The entry's devices in the device registry."""
        return HubDevices(self.hass, self.entry.entry_id, self.english_names)

    @property
    def freshness(self) -> float:
        """The polls' one knob: seconds an unannounced power value may get old (the other
        properties' targets are multiples of it, see :mod:`..echonet.polling`)."""
        return freshness_option(self.entry.options)

    def enabled(self, obj: EchonetObject) -> bool:
        """False for objects the user switched off in the options."""
        return object_identifier(obj) not in self.entry.options.get(CONF_DISABLED_DEVICES, [])

    # ------------------------------------------------------------------ lifecycle

    @callback
    def async_watch_limits(self) -> None:
        """Refused nodes and objects become repair issues (from the first discovery on);
        the issues of an earlier run go (they come back if the excess is still there)."""
        registry = ir.async_get(self.hass)
        prefixes = (
            f"too_many_nodes_{self.entry.entry_id}",
            f"too_many_objects_{self.entry.entry_id}",
        )
        for domain, issue_id in list(registry.issues):
            if domain == DOMAIN and issue_id.startswith(prefixes):
                async_clear_issue(self.hass, issue_id)
        self.unsubscribe.append(self.controller.subscribe(self._on_limit))

    @callback
    def _on_limit(self, event: ControllerEvent) -> None:
        if isinstance(event, NodeRefused):
            async_raise_issue(
                self.hass,
                f"too_many_nodes_{self.entry.entry_id}",
                "too_many_nodes",
                {"limit": str(event.limit), "address": event.address, "title": self.entry.title},
            )
        elif isinstance(event, ObjectsRefused):
            async_raise_issue(
                self.hass,
                f"too_many_objects_{self.entry.entry_id}_{event.node.uid}",
                "too_many_objects",
                {
                    "limit": str(event.limit),
                    "address": event.node.address,
                    "count": str(len(event.eojs)),
                },
            )

    @callback
    def async_start(self) -> None:
        """Track the controller's nodes (nodes found before this are added too)."""
        self.unsubscribe.append(self.controller.subscribe(self._on_event))
        for node in list(self.controller.nodes.values()):
            self._add_node(node)

    async def async_stop(self) -> None:
        """Stop listening and close the controller."""
        for unsub in self.unsubscribe:
            unsub()
        self.unsubscribe.clear()
        for uid in self.conflicts:  # raised again if the conflict is still there
            async_clear_issue(self.hass, f"identity_conflict_{self.entry.entry_id}_{uid}")
        self.conflicts.clear()
        if self.history is not None:
            for unsub in self.history.unsubs:
                unsub()
        for coordinator in self.coordinators.values():
            await coordinator.async_shutdown()
        await self.controller.stop()

    # ------------------------------------------------------------------ events

    @callback
    def _on_event(self, event: ControllerEvent) -> None:
        """New, removed and moved objects and nodes, recovered nodes (values go to the
        entities)."""
        if isinstance(event, NodeAdded):
            self._add_node(event.node)
        elif isinstance(event, ObjectAdded):
            # NodeAdded always comes first.
            if event.obj.node.uid in self.coordinators:  # pragma: no branch
                self.devices.async_sync_node(event.obj.node)
                self._announce([event.obj])
        elif isinstance(event, ObjectRemoved):
            coordinator = self.coordinators.get(event.obj.node.uid)
            if coordinator is not None:  # pragma: no branch - NodeAdded always comes first
                coordinator.fast_epcs.pop(event.obj.eoj, None)
                self.devices.async_remove_object(event.obj)
        elif isinstance(event, NodeAddressChanged) and event.node.uid in self.coordinators:
            self.devices.async_sync_node(event.node)
            self._follow_hosts()
        elif isinstance(event, IdentityConflict):
            self._identity_conflict(event)
        elif isinstance(event, NodeAvailability):
            coordinator = self.coordinators.get(event.node.uid)
            if coordinator is None:  # pragma: no cover - NodeAdded always comes first
                return
            if event.available:
                coordinator.async_node_available()
            else:
                coordinator.async_node_silent()

    @callback
    def _follow_hosts(self) -> None:
        """Store the configured hosts as the controller now has them (a node moved)."""
        hosts = list(self.controller.hosts)
        if list(self.entry.data.get(CONF_HOSTS, [])) != hosts:
            self.hass.config_entries.async_update_entry(
                self.entry, data={**self.entry.data, CONF_HOSTS: hosts}
            )

    @callback
    def _identity_conflict(self, event: IdentityConflict) -> None:
        """One repair issue per device, naming its address and every address claiming it."""
        node = event.node
        claimants = self.conflicts.setdefault(node.uid, set())
        if event.active:
            claimants.add(event.claimant)
        else:
            claimants.discard(event.claimant)
        issue_id = f"identity_conflict_{self.entry.entry_id}_{node.uid}"
        if not claimants:
            del self.conflicts[node.uid]
            async_clear_issue(self.hass, issue_id)
            return
        device = self.devices.node_device(node)
        name = (device.name_by_user or device.name) if device is not None else None
        shown = sorted(claimants)
        placeholders = {
            "device": name or node.uid,
            "address": node.address,
            "claimant": ", ".join(shown[:MAX_SHOWN_CLAIMANTS])
            + (" …" if len(shown) > MAX_SHOWN_CLAIMANTS else ""),
        }
        async_raise_issue(self.hass, issue_id, "identity_conflict", placeholders)

    @callback
    def _add_node(self, node: Node) -> None:
        if node.uid in self.coordinators:  # pragma: no cover - one NodeAdded per node
            return
        coordinator = EchonetNodeCoordinator(self.hass, self.entry, self, node)
        self.coordinators[node.uid] = coordinator
        self.devices.async_sync_node(node)
        self._announce(list(node.objects.values()))
        if any(o.class_code == BOARD_CLASS for o in node.objects.values()):
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
        for obj in enabled:
            if offers_history(obj):
                if self.history is None:
                    self.history = MeterHistoryImports(self.hass, self.entry)
                self.history.start(self.controller, obj)
