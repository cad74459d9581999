"""The house's past: its physics run over the days before it starts serving.

A house that keeps history (the default house: 45 days, as long as a smart meter keeps its
30-minute values) starts its physics at midnight ``history_days`` before the start and runs it
up to the start in 10-minute steps, with the same residents, weather and devices as the live
run.  The smart meter records every :00/:30 on the way (0xE2/0xE4 by day, 0xEC), and
:class:`HourlyCounters` keeps every device counter at every hour (what the demo imports into
Home Assistant's statistics for solar, battery, gas and water).  Nothing in it is synthetic:
the past is the same model, deterministic by seed.

The run is cached in the process by everything that decides it (scenario, seed, start slot,
the devices and their settings), so that test suites creating many identical houses pay for
it once; a cached house continues exactly as a freshly computed one would.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from .behaviours import Base, Battery, EvCharger, FuelCell, Meter, Solar, wh
from .clock import JST
from .meter_device import MeterBehaviour
from .meter_model import floor_slot

if TYPE_CHECKING:
    from .device import SimObject
    from .physics import Physics

#: The warm-up's step (s): divides 30 minutes, so every :00/:30 is a step boundary.
WARM_UP_STEP: Final = 600.0
#: Properties that say who a device is, not what it does (left out of the cache key).
_IDENTITY: Final = frozenset({0x83, 0x8A, 0x8C, 0x8D, 0x9D, 0x9E, 0x9F})
#: Counters kept per hour: class code -> EPCs (besides 0x85, kept for every device with it).
COUNTER_EPCS: Final[Mapping[int, tuple[int, ...]]] = {
    0x0279: (0xE1, 0xE3),
    0x027C: (0xC5, 0xC8),
    0x027D: (0xD8, 0xD6),
    0x027E: (0xD8, 0xD6),
    0x02A1: (0xD8,),
    0x0281: (0xE0,),
    0x0282: (0xE0,),
}

Key = tuple[str, int]  # (node name, EOJ as an int)


def history_origin(start: datetime, history_days: int) -> datetime:
    """Where a house's physics starts: midnight ``history_days`` before ``start``'s day (or
    the :00/:30 before ``start`` without history)."""
    start = start.astimezone(JST)
    if history_days <= 0:
        return floor_slot(start)
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - timedelta(days=history_days)).astimezone(JST)


@dataclass
class HourlyCounters:
    """Every device counter at every whole hour the physics passed (Japan time)."""

    series: dict[tuple[Key, int], list[tuple[float, float]]] = field(default_factory=dict)

    def __call__(self, physics: Physics) -> None:
        for name, objs in physics.nodes.items():
            for obj in objs:
                behaviour = obj.behaviour
                if not isinstance(behaviour, Base) or not (
                    0x85 in obj.values or obj.eoj.class_code in COUNTER_EPCS
                ):
                    continue
                for epc, value in counters(obj, behaviour).items():
                    key = ((name, obj.code), epc)
                    self.series.setdefault(key, []).append((physics.t, value))


def counters(obj: SimObject, behaviour: Base) -> dict[int, float]:
    """The counters of one device as its EPCs show them (kWh or m³, at their resolution)."""
    out: dict[int, float] = {}
    if 0x85 in obj.values:
        out[0x85] = wh(behaviour.energy_kwh) / 1000
    if isinstance(behaviour, Solar):
        out |= {0xE1: wh(behaviour.generated_kwh) / 1000, 0xE3: wh(behaviour.sold_kwh) / 1000}
    elif isinstance(behaviour, Battery | EvCharger):
        out |= {0xD8: wh(behaviour.charged_kwh) / 1000, 0xD6: wh(behaviour.discharged_kwh) / 1000}
    elif isinstance(behaviour, FuelCell):
        out |= {0xC5: wh(behaviour.generated_kwh) / 1000, 0xC8: wh(behaviour.gas_m3) / 1000}
    elif isinstance(behaviour, Meter):
        out[0xE0] = wh(behaviour.total) / 1000
    wanted = COUNTER_EPCS.get(obj.eoj.class_code, ())
    return {epc: v for epc, v in out.items() if epc == 0x85 or epc in wanted}


@dataclass
class _Snapshot:
    t: float
    state: Any  # (behaviours by key, rooms), deep-copied together: they share the rooms
    values: dict[Key, dict[int, bytes]]
    meter: Any
    queue: list[tuple[float, int]]
    next_day: int
    hours: dict[tuple[Key, int], list[tuple[float, float]]]


_CACHE: OrderedDict[Any, _Snapshot] = OrderedDict()
_CACHE_SIZE: Final = 6


def fingerprint(nodes: Mapping[str, Sequence[SimObject]]) -> tuple[Any, ...]:
    """Everything about the devices that decides a house's past (not who they are)."""
    return tuple(
        (
            name,
            tuple(
                (
                    obj.code,
                    repr(obj.behaviour),
                    tuple(sorted((e, v) for e, v in obj.values.items() if e not in _IDENTITY)),
                )
                for obj in objs
            ),
        )
        for name, objs in sorted(nodes.items())
    )


def _keyed(physics: Physics) -> dict[Key, SimObject]:
    return {
        (name, obj.code): obj
        for name, objs in physics.nodes.items()
        for obj in objs
        if isinstance(obj.behaviour, Base) and not isinstance(obj.behaviour, MeterBehaviour)
    }


def _take(physics: Physics, hours: HourlyCounters) -> _Snapshot:
    objects = _keyed(physics)
    state = copy.deepcopy(({k: o.behaviour for k, o in objects.items()}, physics.rooms))
    values = {
        k: {e: v for e, v in o.values.items() if e not in _IDENTITY} for k, o in objects.items()
    }
    return _Snapshot(
        physics.t,
        state,
        values,
        None if physics.meter is None else physics.meter.state(),
        list(physics._queue),
        physics._next_day,
        copy.deepcopy(hours.series),
    )


def _restore(physics: Physics, snap: _Snapshot, hours: HourlyCounters) -> None:
    behaviours, rooms = copy.deepcopy(snap.state)
    for key, obj in _keyed(physics).items():
        obj.behaviour = behaviours[key]
        obj.values.update(snap.values[key])
    physics.rooms = rooms
    physics.bind()
    physics.t = snap.t
    physics._queue = list(snap.queue)
    physics._next_day = snap.next_day
    if physics.meter is not None:
        physics.meter.restore(snap.meter)
    hours.series = copy.deepcopy(snap.hours)
    physics.settle()


def warm_up(physics: Physics, until: float, key: Any, hours: HourlyCounters) -> None:
    """Run ``physics`` (at its origin) up to ``until`` in warm-up steps, or take the cached run."""
    cached = _CACHE.get(key)
    if cached is not None:
        _CACHE.move_to_end(key)
        _restore(physics, cached, hours)
        return
    step = physics.max_step
    physics.max_step = WARM_UP_STEP
    try:
        physics.run_to(until)
    finally:
        physics.max_step = step
    _CACHE[key] = _take(physics, hours)
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
