"""The house's physics: every device, room and meter advanced together, in one place.

Time moves in sub-steps (at most ``max_step`` seconds, never across a whole hour).  At each:

1. *advance*: every device, every room and the meter integrate over the sub-step with the power
   held since the last settle (so every counter is the exact integral of its power);
2. the residents' routines that fall in the sub-step happen;
3. *settle*: the :class:`~.env.Env` of the new instant is made (weather, people, water and gas
   use); devices decide their power phase by phase: loads, then the scenario's loads without
   ECHONET Lite, solar, the fuel cell (it follows the load), vehicles and the battery (they
   cover or soak up what is left); the grid is the remainder.  The board gets its channels
   (main = their sum = the grid), the meter the grid's power.

The powers then hold until the next settle.  A command from the network first advances the
physics to the present and settles it right after (see :class:`~.device.World`), so turning a
device off changes the house's and the grid's power at once.  Every power is a whole number of
watts, so the balance is exact: grid = load - solar - battery discharge - vehicle discharge -
fuel cell, and board main = the sum of its channels.  A solar plant under full feed-in
(全量買取) has its own sale meter: its output is left out of the grid and the board.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
import math
import random
from typing import TYPE_CHECKING, Final

from .behaviours import AirConditioner, Base, DistributionBoard, Sensor, location
from .behaviours.base import PHASE_VEHICLE
from .env import Env, Room
from .weather import Weather, day_start, local_day, local_hour

if TYPE_CHECKING:
    from .device import SimObject
    from .meter_model import MeterModel
    from .scenario import Life, Load, Routine

HOUR: Final = 3600.0
Probe = Callable[["Physics", float, float], None]
"""Called before each sub-step is integrated: (physics, start, seconds); powers are held."""


def _overrides(behaviour: Base, *names: str) -> bool:
    return any(getattr(type(behaviour), n) is not getattr(Base, n) for n in names)


class Physics:
    """The one physical model of a house (see the module docstring)."""

    def __init__(
        self,
        nodes: Mapping[str, Sequence[SimObject]],
        life: Life,
        weather: Weather,
        start_ts: float,
        *,
        meter: MeterModel | None = None,
        max_step: float = 60.0,
    ) -> None:
        self.nodes = nodes
        self.life = life
        self.weather = weather
        self.meter = meter
        self.max_step = max_step
        self.t = start_ts
        self.busy = False
        self.probes: list[Probe] = []
        self.on_hour: list[Callable[[Physics], None]] = []
        self.objects = [o for objs in nodes.values() for o in objs if isinstance(o.behaviour, Base)]
        self.rooms: dict[int, Room] = {}
        self._shifts: dict[int, float] = {}
        self._queue: list[tuple[float, int]] = []
        self._next_day = local_day(start_ts) - 1
        self._targets = [self._target(r) for r in life.routines]
        self.bind()
        self.grid_w = self.load_w = self.unmetered_w = 0
        self.unmetered: list[int] = [0] * len(life.loads)
        self.env = self._env(start_ts)
        self._fire_due(start_ts)
        self.settle()

    # ------------------------------------------------------------------ structure

    def behaviour(self, obj: SimObject) -> Base:
        """An object's dynamics."""
        behaviour = obj.behaviour
        assert isinstance(behaviour, Base)
        return behaviour

    def bind(self) -> None:
        """(Re)build the rooms and the wiring from the objects' behaviours."""
        ordered = sorted(self.objects, key=lambda o: self.behaviour(o).phase)
        self._ordered = [(o, self.behaviour(o)) for o in ordered]
        # Only what a device overrides needs calling (the physics steps often).
        moving = [(o, b) for o, b in self._ordered if _overrides(b, "settle", "advance")]
        self._loads = [(o, b) for o, b in moving if b.phase == 0]
        self._rest = [(o, b) for o, b in moving if b.phase != 0]
        self._moving = moving
        self._after = [(o, b) for o, b in self._ordered if _overrides(b, "after_balance")]
        self._flowing = [b for _o, b in self._ordered if _overrides(b, "water_lpm", "gas_m3h")]
        self._bind_rooms()
        self._wire()

    def _bind_rooms(self) -> None:
        if not self.rooms:
            self.rooms = {room.location: replace(room) for room in self.life.rooms}
            initial: dict[int, float] = {}
            for obj, behaviour in self._ordered:
                if isinstance(behaviour, AirConditioner):
                    initial.setdefault(location(obj) or 0, behaviour.room_c)
            for key, room in self.rooms.items():
                room.temp_c = initial.get(key, room.temp_c)
        for index, (obj, behaviour) in enumerate(self._ordered):
            place = location(obj)
            if behaviour.hvac:
                key = place if place is not None else -(index + 1)
                if key not in self.rooms:
                    start = behaviour.room_c if isinstance(behaviour, AirConditioner) else 20.0
                    self.rooms[key] = Room(key, temp_c=start)
                behaviour.room = self.rooms[key]
            elif isinstance(behaviour, Sensor):
                behaviour.room = self.rooms.get(place) if place is not None else None

    def _wire(self) -> None:
        """Give every load a simplex circuit and every source a duplex channel."""
        self._boards = [b for _o, b in self._ordered if isinstance(b, DistributionBoard)]
        self._simplex: list[tuple[Base, int]] = []
        self._duplex: list[tuple[Base, int]] = []
        self._load_circuits: list[int] = []
        if not self._boards:
            return
        board = self._boards[0]
        circuits, duplex = board.circuits, board.duplex
        named = [behaviour.circuit or self._named_circuit(o) for o, behaviour in self._ordered]
        taken = {c for c in named if c} | {load.circuit for load in self.life.loads}
        free = iter(c for c in range(1, circuits + 1) if c not in taken)
        sources = 0
        for (obj, behaviour), circuit in zip(self._ordered, named, strict=True):
            if isinstance(behaviour, DistributionBoard) or obj.eoj.class_code == 0x0288:
                continue
            if behaviour.own_meter:
                continue  # full feed-in: not wired through the house's board
            if behaviour.source:
                self._duplex.append((behaviour, min(sources, max(0, duplex - 1))))
                sources += 1
                continue
            circuit = circuit or next(free, circuits)
            self._simplex.append((behaviour, min(circuit, circuits) - 1))
        self._load_circuits = [min(load.circuit, circuits) - 1 for load in self.life.loads]

    def _named_circuit(self, obj: SimObject) -> int | None:
        for name, objs in self.nodes.items():
            if obj in objs:
                return self.life.circuits.get(name)
        return None

    def _target(self, routine: Routine) -> SimObject | None:
        objs = self.nodes.get(routine.node, ())
        for obj in objs:
            if routine.eoj is None or obj.code == routine.eoj:
                return obj
        return None

    # ------------------------------------------------------------------ time

    def run_to(self, ts: float) -> None:
        """Advance to ``ts`` in sub-steps (nothing when already there or inside a step)."""
        if self.busy:
            return
        self.busy = True
        try:
            while self.t < ts - 1e-6:
                next_hour = (math.floor(self.t / HOUR) + 1) * HOUR
                end = min(self.t + self.max_step, ts, next_hour)
                self._advance(end - self.t)
                self.t = end
                self._fire_due(end)
                self.settle()
                if end == next_hour:
                    for hook in self.on_hour:
                        hook(self)
        finally:
            self.busy = False

    def _advance(self, seconds: float) -> None:
        for probe in self.probes:
            probe(self, self.t, seconds)
        env = self.env
        for obj, behaviour in self._moving:
            behaviour.advance(obj, env, seconds)
        for room in self.rooms.values():
            room.advance(env.outdoor_c, env.sun, seconds)

    def day_shift(self, day: int) -> float:
        """How late (hours) the family runs on ``day``."""
        shift = self._shifts.get(day)
        if shift is None:
            rng = random.Random(self.weather.seed * 7_777 + day)
            shift = self._shifts[day] = rng.uniform(-0.2, 0.2)
        return shift

    def _fire_due(self, ts: float) -> None:
        """Run the routines up to ``ts`` (in time order)."""
        while self._next_day <= local_day(ts):
            self._load_day(self._next_day)
            self._next_day += 1
        while self._queue and self._queue[0][0] <= ts:
            when, index = self._queue.pop(0)
            target = self._targets[index]
            if target is not None:
                self.life.routines[index].act(target, self._env(when))

    def _load_day(self, day: int) -> None:
        weekday = (day + 3) % 7
        base = day_start(day) + self.day_shift(day) * HOUR
        events = [
            (base + routine.hour * HOUR, index)
            for index, routine in enumerate(self.life.routines)
            if routine.applies(weekday) and self._targets[index] is not None
        ]
        self._queue = sorted(self._queue + events)

    # ------------------------------------------------------------------ balance

    def _env(self, ts: float) -> Env:
        day = local_day(ts)
        weather = self.weather.day(day)
        env = Env(
            ts,
            local_hour(ts),
            day,
            weather.weekday,
            self.weather.outdoor_c(ts),
            self.weather.sun(ts),
            self.life.season_mode(weather),
            day_shift_h=self.day_shift(day),
            rooms=self.rooms,
        )
        env.people = people = self.life.people(env)
        for key, room in self.rooms.items():
            room.people = people.get(key, 0)
        env.hot_water_lpm, env.cold_water_lpm, env.cooking_gas_m3h = self.life.flows(env)
        return env

    def settle(self) -> None:
        """Decide every power for the present instant (see the module docstring)."""
        env = self._env(self.t)
        for room in self.rooms.values():
            room.heat_w = 0.0
            room.drying = False
        for obj, behaviour in self._loads:
            behaviour.settle(obj, env)
            env.load_w += behaviour.power
        self.unmetered = [round(load.watts(env)) for load in self.life.loads]
        self.unmetered_w = sum(self.unmetered)
        env.load_w += self.unmetered_w
        env.grid_w = env.load_w
        for obj, behaviour in self._rest:
            behaviour.settle(obj, env)
            if behaviour.own_meter:
                continue  # full feed-in: sold through its own meter, never the house's
            env.grid_w += behaviour.power
            if behaviour.phase == PHASE_VEHICLE:
                env.vehicle_w += behaviour.power
        env.water_lpm_total = env.hot_water_lpm + env.cold_water_lpm
        env.gas_m3h_total = env.cooking_gas_m3h
        for behaviour in self._flowing:
            env.water_lpm_total += behaviour.water_lpm
            env.gas_m3h_total += behaviour.gas_m3h
        self._feed_boards()
        for obj, behaviour in self._after:
            behaviour.after_balance(obj, env)
        self.env = env
        self.load_w, self.grid_w = env.load_w, env.grid_w
        if self.meter is not None:
            self.meter.feed(self.t, env.grid_w)

    def _feed_boards(self) -> None:
        if not self._boards:
            return
        board = self._boards[0]
        simplex = [0] * board.circuits
        duplex = [0] * board.duplex
        for behaviour, index in self._simplex:
            simplex[index] += behaviour.power
        for watts, index in zip(self.unmetered, self._load_circuits, strict=True):
            simplex[index] += watts
        for behaviour, index in self._duplex:
            if duplex:
                duplex[index] += behaviour.power
        for each in self._boards:
            each.wire(list(simplex), list(duplex))

    def publish(self) -> None:
        """Write every device's state into its EPC values."""
        env = self.env
        for obj, behaviour in self._ordered:
            behaviour.publish(obj, env)

    @property
    def loads(self) -> tuple[Load, ...]:
        """The scenario's loads without ECHONET Lite (their power is :attr:`unmetered`)."""
        return self.life.loads
