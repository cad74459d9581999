"""Fixtures for the Home Assistant side: a real hass, the virtual house on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component import common, plugins
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hems.const import (
    CONF_ADDRESS,
    CONF_FRESHNESS,
    CONF_HOSTS,
    CONF_INTERFACE,
    CONF_KIND,
    DOMAIN,
    KIND_ECHONET,
)
from tests.houses import HouseFactory

__all__ = ["HouseFactory"]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/hems."""


@pytest.fixture(autouse=True)
def _own_config_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Every test its own configuration folder: the integration installs its blueprints there
    (never into the test package's shared testing_config).  Set where the hass fixture takes
    it from (this fixture does not need hass, so tests that start the recorder first still
    can)."""
    folder = tmp_path_factory.mktemp("config")

    def config_dir(*add_path: str) -> str:
        return str(folder.joinpath(*add_path))

    monkeypatch.setattr(common, "get_test_config_dir", config_dir)
    monkeypatch.setattr(plugins, "get_test_config_dir", config_dir, raising=False)


@pytest.fixture(autouse=True)
def _short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """On loopback every simulated device answers within milliseconds: wait less."""
    monkeypatch.setattr("custom_components.hems.hub.SETUP_DISCOVERY_SECONDS", 0.3)
    monkeypatch.setattr("custom_components.hems.hub.discovery.PROBE_SECONDS", 0.3)


@pytest.fixture
async def imports_finish(hass: HomeAssistant) -> AsyncIterator[None]:
    """For tests with the recorder (requested after ``recorder_mock``): after the test, let
    the history imports and backfills finish their database reads and unload the entries,
    before the recorder closes its (in-memory) database under them."""
    yield
    await hass.async_block_till_done(wait_background_tasks=True)
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is ConfigEntryState.LOADED:
            await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


def hub_entry(
    *, interface: str = "lo", address: str = "127.0.0.1", **options: Any
) -> MockConfigEntry:
    """A hub entry on the loopback interface (or on ``interface``; an interface Home
    Assistant does not list makes the hub use ``address``)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="ECHONET Lite (lo)",
        unique_id=f"{KIND_ECHONET}_lo",
        data={
            CONF_KIND: KIND_ECHONET,
            CONF_INTERFACE: interface,
            CONF_ADDRESS: address,
            CONF_HOSTS: [],
        },
        options={CONF_FRESHNESS: 10, **options},
    )


async def setup_hub(hass: HomeAssistant, **options: Any) -> MockConfigEntry:
    """Add and set up a hub entry on loopback; wait until its nodes are read."""
    entry = hub_entry(**options)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def settle(hass: HomeAssistant) -> None:
    """Let Home Assistant finish what it started: the polls (which await their answers) and
    the background tasks (the boards' circuits read at setup).  A push is no task of Home
    Assistant's: wait for what it changes (tests.waiting.wait_for)."""
    await hass.async_block_till_done(wait_background_tasks=True)
