"""One polling coordinator per node: it schedules the polls, the entities follow the pushes.

Push first: every entity subscribes to its own properties at the controller (see
:mod:`.entity`), so an INF/INFC, a poll's answer or a Set's confirmation reaches the entities
of the changed properties at once.  Polling is the safety net: every node is polled on its own
schedule (a fast interval for power values, the normal interval for everything), slowed down
while the node does not answer; the coordinator's listeners hear only when polling fails or
recovers (availability).  The circuits of distribution boards are read after the board's
properties; their values are kept here (:attr:`EchonetNodeCoordinator.boards`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from ..const import MAX_BACKOFF
from ..diagnostics import polling_diagnostics
from ..echonet import EOJ, EchonetError
from ..echonet.board import BoardChannels, refresh_board_channels
from ..echonet.definitions.names import PowerDistributionBoardMetering
from ..echonet.node import EchonetObject, Node, Priority
from ..energy.counter import CounterNormaliser
from ..models import HemsConfigEntry
from .errors import ECHONET_ERRORS, Operation

if TYPE_CHECKING:
    from .runtime import EchonetHub

_LOGGER = logging.getLogger(__name__)

BOARD_CLASS = PowerDistributionBoardMetering.CODE


class EchonetNodeCoordinator(DataUpdateCoordinator[None]):
    """Polls one node's objects; keeps the circuits of its distribution boards."""

    config_entry: HemsConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: HemsConfigEntry, hub: EchonetHub, node: Node
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
            # No data: the listeners (entities) hear when polling fails or recovers.
            always_update=False,
        )
        # The controller read everything when it found the node: count the fast polls
        # until the next full one.
        self._polls = 0
        #: Properties that entities want refreshed at the fast interval, per object.
        self.fast_epcs: dict[EOJ, set[int]] = {}
        #: The latest circuit values of the node's distribution boards, per object.
        self.boards: dict[EOJ, BoardChannels] = {}
        self._board_listeners: dict[EOJ, list[Callable[[], None]]] = {}
        #: The cumulative counters of the node's entities (by unique id), for diagnostics.
        self.counters: dict[str, CounterNormaliser] = {}

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
                    if obj.class_code == BOARD_CLASS:
                        await self._async_refresh_board(obj, Priority.POLL)
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

    # ------------------------------------------------------------------ boards

    async def async_refresh_boards(self) -> None:
        """Read the circuits of the node's distribution boards now (not at the first poll)."""
        for obj in self.objects:
            if obj.class_code != BOARD_CLASS:
                continue
            try:
                await self._async_refresh_board(obj, Priority.REFRESH)
            except EchonetError as err:
                _LOGGER.debug("Reading the circuits of %s failed: %s", obj, err)

    async def _async_refresh_board(self, obj: EchonetObject, priority: Priority) -> None:
        channels = await refresh_board_channels(
            self.hub.controller, obj, self.boards.get(obj.eoj), priority=priority
        )
        if channels is None:
            return
        self.boards[obj.eoj] = channels
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
    def async_node_available(self) -> None:
        """The node answers again: poll at the fast interval again."""
        self.update_interval = self.fast_interval

    def _back_off(self) -> None:
        current = self.update_interval or self.fast_interval
        self.update_interval = min(timedelta(seconds=MAX_BACKOFF), current * 2)

    def diagnostics(self) -> dict[str, Any]:
        """Polling state (the fast properties per object)."""
        return {
            **polling_diagnostics(self),
            "fast_epcs": {
                str(eoj): [f"0x{e:02X}" for e in sorted(epcs)]
                for eoj, epcs in self.fast_epcs.items()
            },
            "counters": {uid: c.diagnostics() for uid, c in sorted(self.counters.items())},
        }
