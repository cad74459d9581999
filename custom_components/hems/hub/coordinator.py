"""One polling coordinator per node: it schedules the polls, the entities follow the pushes.

Push first: every entity subscribes to its own properties at the controller (see
:mod:`.entity`), so an INF/INFC, a poll's answer or a Set's confirmation reaches the entities
of the changed properties at once.  Polling is the safety net, planned per property by the
library (:mod:`..echonet.polling`, read by :class:`~..echonet.poller.NodePoller`) from one
number per hub, the freshness: power values every few seconds, states and temperatures every
few tens, energy counters every few minutes, announced properties by a slow safety poll;
each object's due properties in one Get, at the object's own phase.  The coordinator wakes
when the next property is due, slowed down while the node does not answer; its listeners
hear when polling fails or recovers (availability).  A node that answers again is read
completely before its entities are available again (:attr:`EchonetNodeCoordinator.stale`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
import logging
import time
from typing import Any, Protocol

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from ..const import MAX_BACKOFF
from ..diagnostics import polling_diagnostics
from ..echonet import EOJ, EchonetError
from ..echonet.board import BoardChannels
from ..echonet.controller import Controller
from ..echonet.definitions.names import PowerDistributionBoardMetering
from ..echonet.node import EchonetObject, Node, Priority
from ..echonet.poller import NodePoller
from ..energy.counter import CounterNormaliser
from ..models import HemsConfigEntry
from .errors import ECHONET_ERRORS, Operation

_LOGGER = logging.getLogger(__name__)


class NodeHub(Protocol):
    """What a node's coordinator and its entities use of their hub (:class:`.runtime.EchonetHub`
    implements it; the hub makes the coordinators, so this module does not import it)."""

    @property
    def controller(self) -> Controller:
        """The hub's ECHONET Lite controller."""

    @property
    def english_names(self) -> dict[str, str]:
        """English names of the devices (by uid) for their entity ids."""

    @property
    def freshness(self) -> float:
        """Seconds within which polled values are fresh."""

    def enabled(self, obj: EchonetObject) -> bool:
        """Whether an object's entities are made (the user may switch devices off)."""


BOARD_CLASS = PowerDistributionBoardMetering.CODE
#: Shortest wait between two wakes (seconds).
MIN_WAIT = 1.0


class EchonetNodeCoordinator(DataUpdateCoordinator[None]):
    """Polls one node's objects as planned; keeps the circuits of its distribution boards."""

    config_entry: HemsConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: HemsConfigEntry, hub: NodeHub, node: Node
    ) -> None:
        self.hub = hub
        self.node = node
        self.poller = NodePoller(
            hub.controller, node, hub.freshness, enabled=hub.enabled, on_board=self._on_board
        )
        self.planner = self.poller.planner
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"ECHONET Lite node {node.uid}",
            update_interval=timedelta(seconds=self.planner.freshness),
            # No data: the listeners (entities) hear when polling fails or recovers.
            always_update=False,
        )
        self._board_listeners: dict[EOJ, list[Callable[[], None]]] = {}
        #: The cumulative counters of the node's entities (by unique id), for diagnostics.
        self.counters: dict[str, CounterNormaliser] = {}
        #: True from the node's silence until everything was read again.
        self.stale = False
        self._busy = False
        # The planner's clock: monotonic, and at a wake never behind the planned time.
        self._now = time.monotonic()
        self._wake = self._now + self.planner.freshness  # the first poll
        # The controller read every object when it set the node up: plan from then on.
        self.poller.track_all(self._now)

    @property
    def objects(self) -> list[EchonetObject]:
        """The node's objects that the user has not disabled."""
        return self.poller.objects

    @property
    def boards(self) -> dict[EOJ, BoardChannels]:
        """The latest circuit values of the node's distribution boards, per object."""
        return self.poller.boards

    @property
    def fast_epcs(self) -> dict[EOJ, set[int]]:
        """Properties that entities want read as often as power values, per object."""
        return self.poller.fast_epcs

    def _clock(self, *, woken: bool = False) -> float:
        """The planner's time; at a wake, never behind the time the wake was planned for."""
        self._now = max(self._now, time.monotonic(), self._wake if woken else 0.0)
        return self._now

    def want_fast(self, obj: EchonetObject, epcs: Iterable[int]) -> None:
        """Read ``epcs`` of ``obj`` as often as power values (what an entity shows)."""
        self.poller.want_fast(obj, epcs, self._clock())

    # ------------------------------------------------------------------ polling

    async def _async_update_data(self) -> None:
        now = self._clock(woken=True)
        self._busy = True
        try:
            if self.stale:
                await self.poller.read_all(now)
                self.stale = False
                # The entities may show the node again (a poll alone tells only failures).
                self.async_update_listeners()
            else:
                await self.poller.poll(now)
        except EchonetError as err:
            self._back_off(now)
            raise ECHONET_ERRORS.translate(
                Operation.POLL, err, UpdateFailed, {"address": self.node.address}
            ) from err
        finally:
            self._busy = False
        self._schedule(now)

    def _schedule(self, now: float) -> None:
        """Wake when the next property (or range of circuits) is due."""
        wake = self.poller.next_wake()
        wait = max(MIN_WAIT, (now + self.planner.freshness if wake is None else wake) - now)
        self._wake = now + wait
        self.update_interval = timedelta(seconds=wait)

    def _back_off(self, now: float) -> None:
        current = self.update_interval or timedelta(seconds=self.planner.freshness)
        wait = min(timedelta(seconds=MAX_BACKOFF), current * 2)
        self._wake = now + wait.total_seconds()
        self.update_interval = wait

    # ------------------------------------------------------------------ boards

    async def async_refresh_boards(self) -> None:
        """Read the circuits of the node's distribution boards now (not at the first poll)."""
        for obj in self.objects:
            if obj.class_code != BOARD_CLASS:
                continue
            try:
                await self.poller.refresh_board(obj, Priority.REFRESH)
            except EchonetError as err:
                _LOGGER.debug("Reading the circuits of %s failed: %s", obj, err)

    def _on_board(self, obj: EchonetObject, _channels: BoardChannels) -> None:
        for listener in list(self._board_listeners.get(obj.eoj, ())):
            listener()

    @callback
    def async_add_board_listener(self, eoj: EOJ, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``listener`` after each read of the circuits of board ``eoj``."""
        listeners = self._board_listeners.setdefault(eoj, [])
        listeners.append(listener)

        @callback
        def _remove() -> None:
            listeners.remove(listener)

        return _remove

    # ------------------------------------------------------------------ availability

    @callback
    def async_node_silent(self) -> None:
        """The node stopped answering: what is known of it is stale until read again."""
        self.stale = True

    @callback
    def async_node_available(self) -> None:
        """The node answers again: read everything now (its entities wait for it)."""
        self._wake = self._clock()
        self.update_interval = timedelta(seconds=self.planner.freshness)
        if self.stale and not self._busy:
            self.config_entry.async_create_background_task(
                self.hass, self.async_refresh(), f"hems recovery {self.node.uid}"
            )

    async def async_shutdown(self) -> None:
        """Stop following the node's events, then stop polling."""
        self.poller.close()
        await super().async_shutdown()

    def diagnostics(self) -> dict[str, Any]:
        """Polling state (the plan per object and property)."""
        return {
            **polling_diagnostics(self),
            "stale": self.stale,
            "fast_epcs": {
                str(eoj): [f"0x{e:02X}" for e in sorted(epcs)]
                for eoj, epcs in self.fast_epcs.items()
            },
            "counters": {uid: c.diagnostics() for uid, c in sorted(self.counters.items())},
            "plan": self.planner.diagnostics(),
        }
