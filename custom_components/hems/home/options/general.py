"""Options steps: a tariff preset, the general settings, and the whole tariff as JSON."""

from __future__ import annotations

import json
from typing import Any

from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers import selector
import voluptuous as vol

from ...energy import preset_tariff
from ..settings import DEFAULT_PRESET, OPT_TARIFF, async_check_tariff
from .base import EnergyOptionsBase
from .forms import (
    ROUNDING_FIELDS,
    ROUNDING_MODES,
    _choice,
    _dec,
    _float,
    _number,
    _preset_selector,
    _suggest,
)


class GeneralSteps(EnergyOptionsBase):
    """Preset, general settings and the tariff as JSON."""

    async def async_step_preset(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Replace the electricity tariff by a preset (sale, water, gas, rates are kept)."""
        if user_input is not None:
            new = preset_tariff(user_input["preset"], self.hass.config.language).to_dict()
            for kept in ("sale", "water", "gas", "fuel_adjustment"):
                new[kept] = self.tariff.get(kept)
            self.opts[OPT_TARIFF] = new
            return await self.async_step_energy()
        return self.async_show_form(
            step_id="preset",
            data_schema=vol.Schema(
                {
                    vol.Required("preset", default=DEFAULT_PRESET): _preset_selector(
                        self.hass.config.language or "en"
                    )
                }
            ),
        )

    async def async_step_general(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Name, billing start day, holidays, rounding and the CO2 emission factor."""
        t = self.tariff
        errors: dict[str, str] = {}
        if user_input is not None:
            extra = [
                item.strip()
                for item in str(user_input.get("extra_holidays", "")).split(",")
                if item.strip()
            ]
            factor = user_input.get("emission_factor")
            done = await self._async_change(
                errors,
                name=str(user_input["name"]).strip(),
                billing_start_day=int(user_input["billing_start_day"]),
                holidays={"public": bool(user_input["public_holidays"]), "extra": extra},
                rounding={name: user_input[f"rounding_{name}"] for name in ROUNDING_FIELDS},
                emission_factor=None if factor in (None, "") else _dec(factor),
            )
            if done is not None:
                return done
        rounding = t.get("rounding") or {}
        holidays = t.get("holidays") or {}
        fields: dict[Any, Any] = {
            vol.Required("name", default=t.get("name", "")): str,
            vol.Required("billing_start_day", default=t.get("billing_start_day", 1)): _number(
                1, None, 1
            ),
            vol.Required("public_holidays", default=holidays.get("public", True)): bool,
            vol.Optional(
                "extra_holidays", description=_suggest(", ".join(holidays.get("extra", [])))
            ): str,
        }
        defaults = {"subtotal": "down", "surcharge": "down", "sale": "down"}
        for name in ROUNDING_FIELDS:
            fields[
                vol.Required(
                    f"rounding_{name}", default=rounding.get(name, defaults.get(name, "none"))
                )
            ] = _choice(list(ROUNDING_MODES), "rounding")
        fields[
            vol.Optional("emission_factor", description=_suggest(_float(t.get("emission_factor"))))
        ] = _number(unit="kg/kWh", minimum=0)
        return self.async_show_form(
            step_id="general", data_schema=vol.Schema(fields), errors=errors
        )

    async def async_step_tariff_json(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Advanced: the whole tariff as JSON."""
        errors: dict[str, str] = {}
        placeholders = {"detail": ""}
        if user_input is not None:
            try:
                data = json.loads(user_input["tariff"])
            except ValueError as err:
                errors["base"] = "invalid_json"
                placeholders["detail"] = str(err)
            else:
                error = await async_check_tariff(data)
                if error is None:
                    self.opts[OPT_TARIFF] = data
                    return await self.async_step_energy()
                errors["base"] = error.code
                placeholders["detail"] = str(error)
        text = json.dumps(self.tariff, ensure_ascii=False, indent=2)
        return self.async_show_form(
            step_id="tariff_json",
            data_schema=vol.Schema(
                {
                    vol.Required("tariff", default=text): selector.TextSelector(
                        selector.TextSelectorConfig(multiline=True)
                    )
                }
            ),
            errors=errors,
            description_placeholders=placeholders,
        )


# ----------------------------------------------------------------------------- form helpers
