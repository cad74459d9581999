"""The EcoCute (0x026B): a heat-pump water heater with a hot-water tank.

The tank's state is its heat content (kWh above the cold mains water).  Boiling adds the heat
pump's output; hot water drawn by the house (showers, the kitchen, filling the bath) and the
standing loss take heat away.  The remaining hot water (0xE1) is the heat content expressed in
litres at the boiling temperature (0xB3).

When it boils:
- automatic (0xB0 = auto): in the night period (23:00-07:00) until the tank is full;
- daytime shift (0xC7 participation and a shift time in 0xCA): from that hour until full, and
  then the night before fills only 60 % (the day's boiling is shifted into the sun);
- daytime top-up (0xC0 permitted): when less than 20 % is left during the day, up to 40 %;
- 沸き増し (0xB0 = manual heating): at once until full, then back to automatic;
- never while stopped (0xB0 = manual stop).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from .base import Base

if TYPE_CHECKING:
    from ..device import SimObject
    from ..env import Env

AUTO, MANUAL_HEATING, MANUAL_STOP = b"\x41", b"\x42", b"\x43"
#: kWh to warm one litre of water by one kelvin.
KWH_PER_L_K: Final = 4.186 / 3600
COLD_C: Final = 15.0
MIX_C: Final = 40.0
BATH_L: Final = 180.0
BATH_FILL_LPM: Final = 12.0
#: Heat the bath takes while kept warm (保温) and the tank's standing loss, W.
BATH_KEEP_W: Final = 150.0
LOSS_W: Final = 60.0


@dataclass
class WaterHeater(Base):
    """0x026B EcoCute (see the module docstring)."""

    tank_l: int = 460
    #: Heat content above cold water, kWh (the default: 300 L at 65 °C).
    heat_kwh: float = 300 * (65.0 - COLD_C) * KWH_PER_L_K
    hp_output_w: float = 4500.0
    #: Litres of the bath still to fill, and whether the bath is kept warm.
    bath_fill_l: float = 0.0
    keeping_bath: bool = False
    #: The daytime top-up is running (between 20 % and 40 %).
    topping_up: bool = False
    #: Whether the heat pump runs this interval and the heat it moves (W).
    boiling: bool = False
    heat_w: float = 0.0
    drawing_lpm: float = 0.0

    # -- the tank ---------------------------------------------------------------------------

    def boil_c(self, obj: SimObject) -> float:
        """The boiling temperature (0xB3, 65 °C when unset)."""
        value = obj.u(0xB3)
        return float(value) if 45 <= value <= 90 else 65.0

    def full_kwh(self, obj: SimObject) -> float:
        """The heat content of a full tank."""
        return self.tank_l * (self.boil_c(obj) - COLD_C) * KWH_PER_L_K

    def remaining_l(self, obj: SimObject) -> float:
        """Hot water left, litres at the boiling temperature."""
        per_litre = (self.boil_c(obj) - COLD_C) * KWH_PER_L_K
        return max(0.0, min(float(self.tank_l), self.heat_kwh / per_litre))

    @property
    def water_lpm(self) -> float:
        return BATH_FILL_LPM if self.bath_fill_l > 0 else 0.0

    # -- settings ---------------------------------------------------------------------------

    def on_set(self, obj: SimObject, epc: int, edt: bytes) -> bool:
        if epc == 0xE3:
            if edt == b"\x41" and obj.values.get(0xE3) != b"\x41":
                self.bath_fill_l = BATH_L  # ふろ自動: fill the bath, then keep it warm
            elif edt == b"\x42":
                self.bath_fill_l = 0.0
                self.keeping_bath = False
        return True

    def _shift_hour(self, obj: SimObject) -> int | None:
        if obj.values.get(0xC7) != b"\x01":
            return None
        hour = obj.u(0xCA)
        return hour if 9 <= hour <= 17 else None

    def _wants_heat(self, obj: SimObject, env: Env) -> bool:
        mode = obj.values.get(0xB0, AUTO)
        full = self.full_kwh(obj)
        if mode == MANUAL_STOP:
            return False
        if mode == MANUAL_HEATING:
            return self.heat_kwh < full
        shift = self._shift_hour(obj)
        if shift is not None and shift <= env.hour < shift + 4:
            goal = 1.0
        elif env.night:
            goal = 0.6 if shift is not None else 1.0
        else:
            return self.topping_up
        # once the goal is reached it stays off until a twentieth of the tank is used
        start = goal if self.boiling else goal - 0.05
        return self.heat_kwh < start * full

    # -- physics ----------------------------------------------------------------------------

    @staticmethod
    def cop(outdoor_c: float) -> float:
        """The heat pump's COP at ``outdoor_c``."""
        return min(4.5, max(2.0, 2.0 + 0.08 * outdoor_c))

    def settle(self, obj: SimObject, env: Env) -> None:
        self.boiling = self._wants_heat(obj, env)
        cop = self.cop(env.outdoor_c)
        self.heat_w = self.hp_output_w if self.boiling else 0.0
        self.power = round(self.hp_output_w / cop) if self.boiling else 8
        self.drawing_lpm = env.hot_water_lpm + self.water_lpm

    def advance(self, obj: SimObject, env: Env, seconds: float) -> None:
        hours = seconds / 3600
        drawn = self.drawing_lpm * seconds / 60 * (MIX_C - COLD_C) * KWH_PER_L_K
        keep = BATH_KEEP_W if self.keeping_bath else 0.0
        gained = (self.heat_w - LOSS_W - keep) * hours / 1000
        full = self.full_kwh(obj)
        self.heat_kwh = max(0.0, min(full, self.heat_kwh + gained - drawn))
        if self.bath_fill_l > 0:
            self.bath_fill_l = max(0.0, self.bath_fill_l - BATH_FILL_LPM * seconds / 60)
            self.keeping_bath = self.bath_fill_l == 0
        share = self.heat_kwh / full if full else 0.0
        if share < 0.2 and obj.values.get(0xC0) == b"\x41" and not env.night:
            self.topping_up = True
        elif share >= 0.4 or env.night:
            self.topping_up = False
        if obj.values.get(0xB0) == MANUAL_HEATING and self.heat_kwh >= full:
            obj.update({0xB0: AUTO})  # 沸き増し done: back to automatic
        super().advance(obj, env, seconds)

    def publish(self, obj: SimObject, env: Env) -> None:
        # Rated power of the heat pump in winter (5 °C), between seasons (15 °C), summer (25 °C).
        for epc, outdoor_c in ((0xDB, 5.0), (0xDC, 15.0), (0xDD, 25.0)):
            if epc in obj.values:
                obj.set_u(epc, round(self.hp_output_w / self.cop(outdoor_c)), 2)
        remaining = self.remaining_l(obj)
        share = remaining / self.tank_l
        boil = self.boil_c(obj)
        obj.update({0xB2: b"\x41" if self.boiling else b"\x42"})
        obj.set_u(0xE1, round(remaining), 2)
        obj.set_u(0xE2, self.tank_l, 2)
        if 0xD8 in obj.values:
            obj.set_u(0xD8, round(remaining), 2)
        if 0xC1 in obj.values:
            obj.set_u(0xC1, round(COLD_C + (boil - COLD_C) * min(1.0, 5 * share)), 1)
        if 0xC3 in obj.values:
            obj.update({0xC3: b"\x41" if self.drawing_lpm > 0 else b"\x42"})
        if 0xEA in obj.values:
            status = b"\x41" if self.bath_fill_l > 0 else b"\x43" if self.keeping_bath else b"\x42"
            obj.update({0xEA: status})
        super().publish(obj, env)
