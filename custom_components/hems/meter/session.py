"""The B-route session of an entry: kept across setup retries and reloads, connected within a
time limit, and the meter's identity and signal strength."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Final

from homeassistant.core import HomeAssistant

from ..const import BROUTE_SESSIONS
from ..models import HemsConfigEntry
from ..wisun import BRouteCredentials, BRouteSession, Dialect, PanDescriptor, WisunError
from . import const as c

_LOGGER = logging.getLogger(__name__)

DATA_SESSIONS: Final = BROUTE_SESSIONS


def meter_uid(mac: str) -> str:
    """Unique id (and device identifier) of a meter: from its MAC address, never the ID."""
    return f"{c.METER_ID_PREFIX}{mac.lower()}"


def entity_unique_id(uid: str, key: str) -> str:
    """Unique id of a meter's entity: ``broute_<meter MAC>-<description key>``."""
    return f"{uid}-{key}"


def entity_key(unique_id: str) -> str:
    """The description key of a meter entity's unique id."""
    return unique_id.rsplit("-", 1)[-1]


def stored_pan(data: dict[str, Any] | Any) -> PanDescriptor | None:
    """The PAN kept in the entry data (None when absent or unreadable)."""
    raw = data.get(c.CONF_PAN) if hasattr(data, "get") else None
    if not isinstance(raw, dict):
        return None
    try:
        return PanDescriptor.from_dict(raw)
    except ValueError:
        return None


def rssi_dbm(pan: PanDescriptor | None) -> int | None:
    """The meter's signal strength from the scan: J11 reports RSSI, SKSTACK the LQI
    (RSSI = 0.275 x LQI - 104.27 dBm, from ROHM's command reference)."""
    if pan is None or pan.lqi is None:
        return None
    if pan.dialect is Dialect.J11:
        return pan.lqi - 256 if pan.lqi > 127 else pan.lqi
    return round(0.275 * pan.lqi - 104.27)


def session_for(hass: HomeAssistant, entry: HemsConfigEntry) -> BRouteSession:
    """The entry's session: the same object across setup retries for as long as port and
    credentials stay (:func:`forget_session` drops it when the entry unloads)."""
    sessions: dict[str, tuple[str, BRouteCredentials, BRouteSession]] = hass.data.setdefault(
        DATA_SESSIONS, {}
    )
    port = str(entry.data[c.CONF_PORT])
    credentials = BRouteCredentials(entry.data[c.CONF_RBID], entry.data[c.CONF_PASSWORD])
    known = sessions.get(entry.entry_id)
    if known is not None and known[0] == port and known[1] == credentials:
        return known[2]
    session = BRouteSession(port, credentials, pan=stored_pan(entry.data), timing=c.SESSION_TIMING)
    sessions[entry.entry_id] = (port, credentials, session)
    return session


def forget_session(hass: HomeAssistant, entry_id: str) -> None:
    """Drop the entry's session from the cache (the entry unloaded or was removed): only a
    setup retry reuses it."""
    sessions: dict[str, Any] = hass.data.get(DATA_SESSIONS, {})
    sessions.pop(entry_id, None)
    if not sessions:
        hass.data.pop(DATA_SESSIONS, None)


async def async_connect(session: BRouteSession, limit: float) -> PanDescriptor:
    """``session.connect()`` within ``limit`` seconds (TimeoutError after closing it).

    The session is closed rather than the call cancelled, so that the connection attempt
    ends through the session's own path.
    """
    task = asyncio.ensure_future(session.connect())
    try:
        done, _pending = await asyncio.wait({task}, timeout=limit)
    except asyncio.CancelledError:
        await session.close()
        with contextlib.suppress(Exception):
            await task
        raise
    if done:
        return task.result()
    await session.close()
    with contextlib.suppress(WisunError):
        await task
    raise TimeoutError(f"no connection within {limit} s")


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
