"""The planning problem as a linear programme, and its solution as per-slot flows.

Per slot ``t`` (energies in kWh over the slot, Δ = 0.5 h):

* grid: ``import_t ≥ 0`` at the purchase price, ``export_t ∈ [0, solar_t]`` at the sale price
  (only solar is sold);
* balance: ``solar + import + discharge + ev_out = load + charge + boil + ev_in + export``;
* battery: ``stored_t = stored_{t-1} + η·charge_t − discharge_t/η`` within [reserve, max]
  (or the current level if it is outside), charge and discharge within the power limits;
  ``discharge + ev_out ≤ load + boil + ev_in`` (storage covers the house, it is not sold);
  a weather warning (``keep_full``) forbids discharging and charges to full as fast as possible;
* EcoCute: ``heat_t = heat_{t-1} + COP_t·boil_t − draw_t − loss`` up to the tank's capacity;
  falling below the reserve is allowed only at a high price per kWh (running out of hot water is
  never cheaper than boiling);
* EV: ``stored_t = stored_{t-1} + η·ev_in_t − ev_out_t/η`` while plugged in, at least the
  target at the departure (a hard limit), V2H never below ``min_soc``;
* contract: ``import_t ≤ contract`` (drawing more costs a high price per kWh, so that only
  the house's own load can cause it).

The objective is the cost of the grid over the horizon minus the value of the energy stored at
its end (battery, tank and car, each at the price it would otherwise cost to refill them, times
``terminal_discount``), plus a small cost per kWh cycled through the battery and tie-breaks of
a thousandth of a yen that prefer acting early (robust when the forecast is wrong).  Binary
choices appear only for devices with a minimum power (semi-continuous columns), which makes the
programme a MILP; otherwise it is an LP.
"""

from __future__ import annotations

from dataclasses import dataclass

from .horizon import Horizon
from .lp import INF, LinearProgram, Solution
from .model import SLOT_HOURS

_TIE = 1e-3


@dataclass(frozen=True, slots=True)
class TerminalValues:
    """Yen per kWh of energy stored at the end of the horizon.

    ``ev_below_target``: a kWh the car still needs to reach its target is worth a little more
    than buying it at the cheapest price (it will be needed, and a later night may not have
    room for it all), so that a car short of its target with no departure in sight charges
    at night unless surplus solar within the horizon will do it.
    """

    battery: float
    heat: float
    ev: float
    ev_below_target: float


@dataclass(frozen=True, slots=True)
class Flows:
    """Planned per-slot flows (each a tuple over the horizon); storage levels are at the end
    of each slot (kWh)."""

    grid_import: tuple[float, ...]
    grid_export: tuple[float, ...]
    charge: tuple[float, ...]
    discharge: tuple[float, ...]
    stored: tuple[float, ...]
    boil: tuple[float, ...]
    heat: tuple[float, ...]
    shortfall: tuple[float, ...]
    ev_in: tuple[float, ...]
    ev_out: tuple[float, ...]
    ev_stored: tuple[float, ...]


def terminal_values(horizon: Horizon) -> TerminalValues:
    """What a kWh left in each store at the end is worth: what refilling it would cost."""
    config = horizon.inputs.config
    low, high = min(horizon.price), max(horizon.price)
    discount = config.terminal_discount
    battery = horizon.inputs.battery
    ev = horizon.inputs.ev
    eff = battery.efficiency if battery is not None else 1.0
    heat = min(price / cop for price, cop in zip(horizon.price, horizon.cop, strict=True))
    ev_eff = ev.charge_efficiency if ev is not None else 1.0
    spare = config.ev_spare_charge
    return TerminalValues(
        battery=discount * max(0.0, min(low / eff, high * eff)),
        heat=discount * max(0.0, heat),
        ev=discount * max(0.0, low / ev_eff) if spare else 0.0,
        ev_below_target=(2 - discount) * max(0.0, low / ev_eff) if spare else 0.0,
    )


@dataclass(slots=True)
class _Columns:
    grid_import: range
    grid_export: range
    charge: range | None = None
    discharge: range | None = None
    stored: range | None = None
    boil: range | None = None
    heat: range | None = None
    shortfall: range | None = None
    ev_in: range | None = None
    ev_out: range | None = None
    ev_stored: range | None = None


def build(horizon: Horizon, values: TerminalValues) -> tuple[LinearProgram, _Columns]:
    """The linear programme of ``horizon``.

    Rows that cannot bind are left out (the programme is solved without presolve): the
    storage-is-not-sold row where there is no solar to export, the contract row where even
    every device at full power stays under the contract.
    """
    n = horizon.slots
    config = horizon.inputs.config
    lp = LinearProgram()
    columns = _Columns(
        grid_import=lp.add_columns(n, cost=horizon.price),
        grid_export=lp.add_columns(n, upper=horizon.solar, cost=[-price for price in horizon.sale]),
    )
    early = [-_TIE * (n - t) / n for t in range(n)]
    _battery_columns(lp, columns, horizon, values, early)
    _water_heater_columns(lp, columns, horizon, values, early)
    _ev_columns(lp, columns, horizon, values, early)
    devices_max = _devices_max(horizon)
    for t in range(n):
        entries = [(columns.grid_import[t], 1.0), (columns.grid_export[t], -1.0)]
        entries += _pick(columns.discharge, t, 1.0) + _pick(columns.charge, t, -1.0)
        entries += _pick(columns.boil, t, -1.0) + _pick(columns.ev_in, t, -1.0)
        entries += _pick(columns.ev_out, t, 1.0)
        need = horizon.load[t] - horizon.solar[t]
        lp.add_row(entries, need, need)
        contract = horizon.contract_kwh
        if contract is not None and need + devices_max[t] > contract:
            excess = lp.add_columns(1, cost=config.contract_excess_yen)[0]
            lp.add_row([(columns.grid_import[t], 1.0), (excess, -1.0)], upper=contract)
        supply = _pick(columns.discharge, t, 1.0) + _pick(columns.ev_out, t, 1.0)
        if supply and horizon.solar[t] > 0:
            supply += _pick(columns.boil, t, -1.0) + _pick(columns.ev_in, t, -1.0)
            lp.add_row(supply, upper=horizon.load[t])
    return lp, columns


def _devices_max(horizon: Horizon) -> list[float]:
    """Per slot: what the planned devices could draw at most."""
    inputs = horizon.inputs
    most = 0.0
    if inputs.battery is not None:
        most += inputs.battery.max_charge_kw * SLOT_HOURS
    if inputs.water_heater is not None:
        most += inputs.water_heater.max_input_kw * SLOT_HOURS
    ev_most = inputs.ev.max_charge_kw * SLOT_HOURS if inputs.ev is not None else 0.0
    return [most + (ev_most if here else 0.0) for here in horizon.ev_available]


def _pick(block: range | None, t: int, value: float) -> list[tuple[int, float]]:
    return [] if block is None or t >= len(block) else [(block[t], value)]


# Each device adds its columns through a function of one signature (``build`` calls them in
# turn); their first lines are alike on purpose.
def _battery_columns(
    lp: LinearProgram,
    columns: _Columns,
    horizon: Horizon,
    values: TerminalValues,
    early: list[float],
) -> None:
    battery = horizon.inputs.battery
    if battery is None:
        return
    n = horizon.slots
    cycle = horizon.inputs.config.cycle_cost_yen / 2
    eff = battery.efficiency
    now = battery.stored_kwh
    lower = min(battery.reserve_kwh, now)
    upper = max(battery.max_kwh, now)
    lowers = [lower] * n
    if battery.keep_full:
        rate = battery.max_charge_kw * SLOT_HOURS * eff
        lowers = [min(battery.max_kwh, now + rate * (t + 1)) for t in range(n)]
        lowers = [max(lower, value) for value in lowers]
    columns.charge = lp.add_columns(
        n, upper=battery.max_charge_kw * SLOT_HOURS, cost=[cycle + tie for tie in early]
    )
    columns.discharge = lp.add_columns(
        n,
        upper=0.0 if battery.keep_full else battery.max_discharge_kw * SLOT_HOURS,
        cost=[cycle + tie for tie in early],
    )
    final = [0.0] * n
    final[-1] = -values.battery
    columns.stored = lp.add_columns(n, lower=lowers, upper=upper, cost=final)
    for t in range(n):
        entries = [
            (columns.stored[t], 1.0),
            (columns.charge[t], -eff),
            (columns.discharge[t], 1.0 / eff),
        ]
        if t == 0:
            lp.add_row(entries, now, now)
        else:
            lp.add_row([*entries, (columns.stored[t - 1], -1.0)], 0.0, 0.0)


def _water_heater_columns(
    lp: LinearProgram,
    columns: _Columns,
    horizon: Horizon,
    values: TerminalValues,
    early: list[float],
) -> None:
    heater = horizon.inputs.water_heater
    if heater is None:
        return
    n = horizon.slots
    config = horizon.inputs.config
    loss = heater.standing_loss_kw * SLOT_HOURS
    most = heater.max_input_kw * SLOT_HOURS
    semi = heater.min_input_kw > 0
    columns.boil = lp.add_columns(
        n,
        lower=heater.min_input_kw * SLOT_HOURS if semi else 0.0,
        upper=most,
        cost=early,
        semi_continuous=semi,
    )
    final = [0.0] * n
    final[-1] = -values.heat
    columns.heat = lp.add_columns(
        n, lower=-INF, upper=max(heater.capacity_kwh, heater.heat_kwh), cost=final
    )
    columns.shortfall = lp.add_columns(n, cost=config.tank_shortfall_yen)
    for t in range(n):
        entries = [(columns.heat[t], 1.0), (columns.boil[t], -horizon.cop[t])]
        change = -horizon.hot_water[t] - loss
        if t == 0:
            lp.add_row(entries, heater.heat_kwh + change, heater.heat_kwh + change)
        else:
            lp.add_row([*entries, (columns.heat[t - 1], -1.0)], change, change)
        lp.add_row(
            [(columns.heat[t], 1.0), (columns.shortfall[t], 1.0)],
            lower=heater.reserve_kwh,
        )


def _ev_columns(
    lp: LinearProgram,
    columns: _Columns,
    horizon: Horizon,
    values: TerminalValues,
    early: list[float],
) -> None:
    """EV columns for the slots the car is plugged in (from now until it leaves)."""
    ev = horizon.inputs.ev
    if ev is None or not horizon.ev_available[0]:
        return
    departure = horizon.departure_index()
    m = horizon.slots if departure is None else departure
    semi = ev.min_charge_kw > 0
    columns.ev_in = lp.add_columns(
        m,
        lower=ev.min_charge_kw * SLOT_HOURS if semi else 0.0,
        upper=ev.max_charge_kw * SLOT_HOURS,
        cost=early[:m],
        semi_continuous=semi,
    )
    columns.ev_out = lp.add_columns(m, upper=ev.max_discharge_kw * SLOT_HOURS)
    now = ev.stored_kwh
    final = [0.0] * m
    final[-1] = -values.ev
    lower = min(ev.min_soc * ev.capacity_kwh, now)
    upper = max(ev.max_soc * ev.capacity_kwh, now)
    lowers = [lower] * m
    target = ev.target_soc * ev.capacity_kwh
    if departure is not None:
        lowers[-1] = max(lower, target)
    columns.ev_stored = lp.add_columns(m, lower=lowers, upper=upper, cost=final)
    if departure is None and target > 0 and values.ev_below_target > values.ev:
        # the part of the final charge below the target is worth more (see TerminalValues)
        below = lp.add_columns(1, upper=target, cost=-(values.ev_below_target - values.ev))[0]
        lp.add_row([(below, 1.0), (columns.ev_stored[m - 1], -1.0)], upper=0.0)
    for t in range(m):
        entries = [
            (columns.ev_stored[t], 1.0),
            (columns.ev_in[t], -ev.charge_efficiency),
            (columns.ev_out[t], 1.0 / ev.discharge_efficiency),
        ]
        if t == 0:
            lp.add_row(entries, now, now)
        else:
            lp.add_row([*entries, (columns.ev_stored[t - 1], -1.0)], 0.0, 0.0)


def flows(horizon: Horizon, columns: _Columns, solution: Solution) -> Flows:
    """The per-slot flows of an optimal ``solution``."""
    values = solution.values
    n = horizon.slots

    def take(block: range | None) -> tuple[float, ...]:
        found = [] if block is None else [max(0.0, values[index]) for index in block]
        return (*found, *([0.0] * (n - len(found))))

    def level(block: range | None, now: float) -> tuple[float, ...]:
        found = [] if block is None else [values[index] for index in block]
        last = found[-1] if found else now
        return (*found, *([last] * (n - len(found))))

    inputs = horizon.inputs
    return Flows(
        grid_import=take(columns.grid_import),
        grid_export=take(columns.grid_export),
        charge=take(columns.charge),
        discharge=take(columns.discharge),
        stored=level(columns.stored, 0.0),
        boil=take(columns.boil),
        heat=level(columns.heat, 0.0),
        shortfall=take(columns.shortfall),
        ev_in=take(columns.ev_in),
        ev_out=take(columns.ev_out),
        ev_stored=level(columns.ev_stored, inputs.ev.stored_kwh if inputs.ev else 0.0),
    )
