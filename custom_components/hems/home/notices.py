"""Notices (お知らせ) that reach the phone: what happened in the house, sent to notify targets.

The energy entry's options choose the targets (Home Assistant notify entities, and the
mobile app's notify actions such as ``notify.mobile_app_my_phone``) and, per category, whether
it is sent:

* ``alarm``: the lock-up alarm was triggered;
* ``target``: a monthly usage target is about to be exceeded, or was;
* ``contract_current``: the current nears or passes the contract amperes;
* ``device_fault``: a device reports a fault (ECHONET Lite 0x88);
* ``offline``: a device or the smart meter stops answering;
* ``battery_low``: a sensor's battery is low;
* ``planner``: a decision of the solar-surplus planner.

The first three come from the energy entry's own events (``hems_alarm``, ``hems_notice``);
the device categories from the states of the integration's entities.  Device faults, devices
going offline and low batteries are also fired as ``hems_notice`` events (so they appear in the
お知らせ view's logbook and on the notice event entity).  Messages are in Home Assistant's
language, with the figures; each subject (a device, a target) is notified at most once per
:data:`QUIET` of its category.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import logging
from typing import Any, Final

from homeassistant.const import (
    EVENT_STATE_CHANGED,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util
import voluptuous as vol

from ..const import DOMAIN
from .runtime import BUS_EVENTS, EVENT_ALARM, EVENT_NOTICE, HomeRuntime

_LOGGER = logging.getLogger(__name__)

OPT_NOTIFY_ENTITIES: Final = "notify_entities"
OPT_NOTIFY_SERVICES: Final = "notify_services"
OPT_NOTICE_CATEGORIES: Final = "notice_categories"

CATEGORIES: Final = (
    "alarm",
    "target",
    "contract_current",
    "device_fault",
    "offline",
    "battery_low",
    "planner",
)
#: How long one subject of a category stays quiet after a notice.
QUIET: Final[dict[str, timedelta]] = {
    "alarm": timedelta(minutes=1),
    "target": timedelta(hours=12),
    "contract_current": timedelta(minutes=10),
    "device_fault": timedelta(hours=1),
    "offline": timedelta(hours=1),
    "battery_low": timedelta(days=1),
    "planner": timedelta(minutes=30),
}
#: ``hems_notice`` event types -> category.
NOTICE_CATEGORY: Final[dict[str, str]] = {
    "target_warning": "target",
    "target_exceeded": "target",
    "contract_current_warning": "contract_current",
    "contract_current_over": "contract_current",
    "device_fault": "device_fault",
    "device_offline": "offline",
    "battery_low": "battery_low",
}
#: Entity translation keys whose turning on is a notice, and its event type.
TURNING_ON: Final[dict[str, str]] = {"fault": "device_fault", "battery_low": "battery_low"}


@dataclass(frozen=True, slots=True)
class NoticeSettings:
    """Where notices go, and which."""

    entities: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    categories: frozenset[str] = frozenset(CATEGORIES)

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> NoticeSettings:
        """From the energy entry's options (every category when none are stored)."""
        chosen = options.get(OPT_NOTICE_CATEGORIES)
        return cls(
            entities=tuple(options.get(OPT_NOTIFY_ENTITIES) or ()),
            services=tuple(
                str(name).removeprefix("notify.") for name in options.get(OPT_NOTIFY_SERVICES) or ()
            ),
            categories=frozenset(CATEGORIES if chosen is None else chosen) & frozenset(CATEGORIES),
        )

    @property
    def targets(self) -> bool:
        """Whether notices go anywhere."""
        return bool(self.entities or self.services)


@dataclass(frozen=True, slots=True)
class Notice:
    """One notice: its category, its subject (for the quiet time) and its message key."""

    category: str
    subject: str
    key: str
    placeholders: dict[str, str] = field(default_factory=dict)


class Notifier:
    """Turns the house's events into notices and sends them (see the module doc)."""

    def __init__(self, runtime: HomeRuntime, settings: NoticeSettings) -> None:
        self.hass = runtime.hass
        self.runtime = runtime
        self.settings = settings
        self.sent: dict[tuple[str, str], datetime] = {}
        self._fired: dict[tuple[str, str], datetime] = {}
        self._watched: dict[str, str] = {}
        self._unsubs: list[CALLBACK_TYPE] = []

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Listen to the house; returns the function that stops listening."""
        bus = self.hass.bus
        self._unsubs = [
            bus.async_listen(BUS_EVENTS[EVENT_ALARM], self._async_alarm),
            bus.async_listen(BUS_EVENTS[EVENT_NOTICE], self._async_notice),
            bus.async_listen(EVENT_STATE_CHANGED, self._async_state, event_filter=self._is_watched),
            bus.async_listen(er.EVENT_ENTITY_REGISTRY_UPDATED, self._async_registry),
        ]
        self._refresh_watched()
        return self.async_stop

    @callback
    def async_stop(self) -> None:
        """Stop listening."""
        while self._unsubs:
            self._unsubs.pop()()

    # -- what is watched ------------------------------------------------------------------

    @callback
    def _refresh_watched(self) -> None:
        """The integration's device entities (not the energy entry's own): entity -> key."""
        own = self.runtime.entry.entry_id
        self._watched = {
            entry.entity_id: entry.translation_key or ""
            for entry in er.async_get(self.hass).entities.values()
            if entry.platform == DOMAIN and entry.config_entry_id != own and entry.device_id
        }

    @callback
    def _async_registry(self, event: Event[er.EventEntityRegistryUpdatedData]) -> None:
        self._refresh_watched()

    @callback
    def _is_watched(self, event_data: EventStateChangedData) -> bool:
        return event_data["entity_id"] in self._watched

    # -- events -> notices ----------------------------------------------------------------

    @callback
    def _async_alarm(self, event: Event[dict[str, Any]]) -> None:
        data = event.data
        if data.get("type") == "triggered":
            self._send(
                Notice(
                    "alarm",
                    str(data.get("entity_id", "")),
                    f"notice_alarm_{data.get('change', 'opened')}",
                    {"name": str(data.get("name", ""))},
                )
            )

    @callback
    def _async_notice(self, event: Event[dict[str, Any]]) -> None:
        data = event.data
        kind = str(data.get("type", ""))
        category = NOTICE_CATEGORY.get(kind) or ("planner" if kind.startswith("planner") else None)
        if category is None:
            return
        subject = str(data.get("target") or data.get("device_id") or kind)
        placeholders = {key: _text(value) for key, value in data.items() if key != "entry_id"}
        if "target" in data:  # the figures with their unit (kWh, m³)
            unit = "kWh" if data["target"] == "electricity" else "m³"
            for figure in ("used", "projected", "limit"):  # both target notices carry all
                placeholders[figure] = f"{placeholders[figure]} {unit}"
        self._send(Notice(category, subject, f"notice_{kind}", placeholders))

    @callback
    def _async_state(self, event: Event[EventStateChangedData]) -> None:
        new, old = event.data["new_state"], event.data["old_state"]
        if new is None or old is None:
            return
        entity_id = event.data["entity_id"]
        entry = er.async_get(self.hass).async_get(entity_id)
        if entry is None or entry.device_id is None:
            return
        device = dr.async_get(self.hass).async_get(entry.device_id)
        name = (device.name_by_user or device.name or entity_id) if device else entity_id
        details = {"device_id": entry.device_id, "name": name, "entity_id": entity_id}
        key = self._watched.get(entity_id, "")
        if key in TURNING_ON and old.state == STATE_OFF and new.state == STATE_ON:
            self._fire(TURNING_ON[key], details)
        elif _went_offline(key, old.state, new.state, new.attributes):
            self._fire("device_offline", details)

    @callback
    def _fire(self, kind: str, details: dict[str, str]) -> None:
        """A device's notice as a ``hems_notice`` event, once per quiet time per device."""
        category = NOTICE_CATEGORY[kind]
        now = dt_util.utcnow()
        last = self._fired.get((category, details["device_id"]))
        if last is not None and now - last < QUIET[category]:
            return
        self._fired[(category, details["device_id"])] = now
        self.runtime.fire(EVENT_NOTICE, kind, details)

    # -- sending --------------------------------------------------------------------------

    @callback
    def _send(self, notice: Notice) -> None:
        if notice.category not in self.settings.categories or not self.settings.targets:
            return
        now = dt_util.utcnow()
        last = self.sent.get((notice.category, notice.subject))
        if last is not None and now - last < QUIET[notice.category]:
            _LOGGER.debug("Notice %s about %s held back", notice.key, notice.subject)
            return
        self.sent[(notice.category, notice.subject)] = now
        self.runtime.entry.async_create_background_task(
            self.hass, self._async_deliver(notice), f"hems notice {notice.key}"
        )

    async def _async_deliver(self, notice: Notice) -> None:
        language = self.hass.config.language or "en"
        strings = await async_get_translations(self.hass, language, "exceptions", {DOMAIN})
        prefix = f"component.{DOMAIN}.exceptions"
        title = strings.get(f"{prefix}.notice_title.message", "HEMS")
        template = strings.get(f"{prefix}.{notice.key}.message", notice.key)
        placeholders = dict(notice.placeholders)
        if "target" in placeholders:  # electricity, gas, water in the user's language
            word = strings.get(f"{prefix}.notice_target_{placeholders['target']}.message")
            placeholders["target"] = word or placeholders["target"]
        message = _fill(template, placeholders)
        calls: list[tuple[str, dict[str, Any]]] = []
        if self.settings.entities:
            calls.append(
                (
                    "send_message",
                    {"entity_id": list(self.settings.entities), "message": message, "title": title},
                )
            )
        calls += [(name, {"message": message, "title": title}) for name in self.settings.services]
        for service, data in calls:
            try:
                await self.hass.services.async_call("notify", service, data, blocking=True)
            except (HomeAssistantError, vol.Invalid) as err:  # one target failing: the rest go
                _LOGGER.warning("Notice not sent through notify.%s: %s", service, err)


def _went_offline(key: str, old: str, new: str, attributes: Mapping[str, Any]) -> bool:
    """A device entity became unavailable (not because its entry was unloaded: those are
    marked ``restored``), or the meter's link went down."""
    if key == "meter_connected":
        return old == STATE_ON and new == STATE_OFF
    return (
        new == STATE_UNAVAILABLE
        and old not in (STATE_UNAVAILABLE, STATE_UNKNOWN)
        and not attributes.get("restored")
    )


def _text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _fill(template: str, placeholders: Mapping[str, str]) -> str:
    """``template`` with ``{name}`` placeholders filled (unknown ones stay as they are)."""
    text = template
    for key, value in placeholders.items():
        text = text.replace(f"{{{key}}}", value)
    return text


def notify_service_names(hass: HomeAssistant) -> list[str]:
    """The notify actions there are (``mobile_app_...`` and others), for the options form."""
    return sorted(
        f"notify.{name}"
        for name in hass.services.async_services_for_domain("notify")
        if name not in ("send_message", "persistent_notification")
    )
