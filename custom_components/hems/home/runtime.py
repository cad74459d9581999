"""Runtime of the energy entry: the ledger fed from entities, the figures, the notices.

* The sources' states are read into the ledger (:class:`~..energy.feed.LedgerFeed`: counters
  add pieces, the smart meter's fixed-time values set exact half-hour slots); the ledger, the
  counters' baselines and the last fixed-time values are kept in a ``Store``.  A counter's
  unchanged value (a state *reported* again) is a reading too: an increase is spread only over
  the time since the counter was last seen, not back to when it last changed (a meter's
  0.1 kWh export counter, idle all night, would otherwise put the morning's first export
  mostly into yesterday).
* :class:`~.coordinator.HomeCoordinator` computes every figure once a minute and soon after new
  energy; this runtime listens to it and raises the notices the figures call for (a target, the
  eco records of a finished day, after which the ledger drops what it no longer keeps).
* Live values (house power, contract current, rooms, locks) are read from the states when they
  change; the contract-current alert raises its notice from here too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
import logging
from typing import Any, Final, cast

from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    EventStateReportedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import (
    async_track_state_change_event,
    async_track_state_report_event,
)
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, ENERGY_STORE_KEY
from ..energy import (
    AmpereLevel,
    AmpereStatus,
    Ledger,
    LedgerError,
    TargetProgress,
    ampere_status,
    estimated_line_current,
)
from ..energy.feed import LedgerFeed
from ..energy.slots import Channel
from ..models import HemsConfigEntry, KindRuntime
from ..storage import DurableStore, StoreUnreadable
from .coordinator import HomeCoordinator
from .detect import detect_sources
from .planner.runtime import HomePlanner
from .settings import HomeSettings
from .sources import (
    COUNTER_ROLES,
    FIXED_CHANNEL,
    FIXED_ROLES,
    POWER_ROLES,
    Sources,
    counter_reading,
    fixed_reading,
    number_reading,
    power_reading,
)

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION: Final = 1
SAVE_DELAY: Final = 60
FINAL_RETENTION: Final = timedelta(days=3)

#: Dispatcher signals (argument of the event one: event key, event type, data).
SIGNAL_HOME_EVENT: Final = "hems_home_event_{}"
SIGNAL_HOME_LIVE: Final = "hems_home_live_{}"

#: Event entities and their event types.
EVENT_ALARM: Final = "alarm"
EVENT_NOTICE: Final = "notice"
ALARM_EVENT_TYPES: Final = ["triggered", "armed", "disarmed"]
NOTICE_EVENT_TYPES: Final = [
    "target_warning",
    "target_exceeded",
    "contract_current_warning",
    "contract_current_over",
    "eco_record",
    "planner_refused",
    "planner_decision",
    "device_fault",
    "device_offline",
    "battery_low",
]
#: Bus events (for automations), data: ``entry_id``, ``type`` and the details.
BUS_EVENTS: Final = {EVENT_ALARM: f"{DOMAIN}_alarm", EVENT_NOTICE: f"{DOMAIN}_notice"}


def parse_stored(data: Any, problems: list[str]) -> tuple[LedgerFeed, dict[str, str]]:
    """The stored ledger, feed state and notices sent, read field by field (see
    :meth:`~..energy.feed.LedgerFeed.from_dict`)."""
    if not isinstance(data, dict):
        raise StoreUnreadable("the stored energy data is not a mapping")
    try:
        feed = LedgerFeed.from_dict(data, problems)
    except LedgerError as err:
        raise StoreUnreadable(str(err)) from None
    raw = data.get("notified", {})
    notified: dict[str, str] = {}
    if isinstance(raw, dict):
        for kind, key in raw.items():
            if isinstance(key, str):
                notified[kind] = key
            else:
                problems.append(f"notice {kind} left out")
    else:
        problems.append("notices sent left out")
    return feed, notified


@dataclass
class _LiveState:
    ampere: AmpereStatus | None = None
    listeners: list[Callable[[], None]] = field(default_factory=list)


class HomeRuntime(KindRuntime):
    """Everything the energy entry keeps while loaded."""

    def __init__(self, hass: HomeAssistant, entry: HemsConfigEntry, settings: HomeSettings) -> None:
        self.hass = hass
        self.entry = entry
        self.settings = settings
        self.tariff = settings.tariff
        self.sources = self._effective_sources()
        self.feed = LedgerFeed(Ledger(self.tariff.timezone))
        self.store: DurableStore[tuple[LedgerFeed, dict[str, str]]] = DurableStore(
            hass,
            STORAGE_VERSION,
            f"{ENERGY_STORE_KEY}.{entry.entry_id}",
            name=entry.title,
            parse=parse_stored,
        )
        self.notified: dict[str, str] = {}
        self.last_day: date | None = None
        self.coordinator = HomeCoordinator(hass, entry, self)
        self.live = _LiveState()
        self._unsubs: list[CALLBACK_TYPE] = []
        #: Counter and fixed-time roles per entity (under full feed-in the solar's generation
        #: counter is the sale too).
        self._role_of: dict[str, list[str]] = {}
        self.planner = HomePlanner(self)

    # ------------------------------------------------------------------ sources

    def _effective_sources(self) -> Sources:
        if not self.settings.auto_sources:
            return self.settings.sources
        detected = detect_sources(
            self.hass, self.entry.entry_id, full_feed_in=self.tariff.full_feed_in
        )
        # Explicit choices win over detection role by role.
        return Sources({**detected.roles, **self.settings.sources.roles})

    def alarm_entities(self) -> tuple[str, ...]:
        """Entities the alarm watches (options, else the detected locks and doors/windows)."""
        if self.settings.alarm_entities is not None:
            return self.settings.alarm_entities
        return (*self.sources.get("locks"), *self.sources.get("openings"))

    def live_entities(self) -> set[str]:
        """Entities whose changes update the live values."""
        roles = (*POWER_ROLES, "current", "temperature", "locks", "openings")
        return {entity_id for role in roles for entity_id in self.sources.get(role)}

    # ------------------------------------------------------------------ lifecycle

    async def async_start(self) -> None:
        """Load the stored ledger, read the current values and start listening."""
        await self._async_load()
        for role in (*COUNTER_ROLES, *FIXED_ROLES):
            for entity_id in self.sources.get(role):
                self._role_of.setdefault(entity_id, []).append(role)
        now = dt_util.utcnow()
        for entity_id in self._role_of:
            self._take(entity_id, now)
        if self._role_of:
            self._unsubs.append(
                async_track_state_change_event(
                    self.hass, list(self._role_of), self._async_energy_changed
                )
            )
            # An unchanged value is a reading too: the next increase happened after it.
            self._unsubs.append(
                async_track_state_report_event(
                    self.hass, list(self._role_of), self._async_energy_changed
                )
            )
        live = self.live_entities()
        if live:
            self._unsubs.append(
                async_track_state_change_event(self.hass, list(live), self._async_live_changed)
            )
        self.update_ampere(fire=False)
        self._unsubs.append(self.coordinator.async_add_listener(self._async_figures_updated))
        if self.settings.auto_sources:
            self._unsubs.append(
                self.hass.bus.async_listen(
                    er.EVENT_ENTITY_REGISTRY_UPDATED, self._async_registry_updated
                )
            )
        self.last_day = self.tariff.local(now).date()
        self.planner.async_start()

    async def async_stop(self) -> None:
        """Stop listening and save."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        await self.planner.async_stop()
        await self.store.async_save(self._to_store())

    @property
    def ledger(self) -> Ledger:
        """The ledger of 30-minute slots and day summaries."""
        return self.feed.ledger

    async def _async_load(self) -> None:
        loaded = await self.store.async_load()
        if loaded.value is not None:
            self.feed, self.notified = loaded.value

    def _to_store(self) -> dict[str, Any]:
        return {
            **self.feed.to_dict(dt_util.utcnow(), FINAL_RETENTION),
            "notified": self.notified,
        }

    @callback
    def _schedule_save(self) -> None:
        self.store.async_delay_save(self._to_store, SAVE_DELAY)

    # ------------------------------------------------------------------ feeding the ledger

    @callback
    def _async_energy_changed(
        self, event: Event[EventStateChangedData] | Event[EventStateReportedData]
    ) -> None:
        if self._take(event.data["entity_id"], dt_util.utcnow()):
            self._schedule_save()
            # tracked by the entry: cancelled when it unloads
            self.entry.async_create_background_task(
                self.hass,
                self.coordinator.async_request_refresh(),
                "hems-energy-refresh",
                eager_start=True,
            )

    def _take(self, entity_id: str, now: datetime) -> bool:
        """Read one source's state into the ledger; True when the ledger changed."""
        state = self.hass.states.get(entity_id)
        if state is None:
            return False
        changed = False
        for role in self._role_of.get(entity_id, ()):
            changed = self._take_role(entity_id, role, state, now) or changed
        return changed

    def _take_role(self, entity_id: str, role: str, state: State, now: datetime) -> bool:
        if role in FIXED_CHANNEL:
            reading = fixed_reading(state, self.ledger.tz)
            if reading is None:
                return False
            return self.feed.add_fixed(entity_id, FIXED_CHANNEL[role], *reading)
        channel = cast(Channel, role)
        value = counter_reading(state, channel)
        return value is not None and self.feed.add_counter(entity_id, channel, value, now)

    # ------------------------------------------------------------------ notices

    @callback
    def _async_figures_updated(self) -> None:
        """New figures: the notices they call for (a finished day, a target)."""
        data = self.coordinator.data
        if self.last_day is not None and data.day != self.last_day:
            self._notify_records(self.last_day, data.day, data.now)
        self.last_day = data.day
        for kind, progress in data.targets.items():
            self._target_notice(kind, progress, data.snapshot.billing_month.key)

    def _notify_records(self, finished: date, today: date, now: datetime) -> None:
        """The eco records the finished day broke; then the ledger drops what it no longer
        keeps (whole days)."""
        for record_kind in self.ledger.records_broken_on(finished):
            record = self.ledger.eco_records(today).get(record_kind)
            self.fire(
                EVENT_NOTICE,
                "eco_record",
                {
                    "record": record_kind.value,
                    "day": finished.isoformat(),
                    "value": None if record is None else float(record.value),
                },
            )
        self.ledger.prune(now)

    def _target_notice(self, kind: str, progress: TargetProgress, month: str) -> None:
        level = "exceeded" if progress.exceeded else "warning" if progress.about_to_exceed else None
        if level is None:
            return
        key = f"{month}:{level}"
        previous = self.notified.get(kind, "")
        if previous in {key, f"{month}:exceeded"}:
            return
        self.notified[kind] = key
        self._schedule_save()
        self.fire(
            EVENT_NOTICE,
            f"target_{level}",
            {
                "target": kind,
                "used": round(float(progress.used), 3),
                "limit": float(progress.target),
                "projected": round(float(progress.projected), 3),
                "month": month,
            },
        )

    # ------------------------------------------------------------------ live values

    @callback
    def _async_live_changed(self, event: Event[EventStateChangedData]) -> None:
        entity_id = event.data["entity_id"]
        if entity_id in self.sources.get("current") or entity_id in self.sources.get(
            "purchase_power"
        ):
            self.update_ampere(fire=True)
        for listener in list(self.live.listeners):
            listener()

    @callback
    def async_add_live_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``listener`` when a live source changes."""
        self.live.listeners.append(listener)

        @callback
        def _remove() -> None:
            self.live.listeners.remove(listener)

        return _remove

    def update_ampere(self, *, fire: bool) -> None:
        """Recompute the contract-current status (and raise the notice when it rises)."""
        contract = self.settings.contract_amperes
        if not contract:
            self.live.ampere = None
            return
        currents = [
            value
            for value in (
                number_reading(self.hass.states.get(e)) for e in self.sources.get("current")
            )
            if value is not None
        ]
        if not currents:
            power = power_reading(
                self.hass.states.get(next(iter(self.sources.get("purchase_power")), ""))
            )
            if power is None:
                self.live.ampere = None
                return
            currents = [float(estimated_line_current(power))]
        status = ampere_status(contract, currents, warn_fraction=self.settings.ampere_warn_fraction)
        previous = self.live.ampere
        self.live.ampere = status
        order = [AmpereLevel.OK, AmpereLevel.WARNING, AmpereLevel.OVER]
        if (
            fire
            and status.level is not AmpereLevel.OK
            and (previous is None or order.index(status.level) > order.index(previous.level))
        ):
            self.fire(
                EVENT_NOTICE,
                f"contract_current_{status.level.value}",
                {
                    "current": float(status.current),
                    "contract": float(status.contract),
                    "ratio": round(float(status.ratio), 3),
                },
            )

    # ------------------------------------------------------------------ events

    @callback
    def fire(self, key: str, event_type: str, data: dict[str, Any]) -> None:
        """Fire an event: on the bus (``hems_alarm`` / ``hems_notice``) and its event entity."""
        self.hass.bus.async_fire(
            BUS_EVENTS[key], {"entry_id": self.entry.entry_id, "type": event_type, **data}
        )
        async_dispatcher_send(
            self.hass, SIGNAL_HOME_EVENT.format(self.entry.entry_id), key, event_type, data
        )

    # ------------------------------------------------------------------ auto-detection

    @callback
    def _async_registry_updated(self, event: Event[er.EventEntityRegistryUpdatedData]) -> None:
        if event.data["action"] != "create":
            return
        entity = er.async_get(self.hass).async_get(event.data["entity_id"])
        if entity is None or entity.platform != DOMAIN:
            return
        if entity.config_entry_id == self.entry.entry_id:
            return
        detected = self._effective_sources()
        if detected.roles != self.sources.roles:
            _LOGGER.debug("New energy sources found; reloading the energy entry")
            self.hass.config_entries.async_schedule_reload(self.entry.entry_id)

    # ------------------------------------------------------------------ diagnostics

    def diagnostics(self) -> dict[str, Any]:
        """Sources, ledger coverage and the current figures."""
        data = self.coordinator.data
        slots = self.ledger.slots()
        out: dict[str, Any] = {
            "sources": self.sources.to_dict(),
            "alarm_entities": list(self.alarm_entities()),
            "ledger": {
                "timezone": self.ledger.timezone,
                "slots": len(slots),
                "first_slot": slots[0].start.isoformat() if slots else None,
                "last_slot": slots[-1].start.isoformat() if slots else None,
                "final_slots": {ch: len(starts) for ch, starts in self.feed.final.items()},
            },
            "counters": {entity_id: c.to_dict() for entity_id, c in self.feed.counters.items()},
            "notified": self.notified,
            "planner": self.planner.diagnostics(),
        }
        if data is not None:
            snap = data.snapshot
            out["figures"] = {
                "billing_month": snap.billing_month.key,
                "price": str(snap.price.price_per_kwh),
                "period": snap.price.period_key,
                "purchase_cost_month": str(snap.month.costs.purchase_cost),
                "projected_bill": str(snap.bill.projected.total),
                "coverage": str(snap.bill.coverage),
            }
        return out
