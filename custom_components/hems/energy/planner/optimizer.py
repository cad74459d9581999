"""Make a plan: optimise with HiGHS, or fall back to the devices' automatic modes.

:func:`plan` is the receding-horizon step: call it with the current state and forecasts
whenever a slot starts or something changed materially, and send :meth:`.Plan.commands` to
the devices.  It is deterministic (the same inputs give the same plan; only ``solve_ms``
differs) and bounded in time: the solver stops at ``PlannerConfig.time_limit_s``, everything
else is linear in the number of slots (a few milliseconds for 48).
"""

from __future__ import annotations

from collections.abc import Callable
import time

from .explain import Row, decisions, hhmm, slot_plans
from .horizon import Horizon
from .house import Commands, SlotOutcome, State, advance, slot_commands
from .lp import SolveStatus
from .model import SLOT_HOURS, PlanInputs
from .plan import Plan, PlanSource
from .problem import Flows, TerminalValues, build, flows, terminal_values
from .reasons import Reason, ReasonCode
from .rules import automatic, ev_need_kwh

_EPS = 1e-4

Controller = Callable[[Horizon, int, State], Commands]
"""A rule: the commands for slot ``t`` of a horizon given the devices' state."""


def plan(inputs: PlanInputs) -> Plan:
    """The plan for ``inputs`` (an optimised one, or the safe rule with the reason why)."""
    started = time.perf_counter()
    horizon = Horizon.of(inputs)
    values = terminal_values(horizon)
    baseline = simulate(horizon, automatic)
    unreachable = _ev_target_unreachable(horizon)
    if unreachable is not None:
        return _fallback(horizon, values, baseline, unreachable, started)
    lp, columns = build(horizon, values)
    solution = lp.solve(
        time_limit_s=inputs.config.time_limit_s, mip_rel_gap=inputs.config.mip_rel_gap
    )
    if solution.status is SolveStatus.TIME_LIMIT:
        reason = Reason(ReasonCode.FALLBACK_TIMEOUT, {"limit_s": inputs.config.time_limit_s})
        return _fallback(horizon, values, baseline, reason, started)
    if solution.status is SolveStatus.INFEASIBLE:
        reason = Reason(ReasonCode.FALLBACK_INFEASIBLE, {"detail": solution.detail})
        return _fallback(horizon, values, baseline, reason, started)
    if solution.status is not SolveStatus.OPTIMAL:
        reason = Reason(ReasonCode.FALLBACK_SOLVER, {"status": solution.detail})
        return _fallback(horizon, values, baseline, reason, started)
    planned = flows(horizon, columns, solution)
    rows = [_row(horizon, planned, t) for t in range(horizon.slots)]
    return _finish(horizon, values, baseline, rows, PlanSource.OPTIMISED, None, started)


def fallback_plan(inputs: PlanInputs, reason: Reason) -> Plan:
    """The safe rule's plan for ``inputs`` (e.g. when no forecast is available), with ``reason``."""
    started = time.perf_counter()
    horizon = Horizon.of(inputs)
    values = terminal_values(horizon)
    return _fallback(horizon, values, simulate(horizon, automatic), reason, started)


def simulate(horizon: Horizon, controller: Controller) -> list[Row]:
    """Run ``controller`` over the horizon on the forecasts; one row per slot."""
    state = State.of(horizon.devices())
    rows = []
    for t in range(horizon.slots):
        commands = controller(horizon, t, state)
        outcome = advance(state, commands, horizon.slot_conditions[t])
        rows.append(_simulated_row(state, outcome, commands))
    return rows


def _simulated_row(state: State, outcome: SlotOutcome, commands: Commands) -> Row:
    return Row(
        grid_import=outcome.grid_import_kwh,
        grid_export=outcome.grid_export_kwh,
        charge=outcome.battery_charge_kwh,
        discharge=outcome.battery_discharge_kwh,
        stored=None if state.battery is None else state.battery_kwh,
        boil=outcome.boil_kwh,
        heat=None if state.water_heater is None else state.heat_kwh,
        shortfall=outcome.hot_water_shortfall_kwh,
        ev_in=outcome.ev_charge_kwh,
        ev_out=outcome.ev_discharge_kwh,
        ev_stored=None if state.ev is None else state.ev_kwh,
        commands=commands,
    )


def _row(horizon: Horizon, planned: Flows, t: int) -> Row:
    inputs = horizon.inputs
    return Row(
        grid_import=planned.grid_import[t],
        grid_export=planned.grid_export[t],
        charge=planned.charge[t],
        discharge=planned.discharge[t],
        stored=planned.stored[t] if inputs.battery is not None else None,
        boil=planned.boil[t],
        heat=planned.heat[t] if inputs.water_heater is not None else None,
        shortfall=planned.shortfall[t],
        ev_in=planned.ev_in[t],
        ev_out=planned.ev_out[t],
        ev_stored=planned.ev_stored[t] if inputs.ev is not None else None,
        commands=_commands(horizon, planned, t),
    )


def _commands(horizon: Horizon, planned: Flows, t: int) -> Commands:
    """What the devices are told so that slot ``t`` goes as planned."""
    battery = horizon.inputs.battery
    return slot_commands(
        battery,
        stored_kwh=(planned.stored[t - 1] if t > 0 else (battery.stored_kwh if battery else 0.0)),
        charge=planned.charge[t],
        discharge=planned.discharge[t],
        boil=planned.boil[t],
        ev_in=planned.ev_in[t],
        ev_out=planned.ev_out[t],
        solar=horizon.solar[t],
        load=horizon.load[t],
    )


def _ev_target_unreachable(horizon: Horizon) -> Reason | None:
    ev = horizon.inputs.ev
    departure = horizon.departure_index()
    if ev is None or not departure:  # no departure in the horizon, or leaving now
        return None
    needed = ev_need_kwh(ev)
    possible = ev.max_charge_kw * SLOT_HOURS * departure
    if needed <= possible + _EPS:
        return None
    assert ev.departure is not None
    return Reason(
        ReasonCode.FALLBACK_EV_TARGET,
        {
            "target_pct": round(100 * ev.target_soc),
            "departure": hhmm(ev.departure.astimezone(horizon.inputs.start.tzinfo)),
            "needed_kwh": needed,
            "possible_kwh": possible,
        },
    )


def _fallback(
    horizon: Horizon,
    values: TerminalValues,
    baseline: list[Row],
    reason: Reason,
    started: float,
) -> Plan:
    return _finish(horizon, values, baseline, baseline, PlanSource.FALLBACK, reason, started)


def _cost(horizon: Horizon, rows: list[Row]) -> float:
    return sum(
        row.grid_import * horizon.price[t] - row.grid_export * horizon.sale[t]
        for t, row in enumerate(rows)
    )


def _stored_value(values: TerminalValues, row: Row) -> float:
    return (
        values.battery * (row.stored or 0.0)
        + values.heat * (row.heat or 0.0)
        + values.ev * (row.ev_stored or 0.0)
    )


def _finish(
    horizon: Horizon,
    values: TerminalValues,
    baseline: list[Row],
    rows: list[Row],
    source: PlanSource,
    fallback: Reason | None,
    started: float,
) -> Plan:
    cost = _cost(horizon, rows)
    baseline_cost = _cost(horizon, baseline)
    stored = _stored_value(values, rows[-1]) - _stored_value(values, baseline[-1])
    saving = baseline_cost - cost + stored
    summary = Reason(
        ReasonCode.PLAN_SAVING,
        {
            "cost_yen": cost,
            "baseline_yen": baseline_cost,
            "stored_diff_yen": stored,
            "saving_yen": saving,
        },
    )
    return Plan(
        start=horizon.inputs.start,
        source=source,
        slots=slot_plans(horizon, rows),
        decisions=decisions(horizon, rows),
        summary=summary,
        fallback=fallback,
        expected_cost_yen=cost,
        baseline_cost_yen=baseline_cost,
        stored_value_yen=stored,
        expected_saving_yen=saving,
        solve_ms=(time.perf_counter() - started) * 1000,
    )
