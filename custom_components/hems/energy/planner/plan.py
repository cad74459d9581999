"""A plan: what each device does in each slot, why, and what it is expected to cost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from .house import BatteryMode, Commands
from .reasons import Language, Reason


class PlanSource(StrEnum):
    """Where a plan came from."""

    OPTIMISED = "optimised"
    FALLBACK = "fallback"


class Device(StrEnum):
    """The planned devices."""

    BATTERY = "battery"
    WATER_HEATER = "water_heater"
    EV = "ev"


class ActionKind(StrEnum):
    """What a device does in a slot."""

    CHARGE = "charge"
    DISCHARGE = "discharge"
    HOLD = "hold"
    AUTO = "auto"
    BOIL = "boil"
    SUPPLY = "supply"


@dataclass(frozen=True, slots=True)
class Action:
    """One device's action in one slot, with its reason."""

    device: Device
    kind: ActionKind
    energy_kwh: float
    reason: Reason

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "device": self.device.value,
            "action": self.kind.value,
            "energy_kwh": round(self.energy_kwh, 3),
            "reason": self.reason.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class SlotPlan:
    """One slot of a plan.  Levels (``battery_soc``, ``tank_heat_kwh``, ``ev_soc``) are at the
    end of the slot; ``None`` when the device is absent."""

    start: datetime
    purchase_price: float
    sale_price: float
    solar_kwh: float
    load_kwh: float
    grid_import_kwh: float
    grid_export_kwh: float
    battery_charge_kwh: float
    battery_discharge_kwh: float
    battery_soc: float | None
    boil_kwh: float
    tank_heat_kwh: float | None
    ev_charge_kwh: float
    ev_discharge_kwh: float
    ev_soc: float | None
    hot_water_shortfall_kwh: float
    cost_yen: float
    commands: Commands
    actions: tuple[Action, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form (for attributes and diagnostics)."""
        return {
            "start": self.start.isoformat(),
            "price": round(self.purchase_price, 2),
            "sale_price": round(self.sale_price, 2),
            "solar_kwh": round(self.solar_kwh, 3),
            "load_kwh": round(self.load_kwh, 3),
            "import_kwh": round(self.grid_import_kwh, 3),
            "export_kwh": round(self.grid_export_kwh, 3),
            "battery_charge_kwh": round(self.battery_charge_kwh, 3),
            "battery_discharge_kwh": round(self.battery_discharge_kwh, 3),
            "battery_soc": None if self.battery_soc is None else round(self.battery_soc, 4),
            "battery_mode": self.commands.battery_mode.value,
            "boil_kwh": round(self.boil_kwh, 3),
            "tank_heat_kwh": None if self.tank_heat_kwh is None else round(self.tank_heat_kwh, 3),
            "ev_charge_kwh": round(self.ev_charge_kwh, 3),
            "ev_discharge_kwh": round(self.ev_discharge_kwh, 3),
            "ev_soc": None if self.ev_soc is None else round(self.ev_soc, 4),
            "cost_yen": round(self.cost_yen, 2),
            "actions": [action.as_dict() for action in self.actions],
        }


@dataclass(frozen=True, slots=True)
class Plan:
    """A plan over the horizon.

    ``expected_cost_yen``: grid purchases minus sales over the horizon, with the forecasts;
    ``baseline_cost_yen``: the same with the devices in their automatic modes (no planning);
    ``stored_value_yen``: how much more the energy left in battery, tank and car at the end is
    worth in this plan than in the baseline; ``expected_saving_yen`` = baseline − cost + stored
    value.  ``decisions`` explain the plan device by device; ``summary`` states the saving;
    ``fallback`` says why the plan is the safe rule instead of an optimised one.
    """

    start: datetime
    source: PlanSource
    slots: tuple[SlotPlan, ...]
    decisions: tuple[Reason, ...]
    summary: Reason
    fallback: Reason | None
    expected_cost_yen: float
    baseline_cost_yen: float
    stored_value_yen: float
    expected_saving_yen: float
    solve_ms: float

    def commands(self) -> Commands:
        """What to tell the devices now (the first slot)."""
        return self.slots[0].commands

    @property
    def battery_mode(self) -> BatteryMode:
        """The battery's mode now."""
        return self.commands().battery_mode

    def explain(self, language: Language = "en") -> list[str]:
        """The fallback reason (if any), the decisions and the summary, in plain words."""
        reasons = [self.fallback] if self.fallback is not None else []
        return [reason.render(language) for reason in (*reasons, *self.decisions, self.summary)]

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form (diagnostics)."""
        return {
            "start": self.start.isoformat(),
            "source": self.source.value,
            "fallback": None if self.fallback is None else self.fallback.as_dict(),
            "decisions": [reason.as_dict() for reason in self.decisions],
            "summary": self.summary.as_dict(),
            "expected_cost_yen": round(self.expected_cost_yen, 1),
            "baseline_cost_yen": round(self.baseline_cost_yen, 1),
            "stored_value_yen": round(self.stored_value_yen, 1),
            "expected_saving_yen": round(self.expected_saving_yen, 1),
            "solve_ms": round(self.solve_ms, 2),
            "slots": [slot.as_dict() for slot in self.slots],
        }
