"""From per-slot flows to explained actions and decisions.

Both an optimised plan and the safe rule's simulated plan end up as rows of the same numbers
(:class:`Row`); this module gives each row its device actions with reasons and sums the horizon
up in one decision per device ("the battery charges to 30 % tonight because ...")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .horizon import Horizon
from .house import BatteryMode, Commands
from .model import SLOT
from .plan import Action, ActionKind, Device, SlotPlan
from .reasons import Reason, ReasonCode

_EPS = 0.005


@dataclass(frozen=True, slots=True)
class Row:
    """One slot's planned numbers before they are explained."""

    grid_import: float
    grid_export: float
    charge: float
    discharge: float
    stored: float | None
    boil: float
    heat: float | None
    shortfall: float
    ev_in: float
    ev_out: float
    ev_stored: float | None
    commands: Commands


def hhmm(when: datetime) -> str:
    """``HH:MM`` local time."""
    return when.strftime("%H:%M")


def slot_plans(horizon: Horizon, rows: Sequence[Row]) -> tuple[SlotPlan, ...]:
    """Slot plans with their actions."""
    battery, ev = horizon.inputs.battery, horizon.inputs.ev
    plans = []
    for t, row in enumerate(rows):
        plans.append(
            SlotPlan(
                start=horizon.when(t),
                purchase_price=horizon.price[t],
                sale_price=horizon.sale[t],
                solar_kwh=horizon.solar[t],
                load_kwh=horizon.load[t],
                grid_import_kwh=row.grid_import,
                grid_export_kwh=row.grid_export,
                battery_charge_kwh=row.charge,
                battery_discharge_kwh=row.discharge,
                battery_soc=(
                    None
                    if battery is None or row.stored is None
                    else row.stored / battery.capacity_kwh
                ),
                boil_kwh=row.boil,
                tank_heat_kwh=row.heat,
                ev_charge_kwh=row.ev_in,
                ev_discharge_kwh=row.ev_out,
                ev_soc=None
                if ev is None or row.ev_stored is None
                else row.ev_stored / ev.capacity_kwh,
                hot_water_shortfall_kwh=row.shortfall,
                cost_yen=row.grid_import * horizon.price[t] - row.grid_export * horizon.sale[t],
                commands=row.commands,
                actions=_actions(horizon, rows, t),
            )
        )
    return tuple(plans)


def _from_surplus(horizon: Horizon, t: int, energy: float) -> bool:
    return horizon.solar[t] - horizon.load[t] >= 0.5 * energy


def _actions(horizon: Horizon, rows: Sequence[Row], t: int) -> tuple[Action, ...]:
    row = rows[t]
    price = round(horizon.price[t], 2)
    actions: list[Action] = []
    battery = horizon.inputs.battery
    if battery is not None:
        action = _battery_action(horizon, rows, t)
        if action is not None:
            actions.append(action)
    if row.boil > _EPS:
        if _from_surplus(horizon, t, row.boil):
            reason = Reason(ReasonCode.BOIL_SURPLUS)
        elif horizon.cheap[t] and horizon.time_of_use:
            reason = Reason(ReasonCode.BOIL_CHEAP, {"price": price})
        else:
            reason = Reason(ReasonCode.BOIL_KEEP_HOT_WATER)
        actions.append(Action(Device.WATER_HEATER, ActionKind.BOIL, row.boil, reason))
    if row.ev_in > _EPS:
        if _from_surplus(horizon, t, row.ev_in):
            reason = Reason(ReasonCode.EV_CHARGE_SURPLUS)
        elif horizon.cheap[t] and horizon.time_of_use:
            reason = Reason(ReasonCode.EV_CHARGE_CHEAP, {"price": price})
        else:
            reason = Reason(ReasonCode.EV_CHARGE_DEADLINE, {"departure": _departure(horizon)})
        actions.append(Action(Device.EV, ActionKind.CHARGE, row.ev_in, reason))
    if row.ev_out > _EPS:
        reason = Reason(ReasonCode.EV_SUPPLY_HOUSE, {"price": price})
        actions.append(Action(Device.EV, ActionKind.SUPPLY, row.ev_out, reason))
    return tuple(actions)


def _battery_action(horizon: Horizon, rows: Sequence[Row], t: int) -> Action | None:
    row = rows[t]
    battery = horizon.inputs.battery
    assert battery is not None
    price = round(horizon.price[t], 2)
    if battery.keep_full:
        reason = Reason(ReasonCode.BATTERY_RESERVE_KEPT, {"target_pct": 100 * battery.max_soc})
        return Action(Device.BATTERY, ActionKind.CHARGE, row.charge, reason)
    if row.charge > _EPS:
        if row.commands.battery_mode is BatteryMode.CHARGE:
            reason = Reason(ReasonCode.BATTERY_CHARGE_CHEAP, {"price": price})
        else:
            reason = Reason(ReasonCode.BATTERY_STORE_SURPLUS, {"sale_price": horizon.sale[t]})
        return Action(Device.BATTERY, ActionKind.CHARGE, row.charge, reason)
    if row.discharge > _EPS:
        reason = Reason(ReasonCode.BATTERY_DISCHARGE, {"price": price})
        return Action(Device.BATTERY, ActionKind.DISCHARGE, row.discharge, reason)
    if row.commands.battery_mode is BatteryMode.HOLD:
        later = next(
            (u for u in range(t + 1, len(rows)) if rows[u].discharge > _EPS), len(rows) - 1
        )
        reason = Reason(ReasonCode.BATTERY_HOLD, {"until": hhmm(horizon.when(later))})
        return Action(Device.BATTERY, ActionKind.HOLD, 0.0, reason)
    return None


def _departure(horizon: Horizon) -> str:
    ev = horizon.inputs.ev
    if ev is None or ev.departure is None:
        return "--:--"
    return hhmm(ev.departure.astimezone(horizon.inputs.start.tzinfo))


# ---------------------------------------------------------------------------------------------
# Decisions


@dataclass(frozen=True, slots=True)
class _Day:
    """The first night window of the horizon and the day part after it."""

    window: range
    day: range


def _first_day(horizon: Horizon) -> _Day | None:
    if not horizon.time_of_use:
        return None
    start = horizon.next_window(0)
    if start is None:
        return None
    end = horizon.window_end(start)
    following = horizon.next_window(end)
    return _Day(range(start, end), range(end, horizon.slots if following is None else following))


def decisions(horizon: Horizon, rows: Sequence[Row]) -> tuple[Reason, ...]:
    """One reason per planned device, for the coming night and day."""
    found: list[Reason] = []
    day = _first_day(horizon)
    battery = _battery_decision(horizon, rows, day)
    if battery is not None:
        found.append(battery)
    if horizon.inputs.water_heater is not None:
        found.append(_water_heater_decision(horizon, rows, day))
    if horizon.inputs.ev is not None and any(horizon.ev_available):
        found.append(_ev_decision(horizon, rows))
    return tuple(found)


def _day_words(horizon: Horizon, day: range) -> dict[str, str | float | int]:
    first = horizon.when(day.start) if day else horizon.when(0)
    today = first.astimezone(horizon.inputs.start.tzinfo).date() == horizon.inputs.start.date()
    words: dict[str, str | float | int] = {"day": "today" if today else "tomorrow"}
    conditions = horizon.inputs.forecast.conditions
    if conditions:
        daylight = [conditions[t] for t in day if horizon.solar[t] > 0]
        if daylight:
            words["condition"] = Counter(daylight).most_common(1)[0][0]
    return words


def _battery_decision(horizon: Horizon, rows: Sequence[Row], day: _Day | None) -> Reason | None:
    battery = horizon.inputs.battery
    if battery is None:
        return None
    if battery.keep_full:
        return Reason(ReasonCode.BATTERY_RESERVE_KEPT, {"target_pct": 100 * battery.max_soc})
    if day is None or not day.window:
        return None
    grid = sum(
        rows[t].charge - max(0.0, horizon.solar[t] - horizon.load[t] - rows[t].boil - rows[t].ev_in)
        for t in day.window
    )
    last = rows[day.window[-1]].stored
    target = (last if last is not None else battery.stored_kwh) / battery.capacity_kwh
    params = _day_words(horizon, day.day)
    params["solar_kwh"] = sum(horizon.solar[t] for t in day.day)
    params["surplus_kwh"] = sum(horizon.surplus(t) for t in day.day)
    params["target_pct"] = round(100 * target)
    if target >= battery.max_soc - 0.02:
        return Reason(ReasonCode.NIGHT_CHARGE_FULL, params)
    if grid < 0.05:
        return Reason(ReasonCode.NIGHT_CHARGE_NONE, params)
    return Reason(ReasonCode.NIGHT_CHARGE_REDUCED, params)


def _span(horizon: Horizon, slots: list[int]) -> dict[str, str | float | int]:
    return {
        "start": hhmm(horizon.when(slots[0])),
        "end": hhmm(horizon.when(slots[-1]) + SLOT),
    }


def _water_heater_decision(horizon: Horizon, rows: Sequence[Row], day: _Day | None) -> Reason:
    end = day.day.stop if day is not None else horizon.slots
    boiling = [t for t in range(end) if rows[t].boil > _EPS]
    daytime = [t for t in boiling if _from_surplus(horizon, t, rows[t].boil)]
    if daytime:
        params = _span(horizon, daytime)
        params["energy_kwh"] = sum(rows[t].boil for t in daytime)
        return Reason(ReasonCode.WATER_HEATER_DAYTIME, params)
    if boiling:
        params = _span(horizon, boiling)
        params["energy_kwh"] = sum(rows[t].boil for t in boiling)
        return Reason(ReasonCode.WATER_HEATER_NIGHT, params)
    return Reason(ReasonCode.WATER_HEATER_NOT_NEEDED)


def _ev_decision(horizon: Horizon, rows: Sequence[Row]) -> Reason:
    ev = horizon.inputs.ev
    assert ev is not None
    charging = [t for t in range(horizon.slots) if rows[t].ev_in > _EPS]
    solar = [t for t in charging if _from_surplus(horizon, t, rows[t].ev_in)]
    grid = [t for t in charging if t not in solar]
    solar_kwh = sum(rows[t].ev_in for t in solar)
    grid_kwh = sum(rows[t].ev_in for t in grid)
    if solar and solar_kwh >= grid_kwh:
        params = _span(horizon, solar)
        params["energy_kwh"] = solar_kwh
        return Reason(ReasonCode.EV_SOLAR_CHARGE, params)
    if grid:
        params = _span(horizon, grid)
        params["energy_kwh"] = grid_kwh
        params["target_pct"] = round(100 * ev.target_soc)
        params["departure"] = _departure(horizon)
        return Reason(ReasonCode.EV_NIGHT_CHARGE, params)
    return Reason(ReasonCode.EV_NOT_NEEDED)
