"""The two rule-based controllers: the devices' own automatic modes, and an AiSEG2-like rule.

**Automatic modes** (:func:`automatic_commands`, "no planning", also the planner's safe
fallback), as the devices do by themselves on a night-cheap tariff:

* battery: charges to full in the cheapest-price window (its night-charge timer), otherwise
  stores surplus and covers the house (self-consumption);
* EcoCute (おまかせ): boils at the end of the cheap window just enough for the hot water it
  expects until the next window (from the demand it learned, plus 10 %), and boils on its own
  when the tank runs low;
* EV charger (timer): charges in the cheap window up to the target, and at once when the cheap
  slots left before the departure cannot reach it.

**AiSEG2-like rule** (:class:`AiSolarChargeRule`), after the reference controller's AI solar
charge (太陽光活用モード, AiSEG2 manual): at the start of each cheap window it predicts the
surplus of the following day (Σ max(0, solar − load) over the day's slots) and, when the tariff
allows (highest price above both the cheapest and the sale price) and no weather warning holds:

1. battery (surplus ≥ 0.3 kWh): charges at night only up to what the surplus will not fill;
2. EcoCute (surplus left ≥ boiling need + 0.3 kWh): boils at night only for the morning and
   boils the rest in the block of slots with the largest predicted surplus;
3. EV (surplus left ≥ charging need + 1.5 kWh): charges with surplus during the day instead
   of at night.

Everything else runs in the automatic modes.  The order battery → EcoCute → EV is ours (the
manual does not give one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import math

from .horizon import SLOTS_PER_DAY, Horizon
from .house import BatteryMode, Commands, State
from .model import SLOT_HOURS, Battery, ElectricVehicle, PlanInputs, WaterHeater

BOIL_MARGIN = 1.1
"""The EcoCute boils 10 % more than the demand it expects."""


def automatic_commands(inputs: PlanInputs) -> Commands:
    """The devices' automatic modes for the first slot of ``inputs``."""
    horizon = Horizon.of(inputs)
    return automatic(horizon, 0, State.of(horizon.devices()))


def automatic(horizon: Horizon, index: int, state: State) -> Commands:
    """The devices' automatic modes for slot ``index`` of ``horizon`` given their state."""
    return Commands(
        battery_mode=_battery_mode(horizon, index, state.battery),
        battery_kwh=_battery_charge(horizon, index, state, None),
        boil_kwh=night_boil(horizon, index, state, None),
        ev_charge_kwh=timer_charge(horizon, index, state, skip_window=False),
    )


def _battery_mode(horizon: Horizon, index: int, battery: Battery | None) -> BatteryMode:
    if battery is not None and (battery.keep_full or horizon.cheap[index]):
        return BatteryMode.CHARGE
    return BatteryMode.AUTO


def _battery_charge(horizon: Horizon, index: int, state: State, target_kwh: float | None) -> float:
    """Grid charge for this slot: up to full (or ``target_kwh``) in the cheap window."""
    battery = state.battery
    if battery is None or not (battery.keep_full or horizon.cheap[index]):
        return 0.0
    target = battery.max_kwh if target_kwh is None or battery.keep_full else target_kwh
    room = max(0.0, target - state.battery_kwh) / battery.efficiency
    return min(room, battery.max_charge_kw * SLOT_HOURS)


def boil_target(horizon: Horizon, window_end: int, heater: WaterHeater) -> float:
    """Heat the EcoCute wants at the end of the cheap window: the draws and losses expected
    until the next window starts (a day later at most), plus its margin and reserve."""
    key = ("boil_target", window_end)
    cached = horizon.memo.get(key)
    if cached is not None:
        return cached
    following = horizon.next_window(window_end)
    until = window_end + SLOTS_PER_DAY - _window_length(horizon, window_end)
    if following is not None:
        until = min(until, following)
    span = max(0, until - window_end)
    demand = horizon.drawn(window_end, until) + heater.standing_loss_kw * SLOT_HOURS * span
    target = min(heater.capacity_kwh, BOIL_MARGIN * demand + heater.reserve_kwh)
    horizon.memo[key] = target
    return target


def _window_length(horizon: Horizon, window_end: int) -> int:
    length = 0
    position = window_end - 1
    while position >= 0 and horizon.cheap[position]:
        length += 1
        position -= 1
    return max(length, 1)


def night_boil(horizon: Horizon, index: int, state: State, target_kwh: float | None) -> float:
    """Electricity to boil in slot ``index`` so that the tank holds the target at the end of
    the cheap window, boiling as late in the window as the heat pump allows."""
    heater = state.water_heater
    if heater is None or not horizon.cheap[index] or not horizon.time_of_use:
        return 0.0
    end = horizon.window_end(index)
    target = boil_target(horizon, end, heater) if target_kwh is None else target_kwh
    left = end - index
    drawn = horizon.drawn(index, end) + heater.standing_loss_kw * SLOT_HOURS * left
    pending = target - (state.heat_kwh - drawn)
    per_slot = horizon.cop[index] * heater.max_input_kw * SLOT_HOURS
    heat_now = pending - (left - 1) * per_slot
    if heat_now <= 0:
        return 0.0
    return min(heater.max_input_kw * SLOT_HOURS, heat_now / horizon.cop[index])


def ev_need_kwh(ev: ElectricVehicle, stored_kwh: float | None = None) -> float:
    """Charger energy (AC) to bring the car from ``stored_kwh`` (default: now) to its target."""
    stored = ev.stored_kwh if stored_kwh is None else stored_kwh
    return max(0.0, ev.target_soc * ev.capacity_kwh - stored) / ev.charge_efficiency


def timer_charge(horizon: Horizon, index: int, state: State, *, skip_window: bool) -> float:
    """EV charge for slot ``index``: in the cheap window (unless ``skip_window``), and at once
    for the part the cheap slots left before the departure cannot deliver."""
    ev = state.ev
    if ev is None or not horizon.ev_available[index]:
        return 0.0
    need = ev_need_kwh(ev, state.ev_kwh)
    most = ev.max_charge_kw * SLOT_HOURS
    if need <= 0:
        return 0.0
    if horizon.cheap[index] and not skip_window:
        return min(most, need)
    departure = horizon.departure_index()
    if departure is None:
        return 0.0
    cheap_left = 0 if skip_window else sum(horizon.cheap[index + 1 : departure])
    return max(0.0, min(most, need - cheap_left * most))


# ---------------------------------------------------------------------------------------------
# The AiSEG2-like rule


@dataclass(frozen=True, slots=True)
class _Decision:
    """What the rule decided for one day (absolute times, so that it holds as time passes)."""

    window_end: datetime
    day_end: datetime
    surplus_kwh: float
    battery_target_kwh: float | None
    heater_night_target_kwh: float | None
    boil_slots: frozenset[datetime]
    ev_solar: bool


class AiSolarChargeRule:
    """An AiSEG2-like AI solar charge: decides once per night from the forecast, then runs the
    devices' automatic modes with the decided changes.  Keeps its decision between calls."""

    def __init__(
        self,
        *,
        battery_margin_kwh: float = 0.3,
        water_heater_margin_kwh: float = 0.3,
        ev_margin_kwh: float = 1.5,
    ) -> None:
        self.battery_margin_kwh = battery_margin_kwh
        self.water_heater_margin_kwh = water_heater_margin_kwh
        self.ev_margin_kwh = ev_margin_kwh
        self._decision: _Decision | None = None

    @property
    def predicted_surplus_kwh(self) -> float | None:
        """The surplus the last decision was made on."""
        return None if self._decision is None else self._decision.surplus_kwh

    def commands(self, inputs: PlanInputs) -> Commands:
        """Commands for the first slot of ``inputs`` (deciding first at a window's start)."""
        horizon = Horizon.of(inputs)
        now = inputs.start
        if horizon.cheap[0] and horizon.time_of_use:
            end = horizon.when(horizon.window_end(0))
            if self._decision is None or self._decision.window_end != end:
                self._decision = self._decide(horizon)
        decision = self._decision
        if decision is not None and now >= decision.day_end:
            decision = self._decision = None
        state = State.of(horizon.devices())
        if decision is None:
            return automatic(horizon, 0, state)
        in_window = horizon.cheap[0]
        boil = 0.0
        if in_window:
            boil = night_boil(horizon, 0, state, decision.heater_night_target_kwh)
        elif now in decision.boil_slots and state.water_heater is not None:
            boil = state.water_heater.max_input_kw * SLOT_HOURS
        follow = decision.ev_solar and not in_window and now < decision.day_end
        charge = 0.0 if follow else timer_charge(horizon, 0, state, skip_window=decision.ev_solar)
        return Commands(
            battery_mode=_battery_mode(horizon, 0, state.battery),
            battery_kwh=_battery_charge(horizon, 0, state, decision.battery_target_kwh),
            boil_kwh=boil,
            ev_charge_kwh=charge,
            ev_follow_surplus=follow,
        )

    def _decide(self, horizon: Horizon) -> _Decision:
        start = horizon.window_end(0)
        following = horizon.next_window(start)
        end = horizon.slots if following is None else following
        surplus = [horizon.surplus(index) for index in range(start, end)]
        total = sum(surplus)
        high, low = max(horizon.price), min(horizon.price)
        allowed = high > max(low, *horizon.sale)
        battery, heater, ev = horizon.inputs.battery, horizon.inputs.water_heater, horizon.inputs.ev
        if battery is not None and battery.keep_full:
            allowed = False
        left = total
        battery_target = None
        if allowed and battery is not None and total >= self.battery_margin_kwh:
            battery_target, used = _battery_plan(horizon, start, end, battery, total)
            left -= used
        night_target, boil_slots = None, frozenset[datetime]()
        if allowed and heater is not None:
            night_target, boil_slots, used = self._water_heater_plan(
                horizon, start, end, heater, surplus, left
            )
            left -= used
        ev_solar = False
        if allowed and ev is not None and horizon.ev_available[start]:
            departure = horizon.departure_index()
            stays = departure is None or departure >= end
            ev_solar = stays and left >= ev_need_kwh(ev) + self.ev_margin_kwh
        return _Decision(
            window_end=horizon.when(start),
            day_end=horizon.when(end),
            surplus_kwh=total,
            battery_target_kwh=battery_target,
            heater_night_target_kwh=night_target,
            boil_slots=boil_slots,
            ev_solar=ev_solar,
        )

    def _water_heater_plan(
        self,
        horizon: Horizon,
        start: int,
        end: int,
        heater: WaterHeater,
        surplus: list[float],
        left: float,
    ) -> tuple[float | None, frozenset[datetime], float]:
        target = boil_target(horizon, start, heater)
        drawn = horizon.drawn(0, start) + heater.standing_loss_kw * SLOT_HOURS * start
        need_heat = max(0.0, target - (heater.heat_kwh - drawn))
        day_cop = sum(horizon.cop[start:end]) / max(1, end - start)
        need = need_heat / day_cop
        if need <= 0 or left < need + self.water_heater_margin_kwh:
            return None, frozenset(), 0.0
        per_slot = heater.max_input_kw * SLOT_HOURS
        count = min(len(surplus), math.ceil(need / per_slot))
        best = max(
            range(len(surplus) - count + 1), key=lambda first: sum(surplus[first : first + count])
        )
        first_boil = start + best
        morning = horizon.drawn(start, first_boil)
        morning += heater.standing_loss_kw * SLOT_HOURS * (first_boil - start)
        night_target = min(heater.capacity_kwh, BOIL_MARGIN * morning + heater.reserve_kwh)
        slots = frozenset(horizon.when(first_boil + offset) for offset in range(count))
        return night_target, slots, need


def _battery_plan(
    horizon: Horizon, start: int, end: int, battery: Battery, total: float
) -> tuple[float, float]:
    """Night-charge target (kWh) leaving room for the surplus, and the surplus it takes."""
    eff = battery.efficiency
    first_surplus = next((index for index in range(start, end) if horizon.surplus(index) > 0), end)
    morning = sum(
        max(0.0, horizon.load[index] - horizon.solar[index])
        for index in range(start, first_surplus)
    )
    absorb = min(total, (battery.max_kwh - battery.reserve_kwh) / eff)
    target = battery.max_kwh - absorb * eff + morning / eff
    target = min(battery.max_kwh, max(battery.reserve_kwh, target))
    used = min(total, (battery.max_kwh - (target - morning / eff)) / eff)
    return target, max(0.0, used)
