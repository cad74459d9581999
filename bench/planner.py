"""The planner benchmark: a simulated year of an all-electric house under five controllers.

Run: ``./scripts/bench --only planner`` (about an hour: EMHASS plans 17,520 times) or
``python -m bench.planner [--quick]``.  The year, its forecasts and the controllers:

* the year and the house: :mod:`bench.planner_data`; forecasts with realistic errors:
  :mod:`bench.planner_forecasts`; the slot-by-slot simulation and the settlement:
  :mod:`bench.planner_sim`;
* (a) **no planning**: the devices' automatic modes (battery night charge to full + self-
  consumption, EcoCute night boil, EV timer), :func:`automatic_commands`;
* (b) **AiSEG2-like rule**: :class:`AiSolarChargeRule`;
* **ours**: :func:`plan` every 30 minutes over the next 48 slots, its first slot executed;
  with perfect and with noisy forecasts;
* (c) **EMHASS 0.18.7** (PyPI, its own virtual environment, :mod:`bench.planner_emhass`):
  ``perform_naive_mpc_optim`` every 30 minutes over the same 48 slots with the same
  forecasts, prices and device state, its first slot executed the same way as ours;
* (d) the **perfect-foresight optimum**: one LP over the whole year
  (:mod:`bench.planner_optimum`), the lower bound.

Reported: ``planner.savings_capture`` = (a − ours) / (a − d) with perfect and noisy forecasts
(goal ≥ 0.95 with perfect ones), ``planner.vs_emhass`` = ours / EMHASS with noisy forecasts
(goal ≤ 1), ``planner.plan_ms`` = p95 time of one 48-slot plan, ours (the whole
:func:`plan`: problem, solve, explanation and the no-planning comparison) and EMHASS's
(``perform_naive_mpc_optim`` inside its process), on the same sampled situations, alternately
(goal: ours ≤ EMHASS / 10).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field, replace
import json
import sys
import threading
import time
from typing import Any

import numpy as np

from custom_components.hems.energy.planner import (
    AiSolarChargeRule,
    Commands,
    PlanInputs,
    PlannerConfig,
    automatic_commands,
    plan,
)

from .planner_data import SLOTS_PER_DAY, Year, build_year
from .planner_emhass import EMHASS_VERSION, EmhassController
from .planner_forecasts import Forecasts
from .planner_optimum import Optimum, year_optimum
from .planner_sim import Settlement, World, simulate_year

HORIZON_SLOTS = 48
TIMING_SAMPLES = 300
QUICK_DAYS = 21


def _log(message: str) -> None:
    print(f"[planner] {message}", file=sys.stderr, flush=True)


class _Ours:
    """Our planner as a controller; keeps every n-th input for the timing comparison."""

    def __init__(self, keep_every: int = 0, config: PlannerConfig | None = None) -> None:
        self.keep_every = keep_every
        self.config = config
        self.kept: list[PlanInputs] = []
        self.fallbacks = 0
        self.calls = 0

    def __call__(self, inputs: PlanInputs) -> Commands:
        self.calls += 1
        if self.keep_every and self.calls % self.keep_every == 0:
            self.kept.append(inputs)
        if self.config is not None:
            inputs = replace(inputs, config=self.config)
        result = plan(inputs)
        self.fallbacks += result.fallback is not None
        return result.commands()


def _capture(none: float, ours: float, best: float) -> float:
    return round((none - ours) / (none - best), 4)


def _timing(samples: list[PlanInputs], emhass: EmhassController) -> dict[str, Any]:
    """Plan each sampled situation with ours and with EMHASS, alternately."""
    ours_ms: list[float] = []
    emhass_ms: list[float] = []
    emhass.plan_ms.clear()
    for inputs in samples:
        started = time.perf_counter()
        plan(inputs)
        ours_ms.append((time.perf_counter() - started) * 1000)
        emhass(inputs)
    emhass_ms = list(emhass.plan_ms)
    ours_p95 = float(np.percentile(ours_ms, 95))
    emhass_p95 = float(np.percentile(emhass_ms, 95))
    return {
        "hems_p95": round(ours_p95, 2),
        "emhass_p95": round(emhass_p95, 1),
        "hems_p50": round(float(np.percentile(ours_ms, 50)), 2),
        "emhass_p50": round(float(np.percentile(emhass_ms, 50)), 1),
        "ratio": round(ours_p95 / emhass_p95, 4),
        "goal": "hems_p95 <= emhass_p95 / 10",
        "goal_met": ours_p95 <= emhass_p95 / 10,
        "slots": HORIZON_SLOTS,
        "samples": len(samples),
    }


def _year_facts(year: Year, days: int | None) -> dict[str, Any]:
    first = year.first_simulated
    stop = year.stop if days is None else first + days * SLOTS_PER_DAY
    return {
        "days": (stop - first) // SLOTS_PER_DAY,
        "solar_kwh": round(float(year.solar[first:stop].sum())),
        "house_load_kwh": round(float(year.load[first:stop].sum())),
        "hot_water_heat_kwh": round(float(year.hot_water[first:stop].sum())),
        "ev_trip_kwh": round(sum(t.kwh for t in year.trips if first <= t.leave < stop)),
        "mean_cop": round(float(year.cop[first:stop].mean()), 2),
    }


@dataclass
class _Run:
    """What one run measured, before it is reported."""

    year: Year
    days: int | None
    settlements: dict[str, Settlement] = field(default_factory=dict)
    ours_perfect: _Ours = field(default_factory=_Ours)
    ours_noisy: _Ours = field(default_factory=_Ours)
    emhass_failures: dict[str, int] = field(default_factory=dict)
    timing: dict[str, Any] = field(default_factory=dict)
    optimum: Optimum | None = None

    def simulate(
        self, world: World, controller: Callable[[PlanInputs], Commands], name: str
    ) -> None:
        _log(f"simulating {name}")
        settlement = simulate_year(
            world, controller, name, horizon_slots=HORIZON_SLOTS, days=self.days
        )
        self.settlements[name] = settlement
        _log(f"{name}: {settlement.summary()} in {settlement.seconds:.0f} s")


def run(quick: bool = False) -> dict[str, Any]:
    """Run the benchmark; results keyed for bench/results.json."""
    year = build_year()
    measured = _Run(year, QUICK_DAYS if quick else None)
    perfect = World.build(year, Forecasts(year, noisy=False), HORIZON_SLOTS)
    noisy = World.build(year, Forecasts(year, noisy=True), HORIZON_SLOTS)
    # the EMHASS year runs in a thread of its own: its own (identical, same seed) forecasts
    noisy_for_emhass = World.build(year, Forecasts(year, noisy=True), HORIZON_SLOTS)
    emhass = EmhassController(HORIZON_SLOTS)
    emhass.start()
    emhass_thread = threading.Thread(
        target=measured.simulate,
        args=(noisy_for_emhass, emhass, "emhass_noisy"),
        name="emhass-year",
    )
    emhass_thread.start()
    measured.simulate(perfect, automatic_commands, "no_planning_perfect")
    measured.simulate(noisy, automatic_commands, "no_planning")
    measured.simulate(perfect, AiSolarChargeRule().commands, "aiseg2_rule_perfect")
    measured.simulate(noisy, AiSolarChargeRule().commands, "aiseg2_rule")
    measured.simulate(perfect, measured.ours_perfect, "ours_perfect")
    measured.ours_noisy.keep_every = max(
        1, ((measured.days or 365) * SLOTS_PER_DAY) // TIMING_SAMPLES
    )
    measured.simulate(noisy, measured.ours_noisy, "ours_noisy")
    no_spare = _Ours(config=PlannerConfig(ev_spare_charge=False))
    measured.simulate(noisy, no_spare, "ours_noisy_emhass_ev")
    _log("solving the year's perfect-foresight optimum")
    measured.optimum = year_optimum(perfect, measured.days)
    _log(f"optimum: {measured.optimum.annual_cost_yen:.0f} yen in {measured.optimum.seconds:.0f} s")
    emhass_thread.join()
    measured.emhass_failures = dict(emhass.failures)
    _log("timing one 48-slot plan, ours and EMHASS's, alternately")
    measured.timing = _timing(measured.ours_noisy.kept[:TIMING_SAMPLES], emhass)
    emhass.close()
    return _report(measured)


def _report(measured: _Run) -> dict[str, Any]:
    assert measured.optimum is not None
    cost = {name: settlement.annual_cost_yen for name, settlement in measured.settlements.items()}
    best = measured.optimum.annual_cost_yen
    capture_perfect = _capture(cost["no_planning_perfect"], cost["ours_perfect"], best)
    ratio = cost["ours_noisy"] / cost["emhass_noisy"]
    return {
        "planner.savings_capture": {
            "perfect": capture_perfect,
            "noisy": _capture(cost["no_planning"], cost["ours_noisy"], best),
            "aiseg2_rule_noisy": _capture(cost["no_planning"], cost["aiseg2_rule"], best),
            "emhass_noisy": _capture(cost["no_planning"], cost["emhass_noisy"], best),
            "goal": "perfect >= 0.95",
            "goal_met": capture_perfect >= 0.95,
        },
        "planner.vs_emhass": {
            "ratio": round(ratio, 4),
            "hems_yen": round(cost["ours_noisy"]),
            "emhass_yen": round(cost["emhass_noisy"]),
            "goal": "<= 1 (noisy forecasts)",
            "goal_met": ratio <= 1,
            "ratio_with_emhass_ev_model": round(
                cost["ours_noisy_emhass_ev"] / cost["emhass_noisy"], 4
            ),
            "note": (
                "ratio_with_emhass_ev_model: ours charging the EV only for announced "
                "departures (no spare charge), which is all EMHASS's deferrable load can express"
            ),
        },
        "planner.plan_ms": measured.timing,
        "planner.annual_cost_yen": _annual_costs(cost, best),
        "planner.details": _details(measured),
    }


def _annual_costs(cost: dict[str, float], best: float) -> dict[str, Any]:
    return {
        "a_no_planning": round(cost["no_planning"]),
        "b_aiseg2_rule": round(cost["aiseg2_rule"]),
        "c_emhass": round(cost["emhass_noisy"]),
        "hems": round(cost["ours_noisy"]),
        "d_optimum": round(best),
        "hems_perfect": round(cost["ours_perfect"]),
        "hems_emhass_ev_model": round(cost["ours_noisy_emhass_ev"]),
        "a_no_planning_perfect": round(cost["no_planning_perfect"]),
        "b_aiseg2_rule_perfect": round(cost["aiseg2_rule_perfect"]),
        "forecasts": "noisy unless named perfect; d knows the whole year",
    }


def _details(measured: _Run) -> dict[str, Any]:
    assert measured.optimum is not None
    settlements = measured.settlements
    return {
        "year": _year_facts(measured.year, measured.days),
        "horizon_slots": HORIZON_SLOTS,
        "cadence": "every 30 minutes (every slot), all controllers",
        "emhass": f"emhass=={EMHASS_VERSION}, failures {measured.emhass_failures or 'none'}",
        "hems_fallbacks": {
            "perfect": measured.ours_perfect.fallbacks,
            "noisy": measured.ours_noisy.fallbacks,
        },
        "optimum_seconds": round(measured.optimum.seconds, 1),
        "optimum_size": f"{measured.optimum.columns} columns, {measured.optimum.rows} rows",
        "simulation_seconds": {name: round(item.seconds) for name, item in settlements.items()},
        "settlements": {name: item.summary() for name, item in settlements.items()},
    }


def main() -> int:
    """Run alone and print the results (bench/run.py merges them into results.json)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"the first {QUICK_DAYS} days only")
    args = parser.parse_args()
    print(json.dumps(run(args.quick), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
