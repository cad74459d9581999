"""Storage: the home battery (0x027D) and the car behind a V2H or EV charger (0x027E, 0x02A1).

Both follow their operation mode (0xDA).  Charging and discharging move the stored energy with
a one-way efficiency; the AC-side counters (charged / discharged kWh) are the exact integral of
the AC power.  A charge or discharge amount setting stops the flow once that much has moved
since the mode was set.  Discharging covers at most the house's own draw (no export: batteries
in Japanese homes may not push power back to the grid; and the home battery never charges the
car), and automatic mode charges from the solar surplus and (the battery) covers the house's
draw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from .base import PHASE_BATTERY, PHASE_VEHICLE, Base, wh

if TYPE_CHECKING:
    from ..device import SimObject
    from ..env import Env

RAPID, CHARGING, DISCHARGING, STANDBY, AUTO = b"\x41", b"\x42", b"\x43", b"\x44", b"\x46"
EV_CHARGE, EV_DISCHARGE, EV_STANDBY, EV_IDLE, EV_AUTO = b"\x42", b"\x43", b"\x44", b"\x47", b"\x49"


def _setting(obj: SimObject, *epcs: int) -> int:
    """The first non-zero 4-byte setting among ``epcs`` (0: none)."""
    for epc in epcs:
        if epc in obj.values:
            value = obj.u(epc, 4)
            if 0 < value < 0xFFFFFFFD:
                return value
    return 0


@dataclass
class Battery(Base):
    """0x027D home battery (see the module docstring)."""

    capacity_wh: float = 9800.0
    soc: float = 55.0
    max_charge_w: float = 3000.0
    max_discharge_w: float = 3000.0
    efficiency: float = 0.95
    charged_kwh: float = 120.0
    discharged_kwh: float = 110.0
    #: AC energy moved since the operation mode was last set (for the amount settings), Wh.
    moved_wh: float = 0.0

    phase: ClassVar[int] = PHASE_BATTERY
    source: ClassVar[bool] = True

    def on_set(self, obj: SimObject, epc: int, edt: bytes) -> bool:
        if epc in (0xDA, 0xE7, 0xE8, 0xAA, 0xAB):
            self.moved_wh = 0.0
        return True

    def _limits(self, obj: SimObject) -> tuple[float, float]:
        lower = obj.u(0xA7) if 0xA7 in obj.values and obj.u(0xA7) <= 100 else 10
        upper = obj.u(0xA6) if 0xA6 in obj.values and 0 < obj.u(0xA6) <= 100 else 100
        return float(lower), float(upper)

    def _flow(self, obj: SimObject, env: Env) -> float:
        mode = obj.values.get(0xDA, AUTO)
        lower, upper = self._limits(obj)
        can_charge = self.soc < upper
        can_discharge = self.soc > lower
        if mode in (RAPID, CHARGING):
            amount = _setting(obj, 0xE7, 0xAA)
            if not can_charge or (amount and self.moved_wh >= amount):
                return 0.0
            return self.max_charge_w if mode == RAPID else _setting(obj, 0xEB) or 2000.0
        # what the house itself draws from the grid (a car charging is not covered)
        deficit = float(env.grid_w - max(0, env.vehicle_w))
        if mode == DISCHARGING:
            amount = _setting(obj, 0xE8, 0xAB)
            if not can_discharge or (amount and self.moved_wh >= amount):
                return 0.0
            limit = min(self.max_discharge_w, _setting(obj, 0xEC) or 2000.0)
            return -min(limit, max(0.0, deficit))
        if mode == AUTO:
            if env.grid_w < 0:
                return min(self.max_charge_w, -env.grid_w) if can_charge else 0.0
            return -min(self.max_discharge_w, max(0.0, deficit)) if can_discharge else 0.0
        return 0.0

    def settle(self, obj: SimObject, env: Env) -> None:
        self.power = round(self._flow(obj, env))

    def advance(self, obj: SimObject, env: Env, seconds: float) -> None:
        energy_wh = self.power * seconds / 3600
        if energy_wh > 0:
            stored = energy_wh * self.efficiency
            self.charged_kwh += energy_wh / 1000
        else:
            stored = energy_wh / self.efficiency
            self.discharged_kwh -= energy_wh / 1000
        self.moved_wh += abs(energy_wh)
        self.soc = max(0.0, min(100.0, self.soc + 100 * stored / self.capacity_wh))

    def publish(self, obj: SimObject, env: Env) -> None:
        working = CHARGING if self.power > 0 else DISCHARGING if self.power < 0 else STANDBY
        if working == CHARGING and obj.values.get(0xDA) == RAPID:
            working = RAPID
        obj.update({0xCF: working})
        obj.set_s(0xD3, self.power, 4)
        obj.set_u(0xE4, round(self.soc), 1)
        stored = self.soc * self.capacity_wh / 100
        obj.set_u(0xE2, round(stored), 4)
        obj.set_u(0xD0, round(self.capacity_wh), 4)
        obj.set_u(0xD8, wh(self.charged_kwh), 4)
        obj.set_u(0xD6, wh(self.discharged_kwh), 4)
        for epc, kwh in ((0xA8, self.charged_kwh), (0xA9, self.discharged_kwh)):
            if epc in obj.values:
                obj.set_u(epc, wh(kwh), 4)
        for epc, watts in ((0xC8, self.max_charge_w), (0xC9, self.max_discharge_w)):
            if epc in obj.values:  # minimum and maximum charging / discharging power
                obj.update({epc: bytes(4) + round(watts).to_bytes(4, "big")})
        if 0xA4 in obj.values:
            obj.set_u(0xA4, round(self.capacity_wh - stored), 4)
        if 0xA5 in obj.values:
            obj.set_u(0xA5, round(stored), 4)


@dataclass
class EvCharger(Base):
    """0x027E V2H / 0x02A1 EV charger: the car's battery while it is plugged in."""

    car_kwh: float = 40.0
    car_capacity_kwh: float = 60.0
    max_w: float = 3000.0
    charged_kwh: float = 900.0
    discharged_kwh: float = 300.0
    plugged: bool = True
    #: The car keeps this share for driving (V2H discharges no further).
    reserve: float = 0.3
    #: AC energy moved since the operation mode was last set (for the charge amount), Wh.
    moved_wh: float = 0.0

    phase: ClassVar[int] = PHASE_VEHICLE
    source: ClassVar[bool] = True

    def on_set(self, obj: SimObject, epc: int, edt: bytes) -> bool:
        if epc in (0xDA, 0xE7):
            self.moved_wh = 0.0
        return True

    def _flow(self, obj: SimObject, env: Env) -> float:
        if not self.plugged:
            return 0.0
        mode = obj.values.get(0xDA, EV_STANDBY)
        limit = float(min(self.max_w, _setting(obj, 0xEB) or self.max_w))
        if obj.eoj.class_code == 0x027E and 0xE0 in obj.values:
            setting = abs(obj.s(0xE0, 4))
            limit = min(limit, float(setting)) if setting else limit
        room = self.car_capacity_kwh - self.car_kwh
        if mode == EV_CHARGE:
            amount = _setting(obj, 0xE7)
            if room <= 0 or (amount and self.moved_wh >= amount):
                return 0.0
            return limit
        if mode == EV_DISCHARGE and obj.eoj.class_code == 0x027E:
            if self.car_kwh <= self.reserve * self.car_capacity_kwh:
                return 0.0
            return -min(limit, max(0.0, float(env.grid_w)))
        if mode == EV_AUTO and env.grid_w < 0 and room > 0:
            return min(limit, float(-env.grid_w))
        return 0.0

    def settle(self, obj: SimObject, env: Env) -> None:
        self.power = round(self._flow(obj, env))

    def advance(self, obj: SimObject, env: Env, seconds: float) -> None:
        kwh = self.power * seconds / 3_600_000
        if kwh > 0:
            self.charged_kwh += kwh
        else:
            self.discharged_kwh -= kwh
        self.moved_wh += abs(kwh) * 1000
        self.car_kwh = max(0.0, min(self.car_capacity_kwh, self.car_kwh + kwh * 0.95))

    def leave(self, trip_kwh: float) -> None:
        """The car is unplugged and driven away (it uses ``trip_kwh`` before it is back)."""
        self.plugged = False
        self.car_kwh = max(0.0, self.car_kwh - trip_kwh)

    def arrive(self) -> None:
        """The car is back and plugged in."""
        self.plugged = True

    def publish(self, obj: SimObject, env: Env) -> None:
        v2h = obj.eoj.class_code == 0x027E
        if 0xC5 in obj.values:  # rated charging power
            obj.set_u(0xC5, round(self.max_w), 4)
        if 0xC8 in obj.values:  # minimum and maximum charging power
            obj.update({0xC8: bytes(4) + round(self.max_w).to_bytes(4, "big")})
        if 0xD3 in obj.values:
            obj.set_s(0xD3, self.power, 4)
        if 0xD8 in obj.values:
            obj.set_u(0xD8, wh(self.charged_kwh), 4)
        if 0xD6 in obj.values:
            obj.set_u(0xD6, wh(self.discharged_kwh), 4)
        if 0xE4 in obj.values:
            obj.set_u(0xE4, round(100 * self.car_kwh / self.car_capacity_kwh), 1)
        if 0xE2 in obj.values:
            obj.set_u(0xE2, round(self.car_kwh * 1000), 4)
        if 0xC7 in obj.values:
            connected = b"\x43" if v2h else b"\x41"
            obj.update({0xC7: connected if self.plugged else b"\x30"})
        if 0xE1 in obj.values:
            actual = EV_CHARGE if self.power > 0 else EV_DISCHARGE if self.power < 0 else EV_STANDBY
            obj.update({0xE1: actual if self.plugged else EV_IDLE})
