"""The energy entry kind: tariffs, costs, self-sufficiency, demand, targets and alarm mode.

One entry per installation.  It reads Home Assistant entities (the hems ones it detects, or
those chosen in the options), keeps a ledger of 30-minute slots and shows the figures as the
entities of one "HEMS home" device (see :mod:`.entities`, :mod:`.alarm`).
"""

from __future__ import annotations

import logging
from typing import Any, Final

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.start import async_at_started

from ..const import CONF_CREATE_DASHBOARD, KIND_ENERGY
from ..energy import TariffError
from ..energy.calendar import preload_holidays
from ..kinds import EntryKind
from ..models import HemsConfigEntry
from .alarm import HomeAlarm
from .dashboard import async_offer_dashboard
from .detect import disabled_fixed_sources
from .entities import binary_sensor_entities, event_entities, sensor_entities
from .errors import ENERGY_ERRORS, Operation
from .notices import NoticeSettings, Notifier
from .planner.entities import planner_entities
from .runtime import HomeRuntime
from .settings import OPT_TARIFF, HomeSettings, async_check_time_zone

_LOGGER = logging.getLogger(__name__)


class HomeKind:
    """The energy entry (see :class:`~..kinds.EntryKind`)."""

    name = KIND_ENERGY
    platforms: tuple[Platform, ...] = (
        Platform.ALARM_CONTROL_PANEL,
        Platform.BINARY_SENSOR,
        Platform.EVENT,
        Platform.SELECT,
        Platform.SENSOR,
        Platform.SWITCH,
    )
    runtime_type = HomeRuntime

    async def async_setup(self, hass: HomeAssistant, entry: HemsConfigEntry) -> HomeRuntime:
        """Parse the options, load the ledger, find the sources, compute the figures once."""
        # The holiday calendar imports its country module on first use: do that off the loop.
        await hass.async_add_executor_job(preload_holidays)
        try:
            # The time zone is looked up in a thread, not in the event loop.
            zone_error = await async_check_time_zone(entry.options.get(OPT_TARIFF))
            if zone_error is not None:
                raise zone_error
            settings = HomeSettings.from_options(entry.options)
        except TariffError as err:
            raise ENERGY_ERRORS.translate(Operation.SETTINGS, err, ConfigEntryError) from err
        runtime = HomeRuntime(hass, entry, settings)
        if settings.auto_sources:
            # Version 0.1 made the smart meter's half-hour values disabled: the energy
            # entry needs them (Home Assistant reloads the meter's entry to add them).
            registry = er.async_get(hass)
            for entity_id in disabled_fixed_sources(hass, runtime.sources):
                _LOGGER.info("Enabling %s for the half-hour energy slots", entity_id)
                registry.async_update_entity(entity_id, disabled_by=None)
        await runtime.async_start()
        await runtime.coordinator.async_config_entry_first_refresh()
        notifier = Notifier(runtime, NoticeSettings.from_options(entry.options))
        entry.async_on_unload(notifier.async_start())
        return runtime

    def async_entities_added(self, runtime: HomeRuntime) -> None:
        """The first plan (the mode is back from the select entity by now); the HEMS
        dashboard, once, when the user asked for it in the config flow."""
        entry = runtime.entry
        entry.async_create_task(
            runtime.hass, runtime.planner.async_replan("start"), f"hems planner {entry.entry_id}"
        )
        if not entry.data.get(CONF_CREATE_DASHBOARD):
            return

        @callback
        def _offer(hass: HomeAssistant) -> None:
            entry.async_create_background_task(
                hass, async_offer_dashboard(hass, entry.entry_id), "hems dashboard"
            )

        entry.async_on_unload(async_at_started(runtime.hass, _offer))

    async def async_setup_platform(
        self,
        hass: HomeAssistant,
        entry: HemsConfigEntry,
        runtime: HomeRuntime,
        platform: Platform,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        """The entities of the HEMS home device on ``platform``."""
        if platform is Platform.SENSOR:
            async_add_entities([*sensor_entities(runtime), *planner_entities(runtime, platform)])
        elif platform in (Platform.SELECT, Platform.SWITCH):
            async_add_entities(planner_entities(runtime, platform))
        elif platform is Platform.BINARY_SENSOR:
            # Contract-current alert, all locked, any door/window open.
            async_add_entities(binary_sensor_entities(runtime))
        elif platform is Platform.EVENT:
            async_add_entities(event_entities(runtime))
        else:
            async_add_entities([HomeAlarm(runtime)])

    async def async_unload(self, hass: HomeAssistant, runtime: HomeRuntime) -> None:
        """Stop listening and save the ledger."""
        await runtime.async_stop()

    def reload_on_update(self, entry: HemsConfigEntry, runtime: HomeRuntime | None) -> bool:
        """New options (tariff, sources, targets) take effect on a reload."""
        return True

    async def async_diagnostics(
        self, hass: HomeAssistant, entry: HemsConfigEntry, runtime: HomeRuntime | None
    ) -> dict[str, Any]:
        """Sources, ledger coverage and the current figures."""
        if runtime is None:
            return {"loaded": False}
        return runtime.diagnostics()

    def device_diagnostics(
        self, runtime: HomeRuntime | None, device: dr.DeviceEntry
    ) -> dict[str, Any]:
        """Nothing beyond the entry's diagnostics (the entry has one device)."""
        return {}

    def can_remove_device(self, runtime: HomeRuntime | None, device: dr.DeviceEntry) -> bool:
        """The HEMS home device may be removed (the entry adds it again on reload)."""
        return True


KIND: Final[EntryKind[HomeRuntime]] = HomeKind()
