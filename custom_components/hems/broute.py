"""The B-route entry kind: a low-voltage smart meter over a Wi-SUN USB dongle.

One entry per meter.  Setup connects for real (cached PAN first) and reads once; the session
then keeps itself connected (see :mod:`.broute_coordinator`).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
import logging
from typing import Any

from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import broute_const as c
from .broute_coordinator import (
    BrouteCoordinator,
    BrouteRuntime,
    async_connect,
    meter_uid,
    session_for,
    stored_pan,
)
from .broute_entities import binary_sensor_entities, sensor_entities
from .const import DOMAIN
from .models import HemsConfigEntry
from .wisun import (
    BRouteSession,
    CredentialsRejectedError,
    DongleError,
    UnsupportedDongleError,
    WisunError,
)

_LOGGER = logging.getLogger(__name__)

PLATFORMS: list[Platform] = [Platform.BINARY_SENSOR, Platform.SENSOR]


def _runtime(entry: HemsConfigEntry) -> BrouteRuntime:
    runtime = entry.runtime_data
    assert isinstance(runtime, BrouteRuntime)
    return runtime


async def async_setup_entry(hass: HomeAssistant, entry: HemsConfigEntry) -> bool:
    """Connect to the meter, read once, add the entities."""
    session = session_for(hass, entry)
    port = str(entry.data[c.CONF_PORT])
    issue_id = f"{c.ISSUE_DONGLE_MISSING}_{entry.entry_id}"
    try:
        pan = await async_connect(session, c.SETUP_TIMEOUT)
    except CredentialsRejectedError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="broute_auth_failed"
        ) from err
    except UnsupportedDongleError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="broute_not_a_dongle",
            translation_placeholders={"port": port},
        ) from err
    except DongleError as err:
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="broute_dongle_missing",
            translation_placeholders={"port": port, "title": entry.title},
        )
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="broute_dongle_missing",
            translation_placeholders={"port": port},
        ) from err
    except TimeoutError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key="broute_connect_timeout"
        ) from err
    except WisunError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="broute_meter_unreachable",
            translation_placeholders={"error": str(err)},
        ) from err
    ir.async_delete_issue(hass, DOMAIN, issue_id)
    if stored_pan(entry.data) != pan:
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, c.CONF_PAN: pan.as_dict()}
        )
    meter = dict(entry.data.get(c.CONF_METER) or {})
    if not meter.get("mac"):
        meter = {**meter, **await async_read_identity(session), "mac": pan.mac}
        hass.config_entries.async_update_entry(entry, data={**entry.data, c.CONF_METER: meter})
    uid = meter_uid(str(meter["mac"]))
    last_live = await BrouteCoordinator.async_load_last_live(hass, entry)
    coordinator = BrouteCoordinator(hass, entry, session, uid, last_live)
    try:
        await coordinator.async_config_entry_first_refresh()
    except BaseException:
        await session.close()
        raise
    entry.runtime_data = BrouteRuntime(coordinator, meter, dict(entry.options))
    coordinator.async_start()

    async def _stop(_event: Event) -> None:
        await coordinator.async_stop()

    # async_listen (not _once): the unsubscribe at unload must stay valid after a stop
    entry.async_on_unload(hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, _stop))
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    coordinator.async_entities_ready()
    return True


async def async_read_identity(session: BRouteSession) -> dict[str, Any]:
    """The meter's manufacturer code (0x8A) and serial number (0x8D), when it has them."""
    try:
        values = await session.read_properties([c.EPC_MANUFACTURER, c.EPC_SERIAL])
    except WisunError as err:
        _LOGGER.debug("B-route: identity not read: %s", err)
        return {}
    out: dict[str, Any] = {}
    maker = values.get(c.EPC_MANUFACTURER)
    if maker is not None and len(maker) == 3:
        out["manufacturer"] = int.from_bytes(maker, "big")
    serial = values.get(c.EPC_SERIAL)
    if serial:
        text = serial.decode("ascii", errors="replace").strip(" \x00")
        if text:
            out["serial"] = text
    return out


async def _async_options_updated(hass: HomeAssistant, entry: HemsConfigEntry) -> None:
    """Reload when the options changed (data updates, e.g. a new PAN, need no reload)."""
    runtime = getattr(entry, "runtime_data", None)
    if isinstance(runtime, BrouteRuntime) and dict(entry.options) != runtime.options:
        await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: HemsConfigEntry) -> bool:
    """Unload the platforms, then close the session (the dongle's port is free again)."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded and isinstance(entry.runtime_data, BrouteRuntime):
        await entry.runtime_data.coordinator.async_stop()
    return unloaded


async def async_setup_sensor(
    hass: HomeAssistant, entry: HemsConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """The meter's sensors."""
    runtime = _runtime(entry)
    async_add_entities(sensor_entities(runtime.coordinator, runtime.meter))


async def async_setup_binary_sensor(
    hass: HomeAssistant, entry: HemsConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """The connection binary sensor."""
    runtime = _runtime(entry)
    async_add_entities(binary_sensor_entities(runtime.coordinator, runtime.meter))


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: HemsConfigEntry, device: dr.DeviceEntry
) -> bool:
    """The meter's device goes with its entry (remove the entry instead)."""
    runtime = getattr(entry, "runtime_data", None)
    if not isinstance(runtime, BrouteRuntime):
        return True
    return (DOMAIN, runtime.coordinator.uid) not in device.identifiers


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: HemsConfigEntry
) -> dict[str, Any]:
    """Session, dongle, PAN, the latest values, polling and backfill (no ID, no password)."""
    runtime = getattr(entry, "runtime_data", None)
    if not isinstance(runtime, BrouteRuntime):
        return {"loaded": False}
    coordinator = runtime.coordinator
    session = coordinator.session
    data = coordinator.data
    info = session.meter_info
    return {
        "loaded": True,
        "meter": dict(runtime.meter),
        "session": {
            "state": session.state.value,
            "auth_failures": session.auth_failures,
            "dongle": None if session.dongle_info is None else _plain(asdict(session.dongle_info)),
            "pan": None if session.pan is None else session.pan.as_dict(),
            "meter_info": None if info is None else asdict(info),
            "stats": asdict(session.stats),
        },
        "coordinator": coordinator.diagnostics(),
        "reading": None if data is None else _plain(asdict(data.reading)),
        "fixed": None if data is None or data.fixed is None else _plain(asdict(data.fixed)),
    }
