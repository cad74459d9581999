"""The virtual house: simulated ECHONET Lite nodes around one physical model.

``House("house")`` is the default scenario (the demo's house, lived in by a family, with 45 days
of history); ``"full"`` offers one object of every class the definitions know (for mapping
tests); ``"scale"`` has ``count`` small nodes (for the 200-node benchmark).  The nodes serve
the objects' values over UDP; the :class:`~.physics.Physics` moves them (the house's tick, or
:meth:`House.step` by hand); the smart meter (over IP here, and over Wi-SUN when a
:class:`~.dongle.VirtualDongle` is given :attr:`House.meter`) is one :class:`MeterModel`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
import logging
from typing import Final

from custom_components.hems.echonet.frame import EOJ

from .behaviours import Solar
from .clock import SimClock
from .device import SimObject
from .history import HourlyCounters, fingerprint, history_origin, warm_up
from .meter_device import attach_meter
from .meter_model import MeterModel, floor_slot
from .node import SimNode
from .physics import Physics
from .scenario import EMPTY, HOUSE, Life
from .specs import (
    AISIN,
    DAIKIN,
    LIXIL,
    MITSUBISHI,
    NICHICON,
    PANASONIC,
    RINNAI,
    SHARP,
    NodeSpec,
    _obj,
    addresses,
    full_specs,
    house_specs,
    scale_specs,
)
from .weather import Weather

__all__ = [
    "AISIN",
    "DAIKIN",
    "LIXIL",
    "MITSUBISHI",
    "NICHICON",
    "PANASONIC",
    "RINNAI",
    "SCENARIOS",
    "SHARP",
    "House",
    "NodeSpec",
    "_obj",
    "addresses",
    "full_specs",
    "house_specs",
    "scale_specs",
]

_LOGGER = logging.getLogger(__name__)

#: Scenarios: name -> what it is (for the command line's help).
SCENARIOS: Final = {
    "house": "the default house: " + HOUSE.description + "; 45 days of history in the smart meter",
    "full": "one object of every ECHONET Lite class the definitions know, eight per node "
    "(for checking mappings); nobody at home",
    "scale": "COUNT small nodes (an air conditioner, a light or a sensor each; for load "
    "tests); nobody at home",
}
#: The default house's smart meter counters at the start of its history (kWh).
METER_IMPORT_KWH: Final = 12000.0
METER_EXPORT_KWH: Final = 3000.0


def _specs(scenario: str, count: int) -> list[NodeSpec]:
    if scenario == "house":
        return house_specs()
    if scenario == "full":
        return full_specs()
    if scenario == "scale":
        return scale_specs(count)
    raise ValueError(f"unknown scenario {scenario!r}")


class House:
    """A set of simulated nodes with shared time and one physical model.

    ``history_days``: days of past the physics runs before ``start`` (None: 45 for the default
    house, 0 for the others and for custom ``specs``).  ``seed`` picks the weather and the
    family's rhythm.  ``life`` overrides the scenario's residents.  ``full_feed_in``: the
    solar plant sells all it generates through its own meter (全量買取), so the house's smart
    meter counts everything the house uses and exports nothing of the solar.
    """

    def __init__(
        self,
        scenario: str = "house",
        *,
        base_address: str = "127.0.0.2",
        speed: float = 1.0,
        start: datetime | None = None,
        multicast: bool = True,
        multicast_interface: str | None = "127.0.0.1",
        port: int = 3610,
        tick_interval: float = 1.0,
        count: int = 200,
        specs: list[NodeSpec] | None = None,
        seed: int = 1,
        history_days: int | None = None,
        life: Life | None = None,
        max_step: float = 60.0,
        full_feed_in: bool = False,
    ) -> None:
        custom = specs is not None
        specs = specs if specs is not None else _specs(scenario, count)
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}")
        self.scenario = scenario
        self.seed = seed
        self.life = life or (HOUSE if scenario == "house" else EMPTY)
        self.weather = Weather(seed)
        self.clock = SimClock(speed, start)
        self.tick_interval = tick_interval
        self.nodes: dict[str, SimNode] = {}
        for spec, address in zip(specs, addresses(base_address, len(specs)), strict=True):
            self.nodes[spec.name] = SimNode(
                address,
                spec.objects,
                name=spec.name,
                manufacturer=spec.manufacturer,
                product_code=spec.product,
                port=port,
                multicast=multicast,
                multicast_interface=multicast_interface,
                quirks=spec.quirks,
            )
        if history_days is None:
            history_days = 45 if scenario == "house" and not custom else 0
        self.history_days = history_days
        if full_feed_in:
            for obj in self.objects():
                if isinstance(obj.behaviour, Solar):
                    obj.behaviour.full_feed_in = True
        self.hours = HourlyCounters()
        self._task: asyncio.Task[None] | None = None
        self.meter: MeterModel | None = None
        self.physics = self._build_physics(max_step)
        for obj in self.objects():
            obj.world = self
        self.physics.publish()

    def _build_physics(self, max_step: float) -> Physics:
        start = self.clock.now()
        origin = history_origin(start, self.history_days)
        nodes = {name: list(node.objects.values()) for name, node in self.nodes.items()}
        key = (
            self.life.name,
            self.seed,
            self.history_days,
            origin,
            floor_slot(start),
            fingerprint(nodes),
        )
        meters = self.find(0x0288)
        if meters:
            self.meter = MeterModel.fed(
                self.clock,
                origin,
                history_days=max(self.history_days, 1),
                initial_import_kwh=METER_IMPORT_KWH,
                initial_export_kwh=METER_EXPORT_KWH,
            )
            attach_meter(meters[0], self.meter)
        physics = Physics(
            nodes, self.life, self.weather, origin.timestamp(), meter=self.meter, max_step=max_step
        )
        physics.on_hour.append(self.hours)
        warm_up(physics, floor_slot(start).timestamp(), key, self.hours)
        physics.run_to(self.clock.now().timestamp())
        return physics

    # ------------------------------------------------------------------ access

    def node(self, name: str) -> SimNode:
        """A node by scenario name."""
        return self.nodes[name]

    def obj(self, name: str, eoj: int | None = None) -> SimObject:
        """An object by node name (and EOJ when the node has several)."""
        node = self.nodes[name]
        if eoj is None:
            return next(iter(node.objects.values()))
        return node.objects[EOJ.from_int(eoj)]

    def objects(self) -> Iterator[SimObject]:
        """Every simulated device object."""
        for node in self.nodes.values():
            yield from node.objects.values()

    def find(self, class_code: int) -> list[SimObject]:
        """Objects of one class."""
        return [o for o in self.objects() if o.eoj.class_code == class_code]

    @property
    def net_w(self) -> int:
        """The grid's power now (W, + bought, - sold)."""
        return self.physics.grid_w

    @property
    def load_w(self) -> int:
        """The house's consumption now (W): every load, with or without ECHONET Lite."""
        return self.physics.load_w

    @property
    def base_load_w(self) -> int:
        """The part of the consumption that no ECHONET Lite device measures (W)."""
        return self.physics.unmetered_w

    # ------------------------------------------------------------------ lifecycle

    async def start(self, *, announce: bool = True, serve: bool = True) -> None:
        """Open every node's sockets (unless ``serve`` is False) and start the dynamics."""
        if serve:
            for node in self.nodes.values():
                await node.start()
            if announce:
                for node in self.nodes.values():
                    node.announce_instances()
        if self.tick_interval > 0:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="hems-sim-house")

    async def stop(self) -> None:
        """Stop the dynamics and close every socket."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        for node in self.nodes.values():
            await node.stop()

    async def __aenter__(self) -> House:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.tick_interval)
            try:
                self.step()
            except Exception:
                _LOGGER.exception("simulation step failed")

    # ------------------------------------------------------------------ dynamics

    def step(self, seconds: float | None = None) -> None:
        """Advance the physics to the clock's time (after moving the clock ``seconds`` on)."""
        if seconds:
            self.clock.advance(seconds)
        self.physics.run_to(self.clock.now().timestamp())
        self.physics.publish()

    def before_command(self) -> None:
        """A Set arrived: bring the physics up to the present with the old settings."""
        self.physics.run_to(self.clock.now().timestamp())

    def after_command(self) -> None:
        """A Set was applied: the powers follow the new settings from now on."""
        if self.physics.busy:
            return
        self.physics.settle()
        self.physics.publish()
