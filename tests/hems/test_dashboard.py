"""The HEMS dashboard: made from the house's entities, in en and ja, never over the user's.

A real Home Assistant with its lovelace integration, the virtual house on loopback and the
energy entry; the dashboard is read back from Home Assistant's own dashboards collection and
storage, as Settings → Dashboards and the frontend read it.
"""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

from homeassistant.auth.models import User
from homeassistant.components.lovelace.const import LOVELACE_DATA
from homeassistant.core import Context, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, Unauthorized
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest

from custom_components.hems.const import DOMAIN
from custom_components.hems.echonet.controller import Controller
from custom_components.hems.energy import SalePlan
from custom_components.hems.home.dashboard import SERVICE_CREATE_DASHBOARD, _collection
from custom_components.hems.home.dashboard.text import TEXT
from custom_components.hems.home.settings import default_tariff

from .conftest import HouseFactory, settle, setup_hub
from .platform_helpers import START, discovery_of
from .test_energy_support import energy_entry, setup_energy

SCREENS = ["home", "flow", "graph", "control", "security", "air", "meter", "notices"]


async def _house(hass: HomeAssistant, make_house: HouseFactory) -> None:
    assert await async_setup_component(hass, "lovelace", {})
    house = await make_house(start=START, speed=1e-9)
    with patch.object(Controller, "async_discover", discovery_of(len(house.nodes))):
        await setup_hub(hass)
    await setup_energy(hass)
    await settle(hass)


async def _create(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, SERVICE_CREATE_DASHBOARD, data, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    return response


async def _config(hass: HomeAssistant, url_path: str) -> dict[str, Any]:
    config: dict[str, Any] = await hass.data[LOVELACE_DATA].dashboards[url_path].async_load(False)
    return config


def _cards(node: Any) -> list[dict[str, Any]]:
    """Every card in a configuration, nested ones included."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "type" in node and (
            "entity" in node
            or "entities" in node
            or "card" in node
            or "tap_action" in node
            or "heading" in node
        ):
            found.append(node)
        for value in node.values():
            found += _cards(value)
    elif isinstance(node, list):
        for value in node:
            found += _cards(value)
    return found


def _entities(card: dict[str, Any]) -> list[str]:
    entities = card.get("entities", [])
    ids = list(entities.values()) if isinstance(entities, dict) else list(entities)
    if "entity" in card:
        ids.append(card["entity"])
    target = card.get("tap_action", {}).get("target", {}).get("entity_id", [])
    return ids + list(target)


async def test_dashboard_from_the_house(hass: HomeAssistant, make_house: HouseFactory) -> None:
    """Every AiSEG2 screen is a view; every entity on it exists and is available."""
    await _house(hass, make_house)
    result = await _create(hass)
    assert result == {"url_path": "hems", "created": True, "views": SCREENS}
    item = next(i for i in _collection(hass).async_items() if i["url_path"] == "hems")
    assert item["title"] == "HEMS"
    assert item["show_in_sidebar"] is True
    config = await _config(hass, "hems")
    assert [view["title"] for view in config["views"]] == [TEXT["en"][s] for s in SCREENS]
    referenced = [e for card in _cards(config) for e in _entities(card)]
    assert len(referenced) > 50
    for entity_id in referenced:
        state = hass.states.get(entity_id)
        assert state is not None, entity_id
        assert state.state != "unavailable", entity_id
    planner = [c["entity"] for c in _cards(config) if c.get("entity", "").count("planner")]
    assert any(entity.startswith("select.") for entity in planner)  # the planner's mode
    flow = next(c for c in _cards(config) if c["type"] == "custom:hems-power-flow-card")
    assert {"grid", "solar", "battery", "v2h", "fuel_cell", "house"} <= flow["entities"].keys()
    control = next(v for v in config["views"] if v["path"] == "control")
    actions = [c["tap_action"]["perform_action"] for c in _cards(control) if "tap_action" in c]
    assert actions == ["climate.turn_off", "light.turn_off", "cover.close_cover"]
    # No section is only its heading.
    for view in config["views"]:
        for section in view["sections"]:
            assert len(section["cards"]) > 1, (view["path"], section)


async def test_japanese_and_recreate(hass: HomeAssistant, make_house: HouseFactory) -> None:
    """In Japanese the screens carry AiSEG2's names; re-creating updates the same dashboard
    from what the house has now."""
    hass.config.language = "ja"
    await _house(hass, make_house)
    await _create(hass)
    config = await _config(hass, "hems")
    assert [view["title"] for view in config["views"]][:3] == ["マイホーム", "電気の流れ", "グラフ"]
    buttons = [c["name"] for c in _cards(config) if "tap_action" in c]
    assert buttons == ["一括停止", "一括消灯", "一括閉"]
    # The user turns every light's entity off in the registry: the next dashboard has no
    # lights (and no 一括消灯), at the same address.
    registry = er.async_get(hass)
    for entry in list(registry.entities.values()):
        if entry.platform == DOMAIN and entry.domain == "light":
            registry.async_update_entity(entry.entity_id, disabled_by=er.RegistryEntryDisabler.USER)
    await hass.async_block_till_done()
    result = await _create(hass, language="en")
    assert result["url_path"] == "hems" and result["created"] is False
    config = await _config(hass, "hems")
    assert [c["name"] for c in _cards(config) if "tap_action" in c] == ["All off", "Close all"]
    assert (
        len([i for i in _collection(hass).async_items() if i["url_path"].startswith("hems")]) == 1
    )


async def test_never_over_the_users(hass: HomeAssistant, make_house: HouseFactory) -> None:
    """A dashboard the user edited is left alone (a clear error); a user's own dashboard at
    the address makes ours take the next one."""
    await _house(hass, make_house)
    collection = _collection(hass)
    await collection.async_create_item(
        {"url_path": "hems", "title": "Mine", "allow_single_word": True}
    )
    mine = {"views": [{"title": "my view", "cards": []}]}
    await hass.data[LOVELACE_DATA].dashboards["hems"].async_save(mine)
    result = await _create(hass)
    assert result["url_path"] == "hems-2"
    assert await _config(hass, "hems") == mine
    # The user edits ours: re-creating refuses and changes nothing.
    edited = {**(await _config(hass, "hems-2")), "title": "edited"}
    await hass.data[LOVELACE_DATA].dashboards["hems-2"].async_save(edited)
    with pytest.raises(HomeAssistantError) as err:
        await _create(hass)
    assert err.value.translation_key == "dashboard_edited"
    assert "hems-2" in str(err.value)
    assert await _config(hass, "hems-2") == edited
    # Deleted in Settings → Dashboards: made anew.
    item = next(i for i in collection.async_items() if i["url_path"] == "hems-2")
    await collection.async_delete_item(item["id"])
    assert (await _create(hass))["created"] is True


async def test_admin_only_and_without_dashboards(
    hass: HomeAssistant, hass_read_only_user: User
) -> None:
    """Only administrators may create it; without Home Assistant's dashboards it explains."""
    await setup_energy(hass)
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            SERVICE_CREATE_DASHBOARD,
            {},
            blocking=True,
            return_response=True,
            context=Context(user_id=hass_read_only_user.id),
        )
    with pytest.raises(HomeAssistantError) as err:
        await _create(hass)
    assert err.value.translation_key == "dashboard_unavailable"


async def test_offered_by_the_config_flow(hass: HomeAssistant, make_house: HouseFactory) -> None:
    """Ticking "Create the HEMS dashboard" in the energy entry's setup makes it once."""
    assert await async_setup_component(hass, "lovelace", {})
    house = await make_house(start=START, speed=1e-9)
    with patch.object(Controller, "async_discover", discovery_of(len(house.nodes))):
        await setup_hub(hass)
    await settle(hass)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "user"})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "energy"}
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await settle(hass)
    assert "hems" in hass.data[LOVELACE_DATA].dashboards
    views = (await _config(hass, "hems"))["views"]
    assert [view["path"] for view in views] == SCREENS
    # A reload does not make another.
    await hass.config_entries.async_reload(result["result"].entry_id)
    await settle(hass)
    assert (
        len([i for i in _collection(hass).async_items() if i["url_path"].startswith("hems")]) == 1
    )


async def test_full_feed_in_flow(hass: HomeAssistant, make_house: HouseFactory) -> None:
    """Under full feed-in (全量買取) the power-flow card has no solar flowing to the house; the
    solar's power is still a tile of the flow view."""
    assert await async_setup_component(hass, "lovelace", {})
    house = await make_house(start=START, speed=1e-9, full_feed_in=True)
    with patch.object(Controller, "async_discover", discovery_of(len(house.nodes))):
        await setup_hub(hass)
    tariff = default_tariff().to_dict() | {"sale": SalePlan.full(40).to_dict()}
    await setup_energy(hass, energy_entry(tariff))
    await settle(hass)
    await _create(hass)
    config = await _config(hass, "hems")
    flow = next(c for c in _cards(config) if c["type"] == "custom:hems-power-flow-card")
    assert "solar" not in flow["entities"]
    assert {"grid", "battery", "fuel_cell", "house"} <= flow["entities"].keys()
    view = next(v for v in config["views"] if v["path"] == "flow")
    tiles = [e for card in _cards(view) if card is not flow for e in _entities(card)]
    assert "sensor.solar_power_solar_power" in tiles
