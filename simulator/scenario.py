"""Life in the virtual house: who is at home, what they switch, what else draws power.

A :class:`Life` is the part of a scenario that is not ECHONET Lite: the residents' routines
(they use the devices' own remote controls: settings change and the devices announce them),
the loads that no ECHONET Lite device measures (the refrigerator, the TV...) with the board
circuit each is wired to, the water and gas the household uses, the rooms' thermal properties,
and how the season decides what the air conditioners are for (heating below a daily mean of
14 °C, cooling above 22.5 °C: no cooling in December).  Everything depends only on the
simulated clock, the weather and the seed, so a day replays identically.

The default house is a family of three: one adult works from home on weekdays, the car is used
for commuting (and charged in the night period), the family goes out on Saturday afternoons,
and the fuel cell's timer runs it when the house needs heat and power most (05:30-09:30 and
16:30-23:00: daily start and stop, as many Ene-Farm units run).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

from .behaviours import OFF, ON
from .env import BEDROOM, LIVING, Env, Room, SeasonMode

if TYPE_CHECKING:
    from .device import SimObject
    from .weather import DayWeather

Days = Literal["daily", "weekdays", "weekends", "saturdays"]
Act = Callable[["SimObject", Env], None]

HEATING_BELOW_C: Final = 14.0
COOLING_ABOVE_C: Final = 22.5


@dataclass(frozen=True, slots=True)
class Routine:
    """Something a resident does at a time of day (shifted by the day's rhythm)."""

    hour: float
    node: str
    act: Act
    text: str
    days: Days = "daily"
    #: The object of the node (None: its first).
    eoj: int | None = None

    def applies(self, weekday: int) -> bool:
        """Whether the routine happens on this weekday (0 = Monday)."""
        if self.days == "weekdays":
            return weekday < 5
        if self.days == "weekends":
            return weekday >= 5
        if self.days == "saturdays":
            return weekday == 5
        return True


@dataclass(frozen=True, slots=True)
class Load:
    """An appliance without ECHONET Lite: its power now and the board circuit it is on."""

    name: str
    circuit: int
    watts: Callable[[Env], float]


@dataclass(frozen=True)
class Life:
    """The residents of a scenario (see the module docstring)."""

    name: str
    description: str
    routines: tuple[Routine, ...] = ()
    loads: tuple[Load, ...] = ()
    rooms: tuple[Room, ...] = ()
    #: Board circuits of the scenario's devices, by node name (and EOJ when a node has several).
    circuits: dict[str, int] = field(default_factory=dict)
    occupied: bool = True

    def season_mode(self, weather: DayWeather) -> SeasonMode:
        """What the air conditioners are for on this day."""
        if not self.occupied:
            return "off"
        if weather.mean_c < HEATING_BELOW_C:
            return "heat"
        if weather.mean_c > COOLING_ABOVE_C:
            return "cool"
        return "off"

    def people(self, env: Env) -> dict[int, int]:
        """People per room (by installation location)."""
        return _people(env) if self.occupied else {}

    def flows(self, env: Env) -> tuple[float, float, float]:
        """(hot water L/min at 40 °C, other water L/min, cooking gas m³/h) now."""
        return _flows(env) if self.occupied else (0.0, 0.0, 0.0)


# --------------------------------------------------------------------------- the household


def _between(hour: float, start: float, end: float) -> bool:
    return start <= hour < end


def _h(env: Env) -> float:
    """The hour on the family's clock (the day's rhythm shifts everything a little)."""
    return env.hour - env.day_shift_h


def _people(env: Env) -> dict[int, int]:
    h = _h(env)
    weekend = env.weekday >= 5
    wake, sleep = (7.5, 23.5) if weekend else (6.5, 23.0)
    if h < wake or h >= sleep:
        return {LIVING: 0, BEDROOM: 2}
    if env.weekday == 5 and _between(h, 13.0, 17.0):
        return {LIVING: 0, BEDROOM: 0}  # Saturday outing
    if not weekend and _between(h, 8.25, 17.5):
        return {LIVING: 1, BEDROOM: 0}  # one works from home
    return {LIVING: 3, BEDROOM: 0}


def _home(env: Env) -> int:
    return sum(env.people.values())


def _flows(env: Env) -> tuple[float, float, float]:
    h = _h(env)
    weekend = env.weekday >= 5
    hot = cold = gas = 0.0
    morning = 8.0 if weekend else 6.67
    if _between(h, morning, morning + 0.25) or _between(h, 22.0, 22.17):
        hot += 10.0  # showers
    if _between(h, morning + 0.33, morning + 0.5) or _between(h, 18.75, 19.25):
        hot += 4.0  # washing up
    if _between(h, morning, morning + 0.4) or _between(h, 18.33, 19.0):
        gas += 0.25  # cooking
    if _home(env) and _between(h, 11.83, 12.17):
        hot, gas = hot + 2.0, gas + 0.2
    if _between(h, morning + 0.83, morning + 1.0):
        cold += 7.0  # the washing machine fills
    home = _home(env)
    if home and _between(h, 6.5, 23.5):
        cold += 0.05 * home  # toilets and washbasins
    return hot, cold, gas


def _fridge(env: Env) -> float:
    return 95.0 if (env.ts % 1800) < 1080 else 8.0


def _kitchen(env: Env) -> float:
    h = _h(env)
    watts = 2.0
    if _between(h, 6.0, 6.83) or _between(h, 17.75, 18.58):
        watts += 250.0  # rice cooker
    for meal in (7.17, 19.0):
        if _between(h, meal, meal + 0.07):
            watts += 1200.0  # microwave
    if _home(env) and _between(h, 12.17, 12.23):
        watts += 1200.0
    if _between(h, 21.0, 21.5):
        watts += 800.0  # dishwasher heating
    elif _between(h, 21.5, 22.0):
        watts += 60.0
    return watts


def _living_outlets(env: Env) -> float:
    people = env.people.get(LIVING, 0)
    return 110.0 if people >= 2 else 40.0 if people == 1 else 6.0


def _other_lights(env: Env) -> float:
    h = _h(env)
    if not _home(env):
        return 5.0
    if _between(h, 17.5, 23.0) or (env.sun < 0.05 and _between(h, 6.0, 8.0)):
        return 120.0
    return 15.0


def _laundry(env: Env) -> float:
    h = _h(env)
    start = 8.5 if env.weekday >= 5 else 7.5
    if _between(h, start, start + 0.8):
        return 250.0
    if env.sun < 0.15 and env.weekday >= 5 and _between(h, 10.0, 12.0):
        return 1100.0  # the dryer on a dull weekend
    return 1.0


def _washroom(env: Env) -> float:
    h = _h(env)
    watts = 35.0  # warm toilet seat and ventilation
    if _between(h, 21.5, 21.67) or _between(h, 6.83, 6.95):
        watts += 1200.0  # hair dryer
    return watts


def _study(env: Env) -> float:
    h = _h(env)
    return 150.0 if env.weekday < 5 and _between(h, 8.5, 17.5) else 8.0


def _bedroom(env: Env) -> float:
    return 75.0 if _between(_h(env), 22.5, 23.5) else 12.0


LOADS: Final = (
    Load("refrigerator", 5, _fridge),
    Load("kitchen (rice cooker, microwave, dishwasher)", 6, _kitchen),
    Load("living room outlets (TV, audio)", 7, _living_outlets),
    Load("other lights", 8, _other_lights),
    Load("laundry (washing machine, dryer)", 9, _laundry),
    Load("washroom (toilet seat, hair dryer)", 10, _washroom),
    Load("study (computer)", 11, _study),
    Load("bedroom outlets", 12, _bedroom),
    Load("network and standby", 13, lambda _env: 45.0),
)

# --------------------------------------------------------------------------- routines


def _ac_on(heat_c: int, cool_c: int) -> Act:
    def act(obj: SimObject, env: Env) -> None:
        if env.season_mode == "heat":
            mode, target = b"\x43", heat_c
        elif env.season_mode == "cool":
            mode, target = b"\x42", cool_c
        else:
            return
        obj.apply(0xB0, mode)
        obj.apply(0xB3, bytes((target,)))
        obj.apply(0x80, ON)

    return act


def _switch(on: bool, *, level: int | None = None) -> Act:
    def act(obj: SimObject, env: Env) -> None:
        if on and level is not None and 0xB0 in obj.set_map:
            obj.apply(0xB0, bytes((level,)))
        obj.apply(0x80, ON if on else OFF)

    return act


def _in_heating_season(act: Act) -> Act:
    def guarded(obj: SimObject, env: Env) -> None:
        if env.season_mode == "heat":
            act(obj, env)

    return guarded


def _set(epc: int, edt: bytes) -> Act:
    def act(obj: SimObject, env: Env) -> None:
        obj.apply(epc, edt)

    return act


def _car(leave_kwh: float | None) -> Act:
    def act(obj: SimObject, env: Env) -> None:
        from .behaviours import EvCharger

        car = obj.behaviour
        if isinstance(car, EvCharger):
            if leave_kwh is None:
                car.arrive()
            else:
                car.leave(leave_kwh)

    return act


AC_ON = _ac_on(22, 27)
BEDROOM_AC_ON = _ac_on(20, 27)
LIGHT_ON = _switch(True, level=80)
OFF_ACT = _switch(False)

WEEKDAYS: Final = "weekdays"
WEEKENDS: Final = "weekends"
SATURDAYS: Final = "saturdays"
LIVING_LIGHT, ENTRANCE_LIGHT, KITCHEN_LIGHT, SHUTTER = 0x029001, 0x029101, 0x029102, 0x026301
WINTER_ON = _in_heating_season(_switch(True))

# fmt: off
ROUTINES: Final = (
    Routine(6.5, "living-ac", AC_ON, "living room AC on (heat 22 °C / cool 27 °C)", WEEKDAYS),
    Routine(7.5, "living-ac", AC_ON, "living room AC on", WEEKENDS),
    Routine(13.0, "living-ac", OFF_ACT, "living room AC off (going out)", SATURDAYS),
    Routine(16.75, "living-ac", AC_ON, "living room AC on (back home)", SATURDAYS),
    Routine(23.0, "living-ac", OFF_ACT, "living room AC off"),
    Routine(22.5, "bedroom-ac", BEDROOM_AC_ON, "bedroom AC on (heat 20 °C / cool 27 °C)"),
    Routine(6.5, "bedroom-ac", OFF_ACT, "bedroom AC off", WEEKDAYS),
    Routine(7.5, "bedroom-ac", OFF_ACT, "bedroom AC off", WEEKENDS),
    Routine(6.5, "floor-heater", WINTER_ON, "floor heating on in winter", WEEKDAYS),
    Routine(7.5, "floor-heater", WINTER_ON, "floor heating on in winter", WEEKENDS),
    Routine(9.0, "floor-heater", OFF_ACT, "floor heating off"),
    Routine(17.5, "floor-heater", WINTER_ON, "floor heating on in winter"),
    Routine(22.0, "floor-heater", OFF_ACT, "floor heating off"),
    Routine(17.5, "lighting", LIGHT_ON, "living room light on (80 %)", eoj=LIVING_LIGHT),
    Routine(23.0, "lighting", OFF_ACT, "living room light off", eoj=LIVING_LIGHT),
    Routine(6.5, "lighting", _switch(True), "kitchen light on", eoj=KITCHEN_LIGHT),
    Routine(8.0, "lighting", OFF_ACT, "kitchen light off", eoj=KITCHEN_LIGHT),
    Routine(17.75, "lighting", _switch(True), "kitchen light on", eoj=KITCHEN_LIGHT),
    Routine(21.0, "lighting", OFF_ACT, "kitchen light off", eoj=KITCHEN_LIGHT),
    Routine(18.0, "lighting", _switch(True), "entrance light on", eoj=ENTRANCE_LIGHT),
    Routine(22.0, "lighting", OFF_ACT, "entrance light off", eoj=ENTRANCE_LIGHT),
    Routine(7.0, "shutter", _set(0xE0, b"\x41"), "shutter opened", eoj=SHUTTER),
    Routine(18.5, "shutter", _set(0xE0, b"\x42"), "shutter closed", eoj=SHUTTER),
    Routine(19.5, "ecocute", _set(0xE3, b"\x41"), "bath auto (ふろ自動) on: the bath fills"),
    Routine(23.5, "ecocute", _set(0xE3, b"\x42"), "bath auto off"),
    Routine(8.25, "v2h", _car(8.0), "the car leaves (commute, 8 kWh)", WEEKDAYS),
    Routine(18.25, "v2h", _car(None), "the car is back and plugged in", WEEKDAYS),
    Routine(13.0, "v2h", _car(5.0), "the car leaves (outing, 5 kWh)", SATURDAYS),
    Routine(17.0, "v2h", _car(None), "the car is back and plugged in", SATURDAYS),
    Routine(23.0, "v2h", _set(0xDA, b"\x42"), "the car charges in the night period"),
    Routine(7.0, "v2h", _set(0xDA, b"\x44"), "the car stops charging (standby)"),
    Routine(5.5, "fuel-cell", _set(0xCA, b"\x41"), "fuel cell timer: generation on"),
    Routine(9.5, "fuel-cell", _set(0xCA, b"\x42"), "fuel cell timer: generation off"),
    Routine(16.5, "fuel-cell", _set(0xCA, b"\x41"), "fuel cell timer: generation on"),
    Routine(23.0, "fuel-cell", _set(0xCA, b"\x42"), "fuel cell timer: generation off"),
)
# fmt: on

#: Board circuits of the default house's devices (the scenario's loads take 5-13).
CIRCUITS: Final = {
    "living-ac": 1,
    "bedroom-ac": 2,
    "ecocute": 3,
    "floor-heater": 4,
    "air-cleaner": 7,
    "lighting": 8,
    "shutter": 14,
    "entrance-lock": 14,
}

HOUSE: Final = Life(
    "house",
    "a family of three in Tokyo: ECHONET Lite devices, a smart meter, solar, a battery, "
    "a V2H car, an EcoCute and a fuel cell; the residents switch things by season",
    routines=ROUTINES,
    loads=LOADS,
    rooms=(
        Room(LIVING, ua_w_k=110.0, capacity_j_k=1.4e6, window_gain_w=350.0),
        Room(BEDROOM, ua_w_k=55.0, capacity_j_k=6.0e5, window_gain_w=120.0),
    ),
    circuits=CIRCUITS,
)

#: A house with nobody at home: the devices do only what they are told (``full``, ``scale``).
EMPTY: Final = Life("empty", "nobody at home: devices do only what they are told", occupied=False)
