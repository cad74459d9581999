"""The planner's entities on the HEMS home device: its mode (select), the next action and its
reason (sensor, the plan as attributes), the expected saving of today (sensor) and the
weather-warning reserve (switch: keep the battery full, 気象警報連動)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.select import SelectEntity
from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.components.switch import SwitchEntity
from homeassistant.const import EntityCategory
from homeassistant.core import callback
from homeassistant.helpers.restore_state import RestoreEntity

from ...energy.planner import Device, Plan, Reason, ReasonCode
from ..entities import HomeEntity
from ..figures import CURRENCY
from .runtime import HomePlanner, PlannerMode

if TYPE_CHECKING:
    from ..runtime import HomeRuntime

#: Slots of the plan shown as attributes (the next 24 hours).
PLAN_SLOTS: Final = 48

NEXT_ACTIONS: Final = [
    "battery_charge",
    "battery_discharge",
    "battery_hold",
    "water_heater_boil",
    "ev_charge",
    "ev_supply",
    "automatic",
    "idle",
]


def _action_key(plan: Plan, index: int) -> str:
    slot = plan.slots[index]
    if not slot.actions:
        return "idle"
    action = slot.actions[0]
    if action.device is Device.WATER_HEATER:
        return "water_heater_boil"
    return f"{action.device.value}_{action.kind.value}"


def next_action(planner: HomePlanner) -> str | None:
    """The key of what the devices do now."""
    plan = planner.state.plan
    if planner.state.refusals:
        return "automatic"
    if plan is None:
        return None
    if plan.fallback is not None:
        return "automatic"
    return _action_key(plan, 0)


def _language(planner: HomePlanner) -> str:
    return "ja" if (planner.hass.config.language or "en").startswith("ja") else "en"


def render(planner: HomePlanner, reason: Reason) -> str:
    """``reason`` in Home Assistant's language (English or Japanese)."""
    return reason.render("ja" if _language(planner) == "ja" else "en")


class PlannerEntity(HomeEntity):
    """An entity that follows the planner."""

    _attr_should_poll = False

    def __init__(self, runtime: HomeRuntime, key: str) -> None:
        super().__init__(runtime, key)
        self.planner: HomePlanner = runtime.planner

    async def async_added_to_hass(self) -> None:
        """Follow the plans."""
        await super().async_added_to_hass()
        self.async_on_remove(self.planner.async_add_listener(self._async_planned))

    @callback
    def _async_planned(self) -> None:
        self.async_write_ha_state()


class PlannerModeSelect(PlannerEntity, SelectEntity, RestoreEntity):
    """Off, dry run (plans and explains, commands nothing) or active; dry run by default."""

    _attr_translation_key = "planner_mode"
    _attr_entity_category = EntityCategory.CONFIG

    def __init__(self, runtime: HomeRuntime) -> None:
        super().__init__(runtime, "planner_mode")
        self._attr_options = [mode.value for mode in PlannerMode]

    async def async_added_to_hass(self) -> None:
        """Take the last mode back (dry run the first time)."""
        await super().async_added_to_hass()
        last = await self.async_get_last_state()
        if last is not None and last.state in self._attr_options:
            self.planner.mode = PlannerMode(last.state)

    @property
    def current_option(self) -> str:
        """The mode."""
        return self.planner.mode.value

    async def async_select_option(self, option: str) -> None:
        """Change the mode (leaving active mode hands the devices back to automatic)."""
        await self.planner.async_set_mode(PlannerMode(option))
        self.async_write_ha_state()


class PlannerKeepFullSwitch(PlannerEntity, SwitchEntity, RestoreEntity):
    """Weather-warning reserve: keep the battery full and do not discharge."""

    _attr_translation_key = "planner_keep_full"

    def __init__(self, runtime: HomeRuntime) -> None:
        super().__init__(runtime, "planner_keep_full")

    async def async_added_to_hass(self) -> None:
        """Take the last position back (off the first time)."""
        await super().async_added_to_hass()
        last = await self.async_get_last_state()
        if last is not None and last.state == "on":
            self.planner.keep_full = True

    @property
    def is_on(self) -> bool:
        """On by hand, or while the chosen warning sensor is on."""
        return self.planner.keeping_full

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Whether the warning sensor holds it on."""
        return {
            "warning_entity": self.planner.settings.warning_entity,
            "warning_active": self.planner.warning_active,
        }

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Keep the battery full."""
        await self.planner.async_set_keep_full(True)
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Back to the plan (unless the warning sensor is on)."""
        await self.planner.async_set_keep_full(False)
        self.async_write_ha_state()


class PlannerNextActionSensor(PlannerEntity, SensorEntity):
    """What the devices do now and why; the plan of the next 24 hours as attributes."""

    _attr_translation_key = "planner_next_action"
    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = NEXT_ACTIONS
    _unrecorded_attributes = frozenset({"reason", "reason_code", "plan", "summary", "decisions"})

    def __init__(self, runtime: HomeRuntime) -> None:
        super().__init__(runtime, "planner_next_action")

    @property
    def native_value(self) -> str | None:
        """The next action."""
        return next_action(self.planner)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The reason, the decisions and the plan (slot, action, expected charge, reason)."""
        planner = self.planner
        reason = planner.next_reason()
        plan = planner.state.plan
        attrs: dict[str, Any] = {
            "mode": planner.mode.value,
            "reason": None if reason is None else render(planner, reason),
            "reason_code": None if reason is None else reason.code.value,
        }
        if plan is None:
            return attrs
        attrs["summary"] = render(planner, plan.summary)
        attrs["decisions"] = [render(planner, decision) for decision in plan.decisions]
        attrs["source"] = plan.source.value
        attrs["plan"] = [
            {
                "slot": slot.start.isoformat(timespec="minutes"),
                "action": _action_key(plan, index),
                "soc": None if slot.battery_soc is None else round(100 * slot.battery_soc),
                "reason": slot.actions[0].reason.code.value
                if slot.actions
                else ReasonCode.DEVICE_AUTOMATIC.value,
            }
            for index, slot in enumerate(plan.slots[:PLAN_SLOTS])
        ]
        return attrs


class PlannerSavingSensor(PlannerEntity, SensorEntity):
    """Expected saving of today against the devices' automatic modes (yen)."""

    _attr_translation_key = "planner_saving_today"
    _attr_device_class = SensorDeviceClass.MONETARY
    _attr_native_unit_of_measurement = CURRENCY
    _attr_suggested_display_precision = 0

    def __init__(self, runtime: HomeRuntime) -> None:
        super().__init__(runtime, "planner_saving_today")

    @property
    def native_value(self) -> float | None:
        """Yen."""
        value = self.planner.saving_today
        return None if value is None else round(value, 1)


def planner_entities(runtime: HomeRuntime, platform: str) -> list[Any]:
    """The planner's entities of ``platform`` (select, switch or sensor)."""
    if platform == "select":
        return [PlannerModeSelect(runtime)]
    if platform == "switch":
        return [PlannerKeepFullSwitch(runtime)]
    return [PlannerNextActionSensor(runtime), PlannerSavingSensor(runtime)]
