"""Over a simulated day every counter is the integral of its power (to its resolution).

The house is stepped a minute at a time (from midnight, so the physics' hour boundaries fall on
the steps) and commanded now and then; after every step and command the published powers are
read, and they hold until the next one.  At the end each counter's growth must equal the sum of
power x time, to the counter's resolution: 0.001 kWh for devices, 0.01 kWh for the board,
0.1 kWh for the smart meter's registers, 0.001 m³ for gas and water.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from simulator.clock import JST
from simulator.house import House
from simulator.physics import Physics

from .readings import (
    board_circuits_kwh,
    board_circuits_w,
    board_duplex_kwh,
    board_duplex_w,
    decoded,
)

#: (time of day, node, EOJ, EPC, EDT): what a controller does during the day.
COMMANDS = [
    (9.0, "ecocute", None, 0xB0, b"\x42"),  # 沸き増し
    (10.0, "battery", None, 0xDA, b"\x42"),  # charge
    (11.0, "v2h", None, 0xDA, b"\x42"),  # charge the car (if it is at home)
    (13.0, "living-ac", None, 0x80, b"\x30"),
    (15.0, "battery", None, 0xDA, b"\x43"),  # discharge
    (16.0, "living-ac", None, 0x80, b"\x31"),
    (17.0, "v2h", None, 0xDA, b"\x43"),  # the car powers the house
    (20.0, "battery", None, 0xDA, b"\x46"),  # automatic
    (21.0, "fuel-cell", None, 0xCA, b"\x42"),
]


@dataclass
class Counter:
    """A counter, its resolution and the power (W, >= 0) that feeds it."""

    name: str
    read: Callable[[House], float]
    power: Callable[[House], float]
    resolution: float
    start: float = 0.0
    integral: float = field(default=0.0)


def _epc(node: str, epc: int, eoj: int | None = None) -> Callable[[House], float]:
    return lambda house: float(decoded(house.obj(node, eoj), epc))


def _part(read: Callable[[House], float], sign: int) -> Callable[[House], float]:
    return lambda house: max(0.0, sign * read(house))


def _counters(house: House) -> list[Counter]:
    grid = _epc("smart-meter", 0xE7)
    main = _epc("board", 0xC6)
    battery = _epc("battery", 0xD3)
    v2h = _epc("v2h", 0xD3)
    out = [
        Counter("solar generated", _epc("solar", 0xE1), _epc("solar", 0xE0), 0.001),
        Counter("solar sold", _epc("solar", 0xE3), _part(grid, -1), 0.001),
        Counter("battery charged", _epc("battery", 0xD8), _part(battery, 1), 0.001),
        Counter("battery discharged", _epc("battery", 0xD6), _part(battery, -1), 0.001),
        Counter("car charged", _epc("v2h", 0xD8), _part(v2h, 1), 0.001),
        Counter("car discharged", _epc("v2h", 0xD6), _part(v2h, -1), 0.001),
        Counter("fuel cell", _epc("fuel-cell", 0xC5), _epc("fuel-cell", 0xC4), 0.001),
        Counter("board bought", _epc("board", 0xC0), _part(main, 1), 0.01),
        Counter("board sold", _epc("board", 0xC1), _part(main, -1), 0.01),
        Counter("meter bought", _epc("smart-meter", 0xE0), _part(grid, 1), 0.1),
        Counter("meter sold", _epc("smart-meter", 0xE3), _part(grid, -1), 0.1),
    ]
    for node in ("living-ac", "bedroom-ac", "ecocute", "floor-heater", "air-cleaner"):
        out.append(Counter(f"{node} 0x85", _epc(node, 0x85), _epc(node, 0x84), 0.001))
    for i in range(house.obj("board").u(0xB1)):
        out.append(
            Counter(
                f"circuit {i + 1}",
                lambda h, i=i: float(board_circuits_kwh(h)[i]),
                lambda h, i=i: float(board_circuits_w(h)[i]),
                0.01,
            )
        )
    for i in range(house.obj("board").u(0xB8)):
        for d, name in ((0, "consumed"), (1, "generated")):
            out.append(
                Counter(
                    f"duplex {i + 1} {name}",
                    lambda h, i=i, d=d: float(board_duplex_kwh(h)[i][d]),
                    lambda h, i=i, d=d: max(0.0, (1 - 2 * d) * board_duplex_w(h)[i]),
                    0.01,
                )
            )
    return out


@pytest.mark.parametrize("day", ["2026-01-21", "2026-08-05"])
def test_every_counter_is_the_integral_of_its_power_over_a_day(day: str) -> None:
    start = datetime.fromisoformat(day).replace(tzinfo=JST)
    house = House("house", start=start, history_days=0, speed=1e-9, base_address="127.0.200.1")
    flows: dict[str, float] = {"water m3": 0.0, "gas m3": 0.0, "fuel cell gas m3": 0.0}

    def probe(physics: Physics, _t: float, seconds: float) -> None:
        env = physics.env
        flows["water m3"] += env.water_lpm_total * seconds / 60 / 1000
        flows["gas m3"] += env.gas_m3h_total * seconds / 3600
        cell = physics.behaviour(house.obj("fuel-cell"))
        flows["fuel cell gas m3"] += cell.gas_m3h * seconds / 3600

    house.physics.probes.append(probe)
    counters = _counters(house)
    for counter in counters:
        counter.start = counter.read(house)
    flow_counters = {
        "water m3": _epc("meters", 0xE0, 0x028101),
        "gas m3": _epc("meters", 0xE0, 0x028201),
        "fuel cell gas m3": _epc("fuel-cell", 0xC8),
    }
    flow_start = {name: read(house) for name, read in flow_counters.items()}
    held = [c.power(house) for c in counters]
    commands = sorted(COMMANDS)
    for minute in range(24 * 60):
        house.step(60)
        for counter, watts in zip(counters, held, strict=True):
            counter.integral += watts * 60 / 3_600_000
        held = [c.power(house) for c in counters]
        while commands and commands[0][0] * 60 <= minute + 1:
            _hour, node, eoj, epc, edt = commands.pop(0)
            house.obj(node, eoj).write(epc, edt)
            held = [c.power(house) for c in counters]
    assert house.clock.now() == start + timedelta(days=1)
    off = {
        c.name: (c.read(house) - c.start, c.integral)
        for c in counters
        if abs(c.read(house) - c.start - c.integral) > c.resolution + 1e-9
    }
    assert off == {}
    moved = {c.name for c in counters if c.integral > 0.01}
    assert {"solar generated", "battery charged", "battery discharged", "fuel cell"} <= moved
    assert {"meter bought", "board bought", "ecocute 0x85"} <= moved
    for name, read in flow_counters.items():
        assert read(house) - flow_start[name] == pytest.approx(flows[name], abs=0.001 + 1e-9)
        assert flows[name] > 0.05
