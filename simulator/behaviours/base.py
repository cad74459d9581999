"""What every simulated device's dynamics share (see :mod:`simulator.physics` for the order).

A device's dynamics (its *behaviour*) keeps the device's physical state and a power that is
held constant between two settles of the house:

- :meth:`Base.settle` decides the power (W, positive when drawn from the house, negative when
  the device supplies it) from the state, the device's settings (its EPC values) and the
  :class:`~simulator.env.Env`.  It changes no state, so settling twice changes nothing.
- :meth:`Base.advance` integrates the state over a time step with the held power: energy
  counters grow by exactly power x time, tanks, batteries and floors fill or empty.
- :meth:`Base.publish` writes the state into the EPC values (in the MRA's formats; the
  simulator's tests decode every value with the generated definitions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
import math
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from ..device import SimObject
    from ..env import Env, Room

ON = b"\x30"
OFF = b"\x31"

#: Settle order: loads first, then generation, load-following generation, vehicles, batteries.
PHASE_LOAD = 0
PHASE_GENERATION = 1
PHASE_FOLLOWER = 2
PHASE_VEHICLE = 3
PHASE_BATTERY = 4


#: Counts are truncated (a meter never runs ahead), but a value a rounding error below a
#: whole count (sums of many float steps) is that count.
_EPSILON = 1e-6


def wh(kwh: float) -> int:
    """kWh as a 0.001 kWh counter."""
    return math.floor(kwh * 1000 + _EPSILON)


def centi(kwh: float) -> int:
    """kWh as a 0.01 kWh counter (the board's unit, 0xC2 = 0x02)."""
    return math.floor(kwh * 100 + _EPSILON)


def location(obj: SimObject) -> int | None:
    """The installation location (0x81) of an object; None when it has none or it is not
    specified (0x00) or undetermined (0xFF)."""
    edt = obj.values.get(0x81)
    return edt[0] if edt and edt[0] not in (0x00, 0xFF) else None


@dataclass
class Base:
    """A device with no dynamics beyond accepting valid Sets (it draws no power)."""

    #: Cumulative consumption (0x85), kWh.
    energy_kwh: float = 0.0
    #: The board channel it is wired to (simplex for loads, duplex for sources); None: the
    #: physics picks the next free one.
    circuit: int | None = None
    #: Power held since the last settle (W): + drawn from the house, - supplied to it.
    power: int = field(default=0, repr=False)
    #: The room the device heats, cools or measures (set by the physics, shared).
    room: Room | None = field(default=None, repr=False, compare=False)

    phase: ClassVar[int] = PHASE_LOAD
    #: True for sources and storage (solar, fuel cell, batteries, vehicles): not house load,
    #: measured on the board's duplex channels.
    source: ClassVar[bool] = False
    #: True for devices that heat or cool a room (they get one even without a location).
    hvac: ClassVar[bool] = False

    @property
    def water_lpm(self) -> float:
        """Water this device takes from the mains now (L/min)."""
        return 0.0

    @property
    def own_meter(self) -> bool:
        """True for a source wired to the grid through its own sale meter (full feed-in,
        全量買取): its power never passes the house's meter or board."""
        return False

    @property
    def gas_m3h(self) -> float:
        """Gas this device burns now (m³/h)."""
        return 0.0

    def on_set(self, obj: SimObject, epc: int, edt: bytes) -> bool:
        """Called before a Set is applied; False refuses it (SNA)."""
        return True

    def on_read(self, obj: SimObject, epc: int) -> bytes | None:
        """A value computed at read time (None: use the stored value)."""
        return None

    def settle(self, obj: SimObject, env: Env) -> None:
        """Decide the power held from now on (no state changes)."""
        self.power = 0

    def advance(self, obj: SimObject, env: Env, seconds: float) -> None:
        """Integrate over ``seconds`` with the power of the last settle."""
        if self.power > 0:
            self.energy_kwh += self.power * seconds / 3_600_000

    def after_balance(self, obj: SimObject, env: Env) -> None:
        """Called once the grid power of this settle is known (``env.grid_w``)."""

    def publish(self, obj: SimObject, env: Env) -> None:
        """Write the state into the EPC values."""
        if 0x84 in obj.values:
            obj.set_u(0x84, max(0, self.power), 2)
        if 0x85 in obj.values:
            obj.set_u(0x85, wh(self.energy_kwh), 4)

    def power_w(self, obj: SimObject) -> float:
        """The power held since the last settle."""
        return float(self.power)
