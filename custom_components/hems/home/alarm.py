"""The alarm mode (報知モード): watch the chosen locks and doors/windows while armed."""

from __future__ import annotations

from typing import Any, Final

from homeassistant.components import persistent_notification
from homeassistant.components.alarm_control_panel import AlarmControlPanelEntity
from homeassistant.components.alarm_control_panel.const import (
    AlarmControlPanelEntityFeature,
    AlarmControlPanelState,
)
from homeassistant.components.cover import CoverDeviceClass, CoverEntityFeature
from homeassistant.core import Event, EventStateChangedData, State, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.restore_state import RestoreEntity
from homeassistant.helpers.translation import async_get_translations

from ..const import DOMAIN
from .entities import HomeEntity
from .runtime import EVENT_ALARM, HomeRuntime
from .sources import friendly_names, is_insecure, is_lock_like

ARMED = (AlarmControlPanelState.ARMED_AWAY, AlarmControlPanelState.TRIGGERED)
#: Motorised covers closed together when the alarm is armed (AiSEG2's 一括閉; the blueprint
#: "alarm_armed_all_off" does it): open, they do not keep the alarm from being armed; opened
#: while it is armed, they trigger it.  Doors and gates that are open do keep it from arming.
CLOSED_ON_ARMING: Final = frozenset(
    {
        CoverDeviceClass.SHUTTER,
        CoverDeviceClass.WINDOW,
        CoverDeviceClass.BLIND,
        CoverDeviceClass.CURTAIN,
        CoverDeviceClass.AWNING,
        CoverDeviceClass.SHADE,
    }
)


def closed_on_arming(state: State | None) -> bool:
    """A motorised shutter, window, blind... that can be closed remotely (see above)."""
    if state is None or state.domain != "cover":
        return False
    features = int(state.attributes.get("supported_features", 0))
    return (
        bool(features & CoverEntityFeature.CLOSE)
        and state.attributes.get("device_class") in CLOSED_ON_ARMING
    )


class HomeAlarm(HomeEntity, AlarmControlPanelEntity, RestoreEntity):
    """Arm / disarm; while armed an unlocked lock or an opened door/window triggers it."""

    _attr_translation_key = "alarm"
    _attr_supported_features = AlarmControlPanelEntityFeature.ARM_AWAY
    _attr_code_arm_required = False
    _attr_code_format = None
    _attr_should_poll = False

    def __init__(self, runtime: HomeRuntime) -> None:
        super().__init__(runtime, "alarm")
        self._attr_alarm_state = AlarmControlPanelState.DISARMED
        self._watched = runtime.alarm_entities()
        self._last: dict[str, Any] | None = None

    @property
    def notification_id(self) -> str:
        """Id of the persistent notification of a trigger."""
        return f"{DOMAIN}_alarm_{self.runtime.entry.entry_id}"

    async def async_added_to_hass(self) -> None:
        """Restore the armed state and watch the entities."""
        await super().async_added_to_hass()
        last = await self.async_get_last_state()
        if last is not None and last.state in (state.value for state in ARMED):
            self._attr_alarm_state = AlarmControlPanelState(last.state)
        if self._watched:
            self.async_on_remove(
                async_track_state_change_event(
                    self.hass, list(self._watched), self._async_watched_changed
                )
            )

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """What is watched, and the last trigger."""
        return {"entities": list(self._watched), "last_trigger": self._last}

    def open_entities(self) -> list[str]:
        """Watched entities that are unlocked or open now."""
        return [e for e in self._watched if is_insecure(self.hass.states.get(e))]

    async def async_alarm_arm_away(self, code: str | None = None) -> None:
        """Arm, unless a lock is unlocked or a door/window is open (motorised shutters and
        windows that are closed on arming excepted)."""
        if not self._watched:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="alarm_nothing_watched"
            )
        insecure = [
            e for e in self.open_entities() if not closed_on_arming(self.hass.states.get(e))
        ]
        if insecure:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="alarm_open",
                translation_placeholders={"open": ", ".join(friendly_names(self.hass, insecure))},
            )
        self._attr_alarm_state = AlarmControlPanelState.ARMED_AWAY
        self.async_write_ha_state()
        self.runtime.fire(EVENT_ALARM, "armed", {"entities": list(self._watched)})

    async def async_alarm_disarm(self, code: str | None = None) -> None:
        """Disarm (and clear a trigger's notification)."""
        self._attr_alarm_state = AlarmControlPanelState.DISARMED
        self.async_write_ha_state()
        persistent_notification.async_dismiss(self.hass, self.notification_id)
        self.runtime.fire(EVENT_ALARM, "disarmed", {})

    @callback
    def _async_watched_changed(self, event: Event[EventStateChangedData]) -> None:
        if self._attr_alarm_state not in ARMED:
            return
        new, old = event.data["new_state"], event.data["old_state"]
        if not is_insecure(new) or is_insecure(old):
            return
        assert new is not None
        change = "unlocked" if is_lock_like(new) else "opened"
        self._last = {
            "entity_id": new.entity_id,
            "name": new.name,
            "change": change,
            "from": None if old is None else old.state,
            "to": new.state,
            "at": new.last_changed.isoformat(),
        }
        self._attr_alarm_state = AlarmControlPanelState.TRIGGERED
        self.async_write_ha_state()
        self.runtime.fire(EVENT_ALARM, "triggered", dict(self._last))
        # tracked by the entry: an unload waits for the notification rather than dropping it
        self.runtime.entry.async_create_task(
            self.hass, self._async_notify(new.name, change), "hems-alarm-notify", eager_start=True
        )

    async def _async_notify(self, name: str, change: str) -> None:
        language = self.hass.config.language or "en"
        strings = await async_get_translations(self.hass, language, "exceptions", {DOMAIN})
        prefix = f"component.{DOMAIN}.exceptions"
        title = strings.get(f"{prefix}.alarm_notification_title.message", "HEMS alarm")
        message = strings.get(f"{prefix}.alarm_{change}.message", "{name}: {change}")
        persistent_notification.async_create(
            self.hass,
            message.replace("{name}", name).replace("{change}", change),
            title=title,
            notification_id=self.notification_id,
        )
