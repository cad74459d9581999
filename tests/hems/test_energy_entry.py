"""The energy entry's diagnostics, a stored tariff that no longer validates, and the smart
meter's half-hour values it needs."""

from __future__ import annotations

from datetime import timedelta
import json

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.hems.const import DOMAIN
from tests.waiting import wait_for

from .test_broute_support import (
    UID,
    DongleFactory,
    _fast_broute,
    broute_entry,
    make_dongle,
    sim_clock,
)
from .test_energy_support import energy_entry, runtime_of, setup_energy

#: Fixtures of the support module that this module's tests use.
FIXTURES = (_fast_broute, make_dongle, sim_clock)


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


async def test_half_hour_values_disabled_by_an_older_version_are_enabled(
    hass: HomeAssistant, make_dongle: DongleFactory
) -> None:
    """Version 0.1 made the meter's half-hour values disabled: the energy entry,
    which takes its half-hour slots from them, enables them (Home Assistant then reloads the
    meter's entry), unless the user disabled them."""
    registry = er.async_get(hass)
    dongle = await make_dongle()
    meter = broute_entry(dongle.path or "")
    meter.add_to_hass(hass)
    older: dict[str, str] = {}
    for key, disabler in (
        ("fixed_time_import_energy", er.RegistryEntryDisabler.INTEGRATION),
        ("fixed_time_export_energy", er.RegistryEntryDisabler.USER),
    ):
        older[key] = registry.async_get_or_create(
            "sensor",
            DOMAIN,
            f"{UID}-{key}",
            config_entry=meter,
            disabled_by=disabler,
        ).entity_id
    assert await hass.config_entries.async_setup(meter.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(older["fixed_time_import_energy"]) is None  # still disabled

    await setup_energy(hass)
    assert registry.async_get(older["fixed_time_import_energy"]).disabled_by is None
    assert registry.async_get(older["fixed_time_export_energy"]).disabled_by is (
        er.RegistryEntryDisabler.USER
    )
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))  # the reload
    await hass.async_block_till_done()
    await wait_for(lambda: hass.states.get(older["fixed_time_import_energy"]) is not None)
