"""The alarm mode (報知モード): watch the chosen locks and doors/windows while armed."""

from __future__ import annotations

from typing import Any

from homeassistant.components import persistent_notification
from homeassistant.components.alarm_control_panel import AlarmControlPanelEntity
from homeassistant.components.alarm_control_panel.const import (
    AlarmControlPanelEntityFeature,
    AlarmControlPanelState,
)
from homeassistant.core import Event, EventStateChangedData, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.restore_state import RestoreEntity
from homeassistant.helpers.translation import async_get_translations

from ..const import DOMAIN
from .entities import HomeEntity
from .runtime import EVENT_ALARM, HomeRuntime
from .sources import friendly_names, is_insecure, is_lock_like

ARMED = (AlarmControlPanelState.ARMED_AWAY, AlarmControlPanelState.TRIGGERED)


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
        """Arm, unless something is unlocked or open."""
        if not self._watched:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="alarm_nothing_watched"
            )
        insecure = self.open_entities()
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
