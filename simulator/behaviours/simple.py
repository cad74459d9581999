"""Small loads: lights, shutters and windows, locks, air cleaners."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .base import Base

if TYPE_CHECKING:
    from ..device import SimObject
    from ..env import Env


@dataclass
class Light(Base):
    """0x0290/0x0291/0x02A3: ``watts`` at full brightness, in proportion to the level (0xB0)."""

    watts: float = 40.0

    def settle(self, obj: SimObject, env: Env) -> None:
        if not obj.is_on:
            self.power = 0
            return
        level = obj.u(0xB0) if 0xB0 in obj.get_map else 100
        self.power = round(self.watts * max(level, 5) / 100)


@dataclass
class Cover(Base):
    """0x0260/0x0263 and friends: E0 open/close/stop moves E1 and EA over time (60 W moving)."""

    speed_pct_s: float = 10.0
    position: float = 100.0
    target: float | None = None
    #: The target came as a level (0xE1): the level shows the setting until it is reached.
    to_level: bool = False

    def on_set(self, obj: SimObject, epc: int, edt: bytes) -> bool:
        self.to_level = epc == 0xE1
        if epc == 0xE0:
            self.target = {0x41: 100.0, 0x42: 0.0}.get(edt[0])
            if 0xEA not in obj.get_map:
                pass  # a cover with only 0xE0 (many curtains and simple shutters)
            elif self.target is None:  # stop
                obj.update({0xEA: b"\x45" if 0 < self.position < 100 else obj.values[0xEA]})
            else:
                obj.update({0xEA: b"\x43" if self.target > self.position else b"\x44"})
        elif epc == 0xE1:
            self.target = float(edt[0])
        if self.target == self.position:
            self.target = None  # already there: nothing moves
        return True

    def settle(self, obj: SimObject, env: Env) -> None:
        self.power = 60 if self.target is not None else 0

    def advance(self, obj: SimObject, env: Env, seconds: float) -> None:
        if self.target is not None:
            step = self.speed_pct_s * seconds
            if abs(self.target - self.position) <= step:
                self.position = self.target
                self.target = None
            else:
                self.position += step if self.target > self.position else -step
        super().advance(obj, env, seconds)

    def publish(self, obj: SimObject, env: Env) -> None:
        pos = round(self.position)
        if 0xE1 in obj.values and not (self.to_level and self.target is not None):
            obj.set_u(0xE1, pos, 1)
        if self.target is None and 0xEA in obj.get_map:
            status = b"\x41" if pos >= 100 else b"\x42" if pos <= 0 else b"\x45"
            obj.update({0xEA: status})
        super().publish(obj, env)


@dataclass
class Lock(Base):
    """0x026F: main/sub lock, door guard and door open state."""

    def on_set(self, obj: SimObject, epc: int, edt: bytes) -> bool:
        if epc == 0xE0 and edt == b"\x41" and obj.values.get(0xE3) == b"\x41":
            return False  # cannot lock while the door is open
        return True


@dataclass
class AirCleaner(Base):
    """0x0135: 30 W while on (15 W at the lowest fan levels)."""

    def settle(self, obj: SimObject, env: Env) -> None:
        if not obj.is_on:
            self.power = 0
            return
        level = obj.values.get(0xA0, b"\x41")[0]
        self.power = 15 if 0x31 <= level <= 0x33 else 30
