"""The energy entry's diagnostics and a stored tariff that no longer validates."""

from __future__ import annotations

import json

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .test_energy_support import energy_entry, runtime_of, setup_energy


async def test_energy_diagnostics(hass: HomeAssistant, hass_client: ClientSessionGenerator) -> None:
    """Sources, ledger and the current figures, as JSON."""
    entry = await setup_energy(hass)
    await runtime_of(entry).coordinator.async_refresh()
    data = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert set(data) >= {"sources", "alarm_entities", "ledger", "counters", "notified", "figures"}
    assert data["ledger"]["timezone"]
    figures = data["figures"]
    assert figures["billing_month"]
    assert float(figures["price"]) > 0  # the default tariff's price now
    assert figures["period"]
    json.dumps(data)


async def test_stored_tariff_that_does_not_validate(hass: HomeAssistant) -> None:
    """Setting up fails with the translated reason (no retry: the options must be fixed)."""
    entry = energy_entry(tariff={"nonsense": 1})
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert "nonsense" in (entry.reason or "")
