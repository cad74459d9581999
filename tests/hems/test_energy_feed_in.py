"""Full feed-in (全量買取) through a real Home Assistant: a day of the virtual house whose solar
sells all it generates through its own meter.

The house's smart meter then counts everything the house uses and exports nothing of the
solar; the sale is the solar's generation counter (what its sale meter counts).  At the end of
the day the energy entry's figures must be those of that contract: sale revenue = generation x
the sale price, purchase = the meter's import, house use = purchase + fuel cell + battery
(never + solar), and self-consumption / self-sufficiency as Home Assistant's Energy dashboard
computes them with the full feed-in configuration (grid return = the solar's counter), which
counts no solar as used at home.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory, real_monotonic
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
import pytest

from custom_components.hems.const import DOMAIN
from custom_components.hems.echonet.controller import Controller
from custom_components.hems.energy import SalePlan, Tariff
from custom_components.hems.home.settings import (
    OPT_AUTO_SOURCES,
    OPT_SOLAR_FORECAST,
    OPT_SOURCES,
    OPT_TARIFF,
)
from custom_components.hems.hub import KIND as HUB
from custom_components.hems.kinds import runtime_of as kind_runtime
from simulator.house import House

from .conftest import HouseFactory, setup_hub
from .platform_helpers import discovery_of
from .test_energy_agreement import (
    CHARGED,
    DISCHARGED,
    ENERGY,
    FUEL_CELL,
    GRID_IN,
    GRID_OUT,
    SOLAR,
    TARIFF,
    Dashboard,
    readings,
)
from .test_energy_flow import OptionsDriver, _default
from .test_energy_support import (
    energy_entry,
    entity_id,
    runtime_of,
    setup_energy,
    sync_house,
    value,
)
from .test_planner import DAY as PLANNER_DAY, TARIFF as PLANNER_TARIFF, Provider, add_provider

JST = ZoneInfo("Asia/Tokyo")
STEP = timedelta(minutes=5)
DAY = datetime(2026, 12, 1, tzinfo=JST)
SALE_PRICE = 16
FULL_TARIFF: dict[str, Any] = {**TARIFF, "sale": {"price": str(SALE_PRICE), "scheme": "full"}}
#: Full feed-in: the sale is the solar's generation counter; the meter's export is not a source.
SOURCES = {
    "purchase": [GRID_IN],
    "sale": [SOLAR],
    "generation": [SOLAR, FUEL_CELL],
    "battery_charge": [CHARGED],
    "battery_discharge": [DISCHARGED],
}


def _set(hass: HomeAssistant, values: dict[str, float]) -> None:
    for statistic_id, kwh in values.items():
        hass.states.async_set(statistic_id, f"{kwh:.3f}", ENERGY)


def _bucket(first: dict[str, float], last: dict[str, float]) -> dict[str, float]:
    """One hour as the Energy dashboard sees it under full feed-in (return = the solar)."""

    def change(key: str) -> float:
        return last[key] - first[key]

    return {
        "from_grid": change(GRID_IN),
        "to_grid": change(SOLAR),
        "solar": change(SOLAR) + change(FUEL_CELL),
        "to_battery": change(CHARGED),
        "from_battery": change(DISCHARGED),
    }


async def _live_the_day(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, house: House
) -> list[dict[str, float]]:
    """Step the house through the day in 5 minutes, its readings into the sensors; the
    readings at every whole hour (the first at the start)."""
    hours = [readings(house)]
    moment = DAY
    while moment < DAY + timedelta(days=1):
        moment += STEP
        freezer.move_to(moment - timedelta(seconds=1))
        house.step((moment - timedelta(seconds=1) - house.clock.now()).total_seconds())
        now = readings(house)
        _set(hass, now)
        await hass.async_block_till_done()
        if moment.minute == 0:
            hours.append(now)
    return hours


async def test_a_full_feed_in_day(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Every figure of a full feed-in day is that contract's."""
    await hass.config.async_set_time_zone("Asia/Tokyo")
    begin = DAY - timedelta(seconds=1)
    house = House("house", tick_interval=0, start=begin, history_days=1, full_feed_in=True)
    freezer.move_to(begin)
    _set(hass, readings(house))
    entry = await setup_energy(
        hass, energy_entry(FULL_TARIFF, **{OPT_AUTO_SOURCES: False, OPT_SOURCES: SOURCES})
    )
    runtime = runtime_of(entry)
    assert runtime.tariff.full_feed_in
    hours = await _live_the_day(hass, freezer, house)
    freezer.move_to(DAY + timedelta(days=1) - timedelta(seconds=30))
    await runtime.coordinator.async_refresh()
    await hass.async_block_till_done()

    first, last = hours[0], hours[-1]
    day = {key: last[key] - first[key] for key in first}
    assert day[GRID_OUT] == 0  # the house's meter sells nothing of the solar
    assert day[SOLAR] > 5  # a day with sun, all of it sold

    def ours(key: str) -> float:
        return value(hass, entity_id(hass, entry, key))

    print(f"full feed-in day: {day}")
    # sale revenue = generation x the sale price (the month is the day: it is the 1st)
    assert ours("sale_revenue_today") == pytest.approx(day[SOLAR] * SALE_PRICE, abs=1)
    assert ours("sale_revenue_month") == pytest.approx(ours("sale_revenue_today"), abs=1)
    assert ours("sale_energy_today") == pytest.approx(day[SOLAR], abs=0.01)
    price = hass.states.get(entity_id(hass, entry, "sale_price"))
    assert price is not None and price.attributes["scheme"] == "full"
    cost = hass.states.get(entity_id(hass, entry, "purchase_cost_today"))
    assert cost is not None
    assert cost.attributes["purchase_kwh"] == pytest.approx(day[GRID_IN], abs=0.01)
    # the house's use is what it bought plus the fuel cell and the battery, never the solar
    used = day[GRID_IN] + day[FUEL_CELL] + day[DISCHARGED] - day[CHARGED]
    assert ours("house_energy_today") == pytest.approx(used, abs=0.05)
    bill = hass.states.get(entity_id(hass, entry, "projected_bill"))
    assert bill is not None and bill.attributes["so_far_kwh"] == pytest.approx(day[GRID_IN], 0.01)
    # self-consumption and self-sufficiency as the Energy dashboard computes them
    dashboard = Dashboard([_bucket(a, b) for a, b in pairwise(hours)])
    assert dashboard.used_total == pytest.approx(used, abs=0.05)
    assert ours("self_sufficiency_today") == pytest.approx(dashboard.self_sufficiency, abs=1)
    assert ours("self_consumption_today") == pytest.approx(dashboard.solar_consumed, abs=1)
    # none of the solar is used at home: only the fuel cell's share counts as self-consumed
    fuel_cell_share = day[FUEL_CELL] / (day[FUEL_CELL] + day[SOLAR]) * 100
    assert ours("self_consumption_today") <= fuel_cell_share + 1


@pytest.mark.parametrize("scheme", ["surplus", "full"])
async def test_sources_found_for_the_scheme(
    hass: HomeAssistant, make_house: HouseFactory, monkeypatch: pytest.MonkeyPatch, scheme: str
) -> None:
    """Found by itself, the sale is the smart meter's export under surplus sale and the solar's
    generation under full feed-in (the meter's export, its half-hour values and its power are
    then left out); an hour of midday sun is sold, all of it, under full feed-in."""
    await hass.config.async_set_time_zone("Asia/Tokyo")
    monkeypatch.setattr(asyncio.get_running_loop(), "time", real_monotonic)
    start = datetime(2026, 5, 20, 11, 0, 5, tzinfo=JST)
    full = scheme == "full"
    with freeze_time(start, tick=True) as freezer:
        house = await make_house(start=start, full_feed_in=full)
        uid = house.node("smart-meter").uid.hex()
        registry = er.async_get(hass)
        registry.async_get_or_create("sensor", DOMAIN, f"{uid}-0x028801-fixed_time_export_energy")
        hub = await setup_hub(hass)
        sale = {"price": str(SALE_PRICE)} | ({"scheme": "full"} if full else {})
        entry = await setup_energy(hass, energy_entry({**TARIFF, "sale": sale}))
        runtime = runtime_of(entry)
        sources = runtime.sources
        solar_energy = "sensor.solar_power_solar_energy"
        assert solar_energy in sources.get("generation")
        if full:
            assert sources.get("sale") == (solar_energy,)
            assert sources.get("fixed_sale") == ()
            (power,) = sources.get("sale_power")
            assert power in sources.get("generation_power")
            assert "-0x027901-" in (registry.async_get(power) or _missing(power)).unique_id
        else:
            assert sources.get("sale") == ("sensor.smart_meter_grid_export_energy",)
            assert len(sources.get("fixed_sale")) == 1
        coordinators = kind_runtime(hub, HUB).coordinators
        generated = value(hass, solar_energy)
        exported = value(hass, "sensor.smart_meter_grid_export_energy")
        for _ in range(6):
            freezer.tick(600)
            sync_house(house)
            for coordinator in list(coordinators.values()):
                await coordinator.async_refresh()
            await hass.async_block_till_done()
        await runtime.coordinator.async_refresh()
        await hass.async_block_till_done()
        generated = value(hass, solar_energy) - generated
        exported = value(hass, "sensor.smart_meter_grid_export_energy") - exported
        sold = value(hass, entity_id(hass, entry, "sale_energy_today"))
        print(f"{scheme}: generated {generated:.3f} kWh, meter export {exported:.3f}, sold {sold}")
        assert generated > 1
        if full:
            assert exported == 0
            assert sold == pytest.approx(generated, abs=0.01)
        else:
            assert 0 < sold < generated
        revenue = value(hass, entity_id(hass, entry, "sale_revenue_today"))
        assert revenue == pytest.approx(sold * SALE_PRICE, abs=1)


def _missing(entity: str) -> er.RegistryEntry:
    raise AssertionError(f"{entity} is not registered")


@pytest.mark.parametrize("scheme", ["surplus", "full"])
async def test_the_planner_under_the_scheme(
    hass: HomeAssistant, make_house: HouseFactory, monkeypatch: pytest.MonkeyPatch, scheme: str
) -> None:
    """The same sunny May day with a perfect solar forecast: under surplus sale the planner
    boils the EcoCute on the day's surplus; under full feed-in the house has none of the solar
    (the forecast is zero whatever the provider says) and nothing it exports is paid, so it
    boils at the night price and never moves use onto the sun."""
    await hass.config.async_set_time_zone("Asia/Tokyo")
    monkeypatch.setattr(asyncio.get_running_loop(), "time", real_monotonic)
    full = scheme == "full"
    sale = SalePlan.full(SALE_PRICE) if full else SalePlan.flat(SALE_PRICE)
    tariff = replace(PLANNER_TARIFF, sale=sale)
    with freeze_time(PLANNER_DAY + timedelta(seconds=5)):
        house = await make_house(start=PLANNER_DAY, speed=1e-9, full_feed_in=full)
        with patch.object(Controller, "async_discover", discovery_of(len(house.nodes))):
            hub = await setup_hub(hass)
        kind_runtime(hub, HUB).controller.timeout = 0.5
        provider = Provider(house)
        solar = await add_provider(hass, provider)
        energy = await setup_energy(
            hass, energy_entry(tariff.to_dict(), **{OPT_SOLAR_FORECAST: solar.entry_id})
        )
        planner = runtime_of(energy).planner
        result = await planner.async_replan("test")
    assert result is not None
    assert (provider.calls == 0) is full  # the provider is not even asked under full feed-in
    forecasts = planner.state.forecasts
    assert forecasts is not None
    daytime = sum(
        slot.boil_kwh
        for slot in result.slots
        if slot.start.date() == PLANNER_DAY.date() and 9 <= slot.start.hour < 16
    )
    sun_reasons = {
        "water_heater_daytime",
        "ev_solar_charge",
        "night_charge_none",
        "night_charge_reduced",
    }
    reasons = {reason.code.value for reason in result.decisions}
    print(f"{scheme}: daytime boiling {daytime:.2f} kWh, reasons {sorted(reasons)}")
    if full:
        assert forecasts.solar_source == "full_feed_in"
        assert forecasts.solar_kwh == [0.0] * len(forecasts.starts)
        assert set(planner.state.inputs.forecast.sale_price) == {0.0}  # type: ignore[union-attr]
        assert daytime < 0.01
        assert not reasons & sun_reasons
    else:
        assert forecasts.solar_source == "provider"
        assert daytime > 1.0
        assert reasons & sun_reasons


async def test_full_feed_in_chosen_in_the_options(hass: HomeAssistant) -> None:
    """The sale section offers full feed-in: its price is required, its end and the price after
    it are optional; saved, the entry runs under it, and the form shows it again."""
    entry = await setup_energy(hass, energy_entry(TARIFF))
    assert not runtime_of(entry).tariff.full_feed_in
    result = await hass.config_entries.options.async_init(entry.entry_id)
    flow = OptionsDriver(hass, result["flow_id"])
    form = await flow.open("sale")
    assert _default(form, "kind") == "flat"
    result = await flow.submit({"kind": "full"})
    assert result["errors"] == {"base": "missing_value"}
    result = await flow.submit(
        {"kind": "full", "price": 40, "end_date": "2032-07-01", "after_price": 9.5}
    )
    assert result["type"] is FlowResultType.MENU
    result = await flow.submit({"next_step_id": "save"})
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    tariff = Tariff.from_dict(entry.options[OPT_TARIFF])
    assert tariff.sale == SalePlan.full(40, end_date=date(2032, 7, 1), after_price="9.5")
    assert runtime_of(entry).tariff.full_feed_in  # reloaded under it
    assert value(hass, entity_id(hass, entry, "sale_price")) == 40
    result = await hass.config_entries.options.async_init(entry.entry_id)
    form = await OptionsDriver(hass, result["flow_id"]).open("sale")
    assert _default(form, "kind") == "full"
    suggested = {
        str(key): key.description["suggested_value"]
        for key in form["data_schema"].schema
        if key.description
    }
    assert suggested == {"price": 40, "after_price": 9.5, "end_date": "2032-07-01"}
