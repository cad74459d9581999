"""Config and options flow of the energy entry: preset, every tariff part, sources, targets."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hems.const import DOMAIN
from custom_components.hems.energy import Tariff, preset_tariff
from custom_components.hems.home.flow import build_initial_tariff
from custom_components.hems.home.options.base import MENU
from custom_components.hems.home.settings import (
    OPT_ALARM_ENTITIES,
    OPT_AUTO_SOURCES,
    OPT_CONTRACT_AMPERES,
    OPT_SOURCES,
    OPT_TARGET_ELECTRICITY,
    OPT_TARIFF,
    default_tariff,
)

from .test_energy_support import energy_entry, entity_id, setup_energy, value

ROOT = Path(__file__).parents[2] / "custom_components" / "hems"


async def test_create_from_the_user_menu(hass: HomeAssistant) -> None:
    """user -> energy -> preset: the entry is created, with sale, water and gas prices."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "user"})
    assert result["type"] is FlowResultType.MENU
    assert "energy" in result["menu_options"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "energy"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "energy"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "preset": "smart_life",
            "sale_price": 16,
            "water_price": 250,
            "gas_price": 180,
            OPT_CONTRACT_AMPERES: 50,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    tariff = Tariff.from_dict(entry.options[OPT_TARIFF])
    assert tariff.is_time_of_use
    assert tariff.basic.contract_amperes == 50
    assert tariff.sale is not None and tariff.sale.stages[0].price == 16
    assert tariff.water is not None and tariff.water.unit_price == 250
    assert value(hass, entity_id(hass, entry, "sale_price")) == 16
    assert hass.states.get(entity_id(hass, entry, "tariff_period")).state in {"day", "night"}
    # One energy entry only.
    again = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "user"})
    again = await hass.config_entries.flow.async_configure(
        again["flow_id"], {"next_step_id": "energy"}
    )
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "energy_already_configured"


class OptionsDriver:
    """Walks the options flow menu."""

    def __init__(self, hass: HomeAssistant, flow_id: str) -> None:
        self.hass = hass
        self.flow_id = flow_id

    async def open(self, step: str) -> dict[str, Any]:
        result = await self.hass.config_entries.options.async_configure(
            self.flow_id, {"next_step_id": step}
        )
        assert result["step_id"] == step, result
        return dict(result)

    async def submit(self, data: dict[str, Any]) -> dict[str, Any]:
        return dict(await self.hass.config_entries.options.async_configure(self.flow_id, data))

    async def edit(self, step: str, data: dict[str, Any]) -> dict[str, Any]:
        await self.open(step)
        result = await self.submit(data)
        assert result["type"] is FlowResultType.MENU, result
        return result


async def test_options_edit_every_part(hass: HomeAssistant) -> None:
    """Every tariff part through forms (errors translated by code), then save."""
    entry = await setup_energy(hass, energy_entry(Tariff.from_dict(_flat()).to_dict()))
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "energy"
    assert result["menu_options"] == MENU
    flow = OptionsDriver(hass, result["flow_id"])

    await _edit_general(flow)
    await _edit_time_of_use(flow)
    await _edit_basic_charge(flow)
    await _edit_adjustments_and_sale(flow)
    await _edit_targets_alarm_and_sources(flow)
    await _edit_as_json(flow)

    result = await flow.submit({"next_step_id": "save"})
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    _assert_every_part_saved(entry)
    assert entry.state is ConfigEntryState.LOADED


async def _edit_general(flow: OptionsDriver) -> None:
    """Name, billing day, holidays, rounding and emission factor."""
    await flow.edit(
        "general",
        {
            "name": "My plan",
            "billing_start_day": 5,
            "public_holidays": True,
            "extra_holidays": "12-31, 01-02",
            "rounding_subtotal": "down",
            "rounding_surcharge": "down",
            "rounding_sale": "half_up",
            "rounding_line": "none",
            "rounding_fuel_adjustment": "none",
            "rounding_usage_kwh": "none",
            "emission_factor": 0.42,
        },
    )


async def _edit_time_of_use(flow: OptionsDriver) -> None:
    """Time of use: add a night period; until the day period has windows the season is flagged."""
    await flow.open("seasons")
    result = await flow.submit({"season": "0", "action": "periods"})
    assert result["step_id"] == "periods"
    result = await flow.submit({"period": "0", "action": "add"})
    assert result["step_id"] == "period"
    result = await flow.submit(
        {
            "key": "night",
            "name": "夜間",
            "price_1": 25.5,
            "start_1": "23:15:00",
            "end_1": "07:00:00",
        }
    )
    assert result["errors"] == {"base": "time_not_half_hour"}
    result = await flow.submit(
        {
            "key": "night",
            "name": "夜間",
            "price_1": 25.5,
            "start_1": "23:00:00",
            "end_1": "07:00:00",
        }
    )
    assert result["step_id"] == "periods"
    assert result["errors"] == {"base": "period_without_windows"}
    result = await flow.submit({"period": "0", "action": "edit"})
    result = await flow.submit(
        {
            "key": "day",
            "price_1": 30,
            "up_to_1": 120,
            "price_2": 36,
            "start_1": "07:00:00",
            "end_1": "23:00:00",
            "days_1": ["weekday", "saturday", "sunday", "holiday"],
        }
    )
    assert result["step_id"] == "periods"
    assert not result["errors"]
    result = await flow.submit({"period": "0", "action": "done"})
    assert result["type"] is FlowResultType.MENU
    # A summer season takes July and August from the year-round one.
    await flow.open("seasons")
    result = await flow.submit({"season": "0", "action": "add"})
    assert result["step_id"] == "season"
    result = await flow.submit({"key": "summer", "name": "夏季", "months": ["7", "8"]})
    assert result["type"] is FlowResultType.MENU


async def _edit_basic_charge(flow: OptionsDriver) -> None:
    """Basic charge: an amperage missing from the table is refused, per 10 A works."""
    await flow.open("basic")
    result = await flow.submit({"kind": "ampere", "half_if_no_usage": True})
    assert result["step_id"] == "basic_amounts"
    result = await flow.submit({"contract_amperes": 35, "a30": 935.25, "a40": 1247})
    assert result["errors"] == {"base": "ampere_not_in_table"}
    result = await flow.submit({"contract_amperes": 40, "a30": 935.25, "a40": 1247})
    assert result["type"] is FlowResultType.MENU
    await flow.open("basic")
    await flow.submit({"kind": "per_10a", "half_if_no_usage": False})
    result = await flow.submit({"contract_amperes": 40, "unit_price": 311.75})
    assert result["type"] is FlowResultType.MENU


async def _edit_adjustments_and_sale(flow: OptionsDriver) -> None:
    """Fuel cost adjustment (negative) and renewable surcharge, the sale, water and gas."""
    await flow.open("fuel_adjustment")
    result = await flow.submit({"month": "2026-13", "rate": 1})
    assert result["errors"] == {"month": "bad_month"}
    result = await flow.submit({"month": "2026-05", "rate": -1.5})
    assert result["type"] is FlowResultType.MENU
    await flow.edit("fuel_adjustment", {"month": "2026-06", "rate": 2.25})
    await flow.edit("surcharge", {"fiscal_year": 2026, "rate": 4.1})
    # Sale: the two-stage scheme needs its second price and date.
    await flow.open("sale")
    result = await flow.submit({"kind": "two_stage", "price": 24})
    assert result["errors"] == {"base": "missing_value"}
    result = await flow.submit(
        {"kind": "two_stage", "price": 24, "second_price": 8.3, "switch_date": "2029-10-01"}
    )
    assert result["type"] is FlowResultType.MENU
    await flow.edit("utilities", {"water_unit_price": 250, "gas_unit_price": 180.5})


async def _edit_targets_alarm_and_sources(flow: OptionsDriver) -> None:
    """Monthly target and contract, the alarm's watch list, sources chosen by hand."""
    await flow.edit(
        "targets",
        {
            OPT_TARGET_ELECTRICITY: 300,
            "target_warn_percent": 85,
            OPT_CONTRACT_AMPERES: 40,
            "ampere_warn_percent": 80,
        },
    )
    await flow.edit("alarm", {OPT_ALARM_ENTITIES: []})
    await flow.edit(
        "sources", {OPT_AUTO_SOURCES: False, "purchase": "sensor.meter_import", "generation": []}
    )


async def _edit_as_json(flow: OptionsDriver) -> None:
    """JSON: bad text and a bad tariff are refused with translated errors."""
    await flow.open("tariff_json")
    result = await flow.submit({"tariff": "{nope"})
    assert result["errors"] == {"base": "invalid_json"}
    bad = {
        "name": "x",
        "seasons": [{"key": "all", "months": [1], "periods": [{"key": "a", "price": 1}]}],
    }
    result = await flow.submit({"tariff": json.dumps(bad)})
    assert result["errors"] == {"base": "season_gap"}
    result = await flow.submit({"tariff": result["data_schema"]({})["tariff"]})
    assert result["type"] is FlowResultType.MENU


def _assert_every_part_saved(entry: MockConfigEntry) -> None:
    """The saved options hold every part as edited."""
    tariff = Tariff.from_dict(entry.options[OPT_TARIFF])
    assert tariff.name == "My plan"
    assert tariff.billing_start_day == 5
    assert tariff.holidays.extra == ((12, 31), (1, 2))
    assert str(tariff.emission_factor) == "0.42"
    assert [season.key for season in tariff.seasons] == ["all", "summer"]
    assert 7 not in tariff.seasons[0].months
    day, night = tariff.seasons[0].periods
    assert [str(t.price) for t in day.tiers] == ["30", "36"]
    assert str(day.tiers[0].up_to_kwh) == "120"
    assert night.windows[0].to_dict()["start"] == "23:00"
    assert tariff.basic.to_dict()["kind"] == "per_10a"
    assert {k.key: str(v) for k, v in tariff.fuel_adjustment.items()} == {
        "2026-05": "-1.5",
        "2026-06": "2.25",
    }
    assert str(tariff.renewable_surcharge[2026]) == "4.1"
    assert tariff.sale is not None and len(tariff.sale.stages) == 2
    assert tariff.gas is not None and str(tariff.gas.unit_price) == "180.5"
    assert entry.options[OPT_TARGET_ELECTRICITY] == 300
    assert entry.options[OPT_SOURCES] == {"purchase": ["sensor.meter_import"]}


async def test_options_refuse_saving_an_invalid_tariff(hass: HomeAssistant) -> None:
    """Save shows the tariff's error (translated code) and goes back to the menu."""
    entry = await setup_energy(hass, energy_entry(Tariff.from_dict(_flat()).to_dict()))
    result = await hass.config_entries.options.async_init(entry.entry_id)
    flow = OptionsDriver(hass, result["flow_id"])
    await flow.open("seasons")
    await flow.submit({"season": "0", "action": "periods"})
    await flow.submit({"period": "0", "action": "add"})
    await flow.submit({"key": "night", "price_1": 20, "start_1": "01:00:00", "end_1": "05:00:00"})
    await flow.submit({"period": "0", "action": "done"})
    result = await flow.submit({"next_step_id": "save"})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "period_without_windows"}
    result = await flow.submit({})
    assert result["type"] is FlowResultType.MENU
    await flow.edit("preset", {"preset": "tiered_b"})
    result = await flow.submit({"next_step_id": "save"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # the reload the save starts ends in the test (not while Home Assistant stops after it,
    # which left the reloaded planner's slot timer behind on a loaded machine)
    await hass.async_block_till_done()
    assert Tariff.from_dict(entry.options[OPT_TARIFF]).basic.contract_amperes == 30


async def test_options_remove_seasons_and_periods(hass: HomeAssistant) -> None:
    """Removing a season gives its months back; the last season and period stay."""
    entry = await setup_energy(hass, energy_entry(Tariff.from_dict(_flat()).to_dict()))
    result = await hass.config_entries.options.async_init(entry.entry_id)
    flow = OptionsDriver(hass, result["flow_id"])
    await flow.open("seasons")
    result = await flow.submit({"season": "0", "action": "remove"})
    assert result["errors"] == {"base": "no_seasons"}
    result = await flow.submit({"season": "0", "action": "add"})
    result = await flow.submit({"key": "summer", "name": "夏季", "months": ["7", "8"]})
    assert result["type"] is FlowResultType.MENU
    await flow.open("seasons")
    result = await flow.submit({"season": "1", "action": "remove"})
    assert result["type"] is FlowResultType.MENU
    # A night period, then removed again: the day period is alone and needs no windows.
    await flow.open("seasons")
    await flow.submit({"season": "0", "action": "periods"})
    await flow.submit({"period": "0", "action": "add"})
    result = await flow.submit(
        {"key": "night", "price_1": 20, "start_1": "23:00:00", "end_1": "07:00:00"}
    )
    assert result["errors"] == {"base": "period_without_windows"}
    result = await flow.submit({"period": "1", "action": "remove"})
    assert result["step_id"] == "periods"
    assert not result["errors"]
    result = await flow.submit({"period": "0", "action": "remove"})
    assert result["errors"] == {"base": "no_periods"}
    result = await flow.submit({"period": "0", "action": "done"})
    assert result["type"] is FlowResultType.MENU
    result = await flow.submit({"next_step_id": "save"})
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    tariff = Tariff.from_dict(entry.options[OPT_TARIFF])
    assert [season.key for season in tariff.seasons] == ["all"]
    assert sorted(tariff.seasons[0].months) == list(range(1, 13))
    (period,) = tariff.seasons[0].periods
    assert period.key == "flat"
    assert not period.windows


def test_every_tariff_error_and_step_is_translated() -> None:
    """Each TariffError code is an error key of both flows, in English and Japanese."""
    codes = set()
    for path in (ROOT / "energy").glob("*.py"):
        codes |= set(re.findall(r'code="([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert len(codes) > 30
    steps: set[str] = set()
    for path in (ROOT / "home" / "options").glob("*.py"):
        steps |= set(re.findall(r'step_id="([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert len(steps) > 15
    for language in ("en", "ja"):
        data = json.loads((ROOT / "translations" / f"{language}.json").read_text("utf-8"))
        for flow in ("config", "options"):
            missing = codes - set(data[flow]["error"])
            assert not missing, (language, flow, missing)
        assert steps - {"energy"} <= set(data["options"]["step"])
        assert set(MENU) == set(data["options"]["step"]["energy"]["menu_options"])
        for key in ("alarm_open", "alarm_unlocked", "alarm_opened", "invalid_tariff"):
            assert key in data["exceptions"]


def _flat() -> dict[str, Any]:
    return {
        "name": "Flat",
        "seasons": [{"key": "all", "periods": [{"key": "flat", "price": "30"}]}],
        "renewable_surcharge": {"2025": "3.98"},
    }


async def test_options_forms_missing_what_they_need(hass: HomeAssistant) -> None:
    """A sale price kind without its price, a time window without its end: the form says so
    and the working tariff keeps what it had."""
    entry = await setup_energy(hass, energy_entry(Tariff.from_dict(_flat()).to_dict()))
    result = await hass.config_entries.options.async_init(entry.entry_id)
    flow = OptionsDriver(hass, result["flow_id"])
    for kind, given in (("flat", {}), ("two_stage", {"price": 24})):
        await flow.open("sale")
        result = await flow.submit({"kind": kind, **given})
        assert result["step_id"] == "sale"
        assert result["errors"] == {"base": "missing_value"}, kind
        await flow.submit({"kind": "none"})
    await flow.open("seasons")
    await flow.submit({"season": "0", "action": "periods"})
    await flow.submit({"period": "0", "action": "add"})
    result = await flow.submit({"key": "night", "price_1": 20, "start_1": "01:00:00"})
    assert result["step_id"] == "period"
    assert result["errors"] == {"base": "bad_time"}
    result = await flow.submit(
        {"key": "night", "price_1": 20, "start_1": "01:00:00", "end_1": "05:00:00"}
    )
    assert result["step_id"] == "periods"
    result = await flow.submit({"period": "0", "action": "done"})
    assert result["type"] is FlowResultType.MENU
    result = await flow.submit({"next_step_id": "save"})
    assert result["errors"] == {"base": "period_without_windows"}  # the day period has none
    await flow.submit({})  # back to the menu
    # Another part's form says so too while the working tariff is not valid.
    await flow.open("sale")
    result = await flow.submit({"kind": "flat", "price": 10})
    assert result["step_id"] == "sale"
    assert result["errors"] == {"base": "period_without_windows"}
    assert Tariff.from_dict(entry.options[OPT_TARIFF]).sale is None  # _flat() sells nothing


async def test_options_of_an_entry_without_a_tariff(hass: HomeAssistant) -> None:
    """An entry whose options hold no tariff (made by hand): the forms start from the tariff
    a new entry gets."""
    entry = await setup_energy(hass, energy_entry())
    result = await hass.config_entries.options.async_init(entry.entry_id)
    flow = OptionsDriver(hass, result["flow_id"])
    result = await flow.open("general")
    assert _default(result, "name") == default_tariff().name


def _default(form: dict[str, Any], field: str) -> Any:
    """The default a form offers for ``field``."""
    for key in form["data_schema"].schema:
        if str(key) == field:
            return key.default()
    raise AssertionError(field)


def test_initial_tariff_from_the_answers() -> None:
    """The preset with the answers given: an empty sale price keeps the preset's, a contract
    the preset's table lacks keeps the preset's contract."""
    preset = preset_tariff("tiered_b", "en").to_dict()
    tariff = build_initial_tariff({"preset": "tiered_b", "sale_price": "", "water_price": ""}, "en")
    assert tariff == preset
    tariff = build_initial_tariff({"preset": "tiered_b", OPT_CONTRACT_AMPERES: 35}, "en")
    assert tariff["basic"] == preset["basic"]
    tariff = build_initial_tariff({"preset": "tiered_b", OPT_CONTRACT_AMPERES: 40}, "en")
    assert tariff["basic"]["contract_amperes"] == 40


async def test_options_basic_charge_kinds_and_clearing_rates(hass: HomeAssistant) -> None:
    """Each kind of basic charge asks for its own amounts; a month's or a year's rate left
    empty is removed; a change while another part of the tariff is wrong names that part."""
    tariff = {**_flat(), "fuel_adjustment": {"2026-06": "-1.2"}}
    entry = await setup_energy(hass, energy_entry(Tariff.from_dict(tariff).to_dict()))
    result = await hass.config_entries.options.async_init(entry.entry_id)
    flow = OptionsDriver(hass, result["flow_id"])
    for kind, amounts in (
        ("fixed", {"amount": 1100}),
        ("minimum", {"amount": 500, "included_kwh": 15}),
        ("per_kva", {"unit_price": 286, "contract_kva": 6}),
    ):
        await flow.open("basic")
        result = await flow.submit({"kind": kind, "half_if_no_usage": False})
        assert set(map(str, result["data_schema"].schema)) == set(amounts), kind
        result = await flow.submit(amounts)
        assert result["type"] is FlowResultType.MENU, result
    await flow.edit("fuel_adjustment", {"month": "2026-06"})  # no rate: removed
    await flow.edit("surcharge", {"fiscal_year": 2025})
    result = await flow.submit({"next_step_id": "save"})
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    saved = entry.options[OPT_TARIFF]
    assert saved["basic"]["kind"] == "per_kva"
    assert Tariff.from_dict(saved).basic.contract_kva == 6
    assert not saved.get("fuel_adjustment") and not saved.get("renewable_surcharge")


async def _flow_with_a_wrong_period(hass: HomeAssistant, entry_id: str) -> OptionsDriver:
    """An options flow whose working tariff has a second period without time windows."""
    result = await hass.config_entries.options.async_init(entry_id)
    flow = OptionsDriver(hass, result["flow_id"])
    await flow.open("seasons")
    await flow.submit({"season": "0", "action": "periods"})
    await flow.submit({"period": "0", "action": "add"})
    await flow.submit({"key": "night", "price_1": 20, "start_1": "01:00:00", "end_1": "05:00:00"})
    await flow.submit({"period": "0", "action": "done"})
    return flow


async def test_options_a_charge_change_names_the_wrong_part_of_the_tariff(
    hass: HomeAssistant,
) -> None:
    """The charge itself is fine, the tariff is not: the form stays, with the tariff's error."""
    entry = await setup_energy(hass, energy_entry(Tariff.from_dict(_flat()).to_dict()))
    for step, answers in (
        ("fuel_adjustment", [{"month": "2026-06", "rate": 1.5}]),
        ("surcharge", [{"fiscal_year": 2026, "rate": 3.5}]),
        ("basic", [{"kind": "fixed", "half_if_no_usage": False}, {"amount": 1100}]),
    ):
        flow = await _flow_with_a_wrong_period(hass, entry.entry_id)
        await flow.open(step)
        for answer in answers:
            result = await flow.submit(answer)
        assert result["type"] is FlowResultType.FORM, result
        assert result["errors"] == {"base": "period_without_windows"}, step
        hass.config_entries.options.async_abort(flow.flow_id)
    assert entry.options[OPT_TARIFF] == Tariff.from_dict(_flat()).to_dict()  # nothing stored
