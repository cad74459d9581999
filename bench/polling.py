"""Steady polling: frames a minute and the age of unannounced values, hems against pychonet.

Ten simulated minutes of the virtual house (24 objects, quirks off), once with each client,
after discovery and the first complete read (not counted):

* hems: the controller and one :class:`~custom_components.hems.echonet.poller.NodePoller` per
  node (the library part of the hub's coordinator: the poll planner at its default freshness),
  woken when its next property is due, as the coordinator is;
* pychonet, driven the way its Home Assistant integration (echonetlite by scottyphillips)
  drives it: every 30 s, every instance's properties that it does not expect announcements for
  (get map minus INF map, identity and maps aside), in Gets of 10 EPCs (its
  MAX_UPDATE_BATCH_SIZE), one host's requests after each other, the hosts concurrently.

``echonet.steady_frames_per_min``: frames each client sent per minute (Gets and, for hems,
the SetC of a large board's circuit ranges).  ``echonet.staleness_p95_s``: for every change the
simulator made to a property that its device does not announce, the time until the client
next read that property (changes still unread at the end count until the end; what a
client sets itself, such as a board's circuit range, is no change of the device's).

Everything runs on a virtual clock: an event loop whose time jumps to its next timer when no
datagram is waiting (loopback UDP is delivered within the send), so ten minutes take seconds
and both clients see the same house doing the same things at the same simulated times.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
import selectors
from typing import Any

from custom_components.hems.echonet.definitions import preload
from custom_components.hems.echonet.frame import EOJ
from custom_components.hems.echonet.node import STATIC_EPCS
from custom_components.hems.echonet.poller import NodePoller
from custom_components.hems.echonet.polling import DEFAULT_FRESHNESS
from simulator.clock import JST
from simulator.device import SimObject
from simulator.house import House
from simulator.node import SimNode

from .lan import discovered_controller, pychonet_client, quiet_house

BASE = "127.0.103.10"
MINUTES = 10
PYCHONET_INTERVAL = 30.0
#: The physics moves in steps of this many simulated seconds.
STEP = 1.0
START = datetime(2026, 7, 15, 13, 0, tzinfo=JST)


class _VirtualSelector:
    """A selector that, instead of waiting, moves the loop's clock to the wake-up time."""

    def __init__(self, loop: VirtualTimeLoop) -> None:
        self._real = selectors.DefaultSelector()
        self._loop = loop

    def select(self, timeout: float | None = None) -> list[Any]:
        events = self._real.select(0)
        if events or timeout == 0:
            return events
        if timeout is None:
            return self._real.select(None)
        # Give the kernel a moment for anything in flight, then jump.
        events = self._real.select(0.0005)
        if not events:
            self._loop.virtual += timeout
        return events

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock only moves when nothing is ready to run."""

    def __init__(self) -> None:
        self.virtual = 0.0
        super().__init__(selector=_VirtualSelector(self))  # type: ignore[arg-type]

    def time(self) -> float:
        return self.virtual


class _Ages:
    """Ages of unannounced changes: from the simulator's change to the next read."""

    def __init__(self, house: House, now: Callable[[], float]) -> None:
        self.now = now
        self.pending: dict[tuple[int, EOJ, int], list[float]] = {}
        self.ages: list[float] = []
        self.recording = False
        self._setting = False
        for node in house.nodes.values():
            for obj in node.objects.values():
                self._watch(node, obj)
            self._tap(node)

    def _watch(self, node: SimNode, obj: SimObject) -> None:
        forward = obj.on_change

        def on_change(changed_obj: SimObject, changed: dict[int, bytes]) -> None:
            if self.recording and not self._setting:
                for epc in changed:
                    if epc not in changed_obj.inf_map:
                        key = (id(node), changed_obj.eoj, epc)
                        self.pending.setdefault(key, []).append(self.now())
            if forward is not None:
                forward(changed_obj, changed)

        obj.on_change = on_change

    def _tap(self, node: SimNode) -> None:
        read = node._read
        apply_sets = node._apply_sets

        def applying(*args: Any) -> Any:
            # What the client itself sets (a board's circuit range) is no device's change.
            self._setting = True
            try:
                return apply_sets(*args)
            finally:
                self._setting = False

        node._apply_sets = applying  # type: ignore[method-assign]

        def tapped(obj: SimObject, epc: int) -> bytes:
            changes = self.pending.pop((id(node), obj.eoj, epc), None)
            if changes:
                now = self.now()
                self.ages.extend(now - t for t in changes)
            return read(obj, epc)

        node._read = tapped  # type: ignore[method-assign]

    def finish(self) -> list[float]:
        now = self.now()
        for changes in self.pending.values():
            self.ages.extend(now - t for t in changes)
        self.pending.clear()
        return self.ages


def _house() -> House:
    return quiet_house(base_address=BASE, speed=1e-9, start=START, history_days=0)


async def _run_physics(house: House, until: float) -> None:
    loop = asyncio.get_running_loop()
    while loop.time() < until:
        await asyncio.sleep(STEP)
        house.step(STEP)


async def _hems(house: House) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    pollers: list[NodePoller] = []
    async with discovered_controller(house) as controller:
        try:
            for node in controller.nodes.values():
                poller = NodePoller(controller, node, DEFAULT_FRESHNESS)
                poller.track_all(loop.time())
                pollers.append(poller)
            ages = _Ages(house, loop.time)
            ages.recording = True
            sent = controller.transport.frames_sent
            end = loop.time() + MINUTES * 60

            async def run(poller: NodePoller) -> None:
                while True:
                    wake = poller.next_wake()
                    assert wake is not None
                    await asyncio.sleep(max(1.0, wake - loop.time()))
                    if loop.time() >= end:
                        return
                    await poller.poll(loop.time())

            await asyncio.gather(_run_physics(house, end), *(run(p) for p in pollers))
            frames = controller.transport.frames_sent - sent
            return {"frames": frames, "ages": ages.finish()}
        finally:
            for poller in pollers:
                poller.close()


def _unannounced_epcs(obj: SimObject) -> list[int]:
    """What the integration polls: readable properties it expects no announcement for."""
    return sorted(e for e in obj.get_map if e not in STATIC_EPCS and e not in obj.inf_map)


async def _pychonet(house: House) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    async with pychonet_client() as client:
        work = await client.discover(house, _unannounced_epcs)

        async def update_all() -> None:
            await asyncio.gather(*(client.read_host(h, items) for h, items in work.items()))

        # The first complete read (as at the integration's setup) is not counted.
        await update_all()
        ages = _Ages(house, loop.time)
        ages.recording = True
        before = client.sent
        end = loop.time() + MINUTES * 60

        async def poll() -> None:
            while True:
                await asyncio.sleep(PYCHONET_INTERVAL)
                if loop.time() >= end:
                    return
                await update_all()

        await asyncio.gather(_run_physics(house, end), poll())
        return {"frames": client.sent - before, "ages": ages.finish()}


async def _side(which: str) -> dict[str, Any]:
    house = _house()
    await house.start(announce=False)
    try:
        return await (_hems(house) if which == "hems" else _pychonet(house))
    finally:
        await house.stop()


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run() -> dict[str, Any]:
    """Both clients, one after the other, each on a fresh virtual clock and house."""
    preload()  # the definitions, read before the clocks run (no thread in between)
    out: dict[str, dict[str, Any]] = {}
    for which in ("hems", "pychonet"):
        loop = VirtualTimeLoop()
        try:
            out[which] = loop.run_until_complete(_side(which))
        finally:
            loop.close()
    hems, pychonet = out["hems"], out["pychonet"]
    frames = {k: round(v["frames"] / MINUTES, 1) for k, v in out.items()}
    ages = {k: round(_p95(v["ages"]), 2) for k, v in out.items()}
    return {
        "echonet.steady_frames_per_min": {
            **frames,
            "ratio": round(frames["hems"] / frames["pychonet"], 3),
            "goal": "hems <= pychonet",
            "simulated_minutes": MINUTES,
            "freshness_s": DEFAULT_FRESHNESS,
        },
        "echonet.staleness_p95_s": {
            **ages,
            "ratio": round(ages["hems"] / ages["pychonet"], 3),
            "goal": "hems <= 0.5 x pychonet",
            "changes": {"hems": len(hems["ages"]), "pychonet": len(pychonet["ages"])},
        },
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
