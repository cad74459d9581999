"""Options step of the notices (お知らせ): where they go and which are sent."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers import selector
import voluptuous as vol

from ..notices import (
    CATEGORIES,
    OPT_NOTICE_CATEGORIES,
    OPT_NOTIFY_ENTITIES,
    OPT_NOTIFY_SERVICES,
    notify_service_names,
)
from .base import EnergyOptionsBase
from .forms import _suggest


class NoticeSteps(EnergyOptionsBase):
    """Notify targets and the categories sent to them."""

    async def async_step_notices(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Notify entities, the mobile app's notify actions, and a toggle per category."""
        if user_input is not None:
            self.opts[OPT_NOTIFY_ENTITIES] = list(user_input.get(OPT_NOTIFY_ENTITIES, []))
            self.opts[OPT_NOTIFY_SERVICES] = list(user_input.get(OPT_NOTIFY_SERVICES, []))
            self.opts[OPT_NOTICE_CATEGORIES] = [
                category for category in CATEGORIES if user_input.get(category)
            ]
            return await self.async_step_energy()
        o = self.opts
        chosen = set(o.get(OPT_NOTICE_CATEGORIES, CATEGORIES))
        services = sorted({*notify_service_names(self.hass), *o.get(OPT_NOTIFY_SERVICES, [])})
        fields: dict[Any, Any] = {
            vol.Optional(
                OPT_NOTIFY_ENTITIES, description=_suggest(o.get(OPT_NOTIFY_ENTITIES) or [])
            ): selector.EntitySelector(
                selector.EntitySelectorConfig(domain="notify", multiple=True)
            ),
            vol.Optional(
                OPT_NOTIFY_SERVICES, description=_suggest(o.get(OPT_NOTIFY_SERVICES) or [])
            ): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=services, multiple=True, custom_value=True, sort=True
                )
            ),
        }
        for category in CATEGORIES:
            fields[vol.Required(category, default=category in chosen)] = bool
        return self.async_show_form(step_id="notices", data_schema=vol.Schema(fields))
