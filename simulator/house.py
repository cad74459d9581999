"""The virtual house: scenarios of simulated nodes and the energy balance that ties them.

``House("house")`` is the default scenario (the demo's house); ``"full"`` offers one object
of every class the definitions know (for mapping tests); ``"scale"`` has ``count`` small nodes
(for the 200-node benchmark).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
import ipaddress
import logging

from custom_components.hems.echonet.definitions import all_classes, get_class
from custom_components.hems.echonet.frame import EOJ

from . import behaviours as b, profiles
from .clock import SimClock
from .device import SimObject
from .node import SimNode
from .quirks import Quirks

_LOGGER = logging.getLogger(__name__)

PANASONIC = 0x00000B
DAIKIN = 0x000008
MITSUBISHI = 0x000006
SHARP = 0x000005
LIXIL = 0x000025
NICHICON = 0x00006C
AISIN = 0x000068
RINNAI = 0x000059


@dataclass
class NodeSpec:
    """How to build one node of a scenario."""

    name: str
    objects: list[SimObject]
    manufacturer: int = PANASONIC
    product: str = "HEMS-SIM"
    quirks: Quirks = field(default_factory=Quirks)


def _obj(
    eoj: int,
    behaviour: b.Base | None = None,
    *,
    name: str = "",
    power: bool = False,
    omit: tuple[int, ...] = (),
    values: dict[int, bytes] | None = None,
    inf: tuple[int, ...] | None = None,
    location: int | None = None,
) -> SimObject:
    if location is not None:
        values = {0x81: bytes((location,)), **(values or {})}
    obj = SimObject(
        EOJ.from_int(eoj), name=name, measures_power=power, omit=omit, values=values, inf=inf
    )
    obj.behaviour = behaviour
    return obj


#: Announced properties per class in the default house (besides 0x80 and 0x88).
_AC_INF = (0x80, 0x88, 0x8F, 0xA0, 0xA3, 0xB0, 0xB3)


def house_specs() -> list[NodeSpec]:
    """The default house."""
    board = b.DistributionBoard(circuits=40)
    return [
        NodeSpec(
            "living-ac",
            [
                _obj(
                    0x013001,
                    b.AirConditioner(room_c=22.0),
                    name="Living room air conditioner",
                    location=0x08,
                    power=True,
                    inf=_AC_INF,
                    values={0x80: b.ON, 0xB0: b"\x42", 0xB3: bytes((26,)), 0xA0: b"\x41"},
                )
            ],
            DAIKIN,
            "AN40ZRP",
        ),
        NodeSpec(
            "bedroom-ac",
            [
                _obj(
                    0x013001,
                    b.AirConditioner(room_c=19.0),
                    name="Bedroom air conditioner",
                    location=0x41,
                    power=True,
                    inf=_AC_INF,
                    values={0x80: b.OFF, 0xB0: b"\x43", 0xB3: bytes((22,)), 0xA0: b"\x33"},
                )
            ],
            MITSUBISHI,
            "MSZ-ZW2224",
        ),
        NodeSpec(
            "lighting",
            [
                _obj(
                    0x029001,
                    b.Light(watts=60),
                    name="Living room light",
                    location=0x08,
                    values={0x80: b.ON, 0xB0: bytes((80,)), 0xB1: b"\x42"},
                    inf=(0x80, 0xB0, 0xB1),
                ),
                _obj(
                    0x029101,
                    b.Light(watts=12),
                    name="Entrance light",
                    location=0x50,
                    omit=(0xB0,),
                    values={0x80: b.OFF},
                    inf=(0x80,),
                ),
                _obj(
                    0x029102,
                    b.Light(watts=20),
                    name="Kitchen light",
                    location=0x18,
                    omit=(0xB0,),
                    values={0x80: b.ON},
                    inf=(0x80,),
                ),
            ],
            PANASONIC,
            "HF-JA1",
        ),
        NodeSpec(
            "entrance-lock",
            [
                _obj(
                    0x026F01,
                    b.Lock(),
                    name="Front door lock",
                    location=0x50,
                    values={0xE0: b"\x41", 0xE1: b"\x41", 0xE2: b"\x42", 0xE3: b"\x42"},
                    inf=(0x80, 0x88, 0xE0, 0xE1, 0xE2, 0xE3, 0xE5),
                )
            ],
            LIXIL,
            "DOOR-LOCK",
        ),
        NodeSpec(
            "shutter",
            [
                _obj(
                    0x026301,
                    b.Cover(position=100.0),
                    name="Living room shutter",
                    location=0x08,
                    values={0xE0: b"\x43", 0xE1: bytes((100,)), 0xEA: b"\x41"},
                    inf=(0x80, 0xE0, 0xEA),
                ),
                *_optional(
                    0x026501,
                    lambda: _obj(
                        0x026501,
                        b.Cover(position=0.0),
                        name="Bathroom window",
                        location=0x20,
                        values={0xE0: b"\x43", 0xEA: b"\x42"},
                        inf=(0x80, 0xE0, 0xEA),
                    ),
                ),
            ],
            LIXIL,
            "SHUTTER",
        ),
        NodeSpec(
            "ecocute",
            [
                _obj(
                    0x026B01,
                    b.WaterHeater(),
                    name="EcoCute",
                    power=True,
                    values={0xB0: b"\x41", 0xE3: b"\x42", 0xB3: bytes((65,))},
                    inf=(0x80, 0x88, 0xB0, 0xB2, 0xE3),
                )
            ],
            PANASONIC,
            "HE-JPU37LQS",
        ),
        NodeSpec(
            "battery",
            [
                _obj(
                    0x027D01,
                    b.Battery(),
                    name="Storage battery",
                    values={0xDA: b"\x46"},
                    inf=(0x80, 0x88, 0xCF, 0xDA),
                )
            ],
            NICHICON,
            "ESS-U4M1",
        ),
        NodeSpec(
            "solar",
            [_obj(0x027901, b.Solar(), name="Solar power", inf=(0x80, 0x88))],
            PANASONIC,
            "VBPC259B3",
        ),
        NodeSpec(
            "v2h",
            [
                _obj(
                    0x027E01,
                    b.EvCharger(),
                    name="V2H charger",
                    values={0xDA: b"\x44"},
                    inf=(0x80, 0x88, 0xC7, 0xDA),
                )
            ],
            NICHICON,
            "ES-V2H",
        ),
        NodeSpec(
            "fuel-cell",
            [
                _obj(
                    0x027C01,
                    b.FuelCell(),
                    name="Ene-Farm",
                    values={0xCA: b"\x41"},
                    inf=(0x80, 0x88, 0xCA, 0xCB),
                )
            ],
            AISIN,
            "ENEFARM",
        ),
        NodeSpec(
            "floor-heater",
            [
                _obj(
                    0x027B01,
                    b.FloorHeater(),
                    name="Floor heating",
                    location=0x08,
                    power=True,
                    values={0x80: b.OFF},
                    inf=(0x80, 0x88, 0xE0, 0xE1),
                )
            ],
            PANASONIC,
            "FLOOR",
        ),
        NodeSpec(
            "air-cleaner",
            [
                _obj(
                    0x013501,
                    b.AirCleaner(),
                    name="Air cleaner",
                    location=0x08,
                    power=True,
                    values={0x80: b.ON},
                    inf=(0x80, 0x88, 0xA0),
                )
            ],
            SHARP,
            "KI-RX75",
        ),
        NodeSpec(
            "board",
            [
                _obj(
                    0x028701,
                    board,
                    name="Distribution board",
                    inf=(0x80, 0x88),
                    # The board starts with the first 32 channels selected.
                    values={0xB2: b"\x01\x20", 0xB4: b"\x01\x20", 0xB6: b"\x01\x20"},
                )
            ],
            PANASONIC,
            "BHN87",
            # Panasonic boards drop the whole Get when 0xB3 and 0xB7 are asked together.
            Quirks(drop_together=[frozenset({0xB3, 0xB7})]),
        ),
        NodeSpec(
            "sensors",
            [
                _obj(
                    0x001101,
                    b.Sensor(base=21.5, swing=2.5),
                    name="Living room temperature",
                    location=0x08,
                ),
                _obj(
                    0x001102,
                    b.Sensor(base=18.0, swing=4.0),
                    name="Bedroom temperature",
                    location=0x41,
                ),
                _obj(
                    0x001201,
                    b.Sensor(base=48.0, swing=6.0, size=1, scale=1, signed=False),
                    name="Living room humidity",
                ),
                _obj(
                    0x001B01,
                    b.Sensor(base=650.0, swing=200.0, size=2, scale=1, signed=False),
                    name="Living room CO2",
                ),
                *_optional(
                    0x002901,
                    lambda: _obj(0x002901, b.Base(), name="Living room window sensor"),
                ),
            ],
            PANASONIC,
            "SENSORS",
        ),
        NodeSpec(
            "meters",
            [
                _obj(
                    0x028201,
                    b.Meter(total=2345.678, per_hour=0.08),
                    name="Gas meter",
                ),
                _obj(
                    0x028101,
                    b.Meter(total=456.789, per_hour=0.03),
                    name="Water meter",
                    values={0xE1: b"\x03"},
                ),
            ],
            PANASONIC,
            "METERS",
        ),
        NodeSpec(
            "smart-meter",
            [_obj(0x028801, None, name="Smart meter", inf=(0x80, 0x88, 0xEA, 0xEB))],
            0x000016,
            "SMARTMETER",
        ),
    ]


def _optional(class_code_eoj: int, make: Callable[[], SimObject]) -> list[SimObject]:
    """An object of a class the definitions may not know (outside the MRA)."""
    return [make()] if get_class(class_code_eoj >> 8) is not None else []


def full_specs() -> list[NodeSpec]:
    """One object of every class the definitions know, eight objects per node."""
    objs = [
        _obj(((code << 8) | 1), b.Base(), power=True)
        for code in sorted(all_classes())
        if code not in (0x0EF0, 0x05FF)
    ]
    return [NodeSpec(f"full-{i // 8 + 1}", objs[i : i + 8]) for i in range(0, len(objs), 8)]


def scale_specs(count: int) -> list[NodeSpec]:
    """``count`` small nodes (an air conditioner, a light or a sensor each)."""
    makers: list[Callable[[], SimObject]] = [
        lambda: _obj(0x013001, b.AirConditioner(), power=True),
        lambda: _obj(0x029001, b.Light()),
        lambda: _obj(0x001101, b.Sensor()),
    ]
    return [NodeSpec(f"node-{i + 1}", [makers[i % 3]()]) for i in range(count)]


def addresses(base: str, count: int) -> Iterator[str]:
    """``count`` consecutive IPv4 addresses from ``base``."""
    start = ipaddress.IPv4Address(base)
    for i in range(count):
        yield str(start + i)


class House:
    """A set of simulated nodes with shared time and energy balance."""

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
    ) -> None:
        if specs is None:
            if scenario == "house":
                specs = house_specs()
            elif scenario == "full":
                specs = full_specs()
            elif scenario == "scale":
                specs = scale_specs(count)
            else:
                raise ValueError(f"unknown scenario {scenario!r}")
        self.scenario = scenario
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
        self._last = self.clock.now()
        self._task: asyncio.Task[None] | None = None
        self.base_load_w = 0.0
        self.net_w = 0.0
        self._meter_hook: Callable[[datetime, float], None] | None = None
        self._setup_meter()
        self.step(0.0)

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

    # ------------------------------------------------------------------ lifecycle

    async def start(self, *, announce: bool = True) -> None:
        """Open every node's sockets and start the dynamics."""
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

    def _setup_meter(self) -> None:
        meters = self.find(0x0288)
        if not meters:
            return
        from .meter_device import attach_meter

        self._meter_hook = attach_meter(meters[0], self.clock)

    def step(self, seconds: float | None = None) -> None:
        """Advance the dynamics to the clock's time (or by ``seconds`` more)."""
        if seconds:
            self.clock.advance(seconds)
        now = self.clock.now()
        elapsed = max(0.0, (now - self._last).total_seconds())
        self._last = now
        for obj in self.objects():
            if obj.behaviour is not None:
                obj.behaviour.tick(obj, now, elapsed)
        self.base_load_w = profiles.base_load_w(now)
        consumption = self.base_load_w
        generation = 0.0
        storage = 0.0
        for obj in self.objects():
            power = obj.power_w()
            if isinstance(obj.behaviour, b.Battery | b.EvCharger):
                storage += power
            elif power < 0:
                generation -= power
            else:
                consumption += power
        self.net_w = consumption - generation + storage
        for obj in self.objects():
            behaviour = obj.behaviour
            if isinstance(behaviour, b.Battery):
                behaviour.house_surplus_w = generation - consumption
            elif isinstance(behaviour, b.Solar):
                behaviour.selling_w = max(0.0, -self.net_w)
            elif isinstance(behaviour, b.DistributionBoard):
                self._wire_board(behaviour, consumption)
                behaviour.net_w = self.net_w
        if self._meter_hook is not None:
            self._meter_hook(now, self.net_w)

    def _wire_board(self, board: b.DistributionBoard, consumption: float) -> None:
        loads = [o for o in self.objects() if o.power_w() > 0 and o.eoj.class_code != 0x0287]
        watts = [0.0] * board.circuits
        for i, obj in enumerate(loads):
            watts[i % board.circuits] += obj.power_w()
        spread = max(0.0, consumption - sum(watts))
        others = range(len(loads), board.circuits)
        share = spread / max(1, len(others))
        for i in others:
            watts[i] += share * (1 + (i % 5) / 10)
        board.circuit_w = watts
