"""Options step of the planner (AI solar charge): its forecasts, the warning sensor, the
battery's reserve."""

from __future__ import annotations

from typing import Any

from homeassistant.components.energy.websocket_api import async_get_energy_platforms
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers import selector
import voluptuous as vol

from ..settings import (
    DEFAULT_BATTERY_RESERVE,
    OPT_BATTERY_RESERVE,
    OPT_SOLAR_FORECAST,
    OPT_WARNING_ENTITY,
    OPT_WEATHER,
)
from .base import EnergyOptionsBase
from .forms import _suggest

NO_PROVIDER = "none"


class PlannerSteps(EnergyOptionsBase):
    """The planner's forecasts and limits."""

    async def _async_providers(self) -> dict[str, str]:
        """Config entries of integrations with a solar forecast (energy platform)."""

        platforms = await async_get_energy_platforms(self.hass)
        return {
            entry.entry_id: f"{entry.title} ({entry.domain})"
            for entry in self.hass.config_entries.async_entries()
            if entry.domain in platforms
        }

    async def async_step_planner(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Solar forecast provider, weather entity, weather-warning sensor, battery reserve."""
        providers = await self._async_providers()
        if user_input is not None:
            provider = user_input.get(OPT_SOLAR_FORECAST, NO_PROVIDER)
            self.opts[OPT_SOLAR_FORECAST] = None if provider == NO_PROVIDER else provider
            self.opts[OPT_WEATHER] = user_input.get(OPT_WEATHER) or None
            self.opts[OPT_WARNING_ENTITY] = user_input.get(OPT_WARNING_ENTITY) or None
            self.opts[OPT_BATTERY_RESERVE] = int(user_input[OPT_BATTERY_RESERVE])
            return await self.async_step_energy()
        o = self.opts
        current = o.get(OPT_SOLAR_FORECAST)
        options = [selector.SelectOptionDict(value=NO_PROVIDER, label="-")] + [
            selector.SelectOptionDict(value=entry_id, label=label)
            for entry_id, label in providers.items()
        ]
        return self.async_show_form(
            step_id="planner",
            data_schema=vol.Schema(
                {
                    vol.Required(
                        OPT_SOLAR_FORECAST,
                        default=current if current in providers else NO_PROVIDER,
                    ): selector.SelectSelector(
                        selector.SelectSelectorConfig(
                            options=options, mode=selector.SelectSelectorMode.DROPDOWN
                        )
                    ),
                    vol.Optional(OPT_WEATHER, description=_suggest(o.get(OPT_WEATHER))): (
                        selector.EntitySelector(selector.EntitySelectorConfig(domain="weather"))
                    ),
                    vol.Optional(
                        OPT_WARNING_ENTITY, description=_suggest(o.get(OPT_WARNING_ENTITY))
                    ): selector.EntitySelector(
                        selector.EntitySelectorConfig(domain="binary_sensor")
                    ),
                    vol.Required(
                        OPT_BATTERY_RESERVE,
                        default=o.get(OPT_BATTERY_RESERVE, DEFAULT_BATTERY_RESERVE),
                    ): selector.NumberSelector(
                        selector.NumberSelectorConfig(
                            min=0,
                            max=100,
                            step=1,
                            unit_of_measurement="%",
                            mode=selector.NumberSelectorMode.BOX,
                        )
                    ),
                }
            ),
            description_placeholders={"providers": str(len(providers))},
        )
