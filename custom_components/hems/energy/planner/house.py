"""One 30-minute slot of the house: device commands in, energy flows and the new state out.

This is the physics every controller shares: the planner's first slot becomes
:class:`Commands` (what the devices can be told over ECHONET Lite), the safe rule produces
them directly, and :func:`step` says what then happens with the solar, load and hot-water draw
of the slot.  The planner's expected costs, its "without planning" comparison and the benchmark's
settlement all go through it, so they use the same rules:

* The heat pump and the EV charger draw what they were told (within their limits and the room
  left in the tank or car); the EcoCute boils on its own when the tank falls below its
  reserve (its automatic 沸き増し), whatever it was told.
* The battery then follows its mode: ``AUTO`` stores the remaining surplus and covers the
  remaining consumption (self-consumption), ``CHARGE`` charges the given energy from solar
  first, then the grid, ``DISCHARGE`` covers consumption up to the given energy, ``HOLD`` rests.
  It never discharges below its reserve, never exports (in Japan battery energy is not sold),
  and limits grid charging to the contract (the peak-cut every home battery has).
* The grid takes the rest; export is solar only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from .model import SLOT_HOURS, Battery, ElectricVehicle, WaterHeater

_EPS = 1e-9
_PLAN_EPS = 1e-4


class BatteryMode(StrEnum):
    """What a storage battery is told for one slot (ECHONET working modes)."""

    AUTO = "auto"
    CHARGE = "charge"
    DISCHARGE = "discharge"
    HOLD = "hold"


@dataclass(frozen=True, slots=True)
class Commands:
    """Device commands for one slot.  Energies are kWh over the slot (AC side).

    ``ev_follow_surplus``: the charger charges with whatever surplus solar there is (a solar
    charging mode) instead of a fixed amount.
    """

    battery_mode: BatteryMode = BatteryMode.AUTO
    battery_kwh: float = 0.0
    boil_kwh: float = 0.0
    ev_charge_kwh: float = 0.0
    ev_discharge_kwh: float = 0.0
    ev_follow_surplus: bool = False


def slot_commands(
    battery: Battery | None,
    *,
    stored_kwh: float,
    charge: float,
    discharge: float,
    boil: float,
    ev_in: float,
    ev_out: float,
    solar: float,
    load: float,
) -> Commands:
    """The commands that make a planned slot happen (any planner's slot: ours or another's).

    ``stored_kwh`` is the battery's level at the start of the slot.  The battery charges a
    fixed amount only when the plan buys for it.  Otherwise it runs in its automatic mode,
    which stores whatever surplus there really is and covers whatever the house really draws,
    unless the plan covers only part of the draw (say the EV charges from the grid at night
    while the battery keeps its charge): then it discharges at most the planned amount, or
    holds.
    """
    mode, amount = BatteryMode.AUTO, 0.0
    if battery is not None:
        surplus = solar - load - boil - ev_in + ev_out
        can_discharge = stored_kwh > battery.reserve_kwh + _PLAN_EPS
        if battery.keep_full or charge - max(0.0, surplus) > _PLAN_EPS:
            mode, amount = BatteryMode.CHARGE, charge
        elif charge > _PLAN_EPS:
            mode = BatteryMode.AUTO
        elif discharge > _PLAN_EPS:
            if discharge < -surplus - _PLAN_EPS:
                mode, amount = BatteryMode.DISCHARGE, discharge
        elif surplus < -_PLAN_EPS and can_discharge:
            mode = BatteryMode.HOLD
    return Commands(
        battery_mode=mode,
        battery_kwh=amount,
        boil_kwh=boil,
        ev_charge_kwh=ev_in,
        ev_discharge_kwh=ev_out,
    )


@dataclass(frozen=True, slots=True)
class Devices:
    """The planned devices (any may be absent) and their state."""

    battery: Battery | None = None
    water_heater: WaterHeater | None = None
    ev: ElectricVehicle | None = None


@dataclass(frozen=True, slots=True)
class SlotConditions:
    """What happens in a slot whatever the commands: solar, load, draws, prices."""

    solar_kwh: float
    load_kwh: float
    purchase_price: float
    sale_price: float
    hot_water_kwh: float = 0.0
    cop: float = 3.0
    ev_available: bool = False
    contract_kwh: float | None = None


@dataclass(frozen=True, slots=True)
class SlotOutcome:
    """Energy flows of one slot (kWh) and what they cost (yen)."""

    grid_import_kwh: float
    grid_export_kwh: float
    battery_charge_kwh: float
    battery_discharge_kwh: float
    boil_kwh: float
    ev_charge_kwh: float
    ev_discharge_kwh: float
    hot_water_shortfall_kwh: float
    contract_excess_kwh: float
    cost_yen: float


@dataclass(slots=True)
class State:
    """The devices' specs and their levels (kWh), changed in place slot by slot: the fast form
    of :class:`Devices` for simulations."""

    battery: Battery | None
    battery_kwh: float
    water_heater: WaterHeater | None
    heat_kwh: float
    ev: ElectricVehicle | None
    ev_kwh: float

    @classmethod
    def of(cls, devices: Devices) -> State:
        """The state of ``devices``."""
        battery, heater, ev = devices.battery, devices.water_heater, devices.ev
        return cls(
            battery,
            0.0 if battery is None else battery.stored_kwh,
            heater,
            0.0 if heater is None else heater.heat_kwh,
            ev,
            0.0 if ev is None else ev.stored_kwh,
        )

    def devices(self) -> Devices:
        """The devices with these levels."""
        battery, heater, ev = self.battery, self.water_heater, self.ev
        return Devices(
            None
            if battery is None
            else replace(battery, soc=min(1.0, max(0.0, self.battery_kwh / battery.capacity_kwh))),
            None if heater is None else replace(heater, heat_kwh=self.heat_kwh),
            None
            if ev is None
            else replace(ev, soc=min(1.0, max(0.0, self.ev_kwh / ev.capacity_kwh))),
        )


def step(devices: Devices, commands: Commands, slot: SlotConditions) -> tuple[Devices, SlotOutcome]:
    """Apply ``commands`` for one slot under ``slot``; the new device state and the flows."""
    state = State.of(devices)
    outcome = advance(state, commands, slot)
    return state.devices(), outcome


def advance(state: State, commands: Commands, slot: SlotConditions) -> SlotOutcome:
    """Apply ``commands`` for one slot under ``slot`` to ``state`` (in place); the flows."""
    boil, shortfall = _water_heater(state, commands, slot)
    ev_in, ev_out = _ev(state, commands, slot, slot.solar_kwh - slot.load_kwh - boil)
    surplus = slot.solar_kwh + ev_out - slot.load_kwh - boil - ev_in
    charge, discharge = _battery(state, commands, slot, surplus)
    net = slot.load_kwh + boil + ev_in + charge - slot.solar_kwh - ev_out - discharge
    grid_import = max(0.0, net)
    grid_export = max(0.0, -net)
    excess = 0.0 if slot.contract_kwh is None else max(0.0, grid_import - slot.contract_kwh)
    return SlotOutcome(
        grid_import_kwh=grid_import,
        grid_export_kwh=grid_export,
        battery_charge_kwh=charge,
        battery_discharge_kwh=discharge,
        boil_kwh=boil,
        ev_charge_kwh=ev_in,
        ev_discharge_kwh=ev_out,
        hot_water_shortfall_kwh=shortfall,
        contract_excess_kwh=excess,
        cost_yen=grid_import * slot.purchase_price - grid_export * slot.sale_price,
    )


def _water_heater(state: State, commands: Commands, slot: SlotConditions) -> tuple[float, float]:
    heater = state.water_heater
    if heater is None:
        return 0.0, 0.0
    level = state.heat_kwh
    loss = heater.standing_loss_kw * SLOT_HOURS
    most = heater.max_input_kw * SLOT_HOURS
    boil = min(max(0.0, commands.boil_kwh), most)
    if level < heater.reserve_kwh - _EPS:
        boil = most  # the EcoCute's own 沸き増し when the tank runs below its reserve
    room = heater.capacity_kwh - level + slot.hot_water_kwh + loss
    boil = max(0.0, min(boil, room / slot.cop))
    heat = level + slot.cop * boil - slot.hot_water_kwh - loss
    shortfall = max(0.0, -heat)
    state.heat_kwh = min(max(heat, 0.0), max(heater.capacity_kwh, level))
    return boil, shortfall


def _ev(
    state: State, commands: Commands, slot: SlotConditions, surplus: float
) -> tuple[float, float]:
    ev = state.ev
    if ev is None or not slot.ev_available:
        return 0.0, 0.0
    level = state.ev_kwh
    room = max(0.0, ev.max_soc * ev.capacity_kwh - level) / ev.charge_efficiency
    wanted = max(0.0, surplus) if commands.ev_follow_surplus else max(0.0, commands.ev_charge_kwh)
    charge = min(wanted, ev.max_charge_kw * SLOT_HOURS, room)
    available = max(0.0, level - ev.min_soc * ev.capacity_kwh) * ev.discharge_efficiency
    consumption = max(0.0, slot.load_kwh - slot.solar_kwh)
    discharge = 0.0
    if charge <= _EPS:
        charge = 0.0
        discharge = min(
            max(0.0, commands.ev_discharge_kwh),
            ev.max_discharge_kw * SLOT_HOURS,
            available,
            consumption,
        )
    state.ev_kwh = level + charge * ev.charge_efficiency - discharge / ev.discharge_efficiency
    return charge, discharge


def _battery(
    state: State, commands: Commands, slot: SlotConditions, surplus: float
) -> tuple[float, float]:
    battery = state.battery
    if battery is None:
        return 0.0, 0.0
    level = state.battery_kwh
    eff = battery.efficiency
    room = max(0.0, battery.max_kwh - level) / eff
    available = max(0.0, level - battery.reserve_kwh) * eff
    max_in = battery.max_charge_kw * SLOT_HOURS
    max_out = battery.max_discharge_kw * SLOT_HOURS
    charge = discharge = 0.0
    mode = commands.battery_mode
    if mode is BatteryMode.AUTO:
        if surplus > 0:
            charge = min(surplus, max_in, room)
        else:
            discharge = min(-surplus, max_out, available)
    elif mode is BatteryMode.CHARGE:
        charge = min(max(0.0, commands.battery_kwh), max_in, room)
        if slot.contract_kwh is not None:  # peak-cut: never trip the breaker by charging
            charge = min(charge, max(0.0, slot.contract_kwh + surplus))
    elif mode is BatteryMode.DISCHARGE:
        discharge = min(max(0.0, commands.battery_kwh), max_out, available, max(0.0, -surplus))
    state.battery_kwh = level + charge * eff - discharge / eff
    return charge, discharge
