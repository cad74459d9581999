"""Simulate the benchmark year slot by slot under a controller and settle what it cost.

Every controller sees, at every slot, the devices' state and the forecasts of the next
``horizon_slots`` slots (a :class:`PlanInputs`), and returns the devices' commands for the
slot; the house then runs the slot with the *actual* solar, load, hot water and temperature
(:func:`custom_components.hems.energy.planner.step`, the same physics for everyone), and the
grid is settled at the tariff's prices.  EV trips happen as scheduled: the car leaves (the
commute is announced to the planner as a departure with an 80 % target, weekend trips are
not), comes back emptier, and a trip the car cannot make is finished at a quick charger.

The annual cost is purchases − sales + quick charging + hot water the tank could not supply
(at the day price, as an electric heater) − the change in value of what is stored in the
battery, tank and car between the start and the end of the year (at the night price).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
import time

import numpy as np

from custom_components.hems.energy.planner import (
    Commands,
    Devices,
    Forecast,
    PlanInputs,
    SlotConditions,
    State,
    TariffPrices,
    advance,
)

from .planner_data import (
    CONTRACT_KW,
    SLOTS_PER_DAY,
    Year,
    battery,
    ev,
    tariff,
    water_heater,
)
from .planner_forecasts import Forecasts

QUICK_CHARGE_YEN = 50.0
EV_FLOOR = 0.05
START_BATTERY_SOC = 0.5
START_HEAT_KWH = 12.0
START_EV_SOC = 0.7

Controller = Callable[[PlanInputs], Commands]


@dataclass
class Settlement:
    """What a controller's year cost, and how it got there."""

    name: str
    purchase_yen: float = 0.0
    sale_yen: float = 0.0
    import_kwh: float = 0.0
    export_kwh: float = 0.0
    quick_charge_kwh: float = 0.0
    hot_water_shortfall_kwh: float = 0.0
    contract_excess_slots: int = 0
    stored_value_change_yen: float = 0.0
    plan_ms: list[float] = field(default_factory=list)
    fallbacks: int = 0
    seconds: float = 0.0
    prices: tuple[float, float] = (0.0, 0.0)

    @property
    def annual_cost_yen(self) -> float:
        """Purchases − sales + quick charging + hot water shortfall − stored value gained."""
        day = self.prices[1]
        return (
            self.purchase_yen
            - self.sale_yen
            + self.quick_charge_kwh * QUICK_CHARGE_YEN
            + self.hot_water_shortfall_kwh * day
            - self.stored_value_change_yen
        )

    def summary(self) -> dict[str, float | int]:
        """Rounded figures for results.json."""
        return {
            "annual_cost_yen": round(self.annual_cost_yen),
            "purchase_yen": round(self.purchase_yen),
            "sale_yen": round(self.sale_yen),
            "import_kwh": round(self.import_kwh),
            "export_kwh": round(self.export_kwh),
            "quick_charge_kwh": round(self.quick_charge_kwh, 1),
            "hot_water_shortfall_kwh": round(self.hot_water_shortfall_kwh, 1),
            "contract_excess_slots": self.contract_excess_slots,
            "stored_value_change_yen": round(self.stored_value_change_yen),
        }


@dataclass(frozen=True)
class Schedule:
    """Where the car is at each slot, and the departure the planner is told about."""

    home: np.ndarray
    next_leave: np.ndarray
    announced: np.ndarray
    returns: dict[int, float]

    @classmethod
    def of(cls, year: Year) -> Schedule:
        """The car's schedule over ``year``."""
        home = np.ones(year.slots, dtype=bool)
        next_leave = np.full(year.slots, -1, dtype=int)
        announced = np.zeros(year.slots, dtype=bool)
        returns: dict[int, float] = {}
        trips = sorted(year.trips, key=lambda trip: trip.leave)
        for trip in trips:
            home[trip.leave : trip.back] = False
            returns[trip.back] = returns.get(trip.back, 0.0) + trip.kwh
        pointer = len(trips) - 1
        upcoming = -1
        upcoming_announced = False
        for index in range(year.slots - 1, -1, -1):
            while pointer >= 0 and trips[pointer].leave > index:
                upcoming = trips[pointer].leave
                upcoming_announced = trips[pointer].announced
                pointer -= 1
            next_leave[index] = upcoming
            announced[index] = upcoming_announced
        return cls(home, next_leave, announced, returns)


@dataclass
class World:
    """The year, its forecasts and prices, ready for simulations."""

    year: Year
    forecasts: Forecasts
    schedule: Schedule
    purchase: list[float]
    sale: list[float]

    @classmethod
    def build(cls, year: Year, forecasts: Forecasts, horizon_slots: int) -> World:
        """Prices for the whole year (plus one horizon) from the tariff."""
        prices = TariffPrices(tariff())
        purchase, sale = prices.horizon(year.start, year.slots + horizon_slots)
        return cls(year, forecasts, Schedule.of(year), purchase, sale)

    def night_and_day_price(self) -> tuple[float, float]:
        """Cheapest and dearest purchase price of the simulated year."""
        span = self.purchase[self.year.first_simulated : self.year.stop]
        return min(span), max(span)

    def inputs(self, now: int, state: State, horizon_slots: int) -> PlanInputs:
        """What a controller sees at slot ``now``."""
        year = self.year
        slots = min(horizon_slots, year.slots - now)
        seen = self.forecasts.at(now, slots)
        forecast = Forecast(
            solar_kwh=seen.solar,
            load_kwh=seen.load,
            purchase_price=self.purchase[now : now + slots],
            sale_price=self.sale[now : now + slots],
            hot_water_kwh=seen.hot_water,
            outdoor_c=seen.outdoor,
            conditions=seen.conditions,
        )
        car = None
        if state.ev is not None:
            home = bool(self.schedule.home[now])
            leave = int(self.schedule.next_leave[now])
            departure = (
                year.when(leave) if home and leave >= 0 and self.schedule.announced[now] else None
            )
            car = ev(state.ev_kwh / state.ev.capacity_kwh, plugged=home, departure=departure)
        devices = state.devices()
        return PlanInputs(
            start=year.when(now),
            forecast=forecast,
            battery=devices.battery,
            water_heater=devices.water_heater,
            ev=car,
            contract_kw=CONTRACT_KW,
            cop=seen.cop,
        )


def initial_state() -> State:
    """The devices on the first day of the simulated year."""
    return State.of(
        Devices(
            battery(START_BATTERY_SOC),
            water_heater(START_HEAT_KWH),
            ev(START_EV_SOC, plugged=True, departure=None),
        )
    )


def stored_value(state: State, night_price: float, mean_cop: float) -> float:
    """What the energy in battery, tank and car is worth (bought again at the night price)."""
    assert state.battery is not None and state.ev is not None
    return night_price * (
        state.battery_kwh / state.battery.efficiency
        + state.heat_kwh / mean_cop
        + state.ev_kwh / state.ev.charge_efficiency
    )


def simulate_year(
    world: World,
    controller: Controller,
    name: str,
    *,
    horizon_slots: int,
    days: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Settlement:
    """Run ``controller`` over the simulated year (or its first ``days``); its settlement."""
    year = world.year
    stop = year.stop if days is None else min(year.stop, year.first_simulated + days * 48)
    night, day = world.night_and_day_price()
    mean_cop = float(np.mean(year.cop[year.first_simulated : stop]))
    settlement = Settlement(name, prices=(night, day))
    state = initial_state()
    before = stored_value(state, night, mean_cop)
    started = time.perf_counter()
    for now in range(year.first_simulated, stop):
        _ev_events(world, state, now, settlement)
        commands = controller(world.inputs(now, state, horizon_slots))
        slot = SlotConditions(
            solar_kwh=float(year.solar[now]),
            load_kwh=float(year.load[now]),
            purchase_price=world.purchase[now],
            sale_price=world.sale[now],
            hot_water_kwh=float(year.hot_water[now]),
            cop=float(year.cop[now]),
            ev_available=bool(world.schedule.home[now]),
            contract_kwh=CONTRACT_KW / 2,
        )
        outcome = advance(state, commands, slot)
        settlement.purchase_yen += outcome.grid_import_kwh * slot.purchase_price
        settlement.sale_yen += outcome.grid_export_kwh * slot.sale_price
        settlement.import_kwh += outcome.grid_import_kwh
        settlement.export_kwh += outcome.grid_export_kwh
        settlement.hot_water_shortfall_kwh += outcome.hot_water_shortfall_kwh
        settlement.contract_excess_slots += outcome.contract_excess_kwh > 1e-6
        if progress is not None and (now - year.first_simulated) % (30 * SLOTS_PER_DAY) == 0:
            progress(now)
    settlement.stored_value_change_yen = stored_value(state, night, mean_cop) - before
    settlement.seconds = time.perf_counter() - started
    return settlement


def _ev_events(world: World, state: State, now: int, settlement: Settlement) -> None:
    """The car comes back from a trip emptier (a quick charger covers what it could not)."""
    used = world.schedule.returns.get(now)
    if used is None or state.ev is None:
        return
    floor = EV_FLOOR * state.ev.capacity_kwh
    left = state.ev_kwh - used
    if left < floor:
        settlement.quick_charge_kwh += floor - left
        left = floor
    state.ev_kwh = left
