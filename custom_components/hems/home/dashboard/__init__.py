"""The HEMS dashboard: AiSEG2's screens as one Home Assistant dashboard, made on request.

``hems.create_dashboard`` (and the energy entry's setup, when the user asked for it) builds
the dashboard from the entities the integration has right now (:mod:`.inventory`,
:mod:`.views`) and stores it as a storage-mode dashboard in the sidebar, like one the user
made in Settings → Dashboards (it can be renamed, edited or deleted there).

Re-creating is safe: the integration remembers which dashboard it made and what it wrote
there.  It updates that dashboard when it still holds exactly what was written; a dashboard
the user has edited since, or any other dashboard, is never overwritten (a dashboard the user
edited is left alone and the action says so; another dashboard at the same address makes the
new one take the next free address).

Home Assistant keeps its dashboards collection inside the lovelace integration; it is reached
through the collection's websocket handler (the same object the frontend's Settings →
Dashboards page talks to).  Without it (dashboards in YAML mode) the action explains that.
"""

from __future__ import annotations

from dataclasses import dataclass
import hashlib
import inspect
import json
import logging
from typing import Any, Final

from homeassistant.components.lovelace.const import LOVELACE_DATA, ConfigNotFound
from homeassistant.components.lovelace.dashboard import DashboardsCollection
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.service import async_register_admin_service
import voluptuous as vol

from ...const import DOMAIN
from ...storage import DurableStore, StoreUnreadable
from .inventory import collect
from .text import words
from .views import build_dashboard

_LOGGER = logging.getLogger(__name__)

SERVICE_CREATE_DASHBOARD: Final = "create_dashboard"
ATTR_LANGUAGE: Final = "language"
#: The address it prefers, and its icon.
URL_PATH: Final = "hems"
ICON: Final = "mdi:home-lightning-bolt"
STORE_KEY: Final = f"{DOMAIN}.dashboard"
STORE_VERSION: Final = 1


@dataclass(frozen=True, slots=True)
class DashboardResult:
    """What :func:`async_create_dashboard` did."""

    url_path: str
    created: bool
    views: tuple[str, ...]


def parse_stored(data: Any, problems: list[str]) -> dict[str, Any]:
    """What the store keeps about the dashboard this integration made (its id and content
    fingerprint) and the energy entries it was offered for, read item by item."""
    if not isinstance(data, dict):
        raise StoreUnreadable("the stored dashboard data is not a mapping")
    saved: dict[str, Any] = {}
    for key in ("id", "fingerprint"):
        if key not in data:
            continue
        if isinstance(data[key], str):
            saved[key] = data[key]
        else:
            problems.append(f"dashboard {key} left out")
    offered = data.get("offered", [])
    if isinstance(offered, list):
        saved["offered"] = [item for item in offered if isinstance(item, str)]
        if len(saved["offered"]) != len(offered):
            problems.append("an entry the dashboard was offered for left out")
    else:
        problems.append("entries the dashboard was offered for left out")
    return saved


def _store(hass: HomeAssistant) -> DurableStore[dict[str, Any]]:
    return DurableStore(hass, STORE_VERSION, STORE_KEY, name="HEMS dashboard", parse=parse_stored)


def _fingerprint(config: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()


def _collection(hass: HomeAssistant) -> DashboardsCollection:
    """Home Assistant's storage dashboards collection (what Settings → Dashboards edits)."""
    handlers: dict[str, Any] = hass.data.get("websocket_api", {})
    handler = handlers.get("lovelace/dashboards/list", (None,))[0]
    owner = getattr(inspect.unwrap(handler), "__self__", None) if handler else None
    collection = getattr(owner, "storage_collection", None)
    if LOVELACE_DATA not in hass.data or not isinstance(collection, DashboardsCollection):
        raise HomeAssistantError(translation_domain=DOMAIN, translation_key="dashboard_unavailable")
    return collection


def _free_url_path(hass: HomeAssistant) -> str:
    taken = set(hass.data[LOVELACE_DATA].dashboards) | set(hass.data.get("frontend_panels", {}))
    candidates = [URL_PATH, *(f"{URL_PATH}-{number}" for number in range(2, 100))]
    return next(path for path in candidates if path not in taken)


async def _owned_dashboard(
    hass: HomeAssistant, collection: DashboardsCollection, saved: dict[str, Any]
) -> str | None:
    """The address of the dashboard this integration made, if it is still there untouched."""
    item = collection.data.get(saved.get("id", ""))
    if item is None:
        return None
    url_path: str = item["url_path"]
    try:
        current = await hass.data[LOVELACE_DATA].dashboards[url_path].async_load(False)
    except ConfigNotFound:
        return url_path
    if _fingerprint(current) != saved.get("fingerprint"):
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="dashboard_edited",
            translation_placeholders={"url_path": url_path},
        )
    return url_path


async def async_create_dashboard(
    hass: HomeAssistant, language: str | None = None
) -> DashboardResult:
    """Create the HEMS dashboard, or update the one this integration made."""
    collection = _collection(hass)
    w = words(language or hass.config.language)
    config = build_dashboard(collect(hass), w)
    store = _store(hass)
    saved = (await store.async_load()).value or {}
    url_path = await _owned_dashboard(hass, collection, saved)
    created = url_path is None
    if url_path is None:
        url_path = _free_url_path(hass)
        item = await collection.async_create_item(
            {
                "url_path": url_path,
                "title": w["dashboard"],
                "icon": ICON,
                "show_in_sidebar": True,
                "require_admin": False,
                "allow_single_word": True,
            }
        )
        saved = {**saved, "id": item["id"]}
    await hass.data[LOVELACE_DATA].dashboards[url_path].async_save(config)
    await store.async_save({**saved, "fingerprint": _fingerprint(config)})
    views = tuple(view["path"] for view in config["views"])
    _LOGGER.info(
        "HEMS dashboard %s at /%s: %s",
        "created" if created else "updated",
        url_path,
        ", ".join(views),
    )
    return DashboardResult(url_path=url_path, created=created, views=views)


async def async_offer_dashboard(hass: HomeAssistant, entry_id: str) -> None:
    """Create the dashboard once for a new energy entry whose user asked for it.

    Waits until Home Assistant has started (the devices' entities exist by then); a failure is
    logged, not raised: the user can run ``hems.create_dashboard`` later.
    """
    store = _store(hass)
    saved = (await store.async_load()).value or {}
    if entry_id in saved.get("offered", ()):
        return
    try:
        await async_create_dashboard(hass)
    except HomeAssistantError as err:
        _LOGGER.warning("The HEMS dashboard was not created: %s", err)
    saved = (await store.async_load()).value or {}
    await store.async_save({**saved, "offered": [*saved.get("offered", ()), entry_id]})


async def _async_handle_create(call: ServiceCall) -> ServiceResponse:
    result = await async_create_dashboard(call.hass, call.data.get(ATTR_LANGUAGE))
    return {"url_path": result.url_path, "created": result.created, "views": list(result.views)}


def async_setup_dashboard_service(hass: HomeAssistant) -> None:
    """Register ``hems.create_dashboard`` (administrators only)."""
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_CREATE_DASHBOARD,
        _async_handle_create,
        vol.Schema({vol.Optional(ATTR_LANGUAGE): vol.In(["en", "ja"])}),
        supports_response=SupportsResponse.OPTIONAL,
    )
