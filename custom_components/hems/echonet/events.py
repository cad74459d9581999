"""What a :class:`~.controller.Controller` tells its listeners, and who listens to what."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
import logging

from .frame import EOJ
from .node import EchonetObject, Node

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class NodeAdded:
    """A new node and all its objects were read."""

    node: Node


@dataclass(frozen=True, slots=True)
class ObjectAdded:
    """A node gained an object after it was added."""

    obj: EchonetObject


@dataclass(frozen=True, slots=True)
class ObjectRemoved:
    """A node no longer lists an object in its instance list (0xD6 read again, or 0xD5)."""

    obj: EchonetObject


@dataclass(frozen=True, slots=True)
class NodeAvailability:
    """A node started or stopped answering."""

    node: Node
    available: bool


@dataclass(frozen=True, slots=True)
class NodeAddressChanged:
    """A known node answered from a new IP address."""

    node: Node
    old_address: str
    new_address: str


@dataclass(frozen=True, slots=True)
class IdentityConflict:
    """``claimant`` answers with the identity of ``node``, which still answers at its own
    address: the node stays there (``active``), or that conflict is over (not ``active``)."""

    node: Node
    claimant: str
    active: bool


@dataclass(frozen=True, slots=True)
class PropertiesUpdated:
    """Property values of an object changed (``source``: "inf", "get" or "set")."""

    obj: EchonetObject
    changes: Mapping[int, bytes]
    source: str


@dataclass(frozen=True, slots=True)
class NodeRefused:
    """A node was not added: the controller already has ``limit`` nodes."""

    address: str
    uid: str
    limit: int


@dataclass(frozen=True, slots=True)
class ObjectsRefused:
    """A node listed more objects than an instance list can describe (``limit``): ``eojs``
    were not added."""

    node: Node
    eojs: tuple[EOJ, ...]
    limit: int


ControllerEvent = (
    NodeAdded
    | ObjectAdded
    | ObjectRemoved
    | NodeAvailability
    | NodeAddressChanged
    | PropertiesUpdated
    | NodeRefused
    | ObjectsRefused
    | IdentityConflict
)
Listener = Callable[[ControllerEvent], None]


@dataclass(slots=True)
class Subscription:
    """One listener and the node, object and properties it is interested in (None: all)."""

    callback: Listener
    uid: str | None
    eoj: EOJ | None
    epcs: frozenset[int] | None

    def wants(self, event: ControllerEvent) -> bool:
        """Whether ``event`` concerns what this listener follows."""
        if isinstance(event, NodeRefused):
            return self.uid is None or event.uid == self.uid
        if not isinstance(event, PropertiesUpdated):
            node = getattr(event, "node", None) or getattr(event, "obj").node  # noqa: B009
            return self.uid is None or node.uid == self.uid
        obj = event.obj
        if self.uid is not None and obj.node.uid != self.uid:
            return False
        if self.eoj is not None and obj.eoj != self.eoj:
            return False
        return self.epcs is None or not self.epcs.isdisjoint(event.changes)


class Listeners:
    """The subscriptions of one controller; a failing listener is logged, never propagated."""

    def __init__(self) -> None:
        self._subs: list[Subscription] = []

    def add(self, sub: Subscription) -> Callable[[], None]:
        """Add a subscription; returns a function that removes it."""
        self._subs.append(sub)

        def _remove() -> None:
            if sub in self._subs:
                self._subs.remove(sub)

        return _remove

    def emit(self, event: ControllerEvent) -> None:
        """Call every listener that wants ``event``."""
        for sub in list(self._subs):
            if sub.wants(event):
                try:
                    sub.callback(event)
                except Exception:
                    _LOGGER.exception("Error in ECHONET Lite listener %s", sub.callback)
