"""The B-route entry kind: a low-voltage smart meter over a Wi-SUN USB dongle.

One entry per meter.  Setup connects for real (cached PAN first) and reads once; the session
then keeps itself connected (see :mod:`.coordinator`).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any, Final

from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..const import DOMAIN, KIND_BROUTE
from ..issues import async_clear_issue
from ..kinds import EntryKind
from ..models import HemsConfigEntry
from ..wisun import (
    BRouteSession,
    DongleError,
    DongleNotRespondingError,
    PanDescriptor,
    UnsupportedDongleError,
    WisunError,
)
from . import const as c
from .coordinator import BrouteCoordinator, BrouteRuntime, async_dongle_missing
from .entities import binary_sensor_entities, sensor_entities
from .errors import WISUN_ERRORS, Operation
from .session import (
    async_connect,
    async_read_identity,
    forget_session,
    meter_uid,
    session_for,
    stored_pan,
)


async def async_connect_meter(
    hass: HomeAssistant, entry: HemsConfigEntry, session: BRouteSession
) -> PanDescriptor:
    """Connect for the first time (a missing dongle is a repair issue)."""
    port = str(entry.data[c.CONF_PORT])
    issue_id = f"{c.ISSUE_DONGLE_MISSING}_{entry.entry_id}"
    try:
        pan = await async_connect(session, c.SETUP_TIMEOUT)
    except (WisunError, TimeoutError) as err:
        there = (UnsupportedDongleError, DongleNotRespondingError)  # something is at the port
        if isinstance(err, DongleError) and not isinstance(err, there):
            async_dongle_missing(hass, entry, issue_id)
        context = {"port": port}
        raise WISUN_ERRORS.translate(Operation.CONNECT, err, ConfigEntryNotReady, context) from err
    async_clear_issue(hass, issue_id)
    return pan


# Not the hub action's _jsonable: diagnostics keep datetimes in ISO form (alike on purpose).
def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class MeterKind:
    """B-route smart meter entries (see :class:`~..kinds.EntryKind`)."""

    name = KIND_BROUTE
    platforms: tuple[Platform, ...] = (Platform.BINARY_SENSOR, Platform.SENSOR)
    runtime_type = BrouteRuntime

    async def async_setup(self, hass: HomeAssistant, entry: HemsConfigEntry) -> BrouteRuntime:
        """Connect to the meter, keep its PAN and identity, read once."""
        session = session_for(hass, entry)
        pan = await async_connect_meter(hass, entry, session)
        if stored_pan(entry.data) != pan:
            hass.config_entries.async_update_entry(
                entry, data={**entry.data, c.CONF_PAN: pan.as_dict()}
            )
        meter = dict(entry.data.get(c.CONF_METER) or {})
        if not meter.get("mac"):
            meter = {**meter, **await async_read_identity(session), "mac": pan.mac}
            hass.config_entries.async_update_entry(entry, data={**entry.data, c.CONF_METER: meter})
        last_live, imported = await BrouteCoordinator.async_load_stored(hass, entry)
        coordinator = BrouteCoordinator(
            hass, entry, session, meter_uid(str(meter["mac"])), last_live, history_imported=imported
        )
        try:
            await coordinator.async_config_entry_first_refresh()
        except BaseException:
            await session.close()
            raise
        coordinator.async_start()

        async def _stop(_event: Event) -> None:
            await coordinator.async_stop()

        # async_listen (not _once): the unsubscribe at unload must stay valid after a stop
        entry.async_on_unload(hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, _stop))
        return BrouteRuntime(coordinator, meter, dict(entry.options))

    def async_entities_added(self, runtime: BrouteRuntime) -> None:
        """The energy sensors exist: backfill their statistics once Home Assistant runs."""
        runtime.coordinator.async_entities_ready()

    async def async_setup_platform(
        self,
        hass: HomeAssistant,
        entry: HemsConfigEntry,
        runtime: BrouteRuntime,
        platform: Platform,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        """The meter's sensors, and the connection binary sensor."""
        if platform is Platform.SENSOR:
            async_add_entities(sensor_entities(runtime.coordinator, runtime.meter))
        else:
            async_add_entities(binary_sensor_entities(runtime.coordinator, runtime.meter))

    async def async_unload(self, hass: HomeAssistant, runtime: BrouteRuntime) -> None:
        """Close the session (the dongle's port is free again) and forget it."""
        await runtime.coordinator.async_stop()
        forget_session(hass, runtime.coordinator.config_entry.entry_id)

    def reload_on_update(self, entry: HemsConfigEntry, runtime: BrouteRuntime | None) -> bool:
        """Reload when the options changed (data updates, e.g. a new PAN, need no reload)."""
        return runtime is not None and dict(entry.options) != runtime.options

    async def async_diagnostics(
        self, hass: HomeAssistant, entry: HemsConfigEntry, runtime: BrouteRuntime | None
    ) -> dict[str, Any]:
        """Session, dongle, PAN, the latest values, polling and backfill (no ID, no password)."""
        if runtime is None:
            return {"loaded": False}
        coordinator = runtime.coordinator
        session = coordinator.session
        data = coordinator.data
        info = session.meter_info
        dongle = session.dongle_info
        return {
            "loaded": True,
            "meter": dict(runtime.meter),
            "session": {
                "state": session.state.value,
                "auth_failures": session.auth_failures,
                "dongle": None if dongle is None else _plain(asdict(dongle)),
                "pan": None if session.pan is None else session.pan.as_dict(),
                "meter_info": None if info is None else asdict(info),
                "stats": asdict(session.stats),
            },
            "coordinator": coordinator.diagnostics(),
            "reading": None if data is None else _plain(asdict(data.reading)),
            "fixed": None if data is None or data.fixed is None else _plain(asdict(data.fixed)),
        }

    def device_diagnostics(
        self, runtime: BrouteRuntime | None, device: dr.DeviceEntry
    ) -> dict[str, Any]:
        """Nothing beyond the entry's diagnostics (the entry has one device)."""
        return {}

    def can_remove_device(self, runtime: BrouteRuntime | None, device: dr.DeviceEntry) -> bool:
        """The meter's device goes with its entry (remove the entry instead)."""
        if runtime is None:
            return True
        return (DOMAIN, runtime.coordinator.uid) not in device.identifiers


KIND: Final[EntryKind[BrouteRuntime]] = MeterKind()
