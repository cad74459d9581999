"""Gas (0x0282) and water (0x0281) meters: counters of what the whole house takes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .base import Base, wh

if TYPE_CHECKING:
    from ..device import SimObject
    from ..env import Env


@dataclass
class Meter(Base):
    """0x0281 water / 0x0282 gas: ``total`` m³ grows with the house's flow (0.001 m³ counts).

    The flow is the physics' total: for water every tap, shower, bath and toilet; for gas the
    kitchen stove and the fuel cell.
    """

    total: float = 1234.567
    #: The flow held this interval (m³/h), set once the balance is known.
    flow_m3h: float = 0.0

    def after_balance(self, obj: SimObject, env: Env) -> None:
        if obj.eoj.class_code == 0x0281:
            self.flow_m3h = env.water_lpm_total * 60 / 1000
        else:
            self.flow_m3h = env.gas_m3h_total

    def advance(self, obj: SimObject, env: Env, seconds: float) -> None:
        self.total += self.flow_m3h * seconds / 3600

    def publish(self, obj: SimObject, env: Env) -> None:
        obj.set_u(0xE0, wh(self.total), 4)
