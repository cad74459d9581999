"""The working copy of the energy options, the menu and saving."""

from __future__ import annotations

import copy
from typing import Any, Final

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
import voluptuous as vol

from ...models import HemsConfigEntry
from ..settings import OPT_TARIFF, async_check_tariff, default_tariff

MENU: Final = [
    "preset",
    "general",
    "seasons",
    "basic",
    "fuel_adjustment",
    "surcharge",
    "sale",
    "utilities",
    "sources",
    "targets",
    "alarm",
    "planner",
    "notices",
    "tariff_json",
    "save",
]


class EnergyOptionsBase(OptionsFlow):
    """The working copy of the options, the menu and saving (the steps are in the sections)."""

    config_entry: HemsConfigEntry

    def __init__(self) -> None:
        self._options: dict[str, Any] | None = None
        self._season = 0
        self._period = 0
        self._basic_kind = "none"
        self._half = False

    # -- working copy -----------------------------------------------------------------

    @property
    def opts(self) -> dict[str, Any]:
        """The working copy of the options (the tariff as a dict)."""
        if self._options is None:
            options = copy.deepcopy(dict(self.config_entry.options))
            if OPT_TARIFF not in options:
                options[OPT_TARIFF] = default_tariff().to_dict()
            self._options = options
        return self._options

    @property
    def tariff(self) -> dict[str, Any]:
        """The working tariff dict."""
        result: dict[str, Any] = self.opts[OPT_TARIFF]
        return result

    async def _async_store(
        self, errors: dict[str, str], tariff: dict[str, Any]
    ) -> ConfigFlowResult | None:
        """Keep ``tariff`` and go back to the menu; None (the error in ``errors``) when the
        tariff is not valid."""
        error = await async_check_tariff(tariff)
        if error is not None:
            errors["base"] = error.code
            return None
        self.opts[OPT_TARIFF] = tariff
        return await self.async_step_energy()

    async def _async_change(
        self, errors: dict[str, str], **changes: Any
    ) -> ConfigFlowResult | None:
        """:meth:`_async_store` of the working tariff with ``changes``."""
        return await self._async_store(errors, {**copy.deepcopy(self.tariff), **changes})

    # -- menu -------------------------------------------------------------------------

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Start with the menu."""
        return await self.async_step_energy()

    async def async_step_energy(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The menu of everything that can be edited."""
        error = await async_check_tariff(self.tariff)
        return self.async_show_menu(
            step_id="energy",
            menu_options=MENU,
            description_placeholders={
                "tariff": str(self.tariff.get("name", "")),
                "status": "OK" if error is None else str(error),
            },
        )

    async def async_step_save(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Store the options (the tariff must be valid)."""
        error = await async_check_tariff(self.tariff)
        if error is None:
            return self.async_create_entry(data=self.opts)
        if user_input is not None:
            return await self.async_step_energy()
        return self.async_show_form(
            step_id="save",
            data_schema=vol.Schema({}),
            errors={"base": error.code},
            description_placeholders={"detail": str(error)},
        )
