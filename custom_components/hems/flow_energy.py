"""Config and options flow of the energy entry (tariff, sources, targets, alarm mode).

Config flow: ``user`` menu -> ``energy``: pick a tariff preset (and optionally a sale price,
water and gas prices); the entry is created with auto-detected sources.

Options flow: a menu (``energy``) whose items edit a working copy of the options; nothing is
stored until ``save``, which validates the whole tariff (errors are the library's
:class:`~.energy.TariffError` codes, translated).  Items: preset, general (name, billing day,
holidays, rounding, emission factor), seasons -> periods (tiers and time windows), basic charge,
fuel cost adjustment per month, renewable surcharge per fiscal year, sale price, water and gas,
sources, targets and contract current, alarm entities, and the tariff as JSON (advanced).
"""

from __future__ import annotations

from collections.abc import Mapping
import copy
from datetime import date
import json
from typing import Any, Final

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult, OptionsFlow
from homeassistant.helpers import selector
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .const import CONF_KIND, KIND_ENERGY
from .energy import (
    PRESETS,
    BasicCharge,
    BillingMonth,
    Period,
    SalePlan,
    Season,
    Tariff,
    TariffError,
    preset_tariff,
    to_decimal,
)
from .energy.amounts import decimal_str
from .energy.presets import RENEWABLE_SURCHARGE
from .home_settings import (
    DEFAULT_AMPERE_WARN_PERCENT,
    DEFAULT_PRESET,
    DEFAULT_SALE_PRICE,
    DEFAULT_TARGET_WARN_PERCENT,
    ENERGY_UNIQUE_ID,
    ENTRY_TITLE,
    OPT_ALARM_ENTITIES,
    OPT_AMPERE_WARN_PERCENT,
    OPT_AUTO_SOURCES,
    OPT_CONTRACT_AMPERES,
    OPT_SOURCES,
    OPT_TARGET_ELECTRICITY,
    OPT_TARGET_GAS,
    OPT_TARGET_WARN_PERCENT,
    OPT_TARGET_WATER,
    OPT_TARIFF,
    check_tariff,
)
from .home_sources import COUNTER_ROLES, FIXED_ROLES, POWER_ROLES, SINGLE_ROLES, detect_sources

MAX_TIERS: Final = 4
MAX_WINDOWS: Final = 4
AMPERE_SIZES: Final = (10, 15, 20, 30, 40, 50, 60)
DAY_TYPES: Final = ("weekday", "saturday", "sunday", "holiday")
ROUNDING_FIELDS: Final = ("subtotal", "surcharge", "sale", "line", "fuel_adjustment", "usage_kwh")
ROUNDING_MODES: Final = ("none", "down", "floor", "half_up", "ceiling")
BASIC_KINDS: Final = ("none", "fixed", "ampere", "per_10a", "per_kva", "minimum")
SALE_KINDS: Final = ("none", "flat", "two_stage")
NEW: Final = "__new__"

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
    "tariff_json",
    "save",
]


# ----------------------------------------------------------------------------- selectors


def _number(
    step: float = 0, unit: str | None = None, minimum: float | None = None
) -> selector.NumberSelector:
    """A number box (``step`` 0: any decimal)."""
    config = selector.NumberSelectorConfig(
        mode=selector.NumberSelectorMode.BOX, step=step if step else "any"
    )
    if unit is not None:
        config["unit_of_measurement"] = unit
    if minimum is not None:
        config["min"] = minimum
    return selector.NumberSelector(config)


def _choice(options: list[str], key: str, *, multiple: bool = False) -> selector.SelectSelector:
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=options,
            translation_key=key,
            multiple=multiple,
            mode=selector.SelectSelectorMode.DROPDOWN,
        )
    )


def _labelled(options: Mapping[str, str]) -> selector.SelectSelector:
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=[selector.SelectOptionDict(value=k, label=v) for k, v in options.items()],
            mode=selector.SelectSelectorMode.DROPDOWN,
        )
    )


def _suggest(value: Any) -> dict[str, Any]:
    return {} if value is None or value == "" else {"suggested_value": value}


def _float(text: Any) -> float | None:
    if text is None or text == "":
        return None
    return float(to_decimal(text))


def _dec(value: Any) -> str:
    """A form number as the tariff's dict form (a decimal string)."""
    return decimal_str(to_decimal(value).normalize())


def _preset_selector(language: str) -> selector.SelectSelector:
    return _labelled(
        {
            key: (preset.name_ja if language.startswith("ja") else preset.name_en)
            for key, preset in PRESETS.items()
        }
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


# ----------------------------------------------------------------------------- config flow


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
            error = check_tariff(tariff)
            if error is None:
                options: dict[str, Any] = {OPT_TARIFF: tariff, OPT_AUTO_SOURCES: True}
                if user_input.get(OPT_CONTRACT_AMPERES):
                    options[OPT_CONTRACT_AMPERES] = int(user_input[OPT_CONTRACT_AMPERES])
                return self.async_create_entry(
                    title=ENTRY_TITLE, data={CONF_KIND: KIND_ENERGY}, options=options
                )
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
            }
        )
        return self.async_show_form(
            step_id="energy",
            data_schema=schema,
            errors=errors,
            description_placeholders={"sources": ", ".join(found) or "-"},
        )


# ----------------------------------------------------------------------------- options flow


class EnergyOptionsFlow(OptionsFlow):
    """Edit the tariff, sources, targets and alarm entities of the energy entry."""

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
                from .home_settings import default_tariff

                options[OPT_TARIFF] = default_tariff().to_dict()
            self._options = options
        return self._options

    @property
    def tariff(self) -> dict[str, Any]:
        """The working tariff dict."""
        result: dict[str, Any] = self.opts[OPT_TARIFF]
        return result

    def _candidate(self, **changes: Any) -> tuple[dict[str, Any], TariffError | None]:
        candidate = {**copy.deepcopy(self.tariff), **changes}
        return candidate, check_tariff(candidate)

    # -- menu -------------------------------------------------------------------------

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Start with the menu."""
        return await self.async_step_energy()

    async def async_step_energy(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The menu of everything that can be edited."""
        error = check_tariff(self.tariff)
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
        error = check_tariff(self.tariff)
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

    # -- preset and general -----------------------------------------------------------

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
            candidate, error = self._candidate(
                name=str(user_input["name"]).strip(),
                billing_start_day=int(user_input["billing_start_day"]),
                holidays={"public": bool(user_input["public_holidays"]), "extra": extra},
                rounding={name: user_input[f"rounding_{name}"] for name in ROUNDING_FIELDS},
                emission_factor=None if factor in (None, "") else _dec(factor),
            )
            if error is None:
                self.opts[OPT_TARIFF] = candidate
                return await self.async_step_energy()
            errors["base"] = error.code
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

    # -- seasons and periods ----------------------------------------------------------

    def _season_labels(self) -> dict[str, str]:
        labels = {}
        for index, season in enumerate(self.tariff["seasons"]):
            months = ",".join(str(m) for m in season.get("months", []))
            name = season.get("name") or season["key"]
            labels[str(index)] = f"{name} ({months})"
        return labels

    async def async_step_seasons(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose a season to edit, whose periods to edit, to remove; or add a season."""
        errors: dict[str, str] = {}
        if user_input is not None:
            action = user_input["action"]
            index = int(user_input.get("season", "0"))
            seasons = self.tariff["seasons"]
            if action == "add":
                self._season = len(seasons)
                return await self.async_step_season()
            if action == "remove":
                if len(seasons) <= 1:
                    errors["base"] = "no_seasons"
                else:
                    removed = seasons.pop(index)
                    # Its months go to the first remaining season.
                    seasons[0]["months"] = sorted({*seasons[0]["months"], *removed["months"]})
                    return await self.async_step_energy()
            else:
                self._season = index
                if action == "periods":
                    return await self.async_step_periods()
                return await self.async_step_season()
        return self.async_show_form(
            step_id="seasons",
            data_schema=vol.Schema(
                {
                    vol.Required("season", default="0"): _labelled(self._season_labels()),
                    vol.Required("action", default="periods"): _choice(
                        ["periods", "edit", "add", "remove"], "season_action"
                    ),
                }
            ),
            errors=errors,
        )

    async def async_step_season(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Key, name and months of a season (months given are taken from the others)."""
        seasons = self.tariff["seasons"]
        new = self._season >= len(seasons)
        current = {} if new else seasons[self._season]
        errors: dict[str, str] = {}
        if user_input is not None:
            months = sorted({int(m) for m in user_input["months"]})
            candidate = copy.deepcopy(self.tariff)
            cand_seasons: list[dict[str, Any]] = candidate["seasons"]
            donor = 0
            taken = 0
            for position, season in enumerate(cand_seasons):
                if position == self._season:
                    continue
                overlap = [m for m in season["months"] if m in months]
                if len(overlap) > taken:
                    donor, taken = position, len(overlap)
                season["months"] = [m for m in season["months"] if m not in months]
            entry = {
                "key": str(user_input["key"]).strip(),
                "name": str(user_input.get("name") or ""),
                "months": months,
                "periods": copy.deepcopy(
                    current.get("periods") or self.tariff["seasons"][donor]["periods"]
                ),
            }
            if new:
                cand_seasons.append(entry)
            else:
                cand_seasons[self._season] = entry
            candidate["seasons"] = [s for s in cand_seasons if s["months"]]
            error = check_tariff(candidate)
            if error is None:
                self.opts[OPT_TARIFF] = candidate
                self._season = candidate["seasons"].index(entry)
                return await self.async_step_energy()
            errors["base"] = error.code
        return self.async_show_form(
            step_id="season",
            data_schema=vol.Schema(
                {
                    vol.Required("key", default=current.get("key", "summer")): str,
                    vol.Optional("name", description=_suggest(current.get("name"))): str,
                    vol.Required(
                        "months", default=[str(m) for m in current.get("months", [])]
                    ): selector.SelectSelector(
                        selector.SelectSelectorConfig(
                            options=[str(m) for m in range(1, 13)],
                            multiple=True,
                            translation_key="month",
                        )
                    ),
                }
            ),
            errors=errors,
        )

    def _season_dict(self) -> dict[str, Any]:
        seasons: list[dict[str, Any]] = self.tariff["seasons"]
        return seasons[min(self._season, len(seasons) - 1)]

    async def async_step_periods(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose a period of the season to edit or remove, or add one."""
        season = self._season_dict()
        periods = season["periods"]
        errors: dict[str, str] = {}
        if user_input is not None:
            action = user_input["action"]
            if action == "done":
                return await self.async_step_energy()
            index = int(user_input.get("period", "0"))
            if action == "add":
                self._period = len(periods)
                return await self.async_step_period()
            if action == "remove":
                if len(periods) <= 1:
                    errors["base"] = "no_periods"
                else:
                    periods.pop(index)
                    if len(periods) == 1:
                        periods[0]["windows"] = []
            else:
                self._period = index
                return await self.async_step_period()
        if not errors:
            try:
                Season.from_dict(season)
            except TariffError as err:
                errors["base"] = err.code
        labels = {
            str(i): f"{p.get('name') or p['key']} ({p['key']})" for i, p in enumerate(periods)
        }
        return self.async_show_form(
            step_id="periods",
            data_schema=vol.Schema(
                {
                    vol.Required("period", default="0"): _labelled(labels),
                    vol.Required("action", default="edit"): _choice(
                        ["edit", "add", "remove", "done"], "period_action"
                    ),
                }
            ),
            errors=errors,
            description_placeholders={"season": season.get("name") or season["key"]},
        )

    async def async_step_period(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """A period: key, name, up to four tiers (price up to kWh) and four time windows."""
        season = self._season_dict()
        periods = season["periods"]
        new = self._period >= len(periods)
        current: dict[str, Any] = {} if new else periods[self._period]
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                entry = _period_from_form(user_input)
                Period.from_dict(entry)
            except TariffError as err:
                errors["base"] = err.code
            else:
                if new:
                    periods.append(entry)
                else:
                    periods[self._period] = entry
                return await self.async_step_periods()
        fields: dict[Any, Any] = {
            vol.Required("key", default=current.get("key", "night")): str,
            vol.Optional("name", description=_suggest(current.get("name"))): str,
        }
        tiers = current.get("tiers", [])
        for n in range(1, MAX_TIERS + 1):
            tier = tiers[n - 1] if n <= len(tiers) else {}
            fields[vol.Optional(f"price_{n}", description=_suggest(_float(tier.get("price"))))] = (
                _number(unit="JPY/kWh", minimum=0)
            )
            if n < MAX_TIERS:
                fields[
                    vol.Optional(f"up_to_{n}", description=_suggest(_float(tier.get("up_to_kwh"))))
                ] = _number(unit="kWh", minimum=0)
        windows = current.get("windows", [])
        for n in range(1, MAX_WINDOWS + 1):
            window = windows[n - 1] if n <= len(windows) else {}
            fields[vol.Optional(f"start_{n}", description=_suggest(window.get("start")))] = (
                selector.TimeSelector()
            )
            fields[vol.Optional(f"end_{n}", description=_suggest(window.get("end")))] = (
                selector.TimeSelector()
            )
            fields[vol.Optional(f"days_{n}", description=_suggest(window.get("days")))] = _choice(
                list(DAY_TYPES), "day_type", multiple=True
            )
        return self.async_show_form(step_id="period", data_schema=vol.Schema(fields), errors=errors)

    # -- basic charge -----------------------------------------------------------------

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
        basic = self.tariff.get("basic") or {}
        errors: dict[str, str] = {}
        if user_input is not None or kind == "none":
            data: dict[str, Any] = {"kind": kind, "half_if_no_usage": self._half}
            given = user_input or {}
            for name in ("amount", "included_kwh", "unit_price", "contract_kva"):
                if given.get(name) not in (None, ""):
                    data[name] = _dec(given[name])
            if given.get("contract_amperes") not in (None, ""):
                data["contract_amperes"] = int(given["contract_amperes"])
            table = {
                str(amps): _dec(given[f"a{amps}"])
                for amps in AMPERE_SIZES
                if given.get(f"a{amps}") not in (None, "")
            }
            if kind == "ampere":
                data["table"] = table
            try:
                BasicCharge.from_dict(data)
            except TariffError as err:
                errors["base"] = err.code
            else:
                candidate, error = self._candidate(basic=data)
                if error is None:
                    self.opts[OPT_TARIFF] = candidate
                    return await self.async_step_energy()
                errors["base"] = error.code
        fields: dict[Any, Any] = {}
        if kind in ("fixed", "minimum"):
            fields[vol.Required("amount", description=_suggest(_float(basic.get("amount"))))] = (
                _number(unit="JPY", minimum=0)
            )
        if kind == "minimum":
            fields[
                vol.Optional(
                    "included_kwh", description=_suggest(_float(basic.get("included_kwh")))
                )
            ] = _number(unit="kWh", minimum=0)
        if kind in ("ampere", "per_10a"):
            fields[
                vol.Required(
                    "contract_amperes", description=_suggest(basic.get("contract_amperes"))
                )
            ] = _number(1, "A", 1)
        if kind in ("per_10a", "per_kva"):
            fields[
                vol.Required("unit_price", description=_suggest(_float(basic.get("unit_price"))))
            ] = _number(unit="JPY", minimum=0)
        if kind == "per_kva":
            fields[
                vol.Required(
                    "contract_kva", description=_suggest(_float(basic.get("contract_kva")))
                )
            ] = _number(unit="kVA", minimum=0)
        if kind == "ampere":
            table = basic.get("table") or {}
            for amps in AMPERE_SIZES:
                fields[
                    vol.Optional(f"a{amps}", description=_suggest(_float(table.get(str(amps)))))
                ] = _number(unit="JPY", minimum=0)
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
                candidate, error = self._candidate(fuel_adjustment=rates)
                if error is None:
                    self.opts[OPT_TARIFF] = candidate
                    return await self.async_step_energy()
                errors["base"] = error.code
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
            candidate, error = self._candidate(renewable_surcharge=rates)
            if error is None:
                self.opts[OPT_TARIFF] = candidate
                return await self.async_step_energy()
            errors["base"] = error.code
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

    # -- sale, water, gas -------------------------------------------------------------

    async def async_step_sale(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Sale price: none, flat (FIT), or the two-stage scheme with its switch date."""
        sale = self.tariff.get("sale")
        stages = (sale or {}).get("stages", [])
        errors: dict[str, str] = {}
        if user_input is not None:
            kind = user_input["kind"]
            try:
                plan = _sale_from_form(kind, user_input)
            except TariffError as err:
                errors["base"] = err.code
            else:
                candidate, error = self._candidate(sale=plan)
                if error is None:
                    self.opts[OPT_TARIFF] = candidate
                    return await self.async_step_energy()
                errors["base"] = error.code
        kind = "none" if not stages else "flat" if len(stages) == 1 else "two_stage"
        first = stages[0] if stages else {}
        second = stages[1] if len(stages) > 1 else {}
        after = stages[2] if len(stages) > 2 else {}
        return self.async_show_form(
            step_id="sale",
            data_schema=vol.Schema(
                {
                    vol.Required("kind", default=kind): _choice(list(SALE_KINDS), "sale_kind"),
                    vol.Optional(
                        "price", description=_suggest(_float(first.get("price")))
                    ): _number(unit="JPY/kWh", minimum=0),
                    vol.Optional(
                        "second_price", description=_suggest(_float(second.get("price")))
                    ): _number(unit="JPY/kWh", minimum=0),
                    vol.Optional(
                        "switch_date", description=_suggest(second.get("from"))
                    ): selector.DateSelector(),
                    vol.Optional(
                        "after_price", description=_suggest(_float(after.get("price")))
                    ): _number(unit="JPY/kWh", minimum=0),
                    vol.Optional(
                        "end_date", description=_suggest(after.get("from"))
                    ): selector.DateSelector(),
                }
            ),
            errors=errors,
        )

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
            candidate, error = self._candidate(**changes)
            if error is None:
                self.opts[OPT_TARIFF] = candidate
                return await self.async_step_energy()
            errors["base"] = error.code
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

    # -- sources, targets, alarm ------------------------------------------------------

    async def async_step_sources(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Entities to read (pre-filled with what is detected)."""
        if user_input is not None:
            auto = bool(user_input.pop(OPT_AUTO_SOURCES, False))
            chosen: dict[str, list[str]] = {}
            for role, value in user_input.items():
                ids = value if isinstance(value, list) else [value]
                ids = [i for i in ids if i]
                if ids:
                    chosen[role] = ids
            self.opts[OPT_AUTO_SOURCES] = auto
            self.opts[OPT_SOURCES] = {} if auto else chosen
            return await self.async_step_energy()
        detected = detect_sources(self.hass, self.config_entry.entry_id)
        stored = self.opts.get(OPT_SOURCES) or {}
        auto = bool(self.opts.get(OPT_AUTO_SOURCES, True))
        fields: dict[Any, Any] = {vol.Required(OPT_AUTO_SOURCES, default=auto): bool}
        for role in (*COUNTER_ROLES, *FIXED_ROLES, *POWER_ROLES, "current", "temperature"):
            value = list(stored.get(role) or detected.get(role))
            single = role in SINGLE_ROLES
            config = selector.EntitySelectorConfig(
                domain="sensor",
                multiple=not single,
            )
            fields[
                vol.Optional(role, description=_suggest(value[0] if single and value else value))
            ] = selector.EntitySelector(config)
        for role, domains in (("locks", ["lock"]), ("openings", ["binary_sensor", "cover"])):
            value = list(stored.get(role) or detected.get(role))
            fields[vol.Optional(role, description=_suggest(value))] = selector.EntitySelector(
                selector.EntitySelectorConfig(domain=domains, multiple=True)
            )
        return self.async_show_form(step_id="sources", data_schema=vol.Schema(fields))

    async def async_step_targets(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Monthly usage targets and the contract current alert."""
        if user_input is not None:
            for key in (OPT_TARGET_ELECTRICITY, OPT_TARGET_GAS, OPT_TARGET_WATER):
                value = user_input.get(key)
                self.opts[key] = None if value in (None, "", 0) else float(value)
            contract = user_input.get(OPT_CONTRACT_AMPERES)
            self.opts[OPT_CONTRACT_AMPERES] = None if not contract else int(contract)
            self.opts[OPT_TARGET_WARN_PERCENT] = int(user_input[OPT_TARGET_WARN_PERCENT])
            self.opts[OPT_AMPERE_WARN_PERCENT] = int(user_input[OPT_AMPERE_WARN_PERCENT])
            return await self.async_step_energy()
        o = self.opts
        return self.async_show_form(
            step_id="targets",
            data_schema=vol.Schema(
                {
                    vol.Optional(
                        OPT_TARGET_ELECTRICITY, description=_suggest(o.get(OPT_TARGET_ELECTRICITY))
                    ): _number(unit="kWh", minimum=0),
                    vol.Optional(
                        OPT_TARGET_GAS, description=_suggest(o.get(OPT_TARGET_GAS))
                    ): _number(unit="m³", minimum=0),
                    vol.Optional(
                        OPT_TARGET_WATER, description=_suggest(o.get(OPT_TARGET_WATER))
                    ): _number(unit="m³", minimum=0),
                    vol.Required(
                        OPT_TARGET_WARN_PERCENT,
                        default=o.get(OPT_TARGET_WARN_PERCENT, DEFAULT_TARGET_WARN_PERCENT),
                    ): _number(1, "%", 1),
                    vol.Optional(
                        OPT_CONTRACT_AMPERES, description=_suggest(o.get(OPT_CONTRACT_AMPERES))
                    ): _number(1, "A", 1),
                    vol.Required(
                        OPT_AMPERE_WARN_PERCENT,
                        default=o.get(OPT_AMPERE_WARN_PERCENT, DEFAULT_AMPERE_WARN_PERCENT),
                    ): _number(1, "%", 1),
                }
            ),
        )

    async def async_step_alarm(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Locks and doors/windows that the alarm mode watches."""
        if user_input is not None:
            self.opts[OPT_ALARM_ENTITIES] = list(user_input.get(OPT_ALARM_ENTITIES, []))
            return await self.async_step_energy()
        current = self.opts.get(OPT_ALARM_ENTITIES)
        if current is None:
            detected = detect_sources(self.hass, self.config_entry.entry_id)
            current = [*detected.get("locks"), *detected.get("openings")]
        return self.async_show_form(
            step_id="alarm",
            data_schema=vol.Schema(
                {
                    vol.Optional(OPT_ALARM_ENTITIES, description=_suggest(current)): (
                        selector.EntitySelector(
                            selector.EntitySelectorConfig(
                                domain=["lock", "binary_sensor", "cover"], multiple=True
                            )
                        )
                    )
                }
            ),
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
                error = check_tariff(data)
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


def _hhmm(value: Any) -> str:
    text = str(value)
    return text[:5] if len(text) >= 5 else text


def _period_from_form(data: Mapping[str, Any]) -> dict[str, Any]:
    """The dict form of a period from the ``period`` step's answers."""
    tiers: list[dict[str, Any]] = []
    for n in range(1, MAX_TIERS + 1):
        price = data.get(f"price_{n}")
        if price in (None, ""):
            continue
        up_to = data.get(f"up_to_{n}")
        tiers.append(
            {"up_to_kwh": None if up_to in (None, "") else _dec(up_to), "price": _dec(price)}
        )
    if tiers:
        tiers[-1]["up_to_kwh"] = None
    windows = []
    for n in range(1, MAX_WINDOWS + 1):
        start, end = data.get(f"start_{n}"), data.get(f"end_{n}")
        if start in (None, "") and end in (None, ""):
            continue
        if start in (None, "") or end in (None, ""):
            raise TariffError("a window needs a start and an end", code="bad_time")
        end_text = _hhmm(end)
        windows.append(
            {
                "start": _hhmm(start),
                "end": "24:00" if end_text == "00:00" else end_text,
                "days": list(data.get(f"days_{n}") or ["all"]),
            }
        )
    return {
        "key": str(data["key"]).strip(),
        "name": str(data.get("name") or ""),
        "tiers": tiers,
        "windows": windows,
    }


def _sale_from_form(kind: str, data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The dict form of a sale plan from the ``sale`` step's answers."""
    if kind == "none":
        return None
    price = data.get("price")
    if price in (None, ""):
        raise TariffError("price is required", code="missing_value")
    if kind == "flat":
        return SalePlan.flat(to_decimal(price)).to_dict()
    second, switch = data.get("second_price"), data.get("switch_date")
    if second in (None, "") or not switch:
        raise TariffError("the second price and its date are required", code="missing_value")
    end, after = data.get("end_date"), data.get("after_price")
    plan = SalePlan.two_stage(
        to_decimal(price),
        to_decimal(second),
        date.fromisoformat(str(switch)),
        end_date=date.fromisoformat(str(end)) if end else None,
        after_price=None if after in (None, "") else to_decimal(after),
    )
    return plan.to_dict()


def tariff_from_options(options: Mapping[str, Any]) -> Tariff:
    """The stored tariff (for tests and tools)."""
    return Tariff.from_dict(options[OPT_TARIFF])
