"""The poll planner: which properties to read when, so that values stay fresh at little traffic.

Pure planning, no I/O: the caller (:class:`~.poller.NodePoller`) asks :meth:`PollPlanner.due`
what to read now, reads it, and tells the planner what came back (:meth:`PollPlanner.polled`)
and what the devices announced (:meth:`PollPlanner.announced`).

Every property gets a refresh target from what it is (:func:`classify`) and one number, the
*freshness* (seconds; the target of instantaneous power and current values):

* instantaneous power, current, voltage: ``freshness``;
* temperatures, states, levels, everything else that changes: ``2 x freshness``;
* cumulative energy (and other counters): ``12 x freshness`` (minutes);
* identity and property maps: never (read once when the object is set up).

and from how it behaves: a property the device announces (its INF map, or an INF actually
seen) is read only by a slow safety poll (``20 x freshness``: announcements can be lost); a
property read unchanged again and again is read less often (1.5 x slower after every three
unchanged reads, up to 4 x its target, never beyond the safety poll); a property that changed
since its last read is read every ``freshness`` from then on, until it calms down again (a
counter that moves is read with the power values, in the same Get: no extra frame).

Reads are grouped per object: when one property of an object is due, every property of the
object due within half its own interval is read in the same Get, so a frame refreshes all
that is due.  Objects start at a phase of their own (a stable hash), so the reads of a house
spread over time instead of bursting together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Final
import zlib

from .node import STATIC_EPCS

if TYPE_CHECKING:
    from .definitions import PropertyDef
    from .frame import EOJ
    from .node import EchonetObject

#: Default freshness (seconds): the refresh target of unannounced power values.
DEFAULT_FRESHNESS: Final = 12.0
MIN_FRESHNESS: Final = 5.0
MAX_FRESHNESS: Final = 600.0

#: Multiples of the freshness per kind of property, and for announced properties.
STATE_FACTOR: Final = 2.0
ENERGY_FACTOR: Final = 12.0
SAFETY_FACTOR: Final = 20.0
#: An unchanged property slows down to at most this multiple of its target.
MAX_SLOWDOWN: Final = 4.0
#: Unchanged reads in a row before a property slows down (by ``SLOWDOWN``).
CALM_READS: Final = 3
#: How much slower an unchanging property gets after ``CALM_READS`` unchanged reads.
SLOWDOWN: Final = 1.5
#: A property due within this fraction of its interval joins a Get that is sent anyway.
PIGGYBACK: Final = 0.5

#: Properties that identify the device or describe it once and for all.
NEVER_POLLED: Final = STATIC_EPCS | {0x82}

_FAST_UNITS: Final = frozenset({"W", "kW", "A", "mA", "V"})
_COUNTER_UNITS: Final = frozenset({"kWh", "Wh", "MJ", "m3", "L", "Ah", "mAh"})


class Kind(IntEnum):
    """What a property is, as far as polling goes (lower is polled more often)."""

    POWER = 0
    STATE = 1
    ENERGY = 2
    STATIC = 3


_FACTORS: Final = {Kind.POWER: 1.0, Kind.STATE: STATE_FACTOR, Kind.ENERGY: ENERGY_FACTOR}


def classify(epc: int, prop: PropertyDef) -> Kind:
    """The kind of ``prop`` (EPC ``epc``) from its definition: unit, name, data type."""
    if epc in NEVER_POLLED:
        return Kind.STATIC
    key = prop.key
    unit = prop.unit
    if "rated" in key:
        # Ratings describe the device; they hardly change.
        return Kind.ENERGY
    if "cumulative" in key or "log" in key.split("_") or unit in _COUNTER_UNITS:
        return Kind.ENERGY
    if unit in _FAST_UNITS or "instantaneous" in key:
        return Kind.POWER
    return Kind.STATE


@dataclass(slots=True)
class PropertyPlan:
    """The plan of one property of one object."""

    kind: Kind
    target: float
    interval: float
    due: float
    last: float
    announced: bool = False
    calm: int = 0
    changes: int = 0
    reads: int = 0

    def reschedule(self, now: float, freshness: float, changed: bool | None = None) -> None:
        """Adapt the interval to the read at ``now`` (``changed``: whether the value changed;
        None: no read, e.g. when planned) and plan the next read from ``now``."""
        safety = SAFETY_FACTOR * freshness
        if self.announced:
            self.interval = max(self.target, safety)
        elif changed:
            # Changing: read it with the power values from now on.
            self.interval = min(freshness, self.target)
        elif changed is not None and self.calm >= CALM_READS:
            # Unchanged read after read: slow down, up to 4 x the target (never beyond the
            # safety poll).
            self.calm = 0
            cap = min(self.target * MAX_SLOWDOWN, max(self.target, safety))
            self.interval = min(cap, max(self.interval, self.target) * SLOWDOWN)
        self.last = now
        self.due = now + self.interval


@dataclass(slots=True)
class ObjectPlan:
    """The plan of one object: its properties and its phase."""

    props: dict[int, PropertyPlan]
    phase: float


def _phase(key: str) -> float:
    """A stable fraction in [0, 1) for ``key`` (spreads objects over time)."""
    return (zlib.crc32(key.encode()) & 0xFFFF) / 0x10000


class PollPlanner:
    """Refresh targets and due reads of the objects of one node (see the module docstring)."""

    def __init__(self, freshness: float = DEFAULT_FRESHNESS) -> None:
        self.freshness = max(MIN_FRESHNESS, min(float(freshness), MAX_FRESHNESS))
        self.objects: dict[EOJ, ObjectPlan] = {}

    # ------------------------------------------------------------------ objects

    def track(
        self,
        obj: EchonetObject,
        now: float,
        *,
        fast: Iterable[int] = (),
        exclude: Iterable[int] = (),
    ) -> None:
        """Plan ``obj``'s readable properties (again), after a complete read at ``now``.

        ``fast`` are properties to treat as power values whatever their kind (what entities
        want refreshed fast); ``exclude`` are read by other means (a board's circuit lists).
        """
        previous = self.objects.get(obj.eoj)
        phase = _phase(f"{obj.node.uid}-{obj.eoj}")
        fast_set, skip = frozenset(fast), frozenset(exclude)
        props: dict[int, PropertyPlan] = {}
        for epc in sorted(obj.get_map):
            if epc in skip:
                continue
            kind = Kind.POWER if epc in fast_set else classify(epc, obj.prop(epc))
            if kind is Kind.STATIC:
                continue
            old = previous.props.get(epc) if previous is not None else None
            if old is not None and old.kind is kind:
                props[epc] = old
                continue
            target = _FACTORS[kind] * self.freshness
            # A property planned anew counts from its last read (when known).
            since = now if old is None else old.last
            plan = PropertyPlan(kind, target, target, since, since, announced=epc in obj.inf_map)
            plan.reschedule(since, self.freshness)
            # The first reads of the object come at its own phase of the interval.
            plan.due = since + plan.interval * (0.5 + 0.5 * phase)
            props[epc] = plan
        self.objects[obj.eoj] = ObjectPlan(props, phase)

    def forget(self, eoj: EOJ) -> None:
        """Stop planning the object ``eoj``."""
        self.objects.pop(eoj, None)

    # ------------------------------------------------------------------ observations

    def announced(self, eoj: EOJ, epcs: Iterable[int]) -> None:
        """The device announced ``epcs`` (an INF): from now on they get the safety poll."""
        plan = self.objects.get(eoj)
        if plan is None:
            return
        for epc in epcs:
            prop = plan.props.get(epc)
            if prop is not None and not prop.announced:
                prop.announced = True
                prop.interval = max(prop.target, SAFETY_FACTOR * self.freshness)
                prop.due = prop.last + prop.interval

    def polled(
        self,
        eoj: EOJ,
        asked: Iterable[int],
        changed: Mapping[int, bytes] | Iterable[int],
        now: float,
    ) -> None:
        """``asked`` were read at ``now`` (whatever came back); ``changed`` changed value."""
        plan = self.objects.get(eoj)
        if plan is None:
            return
        moved = set(changed)
        for epc in asked:
            prop = plan.props.get(epc)
            if prop is None:
                continue
            prop.reads += 1
            if epc in moved:
                prop.changes += 1
                prop.calm = 0
            else:
                prop.calm += 1
            prop.reschedule(now, self.freshness, epc in moved)

    # ------------------------------------------------------------------ what to read

    def due(self, now: float) -> dict[EOJ, list[int]]:
        """Per object, the properties to read now (one Get per object: the due ones and those
        soon due), in EPC order; objects with nothing due are left out."""
        out: dict[EOJ, list[int]] = {}
        for eoj, plan in self.objects.items():
            if not any(p.due <= now for p in plan.props.values()):
                continue
            out[eoj] = [
                epc
                for epc, p in sorted(plan.props.items())
                if p.due - now <= PIGGYBACK * p.interval
            ]
        return out

    def next_due(self) -> float | None:
        """When the next property is due (None when nothing is planned)."""
        dues = [p.due for plan in self.objects.values() for p in plan.props.values()]
        return min(dues) if dues else None

    def all_epcs(self, eoj: EOJ) -> list[int]:
        """Every planned property of ``eoj`` (a full read)."""
        plan = self.objects.get(eoj)
        return sorted(plan.props) if plan is not None else []

    def diagnostics(self) -> dict[str, object]:
        """JSON-able view: per object and property its kind, interval and behaviour."""
        return {
            "freshness_s": self.freshness,
            "objects": {
                str(eoj): {
                    f"0x{epc:02X}": {
                        "kind": p.kind.name.lower(),
                        "interval_s": round(p.interval, 1),
                        "announced": p.announced,
                        "reads": p.reads,
                        "changes": p.changes,
                    }
                    for epc, p in sorted(plan.props.items())
                }
                for eoj, plan in self.objects.items()
            },
        }
