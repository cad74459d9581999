"""Generation: the solar inverter (0x0279) and the fuel cell (Ene-Farm, 0x027C)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Final

from .base import PHASE_FOLLOWER, PHASE_GENERATION, Base, wh

if TYPE_CHECKING:
    from ..device import SimObject
    from ..env import Env

GENERATION_ON: Final = b"\x41"
GENERATING, STOPPED, IDLING = b"\x41", b"\x42", b"\x45"
#: City gas (13A): kWh of heat per m³.
GAS_KWH_PER_M3: Final = 12.5


@dataclass
class Solar(Base):
    """0x0279: AC output = plant size x the sunshine on the roof; sold = the house's export.

    ``full_feed_in`` (全量買取): the plant is wired to the grid through its own sale meter, so
    all it generates is sold and none of it reaches the house (its meter and board).
    """

    peak_w: float = 4500.0
    generated_kwh: float = 8000.0
    sold_kwh: float = 5000.0
    full_feed_in: bool = False
    #: The export to the grid held this interval (set once the balance is known), W.
    selling_w: int = 0

    phase: ClassVar[int] = PHASE_GENERATION
    source: ClassVar[bool] = True

    @property
    def output_w(self) -> int:
        """Generation now (W)."""
        return -self.power

    def settle(self, obj: SimObject, env: Env) -> None:
        self.power = -round(self.peak_w * env.sun) if obj.is_on else 0

    @property
    def own_meter(self) -> bool:
        return self.full_feed_in

    def after_balance(self, obj: SimObject, env: Env) -> None:
        self.selling_w = self.output_w if self.full_feed_in else max(0, -env.grid_w)

    def advance(self, obj: SimObject, env: Env, seconds: float) -> None:
        self.generated_kwh += self.output_w * seconds / 3_600_000
        self.sold_kwh += self.selling_w * seconds / 3_600_000

    def publish(self, obj: SimObject, env: Env) -> None:
        obj.set_u(0xE0, self.output_w, 2)
        obj.set_u(0xE1, wh(self.generated_kwh), 4)
        if 0xE3 in obj.values:
            obj.set_u(0xE3, wh(self.sold_kwh), 4)


@dataclass
class FuelCell(Base):
    """0x027C Ene-Farm: while its generation switch (0xCA) is on it follows the house's load
    up to ``rated_w``, burning gas (40 % electric efficiency) and storing the recovered heat as
    hot water; switched off it stops.  Its status (0xCB) always agrees with the switch."""

    rated_w: float = 700.0
    generated_kwh: float = 3000.0
    gas_m3: float = 800.0
    tank_l: int = 130
    #: Hot water in its tank, litres at 60 °C.
    hot_l: float = 100.0

    phase: ClassVar[int] = PHASE_FOLLOWER
    source: ClassVar[bool] = True

    @property
    def output_w(self) -> int:
        """Generation now (W)."""
        return -self.power

    @property
    def gas_m3h(self) -> float:
        return self.output_w / 1000 / 0.4 / GAS_KWH_PER_M3

    def settle(self, obj: SimObject, env: Env) -> None:
        enabled = obj.values.get(0xCA, GENERATION_ON) == GENERATION_ON
        self.power = -round(min(self.rated_w, max(0, env.load_w))) if enabled else 0

    def advance(self, obj: SimObject, env: Env, seconds: float) -> None:
        self.generated_kwh += self.output_w * seconds / 3_600_000
        self.gas_m3 += self.gas_m3h * seconds / 3600
        # recovered heat (50 % of the gas) warms water from 15 to 60 °C; the tank cools slowly
        heat_kwh = self.output_w * 1.25 * seconds / 3_600_000 - 0.04 * seconds / 3600
        self.hot_l = max(0.0, min(float(self.tank_l), self.hot_l + heat_kwh / (45 * 4.186 / 3600)))

    def publish(self, obj: SimObject, env: Env) -> None:
        enabled = obj.values.get(0xCA, GENERATION_ON) == GENERATION_ON
        status = (GENERATING if self.output_w > 0 else IDLING) if enabled else STOPPED
        obj.update({0xCB: status})
        obj.set_u(0xC4, self.output_w, 2)
        obj.set_u(0xC5, wh(self.generated_kwh), 4)
        if 0xC7 in obj.values:
            obj.set_u(0xC7, round(self.gas_m3h * 1000), 2)
        if 0xC8 in obj.values:
            obj.set_u(0xC8, wh(self.gas_m3), 4)
        if 0xE1 in obj.values:
            obj.set_u(0xE1, round(self.hot_l), 2)
        if 0xE2 in obj.values:
            obj.set_u(0xE2, self.tank_l, 2)
