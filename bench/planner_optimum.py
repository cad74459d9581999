"""(d) The perfect-foresight optimum: one linear programme over the whole simulated year.

The same physics and limits as every controller (battery, EcoCute, EV, contract, storage not
sold), with the actual solar, load, hot water, temperature and trips known for the whole year.
Its objective is the settlement's annual cost (purchases − sales + quick charging − the value
gained in storage), so it is the lower bound the receding-horizon controllers are measured
against.  The requirements are those the planners plan with: the tank never below its reserve,
the car at its target at every announced departure, never below 5 % (a quick charger at
50 yen/kWh covers a trip it could not make).  Solved by HiGHS (interior point; about 1/2
million columns and rows).
"""

from __future__ import annotations

from dataclasses import dataclass
import time

import numpy as np

from custom_components.hems.energy.planner.lp import LinearProgram, SolveStatus

from .planner_data import CONTRACT_KW, EV_TARGET, SLOTS_PER_DAY, battery, ev, water_heater
from .planner_sim import (
    EV_FLOOR,
    QUICK_CHARGE_YEN,
    START_BATTERY_SOC,
    START_EV_SOC,
    START_HEAT_KWH,
    World,
)

SLOT_HOURS = 0.5


@dataclass(frozen=True)
class Optimum:
    """The year's lower bound and how long it took."""

    annual_cost_yen: float
    seconds: float
    columns: int
    rows: int
    flows: dict[str, list[float]]


def year_optimum(world: World, days: int | None = None) -> Optimum:
    """Solve the whole year (or its first ``days``) with perfect foresight."""
    year = world.year
    first, stop = year.first_simulated, year.stop
    if days is not None:
        stop = min(stop, first + days * SLOTS_PER_DAY)
    n = stop - first
    night = world.night_and_day_price()[0]
    mean_cop = float(np.mean(year.cop[first:stop]))
    store = battery(START_BATTERY_SOC)
    tank = water_heater(START_HEAT_KWH)
    car = ev(START_EV_SOC, plugged=True, departure=None)
    solar = [float(v) for v in year.solar[first:stop]]
    load = [float(v) for v in year.load[first:stop]]
    draw = [float(v) for v in year.hot_water[first:stop]]
    cop = [float(v) for v in year.cop[first:stop]]
    home = [bool(v) for v in world.schedule.home[first:stop]]
    price = world.purchase[first:stop]
    sale = world.sale[first:stop]

    lp = LinearProgram()
    grid_in = lp.add_columns(n, cost=price)
    grid_out = lp.add_columns(n, upper=solar, cost=[-p for p in sale])
    eff = store.efficiency
    charge = lp.add_columns(n, upper=store.max_charge_kw * SLOT_HOURS)
    discharge = lp.add_columns(n, upper=store.max_discharge_kw * SLOT_HOURS)
    stored_cost = [0.0] * n
    stored_cost[-1] = -night / eff
    stored = lp.add_columns(n, lower=store.reserve_kwh, upper=store.max_kwh, cost=stored_cost)
    boil = lp.add_columns(n, upper=tank.max_input_kw * SLOT_HOURS)
    heat_cost = [0.0] * n
    heat_cost[-1] = -night / mean_cop
    heat = lp.add_columns(n, lower=tank.reserve_kwh, upper=tank.capacity_kwh, cost=heat_cost)
    ev_in = lp.add_columns(n, upper=[car.max_charge_kw * SLOT_HOURS if h else 0.0 for h in home])
    ev_cost = [0.0] * n
    ev_cost[-1] = -night / car.charge_efficiency
    floor = EV_FLOOR * car.capacity_kwh
    lowers = [floor] * n
    for trip in year.trips:
        if trip.announced and first < trip.leave <= stop:
            lowers[trip.leave - 1 - first] = EV_TARGET * car.capacity_kwh
    ev_level = lp.add_columns(n, lower=lowers, upper=car.max_soc * car.capacity_kwh, cost=ev_cost)
    quick = {
        t - first: lp.add_columns(1, cost=QUICK_CHARGE_YEN)[0]
        for t in world.schedule.returns
        if first <= t < stop
    }
    loss = tank.standing_loss_kw * SLOT_HOURS
    contract = CONTRACT_KW * SLOT_HOURS
    for t in range(n):
        lp.add_row(
            [
                (grid_in[t], 1.0),
                (grid_out[t], -1.0),
                (discharge[t], 1.0),
                (charge[t], -1.0),
                (boil[t], -1.0),
                (ev_in[t], -1.0),
            ],
            load[t] - solar[t],
            load[t] - solar[t],
        )
        lp.add_row([(grid_in[t], 1.0)], upper=max(contract, load[t] - solar[t]))
        if solar[t] > 0:
            lp.add_row([(discharge[t], 1.0), (boil[t], -1.0), (ev_in[t], -1.0)], upper=load[t])
        previous = [] if t == 0 else [(stored[t - 1], -1.0)]
        start = store.stored_kwh if t == 0 else 0.0
        lp.add_row(
            [(stored[t], 1.0), (charge[t], -eff), (discharge[t], 1 / eff), *previous],
            start,
            start,
        )
        previous = [] if t == 0 else [(heat[t - 1], -1.0)]
        start = (tank.heat_kwh if t == 0 else 0.0) - draw[t] - loss
        lp.add_row([(heat[t], 1.0), (boil[t], -cop[t]), *previous], start, start)
        used = world.schedule.returns.get(t + first, 0.0)
        previous = [] if t == 0 else [(ev_level[t - 1], -1.0)]
        extra = [(quick[t], -1.0)] if t in quick else []
        start = (car.stored_kwh if t == 0 else 0.0) - used
        lp.add_row(
            [(ev_level[t], 1.0), (ev_in[t], -car.charge_efficiency), *previous, *extra],
            start,
            start,
        )
    started = time.perf_counter()
    solution = lp.solve(time_limit_s=1800, large=True)
    seconds = time.perf_counter() - started
    if solution.status is not SolveStatus.OPTIMAL:
        raise RuntimeError(f"the year's optimum was not found: {solution.detail}")
    value = night * (
        store.stored_kwh / eff + tank.heat_kwh / mean_cop + car.stored_kwh / car.charge_efficiency
    )
    flows = {
        name: [solution.values[index] for index in block]
        for name, block in (
            ("import", grid_in),
            ("export", grid_out),
            ("charge", charge),
            ("discharge", discharge),
            ("stored", stored),
            ("boil", boil),
            ("heat", heat),
            ("ev_in", ev_in),
            ("ev", ev_level),
        )
    }
    return Optimum(solution.objective + value, seconds, lp.columns, lp.rows, flows)
