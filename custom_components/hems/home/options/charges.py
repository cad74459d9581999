"""Options steps: the basic charge, the fuel cost adjustment and the renewable surcharge."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult
from homeassistant.util import dt as dt_util
import voluptuous as vol

from ...energy import BasicCharge, BillingMonth, TariffError
from ...energy.presets import RENEWABLE_SURCHARGE
from .base import EnergyOptionsBase
from .forms import AMPERE_SIZES, BASIC_KINDS, _choice, _dec, _float, _number, _suggest


class ChargeSteps(EnergyOptionsBase):
    """Basic charge and the monthly and yearly rates."""

    async def async_step_basic(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Kind of basic charge (then its amounts)."""
        basic = self.tariff.get("basic") or {"kind": "none"}
        if user_input is not None:
            self._basic_kind = user_input["kind"]
            self._half = bool(user_input.get("half_if_no_usage", False))
            return await self.async_step_basic_amounts()
        return self.async_show_form(
            step_id="basic",
            data_schema=vol.Schema(
                {
                    vol.Required("kind", default=basic.get("kind", "none")): _choice(
                        list(BASIC_KINDS), "basic_kind"
                    ),
                    vol.Required(
                        "half_if_no_usage", default=basic.get("half_if_no_usage", False)
                    ): bool,
                }
            ),
        )

    async def async_step_basic_amounts(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Amounts of the chosen kind of basic charge."""
        kind = self._basic_kind
        errors: dict[str, str] = {}
        if user_input is not None or kind == "none":
            data = _basic_from_form(kind, self._half, user_input or {})
            try:
                BasicCharge.from_dict(data)
            except TariffError as err:
                errors["base"] = err.code
            else:
                if (done := await self._async_change(errors, basic=data)) is not None:
                    return done
        fields = _basic_fields(kind, self.tariff.get("basic") or {})
        return self.async_show_form(
            step_id="basic_amounts", data_schema=vol.Schema(fields), errors=errors
        )

    # -- monthly and yearly rates -----------------------------------------------------

    async def async_step_fuel_adjustment(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Set (or clear) the fuel cost adjustment of one billing month."""
        rates: dict[str, str] = dict(self.tariff.get("fuel_adjustment") or {})
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                month = BillingMonth.parse(str(user_input["month"])).key
            except TariffError as err:
                errors["month"] = err.code
            else:
                rate = user_input.get("rate")
                if rate in (None, ""):
                    rates.pop(month, None)
                else:
                    rates[month] = _dec(rate)
                if (done := await self._async_change(errors, fuel_adjustment=rates)) is not None:
                    return done
        now = dt_util.now()
        current = BillingMonth(now.year, now.month).key
        listing = ", ".join(f"{k}: {v}" for k, v in sorted(rates.items())) or "-"
        return self.async_show_form(
            step_id="fuel_adjustment",
            data_schema=vol.Schema(
                {
                    vol.Required("month", default=current): str,
                    vol.Optional("rate", description=_suggest(_float(rates.get(current)))): _number(
                        unit="JPY/kWh"
                    ),
                }
            ),
            errors=errors,
            description_placeholders={"rates": listing},
        )

    async def async_step_surcharge(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Set (or clear) the renewable energy surcharge of one fiscal year (May-April)."""
        rates: dict[str, str] = dict(self.tariff.get("renewable_surcharge") or {})
        errors: dict[str, str] = {}
        if user_input is not None:
            year = str(int(user_input["fiscal_year"]))
            rate = user_input.get("rate")
            if rate in (None, ""):
                rates.pop(year, None)
            else:
                rates[year] = _dec(rate)
            if (done := await self._async_change(errors, renewable_surcharge=rates)) is not None:
                return done
        now = dt_util.now()
        fiscal = now.year if now.month >= 5 else now.year - 1
        listing = ", ".join(f"{k}: {v}" for k, v in sorted(rates.items())) or "-"
        default_rate = rates.get(str(fiscal)) or RENEWABLE_SURCHARGE.get(fiscal)
        return self.async_show_form(
            step_id="surcharge",
            data_schema=vol.Schema(
                {
                    vol.Required("fiscal_year", default=fiscal): _number(1, None, 2012),
                    vol.Optional("rate", description=_suggest(_float(default_rate))): _number(
                        unit="JPY/kWh", minimum=0
                    ),
                }
            ),
            errors=errors,
            description_placeholders={"rates": listing},
        )


def _basic_from_form(kind: str, half: bool, given: dict[str, Any]) -> dict[str, Any]:
    """The dict form of a basic charge of ``kind`` from the ``basic_amounts`` answers."""
    data: dict[str, Any] = {"kind": kind, "half_if_no_usage": half}
    for name in ("amount", "included_kwh", "unit_price", "contract_kva"):
        if given.get(name) not in (None, ""):
            data[name] = _dec(given[name])
    if given.get("contract_amperes") not in (None, ""):
        data["contract_amperes"] = int(given["contract_amperes"])
    if kind == "ampere":
        data["table"] = {
            str(amps): _dec(given[f"a{amps}"])
            for amps in AMPERE_SIZES
            if given.get(f"a{amps}") not in (None, "")
        }
    return data


def _basic_fields(kind: str, basic: dict[str, Any]) -> dict[Any, Any]:
    """The form fields of a basic charge of ``kind``, suggesting the current amounts."""
    fields: dict[Any, Any] = {}

    def amount(name: str, unit: str, *, required: bool = True) -> None:
        marker = vol.Required if required else vol.Optional
        fields[marker(name, description=_suggest(_float(basic.get(name))))] = _number(
            unit=unit, minimum=0
        )

    if kind in ("fixed", "minimum"):
        amount("amount", "JPY")
    if kind == "minimum":
        amount("included_kwh", "kWh", required=False)
    if kind in ("ampere", "per_10a"):
        fields[
            vol.Required("contract_amperes", description=_suggest(basic.get("contract_amperes")))
        ] = _number(1, "A", 1)
    if kind in ("per_10a", "per_kva"):
        amount("unit_price", "JPY")
    if kind == "per_kva":
        amount("contract_kva", "kVA")
    if kind == "ampere":
        table = basic.get("table") or {}
        for amps in AMPERE_SIZES:
            fields[vol.Optional(f"a{amps}", description=_suggest(_float(table.get(str(amps)))))] = (
                _number(unit="JPY", minimum=0)
            )
    return fields
