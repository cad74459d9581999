"""The energy entry's options: editing what exists (a season's months taken from others, a
season renamed into a clash, a third period removed, the alarm's list chosen before), and
forms whose answers the tariff refuses."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.hems.energy import Tariff
from custom_components.hems.home import flow as home_flow
from custom_components.hems.home.settings import (
    OPT_ALARM_ENTITIES,
    OPT_CONTRACT_AMPERES,
    OPT_TARIFF,
)

from .test_energy_flow import OptionsDriver, _default, _flat
from .test_energy_support import energy_entry, setup_energy

GENERAL = {
    "name": "My plan",
    "billing_start_day": 1,
    "public_holidays": True,
    "rounding_subtotal": "down",
    "rounding_surcharge": "down",
    "rounding_sale": "down",
    "rounding_line": "none",
    "rounding_fuel_adjustment": "none",
    "rounding_usage_kwh": "none",
}


async def _options(
    hass: HomeAssistant, tariff: dict[str, Any] | None = None
) -> tuple[ConfigEntry, OptionsDriver]:
    entry = await setup_energy(hass, energy_entry(Tariff.from_dict(tariff or _flat()).to_dict()))
    result = await hass.config_entries.options.async_init(entry.entry_id)
    return entry, OptionsDriver(hass, result["flow_id"])


async def _save(entry: ConfigEntry, flow: OptionsDriver) -> Tariff:
    result = await flow.submit({"next_step_id": "save"})
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    return Tariff.from_dict(entry.options[OPT_TARIFF])


def _months(tariff: Tariff) -> dict[str, list[int]]:
    return {season.key: sorted(season.months) for season in tariff.seasons}


async def test_editing_a_season_takes_its_months_from_the_others(hass: HomeAssistant) -> None:
    """Summer (7-8) and winter (12-2) are added; summer edited to 6-9 takes June and
    September from the all-year season and keeps its own periods; a season renamed to a key
    another season has is refused, and nothing changes."""
    entry, flow = await _options(hass)
    for key, months in (("summer", ["7", "8"]), ("winter", ["12", "1", "2"])):
        await flow.open("seasons")
        await flow.submit({"season": "0", "action": "add"})
        result = await flow.submit({"key": key, "name": "", "months": months})
        assert result["type"] is FlowResultType.MENU, result
    await flow.open("seasons")
    result = await flow.submit({"season": "1", "action": "edit"})
    assert result["step_id"] == "season"
    result = await flow.submit({"key": "summer", "name": "夏季", "months": ["6", "7", "8", "9"]})
    assert result["type"] is FlowResultType.MENU, result
    tariff = await _save(entry, flow)
    assert _months(tariff) == {
        "all": [3, 4, 5, 10, 11],
        "summer": [6, 7, 8, 9],
        "winter": [1, 2, 12],
    }
    assert tariff.seasons[1].name == "夏季"

    result = await hass.config_entries.options.async_init(entry.entry_id)
    flow = OptionsDriver(hass, result["flow_id"])
    await flow.open("seasons")
    await flow.submit({"season": "2", "action": "edit"})
    result = await flow.submit({"key": "summer", "name": "", "months": ["12", "1", "2"]})
    assert result["step_id"] == "season"
    assert result["errors"] == {"base": "duplicate_key"}
    assert _months(Tariff.from_dict(entry.options[OPT_TARIFF])) == _months(tariff)


async def test_removing_one_of_three_periods(hass: HomeAssistant) -> None:
    """Two periods stay with their windows (only a period left alone loses them)."""
    entry, flow = await _options(hass)
    await flow.open("seasons")
    await flow.submit({"season": "0", "action": "periods"})
    windows = {"night": ("23:00:00", "07:00:00"), "evening": ("17:00:00", "23:00:00")}
    for key, (start, end) in windows.items():
        await flow.submit({"period": "0", "action": "add"})
        await flow.submit({"key": key, "price_1": 20, "start_1": start, "end_1": end})
    result = await flow.submit({"period": "2", "action": "remove"})
    assert result["step_id"] == "periods"
    # The day period needs its windows (07:00-23:00) before the season is valid.
    await flow.submit({"period": "0", "action": "edit"})
    result = await flow.submit(
        {"key": "flat", "price_1": 30, "start_1": "07:00:00", "end_1": "23:00:00"}
    )
    assert not result["errors"], result
    result = await flow.submit({"period": "0", "action": "done"})
    assert result["type"] is FlowResultType.MENU, result
    tariff = await _save(entry, flow)
    periods = {p.key: p for p in tariff.seasons[0].periods}
    assert sorted(periods) == ["flat", "night"]
    assert periods["night"].windows and periods["flat"].windows


async def test_a_period_without_a_price_is_refused(hass: HomeAssistant) -> None:
    _entry, flow = await _options(hass)
    await flow.open("seasons")
    await flow.submit({"season": "0", "action": "periods"})
    await flow.submit({"period": "0", "action": "add"})
    result = await flow.submit({"key": "night", "start_1": "23:00:00", "end_1": "07:00:00"})
    assert result["step_id"] == "period"
    assert result["errors"], result


async def test_general_answers_the_tariff_refuses(hass: HomeAssistant) -> None:
    """A holiday that is no date: the form says so; the tariff keeps its name."""
    entry, flow = await _options(hass)
    await flow.open("general")
    result = await flow.submit({**GENERAL, "extra_holidays": "12-45"})
    assert result["step_id"] == "general"
    assert result["errors"], result
    assert Tariff.from_dict(entry.options[OPT_TARIFF]).name == "Flat"


async def test_the_alarm_list_chosen_before_is_offered_again(hass: HomeAssistant) -> None:
    entry, flow = await _options(hass)
    await flow.open("alarm")
    result = await flow.submit({OPT_ALARM_ENTITIES: ["lock.front_door"]})
    assert result["type"] is FlowResultType.MENU
    result = await flow.open("alarm")
    (field,) = (k for k in result["data_schema"].schema if str(k) == OPT_ALARM_ENTITIES)
    assert field.description == {"suggested_value": ["lock.front_door"]}
    await flow.submit({OPT_ALARM_ENTITIES: ["lock.front_door"]})
    await _save(entry, flow)
    assert entry.options[OPT_ALARM_ENTITIES] == ["lock.front_door"]


async def _energy_form(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init("hems", context={"source": "user"})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "energy"}
    )
    assert result["step_id"] == "energy"
    return str(result["flow_id"])


async def test_setup_without_a_contract_keeps_the_presets(hass: HomeAssistant) -> None:
    flow_id = await _energy_form(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, {"preset": "tiered_b"})
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    assert OPT_CONTRACT_AMPERES not in result["options"]
    tariff = Tariff.from_dict(result["options"][OPT_TARIFF])
    assert tariff.basic.contract_amperes == 30  # the preset's


async def test_setup_refuses_answers_that_make_no_valid_tariff(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a preset with the answers make no valid tariff (a preset of a newer version, a
    price the tariff refuses), the form says why and creates nothing."""
    real = home_flow.build_initial_tariff

    def broken(user_input: dict[str, Any], language: str | None) -> dict[str, Any]:
        return {**real(user_input, language), "timezone": "Mars/Olympus_Mons"}

    monkeypatch.setattr(home_flow, "build_initial_tariff", broken)
    flow_id = await _energy_form(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, {"preset": "tiered_b"})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "bad_timezone"}
    assert not hass.config_entries.async_entries("hems")


def _suggested(form: dict[str, Any], field: str) -> Any:
    for key in form["data_schema"].schema:
        if str(key) == field:
            return (key.description or {}).get("suggested_value")
    raise AssertionError(field)


async def test_the_sale_form_shows_a_two_stage_plan(hass: HomeAssistant) -> None:
    """卒FIT in two stages: the form offers its kind, both prices and both dates."""
    tariff = _flat() | {
        "sale": {
            "stages": [
                {"price": "16"},
                {"price": "8.5", "from": "2027-04-01"},
                {"price": "7", "from": "2030-04-01"},
            ]
        }
    }
    _entry, flow = await _options(hass, tariff)
    form = await flow.open("sale")
    assert _default(form, "kind") == "two_stage"
    assert [_suggested(form, f) for f in ("price", "second_price", "after_price")] == [16, 8.5, 7]
    assert _suggested(form, "switch_date") == "2027-04-01"
    assert _suggested(form, "end_date") == "2030-04-01"


async def test_a_stored_sale_plan_that_no_longer_validates(hass: HomeAssistant) -> None:
    """The entry cannot start (its tariff is refused); its sale form starts from "none", and
    saving a valid plan lets it start again."""
    entry = energy_entry({**_flat(), "sale": {"stages": "sixteen"}})
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    flow = OptionsDriver(hass, result["flow_id"])
    form = await flow.open("sale")
    assert _default(form, "kind") == "none"
    await flow.submit({"kind": "flat", "price": 9})
    assert (await _save(entry, flow)).sale is not None


async def test_utilities_wait_while_another_part_is_not_valid(hass: HomeAssistant) -> None:
    """A night period without the day's windows makes the tariff invalid: the water form
    says so and keeps the water price out of the working tariff."""
    entry, flow = await _options(hass)
    await flow.open("seasons")
    await flow.submit({"season": "0", "action": "periods"})
    await flow.submit({"period": "0", "action": "add"})
    await flow.submit({"key": "night", "price_1": 20, "start_1": "01:00:00", "end_1": "05:00:00"})
    await flow.submit({"period": "0", "action": "done"})
    await flow.open("utilities")
    result = await flow.submit({"water_unit_price": 250})
    assert result["step_id"] == "utilities"
    assert result["errors"] == {"base": "period_without_windows"}
    assert Tariff.from_dict(entry.options[OPT_TARIFF]).water is None
