"""The energy entry kind: tariffs, costs, self-sufficiency, demand, targets and alarm mode.

One entry per installation.  It reads Home Assistant entities (the hems ones it detects, or
those chosen in the options), keeps a ledger of 30-minute slots and shows the figures as the
entities of one "HEMS home" device (see :mod:`.home_entities`, :mod:`.home_alarm`).
"""

from __future__ import annotations

import logging
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN
from .energy import TariffError
from .energy.calendar import preload_holidays
from .home_alarm import HomeAlarm
from .home_entities import binary_sensor_entities, event_entities, sensor_entities
from .home_runtime import HomeRuntime
from .home_settings import HomeSettings
from .home_sources import disabled_fixed_sources
from .models import HemsConfigEntry

_LOGGER = logging.getLogger(__name__)

PLATFORMS: list[Platform] = [
    Platform.ALARM_CONTROL_PANEL,
    Platform.BINARY_SENSOR,
    Platform.EVENT,
    Platform.SENSOR,
]


def _runtime(entry: HemsConfigEntry) -> HomeRuntime:
    runtime = entry.runtime_data
    assert isinstance(runtime, HomeRuntime)
    return runtime


async def async_setup_entry(hass: HomeAssistant, entry: HemsConfigEntry) -> bool:
    """Set up the energy entry."""
    # The holiday calendar imports its country module on first use: do that off the loop.
    await hass.async_add_executor_job(preload_holidays)
    try:
        settings = HomeSettings.from_options(entry.options)
    except TariffError as err:
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="invalid_tariff",
            translation_placeholders={"error": str(err)},
        ) from err
    runtime = HomeRuntime(hass, entry, settings)
    if settings.auto_sources:
        # The smart meter's half-hour values are disabled by default: the energy entry needs
        # them (Home Assistant reloads the meter's entry to add them).
        registry = er.async_get(hass)
        for entity_id in disabled_fixed_sources(hass, runtime.sources):
            _LOGGER.info("Enabling %s for the half-hour energy slots", entity_id)
            registry.async_update_entity(entity_id, disabled_by=None)
    await runtime.async_start()
    entry.runtime_data = runtime
    await runtime.coordinator.async_config_entry_first_refresh()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    return True


async def _async_options_updated(hass: HomeAssistant, entry: HemsConfigEntry) -> None:
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: HemsConfigEntry) -> bool:
    """Unload the platforms, then stop listening and save the ledger."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded and isinstance(entry.runtime_data, HomeRuntime):
        await entry.runtime_data.async_stop()
    return unloaded


async def async_setup_sensor(
    hass: HomeAssistant, entry: HemsConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Sensors of the HEMS home device."""
    async_add_entities(sensor_entities(_runtime(entry)))


async def async_setup_binary_sensor(
    hass: HomeAssistant, entry: HemsConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Contract-current alert, all locked, any door/window open."""
    async_add_entities(binary_sensor_entities(_runtime(entry)))


async def async_setup_event(
    hass: HomeAssistant, entry: HemsConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Alarm and notice events."""
    async_add_entities(event_entities(_runtime(entry)))


async def async_setup_alarm_control_panel(
    hass: HomeAssistant, entry: HemsConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """The alarm mode."""
    async_add_entities([HomeAlarm(_runtime(entry))])


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: HemsConfigEntry
) -> dict[str, Any]:
    """Sources, ledger coverage and the current figures."""
    runtime = _runtime(entry)
    data = runtime.coordinator.data
    ledger = runtime.ledger
    slots = ledger.slots()
    out: dict[str, Any] = {
        "sources": runtime.sources.to_dict(),
        "alarm_entities": list(runtime.alarm_entities()),
        "ledger": {
            "timezone": ledger.timezone,
            "slots": len(slots),
            "first_slot": slots[0].start.isoformat() if slots else None,
            "last_slot": slots[-1].start.isoformat() if slots else None,
            "final_slots": {ch: len(starts) for ch, starts in runtime.final.items()},
        },
        "counters": {entity_id: c.to_dict() for entity_id, c in runtime.counters.items()},
        "notified": runtime.notified,
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
