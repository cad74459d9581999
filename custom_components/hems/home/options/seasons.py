"""Options steps: the seasons of the tariff and their periods (tiers and time windows)."""

from __future__ import annotations

import copy
from typing import Any

from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers import selector
import voluptuous as vol

from ...energy import Period, Season, TariffError
from ..settings import OPT_TARIFF, async_check_tariff
from .base import EnergyOptionsBase
from .forms import (
    DAY_TYPES,
    MAX_TIERS,
    MAX_WINDOWS,
    _choice,
    _float,
    _labelled,
    _number,
    _period_from_form,
    _suggest,
)


class SeasonSteps(EnergyOptionsBase):
    """Seasons (months) and the periods of a season."""

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
            error = await async_check_tariff(candidate)
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
