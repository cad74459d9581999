"""What the house's devices see at one instant: time, weather, the residents, the rooms.

:class:`Env` is rebuilt by the physics at every settle (see :mod:`.physics`); the devices read
it to decide their power.  :class:`Room` is a room's air: its temperature follows the heat that
air conditioners and floor heating put in, the people and the sun, and the loss to outdoors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Literal

from .clock import JST

#: ECHONET installation locations (0x81) of the default house's rooms.
LIVING: Final = 0x08
KITCHEN: Final = 0x18
BATHROOM: Final = 0x20
BEDROOM: Final = 0x41
ENTRANCE: Final = 0x50

SeasonMode = Literal["heat", "cool", "off"]


@dataclass(slots=True)
class Room:
    """The air of one room (an explicit Euler step of a one-node thermal model)."""

    location: int
    temp_c: float = 20.0
    humidity: float = 50.0
    co2_ppm: float = 450.0
    #: Heat loss to outdoors (W/K) and heat capacity of air and furnishings (J/K).
    ua_w_k: float = 80.0
    capacity_j_k: float = 9.0e5
    #: Solar gain through the windows in full sun (W).
    window_gain_w: float = 250.0
    people: int = 0
    #: Heat put in by heating (+) or taken out by cooling (-) this interval, set at settle.
    heat_w: float = 0.0
    #: An air conditioner dries the air this interval.
    drying: bool = False

    def gains_w(self, sun: float) -> float:
        """Free heat: people (100 W each), their appliances and the sun through windows."""
        return self.people * 100.0 + (60.0 if self.people else 0.0) + self.window_gain_w * sun

    def advance(self, outdoor_c: float, sun: float, seconds: float) -> None:
        """Integrate the air over ``seconds`` with the heat of the last settle."""
        flow = self.heat_w + self.gains_w(sun) - self.ua_w_k * (self.temp_c - outdoor_c)
        self.temp_c += flow * seconds / self.capacity_j_k
        rate = min(1.0, seconds / 3600.0)
        goal = 48.0 if self.drying else _outdoor_humidity(outdoor_c)
        self.humidity += (goal - self.humidity) * rate
        co2_goal = 420.0 + 380.0 * self.people
        self.co2_ppm += (co2_goal - self.co2_ppm) * min(1.0, seconds / 1800.0)


def _outdoor_humidity(outdoor_c: float) -> float:
    """Indoor humidity without air conditioning: dry winters, humid summers."""
    return max(35.0, min(75.0, 35.0 + 1.4 * outdoor_c))


@dataclass(slots=True)
class Env:
    """The instant a settle computes the devices' power for (held until the next settle)."""

    ts: float
    hour: float
    day: int
    weekday: int
    outdoor_c: float
    sun: float
    #: What the residents use air conditioners for today (by the day's mean temperature).
    season_mode: SeasonMode = "off"
    #: The family's rhythm today: everything happens this many hours late (or early).
    day_shift_h: float = 0.0
    rooms: dict[int, Room] = field(default_factory=dict)
    #: People at home per room (by installation location).
    people: dict[int, int] = field(default_factory=dict)
    #: Hot water (40 °C) drawn now, litres per minute (baths, showers, the kitchen).
    hot_water_lpm: float = 0.0
    #: Cold water drawn now besides hot water (toilets, laundry), litres per minute.
    cold_water_lpm: float = 0.0
    #: Gas burnt by the kitchen stove now (m³/h).
    cooking_gas_m3h: float = 0.0
    #: The whole house's water and gas flows (the scenario's plus the devices'), known once
    #: every device has settled: what the water and gas meters count.
    water_lpm_total: float = 0.0
    gas_m3h_total: float = 0.0
    #: The house's consumption settled so far (loads) and the grid power so far (loads minus
    #: the sources settled so far): what load-following devices react to.
    load_w: int = 0
    grid_w: int = 0
    #: What the vehicles draw (+) or give (-) this settle: a home battery never charges a car.
    vehicle_w: int = 0

    @property
    def now(self) -> datetime:
        """The instant as an aware datetime (Japan time)."""
        return datetime.fromtimestamp(self.ts, JST)

    @property
    def night(self) -> bool:
        """The cheap night period of day/night tariffs (23:00-07:00)."""
        return self.hour >= 23.0 or self.hour < 7.0

    def room(self, location: int | None) -> Room | None:
        """The room at an installation location, if the house models it."""
        return None if location is None else self.rooms.get(location)
