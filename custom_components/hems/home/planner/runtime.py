"""The planner of the energy entry (AI solar charge, 太陽光活用モード): receding horizon.

Every 30 minutes (at the start of each slot) and soon after a material change (a device's
charge far from the plan's, the car plugged in or out, the weather entity's condition or the
weather-warning sensor changing, the keep-full switch) the planner reads the devices and the
forecasts, plans the horizon (:func:`~...energy.planner.plan`, in the executor), and:

* ``off``: plans nothing and commands nothing;
* ``dry_run`` (the default): plans and explains, commands nothing;
* ``active``: sends the first slot's commands to the devices, each confirmed by the device.
  A refusal puts that device back in its automatic mode, raises a repair issue and a
  ``hems_notice`` event (``planner_refused``), and the next action's reason says so.

Without a solar forecast (no provider, no generation history) the plan is the devices'
automatic modes with the reason (:attr:`~...energy.planner.ReasonCode.FALLBACK_NO_FORECAST`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
import logging
from typing import Any, Final

from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.event import (
    async_track_state_change_event,
    async_track_utc_time_change,
)
from homeassistant.util import dt as dt_util

from ...echonet.events import ControllerEvent, PropertiesUpdated
from ...energy.planner import (
    SLOT,
    Device,
    Forecast,
    Horizon,
    Plan,
    PlanInputs,
    PlannerInputError,
    Reason,
    ReasonCode,
    TariffPrices,
    automatic,
    fallback_plan,
    heat_pump_cop,
    horizon_slots,
    plan,
    simulate,
    solar_for_house,
)
from ...issues import async_clear_issue, async_raise_issue
from .devices import (
    AUTOMATIC,
    CommandRefusedError,
    DeviceSet,
    Handle,
    battery_model,
    battery_values,
    ev_model,
    ev_values,
    water_heater_model,
    water_heater_values,
)
from .forecasts import (
    DEFAULT_OUTDOOR_C,
    Forecasts,
    SolarSource,
    async_provider_solar,
    async_weather,
    history_solar,
    hot_water_forecast,
    load_forecast,
)
from .owner import PlannerHome

_LOGGER = logging.getLogger(__name__)

REPLAN_COOLDOWN: Final = 30.0
SOC_DEVIATION: Final = 0.1
"""A battery or car charge this far from the plan's expectation re-plans at once."""
ISSUE_REFUSED: Final = "planner_refused_{}"


class PlannerMode(StrEnum):
    """What the planner does with its plan."""

    OFF = "off"
    DRY_RUN = "dry_run"
    ACTIVE = "active"


@dataclass(frozen=True, slots=True)
class Refusal:
    """A device that did not take its command, and when."""

    device: Device
    name: str
    detail: str
    when: datetime

    def as_dict(self) -> dict[str, str]:
        """JSON-able form."""
        return {
            "device": self.device.value,
            "name": self.name,
            "detail": self.detail,
            "when": self.when.isoformat(),
        }


@dataclass(slots=True)
class PlannerState:
    """The last plan and what it was made from."""

    plan: Plan | None = None
    inputs: PlanInputs | None = None
    forecasts: Forecasts | None = None
    planned_at: datetime | None = None
    trigger: str | None = None
    commanded: dict[str, Any] = field(default_factory=dict)
    refusals: list[Refusal] = field(default_factory=list)
    #: Expected saving (automatic modes' cost minus the plan's) per slot start of today.
    savings: dict[datetime, float] = field(default_factory=dict)
    savings_day: date | None = None


class HomePlanner:
    """The planner of one energy entry."""

    def __init__(self, runtime: PlannerHome) -> None:
        self.runtime = runtime
        self.hass: HomeAssistant = runtime.hass
        self.settings = runtime.settings.planner
        self.mode = PlannerMode.DRY_RUN
        self.keep_full = False
        self.state = PlannerState()
        self._trigger = "device"
        self._lock = asyncio.Lock()
        self.prices = TariffPrices(runtime.tariff)
        self._listeners: list[Callable[[], None]] = []
        self._unsubs: list[CALLBACK_TYPE] = []
        self._device_unsubs: list[Callable[[], None]] = []
        self._debouncer = Debouncer(
            self.hass,
            _LOGGER,
            cooldown=REPLAN_COOLDOWN,
            immediate=True,
            function=self._async_replan_changed,
        )

    # ------------------------------------------------------------------ lifecycle

    @callback
    def async_start(self) -> None:
        """Re-plan at every slot start and on material changes.

        Not while Home Assistant stops: an entry reloaded then (new options saved just before)
        would leave the slot timer behind after the entries were shut down."""
        if self.hass.is_stopping:
            return
        self._unsubs.append(
            async_track_utc_time_change(
                self.hass, self._async_slot_started, minute=(0, 30), second=5
            )
        )
        watched = [e for e in (self.settings.weather, self.settings.warning_entity) if e]
        if watched:
            self._unsubs.append(
                async_track_state_change_event(self.hass, watched, self._async_entity_changed)
            )

    async def async_stop(self) -> None:
        """Stop listening."""
        for unsub in (*self._unsubs, *self._device_unsubs):
            unsub()
        self._unsubs.clear()
        self._device_unsubs.clear()
        self._debouncer.async_cancel()

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``listener`` after each plan (and mode change)."""
        self._listeners.append(listener)

        @callback
        def _remove() -> None:
            self._listeners.remove(listener)

        return _remove

    @callback
    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    # ------------------------------------------------------------------ controls

    async def async_set_mode(self, mode: PlannerMode) -> None:
        """Change the mode; leaving active mode hands the devices back to their automatic
        modes."""
        previous, self.mode = self.mode, mode
        if previous is PlannerMode.ACTIVE and mode is not PlannerMode.ACTIVE:
            await self._async_all_automatic()
        if mode is PlannerMode.OFF:
            self.state.plan = None
            self.state.commanded = {}
            self._notify()
            return
        await self.async_replan("mode")

    async def async_set_keep_full(self, keep_full: bool) -> None:
        """The weather-warning reserve (keep the battery full) on or off."""
        self.keep_full = keep_full
        await self.async_replan("keep_full")

    @property
    def warning_active(self) -> bool:
        """The chosen weather-warning sensor is on (気象警報連動)."""
        entity_id = self.settings.warning_entity
        state = None if entity_id is None else self.hass.states.get(entity_id)
        return state is not None and state.state == "on"

    @property
    def keeping_full(self) -> bool:
        """The battery is kept full (the switch, or the warning sensor)."""
        return self.keep_full or self.warning_active

    # ------------------------------------------------------------------ triggers

    @callback
    def _async_track(self, coro: Coroutine[Any, Any, object], name: str) -> None:
        """Run ``coro`` as a task of the energy entry (cancelled when the entry unloads)."""
        self.runtime.entry.async_create_background_task(self.hass, coro, name, eager_start=True)

    @callback
    def _async_slot_started(self, now: datetime) -> None:
        self._async_track(self.async_replan("slot"), "hems-planner-slot")

    @callback
    def _async_entity_changed(self, event: Event[EventStateChangedData]) -> None:
        old, new = event.data["old_state"], event.data["new_state"]
        if old is not None and new is not None and old.state == new.state:
            return
        weather = event.data["entity_id"] == self.settings.weather
        self._trigger = "forecast" if weather else "warning"
        self._async_track(self._debouncer.async_call(), "hems-planner-replan")

    async def _async_replan_changed(self) -> None:
        await self.async_replan(self._trigger)

    @callback
    def _async_device_changed(self, event: ControllerEvent) -> None:
        """A device's charge far from the plan's, or the car plugged in or out."""
        if not isinstance(event, PropertiesUpdated) or not self.material(event):
            return
        self._trigger = "device"
        self._async_track(self._debouncer.async_call(), "hems-planner-replan")

    def material(self, event: PropertiesUpdated) -> bool:
        """Whether a device's new values make the plan stale."""
        current = self.state.plan
        if current is None:
            return False
        code = event.obj.class_code
        if code in (0x027E, 0x02A1) and 0xC7 in event.changes:
            return True
        if 0xE4 not in event.changes or not event.changes[0xE4]:
            return False
        soc = event.changes[0xE4][0] / 100
        inputs = self.state.inputs
        battery = code == 0x027D
        device = None if inputs is None else inputs.battery if battery else inputs.ev
        end = current.slots[0].battery_soc if battery else current.slots[0].ev_soc
        if device is None or end is None:
            return False
        # Within the slot the charge moves from the planned start to the planned end.
        low, high = min(device.soc, end), max(device.soc, end)
        return soc < low - SOC_DEVIATION or soc > high + SOC_DEVIATION

    def _watch(self, devices: DeviceSet) -> None:
        for unsub in self._device_unsubs:
            unsub()
        self._device_unsubs = [
            handle.controller.subscribe(
                self._async_device_changed,
                uid=handle.obj.node.uid,
                eoj=handle.obj.eoj,
                epcs=(0xE4, 0xC7),
            )
            for handle in devices.handles
            if handle.obj.class_code != 0x026B
        ]

    # ------------------------------------------------------------------ planning

    async def async_replan(self, trigger: str = "manual") -> Plan | None:
        """Plan now (and command the devices in active mode); one plan at a time."""
        async with self._lock:
            return await self._async_replan(trigger)

    async def _async_replan(self, trigger: str) -> Plan | None:
        if self.mode is PlannerMode.OFF:
            return None
        now = dt_util.utcnow()
        start = self.runtime.tariff.local(now)
        start = start.replace(minute=30 * (start.minute // 30), second=0, microsecond=0)
        devices = DeviceSet.find(self.hass)
        self._watch(devices)
        for handle in devices.handles:
            await handle.async_refresh()
        forecasts = await self._async_forecasts(start)
        inputs = self._inputs(start, devices, forecasts)
        if inputs is None:
            self.state = PlannerState(
                forecasts=forecasts,
                planned_at=now,
                trigger=trigger,
                refusals=self.state.refusals,
                savings=self.state.savings,
                savings_day=self.state.savings_day,
            )
            self._notify()
            return None
        result, baseline_costs = await self.hass.async_add_executor_job(
            _solve, inputs, forecasts.solar_kwh is None
        )
        self._record(result, inputs, forecasts, now, trigger, baseline_costs)
        if self.mode is PlannerMode.ACTIVE:
            await self._async_command(devices, inputs, result)
        self._notify()
        return result

    async def _async_forecasts(self, start: datetime) -> Forecasts:
        runtime = self.runtime
        starts = [start + index * SLOT for index in range(horizon_slots(start))]
        conditions, temperatures = await async_weather(self.hass, self.settings.weather, starts)
        outdoor = [DEFAULT_OUTDOOR_C if t is None else t for t in temperatures]
        solar: list[float] | None = None
        source = SolarSource.NONE
        details: dict[str, Any] = {}
        if runtime.tariff.full_feed_in:
            # all solar is sold (全量買取): the house has none of it, known, not unknown
            solar = solar_for_house(runtime.tariff, None, len(starts))
            source = SolarSource.FULL_FEED_IN
        elif self.settings.solar_forecast:
            provided = await async_provider_solar(self.hass, self.settings.solar_forecast, starts)
            details["provider"] = self.settings.solar_forecast
            details["provider_answered"] = provided is not None
            if provided is not None:
                source = SolarSource.PROVIDER
                solar = [0.0 if value is None else value for value in provided]
        if solar is None and source == SolarSource.NONE:
            solar = history_solar(self.hass, runtime.ledger, starts, conditions)
            if solar is not None:
                source = SolarSource.HISTORY
        load, load_source = load_forecast(runtime.ledger, starts, outdoor)
        details["load_source"] = load_source
        return Forecasts(
            starts=starts,
            solar_kwh=solar,
            load_kwh=load,
            hot_water_kwh=hot_water_forecast(starts),
            outdoor_c=outdoor,
            conditions=[c or "" for c in conditions],
            solar_source=source,
            details=details,
        )

    def _inputs(
        self, start: datetime, devices: DeviceSet, forecasts: Forecasts
    ) -> PlanInputs | None:
        keep_full = self.keeping_full
        reserve = self.settings.battery_reserve
        purchase, sale = self.prices.horizon(start, len(forecasts.starts))
        conditions = forecasts.conditions if all(forecasts.conditions) else ()
        contract = self.runtime.settings.contract_amperes
        try:
            battery = (
                None
                if devices.battery is None
                else battery_model(devices.battery, reserve=reserve, keep_full=keep_full)
            )
            heater = (
                None
                if devices.water_heater is None
                else water_heater_model(devices.water_heater, start)
            )
            ev = None if devices.ev is None else ev_model(devices.ev)
            if battery is None and heater is None and (ev is None or not ev.plugged):
                return None
            return PlanInputs(
                start=start,
                forecast=Forecast(
                    solar_kwh=forecasts.solar_kwh or [0.0] * len(forecasts.starts),
                    load_kwh=forecasts.load_kwh,
                    purchase_price=purchase,
                    sale_price=sale,
                    hot_water_kwh=forecasts.hot_water_kwh if heater is not None else (),
                    outdoor_c=forecasts.outdoor_c,
                    conditions=conditions,
                ),
                battery=battery,
                water_heater=heater,
                ev=ev,
                contract_kw=None if not contract else contract / 10,
                cop=[heat_pump_cop(t) for t in forecasts.outdoor_c] if heater is not None else (),
            )
        except PlannerInputError as err:  # pragma: no cover - every value is clamped first
            _LOGGER.warning("The planner cannot use the devices' values: %s", err)
            return None

    def _record(
        self,
        result: Plan,
        inputs: PlanInputs,
        forecasts: Forecasts,
        now: datetime,
        trigger: str,
        baseline_costs: list[float],
    ) -> None:
        state = self.state
        today = self.runtime.tariff.local(now).date()
        if state.savings_day != today:
            state.savings = {}
            state.savings_day = today
        for index, slot in enumerate(result.slots):
            local = self.runtime.tariff.local(slot.start)
            if local.date() != today:
                break
            state.savings[slot.start] = baseline_costs[index] - slot.cost_yen
        state.plan = result
        state.inputs = inputs
        state.forecasts = forecasts
        state.planned_at = now
        state.trigger = trigger

    @property
    def saving_today(self) -> float | None:
        """Expected saving of today's slots: those already run as they were planned, the
        rest as the current plan expects (yen)."""
        if self.state.plan is None and not self.state.savings:
            return None
        return sum(self.state.savings.values())

    # ------------------------------------------------------------------ commanding

    async def _async_command(self, devices: DeviceSet, inputs: PlanInputs, result: Plan) -> None:
        """The first slot's commands; with a fallback plan, the devices' own automatic modes."""
        commands = result.commands()
        commanded: dict[str, Any] = {}
        for handle in devices.handles:
            values: dict[int, bytes]
            if result.fallback is not None:
                values = dict(AUTOMATIC[handle.kind])
            elif handle.kind is Device.BATTERY and inputs.battery is not None:
                values = battery_values(handle, inputs.battery, commands)
            elif handle.kind is Device.WATER_HEATER and inputs.water_heater is not None:
                values = water_heater_values(handle, result)
            elif handle.kind is Device.EV and inputs.ev is not None:
                values = ev_values(handle, inputs.ev, commands)
            else:
                continue
            commanded[handle.kind.value] = {
                f"0x{epc:02X}": edt.hex() for epc, edt in values.items()
            }
            try:
                await handle.async_set(values)
            except CommandRefusedError as err:
                await self._async_refused(handle, err)
                commanded[handle.kind.value]["refused"] = err.detail
            else:
                async_clear_issue(self.hass, ISSUE_REFUSED.format(handle.kind.value))
                self.state.refusals = [
                    r for r in self.state.refusals if r.device is not handle.kind
                ]
        if commanded != self.state.commanded and (reason := self.next_reason()) is not None:
            # A new decision: a notice (お知らせ) with its reason in the user's language.
            japanese = (self.hass.config.language or "").startswith("ja")
            text = reason.render("ja" if japanese else "en")
            self.runtime.fire("notice", "planner_decision", {"reason": text})
        self.state.commanded = commanded

    async def _async_refused(self, handle: Handle, err: CommandRefusedError) -> None:
        _LOGGER.warning(
            "%s refused the planner's command (%s); back to automatic", err.name, err.detail
        )
        try:
            await handle.async_set(AUTOMATIC[handle.kind])
        except CommandRefusedError as again:
            _LOGGER.warning("%s did not go back to automatic either: %s", err.name, again.detail)
        refusal = Refusal(handle.kind, err.name, err.detail, dt_util.utcnow())
        self.state.refusals = [
            *(r for r in self.state.refusals if r.device is not handle.kind),
            refusal,
        ]
        async_raise_issue(
            self.hass,
            ISSUE_REFUSED.format(handle.kind.value),
            "planner_refused",
            {"device": err.name, "detail": err.detail},
        )
        self.runtime.fire(
            "notice",
            "planner_refused",
            {"device": handle.kind.value, "name": err.name, "detail": err.detail},
        )

    async def _async_all_automatic(self) -> None:
        for handle in DeviceSet.find(self.hass).handles:
            try:
                await handle.async_set(AUTOMATIC[handle.kind])
            except CommandRefusedError as err:
                _LOGGER.warning("%s did not go back to automatic: %s", err.name, err.detail)
        self.state.commanded = {}

    # ------------------------------------------------------------------ explanations

    def next_reason(self) -> Reason | None:
        """Why the devices do what they do now: a refusal, a fallback, or the first action."""
        current = self.state.plan
        if self.state.refusals:
            refusal = self.state.refusals[-1]
            return Reason(
                ReasonCode.DEVICE_REFUSED, {"device": refusal.name, "detail": refusal.detail}
            )
        if current is None:
            return None
        if current.fallback is not None:
            return current.fallback
        actions = current.slots[0].actions
        return actions[0].reason if actions else current.summary

    def diagnostics(self) -> dict[str, Any]:
        """The mode, the last plan and its inputs."""
        state = self.state
        inputs = state.inputs
        return {
            "mode": self.mode.value,
            "keep_full": self.keep_full,
            "warning_active": self.warning_active,
            "settings": {
                "solar_forecast": self.settings.solar_forecast,
                "weather": self.settings.weather,
                "warning_entity": self.settings.warning_entity,
                "battery_reserve": self.settings.battery_reserve,
            },
            "planned_at": None if state.planned_at is None else state.planned_at.isoformat(),
            "trigger": state.trigger,
            "inputs": None
            if inputs is None
            else {
                "battery": None if inputs.battery is None else _fields(inputs.battery),
                "water_heater": None
                if inputs.water_heater is None
                else _fields(inputs.water_heater),
                "ev": None if inputs.ev is None else _fields(inputs.ev),
                "contract_kw": inputs.contract_kw,
                "purchase_price": [round(p, 2) for p in inputs.forecast.purchase_price],
                "sale_price": [round(p, 2) for p in inputs.forecast.sale_price],
            },
            "forecasts": None if state.forecasts is None else state.forecasts.as_dict(),
            "commanded": state.commanded,
            "refusals": [r.as_dict() for r in state.refusals],
            "plan": None if state.plan is None else state.plan.as_dict(),
        }


def _fields(item: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in item.__slots__:
        value = getattr(item, name)
        out[name] = value.isoformat() if isinstance(value, datetime) else value
    return out


def _solve(inputs: PlanInputs, no_forecast: bool) -> tuple[Plan, list[float]]:
    """The plan (the safe rule without a solar forecast) and the automatic modes' cost per
    slot (for the saving of today)."""
    if no_forecast:
        result = fallback_plan(inputs, Reason(ReasonCode.FALLBACK_NO_FORECAST))
    else:
        result = plan(inputs)
    horizon = Horizon.of(inputs)
    rows = simulate(horizon, automatic)
    costs = [
        row.grid_import * horizon.price[t] - row.grid_export * horizon.sale[t]
        for t, row in enumerate(rows)
    ]
    return result, costs
