"""Devices that heat, cool or measure a room's air: air conditioners, floor heating, sensors."""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import TYPE_CHECKING, ClassVar, Final

from .base import Base

if TYPE_CHECKING:
    from ..device import SimObject
    from ..env import Env

AUTO, COOL, HEAT, DRY, FAN = b"\x41", b"\x42", b"\x43", b"\x44", b"\x45"
#: How fast an air conditioner pulls the room to its set point (s).
PULL_SECONDS: Final = 1200.0
#: Below this heat (W) the compressor idles: the room is where it should be.
IDLE_W: Final = 120.0


def _target(obj: SimObject, fallback: int = 24) -> int:
    value = obj.u(0xB3)
    return value if value <= 50 else fallback


@dataclass
class AirConditioner(Base):
    """0x0130: an inverter heat pump that holds its room at the set temperature.

    The heat it must move is what keeps the room at the set point (the room's loss minus free
    gains) plus a pull towards it; it is limited by the unit's capacity.  The electric power is
    that heat divided by the coefficient of performance, which falls as the outdoor air gets
    colder (heating) or hotter (cooling), plus the fan.  Fan-only mode moves no heat.
    """

    #: The room's temperature at the start (when the house gives the room to this unit).
    room_c: float = 24.0
    outdoor_c: float = 12.0
    humidity: float = 50.0
    capacity_w: float = 4000.0
    #: Heat moved into the room this interval (+ heating, - cooling), W.
    heat_w: float = 0.0

    hvac: ClassVar[bool] = True

    def on_set(self, obj: SimObject, epc: int, edt: bytes) -> bool:
        if epc == 0xB3 and not 16 <= edt[0] <= 32:
            return False  # the unit's own range is narrower than the class's
        return True

    def settle(self, obj: SimObject, env: Env) -> None:
        room = self.room
        self.heat_w = 0.0
        self.outdoor_c = env.outdoor_c
        if room is None or not obj.is_on:
            self.power = 0
            return
        mode = obj.values.get(0xB0, AUTO)
        if mode == FAN:
            self.power = 30
            return
        target = _target(obj)
        demand = (
            room.ua_w_k * (target - env.outdoor_c)
            - room.gains_w(env.sun)
            + room.capacity_j_k * (target - room.temp_c) / PULL_SECONDS
        )
        heating = mode == HEAT or (mode == AUTO and room.temp_c < target)
        if heating:
            heat = min(self.capacity_w, max(0.0, demand))
            cop = min(4.5, max(1.8, 2.6 + 0.06 * env.outdoor_c))
        else:
            limit = self.capacity_w * (0.5 if mode == DRY else 1.0)
            heat = -min(limit, max(0.0, -demand))
            cop = min(6.0, max(2.5, 6.0 - 0.12 * (env.outdoor_c - 20.0)))
            if mode == DRY:
                heat = min(heat, -300.0)  # drying runs the compressor anyway
        if abs(heat) < IDLE_W:
            heat = 0.0
        self.heat_w = heat
        room.heat_w += heat
        room.drying = room.drying or heat < 0
        self.power = round(25 + abs(heat) / cop)

    def publish(self, obj: SimObject, env: Env) -> None:
        room = self.room
        if room is not None:
            self.humidity = room.humidity
            obj.set_s(0xBB, round(room.temp_c), 1)
        obj.set_u(0xBA, round(self.humidity), 1)
        if 0xBE in obj.values:
            obj.set_s(0xBE, round(self.outdoor_c), 1)
        super().publish(obj, env)


@dataclass
class FloorHeater(Base):
    """0x027B: an electric floor that warms the room through its surface.

    The floor is heated (up to ``rated_w``) towards the set temperature (0xE0) plus the few
    degrees a floor runs above the air, and gives its heat to the room in proportion to the
    difference between floor and air.
    """

    floor_c: float = 18.0
    rated_w: float = 1200.0
    #: Floor -> room coupling (W/K) and the floor's heat capacity (J/K).
    coupling_w_k: float = 60.0
    capacity_j_k: float = 3.0e5

    hvac: ClassVar[bool] = True

    def _room_c(self) -> float:
        return self.room.temp_c if self.room is not None else 17.0

    def settle(self, obj: SimObject, env: Env) -> None:
        if obj.is_on:
            goal = _target_floor(obj)
            self.power = round(min(self.rated_w, max(0.0, 300.0 + 600.0 * (goal - self.floor_c))))
        else:
            self.power = 0
        if self.room is not None:
            self.room.heat_w += self.coupling_w_k * (self.floor_c - self.room.temp_c)

    def advance(self, obj: SimObject, env: Env, seconds: float) -> None:
        to_room = self.coupling_w_k * (self.floor_c - self._room_c())
        self.floor_c += (self.power - to_room) * seconds / self.capacity_j_k
        super().advance(obj, env, seconds)

    def publish(self, obj: SimObject, env: Env) -> None:
        if 0xE3 in obj.values:
            obj.set_s(0xE3, round(self.floor_c), 1)
        if 0xE2 in obj.values:
            obj.set_s(0xE2, round(self._room_c()), 1)
        super().publish(obj, env)


def _target_floor(obj: SimObject) -> float:
    set_c = obj.u(0xE0) if 0xE0 in obj.values else 0
    air = set_c if 10 <= set_c <= 45 else 22
    return air + 6.0


@dataclass
class Sensor(Base):
    """0x0011 temperature, 0x0012 humidity, 0x001B CO2: the room's air where the sensor is.

    A sensor outside any modelled room follows the time of day (``base`` +- ``swing``).
    """

    base: float = 21.0
    swing: float = 3.0
    size: int = 2
    scale: float = 10.0
    signed: bool = True

    def _value(self, obj: SimObject, env: Env) -> float:
        room = self.room
        if room is not None:
            code = obj.eoj.class_code
            if code == 0x0011:
                return room.temp_c
            if code == 0x0012:
                return room.humidity
            if code == 0x001B:
                return room.co2_ppm
        return self.base + self.swing * math.sin(2 * math.pi * (env.hour - 9) / 24)

    def publish(self, obj: SimObject, env: Env) -> None:
        raw = round(self._value(obj, env) * self.scale)
        if self.signed:
            obj.set_s(0xE0, raw, self.size)
        else:
            obj.set_u(0xE0, raw, self.size)
