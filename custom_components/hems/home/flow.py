"""Config flow of the energy entry: ``user`` menu -> ``energy``.

Pick a tariff preset (and optionally the contract current, a sale price, water and gas
prices); the entry is created with auto-detected sources.  Its options flow is in
:mod:`.options`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
import voluptuous as vol

from ..const import CONF_CREATE_DASHBOARD, CONF_KIND, KIND_ENERGY
from ..energy import SalePlan, preset_tariff, to_decimal
from .detect import detect_sources
from .options.forms import _dec, _number, _preset_selector
from .settings import (
    DEFAULT_PRESET,
    DEFAULT_SALE_PRICE,
    ENERGY_UNIQUE_ID,
    ENTRY_TITLE,
    OPT_AUTO_SOURCES,
    OPT_CONTRACT_AMPERES,
    OPT_TARIFF,
    async_check_tariff,
)


def build_initial_tariff(user_input: Mapping[str, Any], language: str) -> dict[str, Any]:
    """The tariff dict of a new entry from the ``energy`` step's answers."""
    tariff = preset_tariff(user_input.get("preset", DEFAULT_PRESET), language).to_dict()
    sale = user_input.get("sale_price", DEFAULT_SALE_PRICE)
    if sale not in (None, ""):
        tariff["sale"] = SalePlan.flat(to_decimal(sale)).to_dict()
    for kind in ("water", "gas"):
        price = user_input.get(f"{kind}_price")
        if price not in (None, ""):
            tariff[kind] = {"unit_price": _dec(price), "basic_charge": "0"}
    contract = user_input.get(OPT_CONTRACT_AMPERES)
    basic = tariff["basic"]
    if contract and basic["kind"] in ("ampere", "per_10a"):
        amps = int(contract)
        if basic["kind"] == "per_10a" or str(amps) in basic.get("table", {}):
            basic["contract_amperes"] = amps
    return tariff


class EnergyFlowMixin(ConfigFlow):
    """The ``energy`` step of the integration's config flow (one energy entry)."""

    async def async_step_energy(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Create the energy entry from a tariff preset; sources are detected."""
        await self.async_set_unique_id(ENERGY_UNIQUE_ID)
        if self._async_current_entries(include_ignore=False) and any(
            entry.unique_id == ENERGY_UNIQUE_ID for entry in self._async_current_entries()
        ):
            return self.async_abort(reason="energy_already_configured")
        errors: dict[str, str] = {}
        if user_input is not None:
            tariff = build_initial_tariff(user_input, self.hass.config.language)
            error = await async_check_tariff(tariff)
            if error is None:
                options: dict[str, Any] = {OPT_TARIFF: tariff, OPT_AUTO_SOURCES: True}
                if user_input.get(OPT_CONTRACT_AMPERES):
                    options[OPT_CONTRACT_AMPERES] = int(user_input[OPT_CONTRACT_AMPERES])
                data = {
                    CONF_KIND: KIND_ENERGY,
                    CONF_CREATE_DASHBOARD: bool(user_input.get(CONF_CREATE_DASHBOARD, True)),
                }
                return self.async_create_entry(title=ENTRY_TITLE, data=data, options=options)
            errors["base"] = error.code
        detected = detect_sources(self.hass)
        found = sorted({role for role in detected.roles if detected.roles[role]})
        schema = vol.Schema(
            {
                vol.Required("preset", default=DEFAULT_PRESET): _preset_selector(
                    self.hass.config.language or "en"
                ),
                vol.Optional(OPT_CONTRACT_AMPERES): _number(1, "A", 1),
                vol.Optional("sale_price", default=DEFAULT_SALE_PRICE): _number(
                    unit="JPY/kWh", minimum=0
                ),
                vol.Optional("water_price"): _number(unit="JPY/m³", minimum=0),
                vol.Optional("gas_price"): _number(unit="JPY/m³", minimum=0),
                vol.Optional(CONF_CREATE_DASHBOARD, default=True): bool,
            }
        )
        return self.async_show_form(
            step_id="energy",
            data_schema=schema,
            errors=errors,
            description_placeholders={"sources": ", ".join(found) or "-"},
        )
