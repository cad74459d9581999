"""Options steps: the sale price (FIT), water and gas."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers import selector
import voluptuous as vol

from ...energy import TariffError
from .base import EnergyOptionsBase
from .forms import (
    SALE_KINDS,
    _choice,
    _dec,
    _float,
    _number,
    _sale_form_values,
    _sale_from_form,
    _suggest,
)


class SaleSteps(EnergyOptionsBase):
    """Sale price, water and gas prices."""

    async def async_step_sale(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Sale price: none, flat (FIT), the two-stage scheme with its switch date, or full
        feed-in (全量買取: all generation sold at a flat price)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            kind = user_input["kind"]
            try:
                plan = _sale_from_form(kind, user_input)
            except TariffError as err:
                errors["base"] = err.code
            else:
                if (done := await self._async_change(errors, sale=plan)) is not None:
                    return done
        kind, values = _sale_form_values(self.tariff.get("sale"))
        fields: dict[Any, Any] = {
            vol.Required("kind", default=kind): _choice(list(SALE_KINDS), "sale_kind")
        }
        for key in ("price", "second_price", "switch_date", "after_price", "end_date"):
            if key.endswith("_date"):
                marker = vol.Optional(key, description=_suggest(values.get(key)))
                fields[marker] = selector.DateSelector()
            else:
                marker = vol.Optional(key, description=_suggest(_float(values.get(key))))
                fields[marker] = _number(unit="JPY/kWh", minimum=0)
        return self.async_show_form(step_id="sale", data_schema=vol.Schema(fields), errors=errors)

    async def async_step_utilities(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Water and gas: price per m³ and basic charge per month (empty: not priced)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            changes: dict[str, Any] = {}
            for kind in ("water", "gas"):
                price = user_input.get(f"{kind}_unit_price")
                basic = user_input.get(f"{kind}_basic_charge")
                changes[kind] = (
                    None
                    if price in (None, "")
                    else {
                        "unit_price": _dec(price),
                        "basic_charge": "0" if basic in (None, "") else _dec(basic),
                    }
                )
            if (done := await self._async_change(errors, **changes)) is not None:
                return done
        fields: dict[Any, Any] = {}
        for kind in ("water", "gas"):
            rate = self.tariff.get(kind) or {}
            fields[
                vol.Optional(
                    f"{kind}_unit_price", description=_suggest(_float(rate.get("unit_price")))
                )
            ] = _number(unit="JPY/m³", minimum=0)
            fields[
                vol.Optional(
                    f"{kind}_basic_charge", description=_suggest(_float(rate.get("basic_charge")))
                )
            ] = _number(unit="JPY", minimum=0)
        return self.async_show_form(
            step_id="utilities", data_schema=vol.Schema(fields), errors=errors
        )
