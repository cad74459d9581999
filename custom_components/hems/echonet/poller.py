"""Reading what the poll planner says is due, for the objects of one node.

:class:`NodePoller` ties a :class:`~.polling.PollPlanner` to the controller: it plans every
object of the node, reads each object's due properties in one Get (the controller packs them
into as few Gets as the object accepts), tells the planner what changed, hears the node's
announcements, and reads the circuits of distribution boards: a board whose circuits fit one
list (up to 32) has its lists polled like any property; a larger one is read range by range
(a SetC before each range) only as often as energy counters.  The caller decides when to call
:meth:`NodePoller.poll` (:meth:`NodePoller.next_wake`) and with which clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from .board import (
    BOARD_CLASS,
    RANGES,
    BoardChannels,
    circuit_lists,
    needs_ranges,
    refresh_board_channels,
)
from .events import ControllerEvent, PropertiesUpdated
from .frame import EOJ
from .node import EchonetObject, Node, Priority
from .polling import ENERGY_FACTOR, PollPlanner
from .refusals import release_all

if TYPE_CHECKING:
    from .controller import Controller


class NodePoller:
    """Plans and reads the polls of one node's objects."""

    def __init__(
        self,
        controller: Controller,
        node: Node,
        freshness: float,
        *,
        enabled: Callable[[EchonetObject], bool] = lambda _obj: True,
        on_board: Callable[[EchonetObject, BoardChannels], None] | None = None,
    ) -> None:
        self.controller = controller
        self.node = node
        self.planner = PollPlanner(freshness)
        self.enabled = enabled
        self.on_board = on_board
        #: Properties to read as often as power values (what entities want fast), per object.
        self.fast_epcs: dict[EOJ, set[int]] = {}
        #: The latest circuit values of the node's distribution boards, per object.
        self.boards: dict[EOJ, BoardChannels] = {}
        #: When the circuits of boards read range by range are read next.
        self.circuits_due: dict[EOJ, float] = {}
        self._unsubscribe = controller.subscribe(self._on_event, uid=node.uid)

    def close(self) -> None:
        """Stop hearing the node's announcements."""
        self._unsubscribe()

    @property
    def objects(self) -> list[EchonetObject]:
        """The node's objects that are polled."""
        return [o for o in self.node.objects.values() if self.enabled(o)]

    # ------------------------------------------------------------------ planning

    def track_all(self, now: float) -> None:
        """Plan every object (each was read completely at ``now``)."""
        for obj in self.objects:
            self.track(obj, now)

    def track(self, obj: EchonetObject, now: float) -> None:
        """Plan ``obj`` (again): its fast properties and its board lists taken into account."""
        exclude: set[int] = set()
        if obj.class_code == BOARD_CLASS and needs_ranges(obj):
            for epc in circuit_lists(obj):
                exclude.update((epc, RANGES[epc]))
            self.circuits_due.setdefault(obj.eoj, now + ENERGY_FACTOR * self.planner.freshness)
        self.planner.track(obj, now, fast=self.fast_epcs.get(obj.eoj, ()), exclude=exclude)

    def want_fast(self, obj: EchonetObject, epcs: Iterable[int], now: float) -> None:
        """Read ``epcs`` of ``obj`` as often as power values."""
        wanted = self.fast_epcs.setdefault(obj.eoj, set())
        new = {e for e in epcs if e in obj.get_map} - wanted
        if new:
            wanted.update(new)
            if obj.eoj in self.planner.objects:
                self.track(obj, now)

    def _on_event(self, event: ControllerEvent) -> None:
        """Announced properties get the safety poll only."""
        if isinstance(event, PropertiesUpdated) and event.source == "inf":
            self.planner.announced(event.obj.eoj, event.changes)

    def next_wake(self) -> float | None:
        """When the next property (or range of circuits) is due."""
        dues = [d for d in (self.planner.next_due(), *self.circuits_due.values()) if d]
        return min(dues) if dues else None

    # ------------------------------------------------------------------ reading

    async def poll(self, now: float, priority: Priority = Priority.POLL) -> None:
        """Read what is due at ``now``: one Get per object (as packed as it accepts)."""
        objects = {o.eoj: o for o in self.objects}
        for eoj in [e for e in self.planner.objects if e not in objects]:
            self.planner.forget(eoj)
        for obj in objects.values():
            if obj.eoj not in self.planner.objects:
                self.track(obj, now)
        for eoj, epcs in self.planner.due(now).items():
            obj = objects[eoj]
            before: Mapping[int, bytes | None] = {e: obj.values.get(e) for e in epcs}
            got: dict[int, bytes] = {}
            try:
                got = await self.controller.get(obj, epcs, priority=priority)
            finally:
                changed = [e for e, v in got.items() if before.get(e) != v]
                self.planner.polled(eoj, epcs, changed, now)
            if obj.class_code == BOARD_CLASS and not needs_ranges(obj):
                await self.refresh_board(obj, priority)
        for eoj, due in list(self.circuits_due.items()):
            if due <= now and eoj in objects:
                self.circuits_due[eoj] = now + ENERGY_FACTOR * self.planner.freshness
                await self.refresh_board(objects[eoj], priority)

    async def read_all(self, now: float, priority: Priority = Priority.POLL) -> None:
        """Read every property of every object (refused ones too), then the circuits."""
        for obj in self.objects:
            release_all(obj)
            await self.controller.refresh(obj, priority=priority)
            self.track(obj, now)
            self.planner.polled(obj.eoj, self.planner.all_epcs(obj.eoj), (), now)
            if obj.class_code == BOARD_CLASS:
                await self.refresh_board(obj, priority)

    async def refresh_boards(self, priority: Priority = Priority.REFRESH) -> None:
        """Read the circuits of every board of the node now."""
        for obj in self.objects:
            if obj.class_code == BOARD_CLASS:
                await self.refresh_board(obj, priority)

    async def refresh_board(self, obj: EchonetObject, priority: Priority) -> None:
        """Read the circuits of board ``obj`` (a SetC only for ranges not read yet)."""
        channels = await refresh_board_channels(
            self.controller, obj, self.boards.get(obj.eoj), priority=priority
        )
        if channels is None:
            return
        self.boards[obj.eoj] = channels
        if self.on_board is not None:
            self.on_board(obj, channels)
