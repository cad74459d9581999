"""The solar-surplus planner (AI solar charge, 太陽光活用モード): battery, EcoCute and EV.

Pure library (no Home Assistant), typed, deterministic.  Every 30 minutes (receding horizon)
:func:`plan` takes the devices' state, the forecasts of the next 24-48 hours and the tariff's
prices, and returns a :class:`Plan`: what each device does in each slot and why, and its
expected cost against doing nothing.  The plan is the optimum of a linear programme solved by
HiGHS (a MILP when a device has a minimum power); when no plan satisfies the limits or the
solver runs out of time, it is the devices' automatic modes with the reason.

Modules:

* :mod:`.model`: the inputs (:class:`Battery`, :class:`WaterHeater`, :class:`ElectricVehicle`,
  :class:`Forecast`, :class:`PlanInputs`, :class:`PlannerConfig`) and :func:`heat_pump_cop`;
* :mod:`.prices`: per-slot prices from the energy library's :class:`~..Tariff`;
* :mod:`.forecast`: load and hot-water profiles learned from history, a solar forecast from
  past generation and the weather condition;
* :mod:`.problem` and :mod:`.lp`: the linear programme and its HiGHS solve;
* :mod:`.optimizer`: :func:`plan`, :func:`fallback_plan`, :func:`simulate`;
* :mod:`.house`: one slot of the house (device commands → energy flows), shared by all;
* :mod:`.rules`: the devices' automatic modes (the safe rule, "no planning") and an
  AiSEG2-like rule;
* :mod:`.plan`, :mod:`.explain`, :mod:`.reasons`: the plan, its actions and decisions, and
  their reasons in English and Japanese.
"""

from __future__ import annotations

from .errors import PlannerInputError
from .forecast import CONDITION_FACTORS, ProfileModel, SolarModel, clear_sky_ghi
from .horizon import Horizon, horizon_slots
from .house import (
    BatteryMode,
    Commands,
    Devices,
    SlotConditions,
    SlotOutcome,
    State,
    advance,
    slot_commands,
    step,
)
from .model import (
    SLOT,
    SLOT_HOURS,
    Battery,
    ElectricVehicle,
    Forecast,
    PlanInputs,
    PlannerConfig,
    WaterHeater,
    heat_pump_cop,
)
from .optimizer import fallback_plan, plan, simulate
from .plan import Action, ActionKind, Device, Plan, PlanSource, SlotPlan
from .prices import TariffPrices, solar_for_house
from .reasons import LANGUAGES, Language, Reason, ReasonCode, render
from .rules import AiSolarChargeRule, automatic, automatic_commands

__all__ = [
    "CONDITION_FACTORS",
    "LANGUAGES",
    "SLOT",
    "SLOT_HOURS",
    "Action",
    "ActionKind",
    "AiSolarChargeRule",
    "Battery",
    "BatteryMode",
    "Commands",
    "Device",
    "Devices",
    "ElectricVehicle",
    "Forecast",
    "Horizon",
    "Language",
    "Plan",
    "PlanInputs",
    "PlanSource",
    "PlannerConfig",
    "PlannerInputError",
    "ProfileModel",
    "Reason",
    "ReasonCode",
    "SlotConditions",
    "SlotOutcome",
    "SlotPlan",
    "SolarModel",
    "State",
    "TariffPrices",
    "WaterHeater",
    "advance",
    "automatic",
    "automatic_commands",
    "clear_sky_ghi",
    "fallback_plan",
    "heat_pump_cop",
    "horizon_slots",
    "plan",
    "render",
    "simulate",
    "slot_commands",
    "solar_for_house",
    "step",
]
