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
    return _YearProgramme(world, days).solve()


class _YearProgramme:
    """The year's linear programme: one block of columns per quantity, rows slot by slot."""

    def __init__(self, world: World, days: int | None) -> None:
        year = world.year
        self.world = world
        self.first, self.stop = year.first_simulated, year.stop
        if days is not None:
            self.stop = min(self.stop, self.first + days * SLOTS_PER_DAY)
        span = slice(self.first, self.stop)
        self.n = self.stop - self.first
        self.night = world.night_and_day_price()[0]
        self.mean_cop = float(np.mean(year.cop[span]))
        self.store = battery(START_BATTERY_SOC)
        self.tank = water_heater(START_HEAT_KWH)
        self.car = ev(START_EV_SOC, plugged=True, departure=None)
        self.solar = [float(v) for v in year.solar[span]]
        self.load = [float(v) for v in year.load[span]]
        self.draw = [float(v) for v in year.hot_water[span]]
        self.cop = [float(v) for v in year.cop[span]]
        self.home = [bool(v) for v in world.schedule.home[span]]
        self.lp = LinearProgram()
        self.blocks: dict[str, range] = {}
        self._columns()
        for t in range(self.n):
            self._rows(t)

    def _final(self, value: float) -> list[float]:
        """A cost on the last column only: the value of what is left stored."""
        costs = [0.0] * self.n
        costs[-1] = -value
        return costs

    def _columns(self) -> None:
        lp, n, store, tank, car = self.lp, self.n, self.store, self.tank, self.car
        price = self.world.purchase[self.first : self.stop]
        sale = self.world.sale[self.first : self.stop]
        blocks = self.blocks
        blocks["import"] = lp.add_columns(n, cost=price)
        blocks["export"] = lp.add_columns(n, upper=self.solar, cost=[-p for p in sale])
        blocks["charge"] = lp.add_columns(n, upper=store.max_charge_kw * SLOT_HOURS)
        blocks["discharge"] = lp.add_columns(n, upper=store.max_discharge_kw * SLOT_HOURS)
        blocks["stored"] = lp.add_columns(
            n,
            lower=store.reserve_kwh,
            upper=store.max_kwh,
            cost=self._final(self.night / store.efficiency),
        )
        blocks["boil"] = lp.add_columns(n, upper=tank.max_input_kw * SLOT_HOURS)
        blocks["heat"] = lp.add_columns(
            n,
            lower=tank.reserve_kwh,
            upper=tank.capacity_kwh,
            cost=self._final(self.night / self.mean_cop),
        )
        most = car.max_charge_kw * SLOT_HOURS
        blocks["ev_in"] = lp.add_columns(n, upper=[most if here else 0.0 for here in self.home])
        lowers = [EV_FLOOR * car.capacity_kwh] * n
        for trip in self.world.year.trips:
            if trip.announced and self.first < trip.leave <= self.stop:
                lowers[trip.leave - 1 - self.first] = EV_TARGET * car.capacity_kwh
        blocks["ev"] = lp.add_columns(
            n,
            lower=lowers,
            upper=car.max_soc * car.capacity_kwh,
            cost=self._final(self.night / car.charge_efficiency),
        )
        self.quick = {
            t - self.first: lp.add_columns(1, cost=QUICK_CHARGE_YEN)[0]
            for t in self.world.schedule.returns
            if self.first <= t < self.stop
        }

    def _level(self, block: str, t: int, start: float, flows: list[tuple[int, float]]) -> None:
        """``level_t = level_{t-1} + Σ flows + change`` (``start`` folds in the first level)."""
        previous = [] if t == 0 else [(self.blocks[block][t - 1], -1.0)]
        self.lp.add_row([(self.blocks[block][t], 1.0), *flows, *previous], start, start)

    def _rows(self, t: int) -> None:
        b, lp = self.blocks, self.lp
        need = self.load[t] - self.solar[t]
        flows = [("import", 1.0), ("export", -1.0), ("discharge", 1.0), ("charge", -1.0)]
        flows += [("boil", -1.0), ("ev_in", -1.0)]
        lp.add_row([(b[name][t], sign) for name, sign in flows], need, need)
        lp.add_row([(b["import"][t], 1.0)], upper=max(CONTRACT_KW * SLOT_HOURS, need))
        if self.solar[t] > 0:
            supply = [(b["discharge"][t], 1.0), (b["boil"][t], -1.0), (b["ev_in"][t], -1.0)]
            lp.add_row(supply, upper=self.load[t])
        eff = self.store.efficiency
        first = t == 0
        self._level(
            "stored",
            t,
            self.store.stored_kwh if first else 0.0,
            [(b["charge"][t], -eff), (b["discharge"][t], 1 / eff)],
        )
        loss = self.tank.standing_loss_kw * SLOT_HOURS
        change = (self.tank.heat_kwh if first else 0.0) - self.draw[t] - loss
        self._level("heat", t, change, [(b["boil"][t], -self.cop[t])])
        used = self.world.schedule.returns.get(t + self.first, 0.0)
        extra = [(self.quick[t], -1.0)] if t in self.quick else []
        change = (self.car.stored_kwh if first else 0.0) - used
        self._level("ev", t, change, [(b["ev_in"][t], -self.car.charge_efficiency), *extra])

    def solve(self) -> Optimum:
        """Solve; the annual cost on the settlement's terms."""
        started = time.perf_counter()
        solution = self.lp.solve(time_limit_s=1800, large=True)
        seconds = time.perf_counter() - started
        if solution.status is not SolveStatus.OPTIMAL:
            raise RuntimeError(f"the year's optimum was not found: {solution.detail}")
        value = self.night * (
            self.store.stored_kwh / self.store.efficiency
            + self.tank.heat_kwh / self.mean_cop
            + self.car.stored_kwh / self.car.charge_efficiency
        )
        flows = {
            name: [solution.values[index] for index in block] for name, block in self.blocks.items()
        }
        return Optimum(solution.objective + value, seconds, self.lp.columns, self.lp.rows, flows)
