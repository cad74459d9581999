"""The power-flow card is served by Home Assistant's HTTP server and loaded by its frontend."""

from __future__ import annotations

from typing import Any

from homeassistant.components.frontend import DATA_EXTRA_MODULE_URL
from homeassistant.components.onboarding import STORAGE_KEY, STORAGE_VERSION
from homeassistant.components.onboarding.const import STEPS
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.hems.frontend import CARD_PATH, CARD_URL, async_register_frontend


async def test_card_is_served_and_loaded_by_every_page(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, hass_storage: dict[str, Any]
) -> None:
    """The module URL answers with the card's JavaScript and is in the frontend's page."""
    # An onboarded Home Assistant (before that, "/" is the onboarding page).
    hass_storage[STORAGE_KEY] = {
        "version": STORAGE_VERSION,
        "key": STORAGE_KEY,
        "data": {"done": list(STEPS)},
    }
    assert await async_setup_component(hass, "frontend", {})
    url = await async_register_frontend(hass)
    assert url is not None
    assert url.startswith(f"{CARD_URL}?v=")
    # Once: a second call (a reload) changes nothing.
    assert await async_register_frontend(hass) == url
    assert hass.data[DATA_EXTRA_MODULE_URL].urls == {url}

    client = await hass_client()
    response = await client.get(url)
    assert response.status == 200
    assert response.content_type in ("text/javascript", "application/javascript")
    assert "max-age" in response.headers.get("Cache-Control", "")
    body = await response.text()
    assert body == CARD_PATH.read_text(encoding="utf-8")
    assert "customElements.define(CARD_TYPE, class extends HemsPowerFlowCard {})" in body
    assert 'customElements.whenDefined("home-assistant").then(register)' in body

    # The frontend's page imports it (extra module URLs are rendered into index.html).
    page = await (await client.get("/")).text()
    assert url in page

    # Only the card is served, not the folder it sits in (no Python sources).
    missing = await client.get(CARD_URL.replace("hems-power-flow-card.js", "__init__.py"))
    assert missing.status == 404


async def test_without_frontend_the_card_is_still_served(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """Home Assistant with http but no frontend (e.g. headless): served, nothing else."""
    assert await async_setup_component(hass, "http", {})
    url = await async_register_frontend(hass)
    assert url is not None
    assert DATA_EXTRA_MODULE_URL not in hass.data
    response = await (await hass_client()).get(url)
    assert response.status == 200


async def test_without_http_nothing_is_registered(hass: HomeAssistant) -> None:
    """No HTTP server, nothing to serve to."""
    assert await async_register_frontend(hass) is None
