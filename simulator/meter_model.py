"""A low-voltage smart meter's measurements: the integral of the grid power.

Cumulative normal (import, bought) and reverse (export, sold) energy are the integrals of the
positive and negative parts of the net power (import positive).  Two ways to drive it:

- *fed* (:meth:`MeterModel.fed`, the virtual house): the house's physics feeds the grid power
  at every settle (:meth:`MeterModel.feed`); the meter integrates the power held between two
  feeds, recording each :00/:30 on the way.  Its history is what the house measured: the house
  runs its physics over the past days before it serves (see :mod:`simulator.history`).
- *profile* (a meter without a house, for protocol tests): before the model starts the history
  is synthetic, the net power profile integrated slot by slot for ``history_days`` days ending
  at the initial counter values; after the start it integrates the profile live, or whatever
  net power someone sets with :meth:`MeterModel.set_net_power`.

Counters are consistent by construction: the value at each :00/:30 is the value at the
previous one plus the integral over the slot, and the live value at any moment is the last
boundary's value plus the integral since.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
import math
from typing import Final

from .clock import JST, SimClock
from .profiles import net_power_w

SLOT: Final = timedelta(minutes=30)
SLOT_SECONDS: Final = 1800.0
SLOTS_PER_DAY: Final = 48

#: kWh per count for each 0xE1 unit code.
UNIT_KWH: Final[dict[int, float]] = {
    0x00: 1.0,
    0x01: 0.1,
    0x02: 0.01,
    0x03: 0.001,
    0x04: 0.0001,
    0x0A: 10.0,
    0x0B: 100.0,
    0x0C: 1000.0,
    0x0D: 10000.0,
}

NetPowerFn = Callable[[datetime], float]

# Slot integrals of the default profile, shared by every model (they are pure functions).
_DEFAULT_SLOT_CACHE: dict[tuple[datetime, float], tuple[float, float]] = {}


def integrate(fn: NetPowerFn, start: datetime, end: datetime, step: float) -> tuple[float, float]:
    """(import kWh, export kWh) of ``fn`` over [start, end]: midpoint rule, ``step`` seconds."""
    seconds = (end - start).total_seconds()
    if seconds <= 0:
        return 0.0, 0.0
    n = max(1, math.ceil(seconds / step - 1e-9))
    h = seconds / n
    imp = exp = 0.0
    for i in range(n):
        p = fn(start + timedelta(seconds=(i + 0.5) * h))
        if p >= 0:
            imp += p
        else:
            exp -= p
    scale = h / 3_600_000.0
    return imp * scale, exp * scale


def floor_slot(t: datetime) -> datetime:
    """The :00/:30 at or before ``t``."""
    t = t.astimezone(JST)
    return t.replace(minute=0 if t.minute < 30 else 30, second=0, microsecond=0)


class MeterModel:
    """Measurements of one meter.

    ``unit_code`` is 0xE1, ``coefficient`` 0xD3 (None: the meter has no 0xD3), ``digits`` 0xD7.
    ``initial_import_kwh`` / ``initial_export_kwh`` are the counters at the start (before the
    unit and the wrap at 10**digits are applied; the registers show them modulo the wrap).
    ``two_wire`` makes a single-phase two-wire meter (no T-phase current).
    """

    def __init__(
        self,
        clock: SimClock,
        *,
        history_days: int = 45,
        net_power_fn: NetPowerFn | None = None,
        initial_import_kwh: float = 5432.1,
        initial_export_kwh: float = 2345.6,
        unit_code: int = 0x01,
        coefficient: int | None = 1,
        digits: int = 6,
        two_wire: bool = False,
        step_seconds: float = 60.0,
        history_step_seconds: float = 300.0,
    ) -> None:
        if unit_code not in UNIT_KWH:
            raise ValueError(f"unknown unit code 0x{unit_code:02X}")
        if not 1 <= digits <= 8:
            raise ValueError("digits must be 1-8")
        self.clock = clock
        self.history_days = history_days
        self.unit_code = unit_code
        self.coefficient = coefficient
        self.digits = digits
        self.two_wire = two_wire
        self._default_profile = net_power_fn is None
        self._fn: NetPowerFn = net_power_fn or net_power_w
        self._step = step_seconds
        self._history_step = history_step_seconds
        self._fed_w: float | None = None
        #: Faults (both faces show them): 0xD3 answers 0 (a meter not configured yet; the
        #: registers still count), and a number of counts added to what 0xE0/0xE3 show (a
        #: glitch; the meter's own counters are unchanged).
        self.fault_coefficient_zero = False
        self.fault_glitch_counts = 0
        #: Fault: the meter does not have its unit (0xE1) (the dongle's face refuses it).
        self.fault_no_unit = False

        self.start = clock.now().astimezone(JST)
        start_day = self.start.replace(hour=0, minute=0, second=0, microsecond=0)
        self.origin = start_day - timedelta(days=history_days)
        values = self._history_boundaries(initial_import_kwh, initial_export_kwh)
        self._boundaries: list[tuple[float, float]] = values  # index k: origin + k * 30 min
        self._live_t = self.start
        self._live = (initial_import_kwh, initial_export_kwh)
        self._fed_mode = False
        self._origin_ts = self.origin.timestamp()
        self._live_ts = self.start.timestamp()

    def _history_boundaries(
        self, import_kwh: float, export_kwh: float
    ) -> list[tuple[float, float]]:
        """The registers at every half-hour boundary from the origin to the start, integrated
        backwards from the registers at the start."""
        last = floor_slot(self.start)
        count = round((last - self.origin).total_seconds() / SLOT_SECONDS)
        tail_imp, tail_exp = integrate(self._fn, last, self.start, self._history_step)
        imp = import_kwh - tail_imp
        exp = export_kwh - tail_exp
        values: list[tuple[float, float]] = [(imp, exp)]
        for k in range(count - 1, -1, -1):
            slot_imp, slot_exp = self._slot_energy(self.origin + SLOT * k)
            imp -= slot_imp
            exp -= slot_exp
            values.append((imp, exp))
        values.reverse()
        if values[0][0] < 0 or values[0][1] < 0:
            raise ValueError("initial counters too small for the synthetic history")
        return values

    # The counters' and the register's options repeat the constructor's on purpose: spelled
    # out, a caller sees what a fed meter takes (its power comes from the house, not a function).
    @classmethod
    def fed(
        cls,
        clock: SimClock,
        origin: datetime,
        *,
        history_days: int = 45,
        initial_import_kwh: float = 5432.1,
        initial_export_kwh: float = 2345.6,
        unit_code: int = 0x01,
        coefficient: int | None = 1,
        digits: int = 6,
        two_wire: bool = False,
    ) -> MeterModel:
        """A meter fed by a house from ``origin`` (a :00/:30) with the counters given."""
        model = cls(
            clock,
            history_days=0,
            net_power_fn=lambda _t: 0.0,
            initial_import_kwh=initial_import_kwh,
            initial_export_kwh=initial_export_kwh,
            unit_code=unit_code,
            coefficient=coefficient,
            digits=digits,
            two_wire=two_wire,
        )
        origin = origin.astimezone(JST)
        if floor_slot(origin) != origin:
            raise ValueError("a fed meter starts at a :00 or :30")
        model.history_days = history_days
        model.origin = model.start = origin
        model._origin_ts = model._live_ts = origin.timestamp()
        model._live_t = origin
        model._boundaries = [(initial_import_kwh, initial_export_kwh)]
        model._fed_mode = True
        model._fed_w = 0.0
        return model

    def feed(self, ts: float, watts: float) -> None:
        """(Fed meters) integrate the power held so far up to ``ts``, then hold ``watts``."""
        power = self._fed_w or 0.0
        while self._live_ts < ts:
            boundary = self._origin_ts + SLOT_SECONDS * len(self._boundaries)
            end = min(boundary, ts)
            energy = power * (end - self._live_ts) / 3_600_000.0
            imp, exp = self._live
            self._live = (imp + energy, exp) if power >= 0 else (imp, exp - energy)
            self._live_ts = end
            if end == boundary:
                self._boundaries.append(self._live)
        self._fed_w = watts

    def state(self) -> tuple[list[tuple[float, float]], tuple[float, float], float, float | None]:
        """The fed meter's state (for a snapshot)."""
        return list(self._boundaries), self._live, self._live_ts, self._fed_w

    def restore(
        self, state: tuple[list[tuple[float, float]], tuple[float, float], float, float | None]
    ) -> None:
        """Go back to a :meth:`state`."""
        boundaries, self._live, self._live_ts, self._fed_w = state
        self._boundaries = list(boundaries)

    # -- scaling --------------------------------------------------------------------------------

    @property
    def unit_kwh(self) -> float:
        """kWh per count of the unit alone."""
        return UNIT_KWH[self.unit_code]

    @property
    def count_kwh(self) -> float:
        """kWh per register count (unit x coefficient)."""
        return self.unit_kwh * (self.coefficient or 1)

    @property
    def modulus(self) -> int:
        """Registers wrap to 0 here (10 ** digits)."""
        modulus: int = 10**self.digits
        return modulus

    def reported_coefficient(self) -> int | None:
        """What 0xD3 answers (None: the meter has no 0xD3)."""
        if self.coefficient is None:
            return None
        return 0 if self.fault_coefficient_zero else self.coefficient

    def register(self, kwh: float) -> int:
        """The register value that shows ``kwh``."""
        counts: int = math.floor(kwh / self.count_kwh + 1e-9)
        return counts % self.modulus

    # -- power ----------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The simulated time (a fed meter: the time it was last fed)."""
        if self._fed_mode:
            return datetime.fromtimestamp(self._live_ts, JST)
        return self.clock.now()

    def set_net_power(self, watts: float | None) -> None:
        """Feed the live net power (import positive); None returns to the profile."""
        self._advance()
        self._fed_w = watts

    def net_power_w(self) -> float:
        """Net power now."""
        if self._fed_w is not None:
            return self._fed_w
        return self._fn(self.now())

    def instantaneous_power_w(self) -> int:
        """0xE7."""
        return round(self.net_power_w())

    def currents_a(self) -> tuple[float, float | None]:
        """0xE8: (R, T) phase currents in A (100 V per phase; T is None on two-wire meters)."""
        p = self.net_power_w()
        if self.two_wire:
            return round(p / 100, 1), None
        half = round(p / 200, 1)
        return half, half

    # -- energy ---------------------------------------------------------------------------------

    def _slot_energy(self, slot_start: datetime) -> tuple[float, float]:
        if self._default_profile:
            key = (slot_start, self._history_step)
            cached = _DEFAULT_SLOT_CACHE.get(key)
            if cached is None:
                cached = integrate(self._fn, slot_start, slot_start + SLOT, self._history_step)
                _DEFAULT_SLOT_CACHE[key] = cached
            return cached
        return integrate(self._fn, slot_start, slot_start + SLOT, self._history_step)

    def _power_fn(self) -> NetPowerFn:
        fed = self._fed_w
        if fed is None:
            return self._fn
        return lambda _t: fed

    def _advance(self) -> None:
        if self._fed_mode:
            return  # the house feeds it
        now = self.now()
        fn = self._power_fn()
        while self._live_t < now:
            boundary = floor_slot(self._live_t) + SLOT
            end = min(boundary, now)
            imp, exp = integrate(fn, self._live_t, end, self._step)
            self._live = (self._live[0] + imp, self._live[1] + exp)
            self._live_t = end
            if end == boundary:
                self._boundaries.append(self._live)

    def cumulative_kwh(self) -> tuple[float, float]:
        """(import, export) kWh now."""
        self._advance()
        return self._live

    def registers(self) -> tuple[int, int]:
        """0xE0 and 0xE3 register values now."""
        imp, exp = self.cumulative_kwh()
        return self.register(imp), self.register(exp)

    def reported_registers(self) -> tuple[int, int]:
        """What 0xE0 and 0xE3 answer now (with :attr:`fault_glitch_counts`)."""
        imp, exp = self.registers()
        glitch = self.fault_glitch_counts
        return (imp + glitch) % self.modulus, (exp + glitch) % self.modulus

    def boundary_kwh(self, t: datetime) -> tuple[float, float] | None:
        """(import, export) kWh at the :00/:30 ``t``; None in the future or before the history."""
        self._advance()
        offset = (t.astimezone(JST) - self.origin).total_seconds()
        k = round(offset / SLOT_SECONDS)
        if abs(offset - k * SLOT_SECONDS) > 1e-6 or k < 0 or k >= len(self._boundaries):
            return None
        return self._boundaries[k]

    def last_boundary(self) -> datetime:
        """The latest :00/:30 that has passed."""
        return floor_slot(self.now())

    def fixed_time(self) -> tuple[datetime, float, float]:
        """0xEA/0xEB: the last :00/:30 and the (import, export) kWh at that time."""
        t = self.last_boundary()
        values = self.boundary_kwh(t)
        assert values is not None
        return t, values[0], values[1]

    def history_day(self, days_ago: int) -> tuple[date, list[tuple[float, float] | None]]:
        """0xE2/0xE4 for the day ``days_ago`` before today: 48 values, None = no data."""
        today = self.now().date()
        day = today - timedelta(days=days_ago)
        start = datetime(day.year, day.month, day.day, tzinfo=JST)
        return day, [self.boundary_kwh(start + SLOT * i) for i in range(SLOTS_PER_DAY)]

    def history_slots(
        self, end: datetime, count: int
    ) -> list[tuple[datetime, tuple[float, float] | None]]:
        """0xEC: ``count`` slots from ``end`` backwards (newest first)."""
        end = floor_slot(end)
        return [(end - SLOT * i, self.boundary_kwh(end - SLOT * i)) for i in range(count)]

    def energy_between(self, start: datetime, end: datetime) -> tuple[float, float]:
        """Integral of the profile (not of fed power) over [start, end], for checks."""
        return integrate(self._fn, start, end, self._history_step)
