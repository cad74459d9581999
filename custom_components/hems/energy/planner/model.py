"""What the planner is told: the house's devices (spec and current state) and the forecasts.

Units: energy in kWh per 30-minute slot, power in kW, prices in yen per kWh, state of charge as a
fraction (0-1), temperatures in °C.  Every slot is :data:`SLOT_HOURS` long.

The EcoCute tank is modelled by its *heat content above the usable floor* (the heat in the tank
above ``min_temp_c``, 40 °C by default): 0 kWh means no usable hot water is left, and
:attr:`WaterHeater.capacity_kwh` is the content of a tank fully boiled to ``max_temp_c``.  The
heat pump turns ``cop`` kWh of heat out of every kWh of electricity; its COP falls with the
outdoor temperature (:func:`heat_pump_cop`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import math

from .errors import PlannerInputError

SLOT = timedelta(minutes=30)
SLOT_HOURS = 0.5
WATER_KWH_PER_LITRE_K = 4.186 / 3600
"""Heat capacity of water in kWh per litre per kelvin."""


def _check(condition: bool, field_name: str, message: str) -> None:
    if not condition:
        raise PlannerInputError(f"{field_name}: {message}", field=field_name)


def _finite(value: float) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True, slots=True)
class Battery:
    """A storage battery (ECHONET 0x027D): spec and current state.

    ``reserve`` is the share kept for outages (非常時用残量): the plan never goes below it.
    ``keep_full`` is the weather-warning reserve (気象警報連動): charge to full now and do not
    discharge.  ``round_trip_efficiency`` is split evenly between charging and discharging.
    """

    capacity_kwh: float
    max_charge_kw: float
    max_discharge_kw: float
    soc: float
    round_trip_efficiency: float = 0.9
    reserve: float = 0.2
    max_soc: float = 1.0
    keep_full: bool = False

    def __post_init__(self) -> None:
        _check(_finite(self.capacity_kwh) and self.capacity_kwh > 0, "battery.capacity_kwh", "> 0")
        _check(
            _finite(self.max_charge_kw) and self.max_charge_kw >= 0, "battery.max_charge_kw", ">= 0"
        )
        _check(
            _finite(self.max_discharge_kw) and self.max_discharge_kw >= 0,
            "battery.max_discharge_kw",
            ">= 0",
        )
        _check(_finite(self.soc) and 0 <= self.soc <= 1, "battery.soc", "between 0 and 1")
        _check(
            _finite(self.round_trip_efficiency) and 0 < self.round_trip_efficiency <= 1,
            "battery.round_trip_efficiency",
            "in (0, 1]",
        )
        _check(_finite(self.reserve) and 0 <= self.reserve <= 1, "battery.reserve", "in [0, 1]")
        _check(
            _finite(self.max_soc) and self.reserve <= self.max_soc <= 1,
            "battery.max_soc",
            "between the reserve and 1",
        )

    @property
    def efficiency(self) -> float:
        """One-way efficiency (charging and discharging alike)."""
        return math.sqrt(self.round_trip_efficiency)

    @property
    def stored_kwh(self) -> float:
        """Energy now in the battery."""
        return self.soc * self.capacity_kwh

    @property
    def reserve_kwh(self) -> float:
        """Energy kept for outages."""
        return self.reserve * self.capacity_kwh

    @property
    def max_kwh(self) -> float:
        """Highest energy content allowed."""
        return self.max_soc * self.capacity_kwh


@dataclass(frozen=True, slots=True)
class WaterHeater:
    """A heat-pump water heater (EcoCute, ECHONET 0x026B): tank and heat pump.

    ``heat_kwh``: usable heat now in the tank; ``capacity_kwh``: usable heat of a full tank;
    ``reserve_kwh``: heat the plan keeps at all times (running out of hot water, 湯切れ, is
    penalised, never planned on purpose); ``max_input_kw`` / ``min_input_kw``: electric input of
    the heat pump when it runs (``min_input_kw`` > 0 makes the choice on/off per slot, a MILP);
    ``standing_loss_kw``: heat lost by the tank.
    """

    capacity_kwh: float
    heat_kwh: float
    max_input_kw: float
    min_input_kw: float = 0.0
    standing_loss_kw: float = 0.07
    reserve_kwh: float = 0.0

    def __post_init__(self) -> None:
        _check(
            _finite(self.capacity_kwh) and self.capacity_kwh > 0,
            "water_heater.capacity_kwh",
            "> 0",
        )
        _check(
            _finite(self.heat_kwh) and 0 <= self.heat_kwh <= self.capacity_kwh * 1.05,
            "water_heater.heat_kwh",
            "between 0 and the capacity",
        )
        _check(
            _finite(self.max_input_kw) and self.max_input_kw >= 0,
            "water_heater.max_input_kw",
            ">= 0",
        )
        _check(
            _finite(self.min_input_kw) and 0 <= self.min_input_kw <= self.max_input_kw,
            "water_heater.min_input_kw",
            "between 0 and max_input_kw",
        )
        _check(
            _finite(self.standing_loss_kw) and self.standing_loss_kw >= 0,
            "water_heater.standing_loss_kw",
            ">= 0",
        )
        _check(
            _finite(self.reserve_kwh) and 0 <= self.reserve_kwh < self.capacity_kwh,
            "water_heater.reserve_kwh",
            "between 0 and the capacity",
        )

    @staticmethod
    def tank_heat_kwh(litres: float, temp_c: float, floor_c: float) -> float:
        """Heat of ``litres`` of water at ``temp_c`` above ``floor_c`` (0 below the floor)."""
        return max(0.0, litres * WATER_KWH_PER_LITRE_K * (temp_c - floor_c))

    @classmethod
    def from_tank(
        cls,
        litres: float,
        temp_c: float,
        *,
        max_input_kw: float,
        floor_c: float = 40.0,
        max_temp_c: float = 90.0,
        **kwargs: float,
    ) -> WaterHeater:
        """A water heater from a mixed tank of ``litres`` at ``temp_c`` (heat above ``floor_c``)."""
        return cls(
            capacity_kwh=cls.tank_heat_kwh(litres, max_temp_c, floor_c),
            heat_kwh=min(
                cls.tank_heat_kwh(litres, temp_c, floor_c),
                cls.tank_heat_kwh(litres, max_temp_c, floor_c),
            ),
            max_input_kw=max_input_kw,
            **kwargs,
        )


@dataclass(frozen=True, slots=True)
class ElectricVehicle:
    """An EV on a charger or V2H unit (ECHONET 0x027E / 0x02A1): spec and state.

    ``departure`` and ``target_soc``: the user's next departure and the charge wanted by then
    (a hard requirement; an unreachable one makes the planner fall back).  After the departure
    the car is assumed away for the rest of the horizon.  ``max_discharge_kw`` > 0 is V2H (the
    car supplies the house, never below ``min_soc``).  ``min_charge_kw`` > 0 (a charger cannot
    run below about 6 A) makes charging on/off per slot.
    """

    capacity_kwh: float
    max_charge_kw: float
    soc: float
    plugged: bool
    departure: datetime | None = None
    target_soc: float = 0.0
    min_charge_kw: float = 0.0
    charge_efficiency: float = 0.92
    max_discharge_kw: float = 0.0
    discharge_efficiency: float = 0.92
    max_soc: float = 1.0
    min_soc: float = 0.2

    def __post_init__(self) -> None:
        _check(_finite(self.capacity_kwh) and self.capacity_kwh > 0, "ev.capacity_kwh", "> 0")
        _check(_finite(self.max_charge_kw) and self.max_charge_kw >= 0, "ev.max_charge_kw", ">= 0")
        _check(
            _finite(self.min_charge_kw) and 0 <= self.min_charge_kw <= self.max_charge_kw,
            "ev.min_charge_kw",
            "between 0 and max_charge_kw",
        )
        _check(_finite(self.soc) and 0 <= self.soc <= 1, "ev.soc", "between 0 and 1")
        _check(
            _finite(self.target_soc) and 0 <= self.target_soc <= self.max_soc,
            "ev.target_soc",
            "between 0 and max_soc",
        )
        _check(_finite(self.max_soc) and 0 < self.max_soc <= 1, "ev.max_soc", "in (0, 1]")
        _check(_finite(self.min_soc) and 0 <= self.min_soc <= 1, "ev.min_soc", "in [0, 1]")
        for name in ("charge_efficiency", "discharge_efficiency"):
            value = getattr(self, name)
            _check(_finite(value) and 0 < value <= 1, f"ev.{name}", "in (0, 1]")
        _check(
            _finite(self.max_discharge_kw) and self.max_discharge_kw >= 0,
            "ev.max_discharge_kw",
            ">= 0",
        )
        _check(
            self.departure is None or self.departure.tzinfo is not None,
            "ev.departure",
            "must be timezone-aware",
        )

    @property
    def stored_kwh(self) -> float:
        """Energy now in the car."""
        return self.soc * self.capacity_kwh


@dataclass(frozen=True, slots=True)
class Forecast:
    """Per-slot forecasts over the horizon, all of the same length.

    ``load_kwh`` is the house's consumption *without* the planned devices (battery, EcoCute heat
    pump, EV charging); ``hot_water_kwh`` is the heat drawn from the tank; ``outdoor_c`` sets the
    heat pump's COP; ``conditions`` (optional) are weather words used in explanations only
    (``sunny``, ``cloudy``, ``rainy``, ... as Home Assistant's weather conditions).
    """

    solar_kwh: Sequence[float]
    load_kwh: Sequence[float]
    purchase_price: Sequence[float]
    sale_price: Sequence[float]
    hot_water_kwh: Sequence[float] = ()
    outdoor_c: Sequence[float] = ()
    conditions: Sequence[str] = ()

    def __post_init__(self) -> None:
        slots = len(self.solar_kwh)
        _check(slots > 0, "forecast.solar_kwh", "at least one slot is needed")
        for name in ("load_kwh", "purchase_price", "sale_price"):
            _check(len(getattr(self, name)) == slots, f"forecast.{name}", f"needs {slots} values")
        for name in ("hot_water_kwh", "outdoor_c", "conditions"):
            values = getattr(self, name)
            _check(len(values) in {0, slots}, f"forecast.{name}", f"needs {slots} values or none")
        for name in ("solar_kwh", "load_kwh", "hot_water_kwh"):
            for index, value in enumerate(getattr(self, name)):
                _check(_finite(value) and value >= 0, f"forecast.{name}[{index}]", ">= 0")
        for name in ("purchase_price", "sale_price", "outdoor_c"):
            for index, value in enumerate(getattr(self, name)):
                _check(_finite(value), f"forecast.{name}[{index}]", "must be a number")

    def __len__(self) -> int:
        return len(self.solar_kwh)


@dataclass(frozen=True, slots=True)
class PlannerConfig:
    """How the planner solves.

    ``time_limit_s``: the solver's limit; past it the plan falls back to the safe rule.
    ``tank_shortfall_yen``: penalty per kWh of hot water the tank could not supply (keeps 湯切れ
    out of every plan that can avoid it).  ``contract_excess_yen``: penalty per kWh drawn above
    the contract (only the house's own load can cause it; the plan never adds to it).
    ``cycle_cost_yen``: a small cost per kWh through the battery, so that it never cycles for
    nothing.  ``terminal_discount``: stored energy at the end of the horizon is valued at its
    replacement cost times this factor (below 1, so the planner never buys energy only to hold
    it past the horizon).  ``ev_spare_charge``: charge the EV beyond what its next announced
    departure needs when that is cheap (surplus solar kept for later trips); ``False`` charges
    exactly what the departure needs and nothing without one (as EMHASS plans a car).
    """

    time_limit_s: float = 2.0
    tank_shortfall_yen: float = 200.0
    contract_excess_yen: float = 1000.0
    cycle_cost_yen: float = 0.1
    terminal_discount: float = 0.98
    mip_rel_gap: float = 1e-4
    ev_spare_charge: bool = True

    def __post_init__(self) -> None:
        _check(_finite(self.time_limit_s) and self.time_limit_s > 0, "config.time_limit_s", "> 0")
        _check(
            _finite(self.terminal_discount) and 0 < self.terminal_discount <= 1,
            "config.terminal_discount",
            "in (0, 1]",
        )


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """Everything one plan needs.  ``start`` is the (aware) start of the first slot.

    ``contract_kw``: the highest average power the house may draw in a slot (a 60 A contract
    counted as 100 V per ampere is 6 kW); ``cop``: the heat pump's COP per slot, needed with a
    water heater (:func:`heat_pump_cop` of the outdoor temperature forecast).
    """

    start: datetime
    forecast: Forecast
    battery: Battery | None = None
    water_heater: WaterHeater | None = None
    ev: ElectricVehicle | None = None
    contract_kw: float | None = None
    cop: Sequence[float] = ()
    config: PlannerConfig = field(default_factory=PlannerConfig)

    def __post_init__(self) -> None:
        _check(self.start.tzinfo is not None, "start", "must be timezone-aware")
        _check(
            self.contract_kw is None or (_finite(self.contract_kw) and self.contract_kw > 0),
            "contract_kw",
            "> 0",
        )
        slots = len(self.forecast)
        if self.water_heater is not None:
            _check(
                len(self.forecast.hot_water_kwh) == slots,
                "forecast.hot_water_kwh",
                "is needed with a water heater",
            )
            _check(len(self.cop) == slots, "cop", f"needs {slots} values with a water heater")
            for index, value in enumerate(self.cop):
                _check(_finite(value) and value > 0, f"cop[{index}]", "> 0")

    @property
    def slots(self) -> int:
        """Number of slots in the horizon."""
        return len(self.forecast)

    def slot_start(self, index: int) -> datetime:
        """Start of slot ``index`` (in the zone of :attr:`start`)."""
        return self.start + index * SLOT

    def ev_available(self) -> list[bool]:
        """Per slot: is the car plugged in (until its departure)?"""
        ev = self.ev
        if ev is None or not ev.plugged:
            return [False] * self.slots
        if ev.departure is None:
            return [True] * self.slots
        return [self.slot_start(index) < ev.departure for index in range(self.slots)]

    def ev_departure_index(self) -> int | None:
        """Index of the first slot after the car left, if it leaves within the horizon."""
        available = self.ev_available()
        if self.ev is None or not self.ev.plugged or self.ev.departure is None:
            return None
        for index, here in enumerate(available):
            if not here:
                return index
        return None


def heat_pump_cop(
    outdoor_c: float,
    *,
    supply_c: float = 65.0,
    carnot_efficiency: float = 0.5,
    low: float = 1.0,
    high: float = 8.0,
) -> float:
    """COP of a heat pump heating water to ``supply_c`` from outdoor air at ``outdoor_c``.

    A fraction of the Carnot COP, ``carnot_efficiency × T_supply / (T_supply − T_outdoor)`` (K),
    clipped to ``[low, high]``.  With the defaults: 2.6 at 0 °C, 3.4 at 15 °C, 4.8 at 30 °C,
    close to published EcoCute figures (年間給湯保温効率 3-4).
    """
    lift = supply_c - outdoor_c
    if lift <= 0:
        return high
    return min(high, max(low, carnot_efficiency * (supply_c + 273.15) / lift))
