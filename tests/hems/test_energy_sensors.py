"""The energy entry against the virtual house (smart meter, solar, battery, meters) over a day."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from freezegun import freeze_time
from freezegun.api import real_monotonic
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import area_registry as ar, device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hems.const import DOMAIN
from custom_components.hems.energy import price_at
from custom_components.hems.home.runtime import HomeRuntime
from custom_components.hems.home.settings import (
    OPT_ALARM_ENTITIES,
    OPT_AUTO_SOURCES,
    OPT_CONTRACT_AMPERES,
    OPT_SOURCES,
    OPT_TARGET_ELECTRICITY,
)
from custom_components.hems.hub import KIND as HUB
from custom_components.hems.kinds import runtime_of as kind_runtime

from .conftest import HouseFactory, setup_hub
from .test_energy_support import (
    energy_entry,
    entity_id,
    runtime_of,
    setup_energy,
    sync_house,
    value,
)

JST = ZoneInfo("Asia/Tokyo")
START = datetime(2026, 5, 20, 0, 0, 5, tzinfo=JST)


async def test_a_day_in_the_house(
    hass: HomeAssistant, make_house: HouseFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Costs, rates, peak, records and notices from the simulated meter and devices."""
    await hass.config.async_set_time_zone("Asia/Tokyo")
    # Home Assistant's clock jumps; the event loop keeps real time so UDP timeouts stay real.
    monkeypatch.setattr(asyncio.get_running_loop(), "time", real_monotonic)
    notices: list[Event] = []
    hass.bus.async_listen("hems_notice", notices.append)
    with freeze_time(START, tick=True) as freezer:
        house = await make_house(start=START)
        uid = house.node("smart-meter").uid.hex()
        registry = er.async_get(hass)
        for key in ("fixed_time_import_energy", "fixed_time_export_energy"):
            registry.async_get_or_create("sensor", DOMAIN, f"{uid}-0x028801-{key}")
        hub = await setup_hub(hass)
        entry = await setup_energy(hass, energy_entry(**{OPT_TARGET_ELECTRICITY: 150}))
        runtime = runtime_of(entry)
        sources = runtime.sources
        assert sources.get("purchase") == ("sensor.smart_meter_grid_import_energy",)
        assert len(sources.get("fixed_purchase")) == 1
        fixed = sources.get("fixed_purchase")[0]
        assert registry.async_get(fixed).unique_id.endswith("-0x028801-fixed_time_import_energy")
        assert "sensor.solar_power_solar_energy" in sources.get("generation")
        first_fixed = value(hass, fixed)
        coordinators = kind_runtime(hub, HUB).coordinators

        async def step(seconds: float) -> None:
            freezer.tick(seconds)
            sync_house(house)
            for coordinator in list(coordinators.values()):
                await coordinator.async_refresh()
            await hass.async_block_till_done()
            await runtime.coordinator.async_refresh()
            await hass.async_block_till_done()

        sensor = _reader(hass, entry)
        max_sale = 0.0
        while house.clock.now() < START + timedelta(hours=23, minutes=50):
            await step(600)
            max_sale = max(max_sale, sensor("sale_revenue_today"))
        purchase_kwh = _assert_purchase_from_half_hours(hass, entry, fixed, first_fixed)
        assert len(runtime.feed.final["purchase"]) >= 46
        assert max_sale > 0  # the sun shone at noon
        _assert_prices_and_peak(hass, entry, runtime, purchase_kwh)
        _assert_totals_and_bill(hass, entry, runtime, purchase_kwh)
        # The next day: records of the finished day, and today's figures start again.
        await step(1200)
        _assert_records_of_the_day(hass, entry, notices)


def _assert_purchase_from_half_hours(
    hass: HomeAssistant, entry: MockConfigEntry, fixed: str, first_fixed: float
) -> float:
    """End of the day: the meter's half-hour values were used, the counters only in between.
    The day's purchase in kWh."""
    day_fixed = value(hass, fixed) - first_fixed
    purchase_kwh = hass.states.get(entity_id(hass, entry, "purchase_cost_today")).attributes[
        "purchase_kwh"
    ]
    # (plus what the counter, read with the polls, measured since the last half-hour value)
    since_fixed = value(hass, "sensor.smart_meter_grid_import_energy") - value(hass, fixed)
    assert 0 <= since_fixed < 2
    expected = day_fixed + since_fixed
    assert abs(purchase_kwh - expected) < 0.25, (purchase_kwh, day_fixed, since_fixed)
    return float(purchase_kwh)


def _assert_prices_and_peak(
    hass: HomeAssistant, entry: MockConfigEntry, runtime: HomeRuntime, purchase_kwh: float
) -> None:
    """Costs, sale, self-sufficiency, today's prices and the day's peak demand."""
    sensor = _reader(hass, entry)
    assert sensor("purchase_cost_today") > 0
    assert sensor("sale_revenue_today") == sensor("sale_revenue_month")
    assert 0 < sensor("self_sufficiency_today") < 100
    assert 0 < sensor("self_consumption_today") <= 100
    assert sensor("house_energy_today") > purchase_kwh  # generation was used at home
    now = datetime.now(JST)
    assert sensor("electricity_price") == pytest.approx(
        float(price_at(runtime.tariff, now, period_usage={"standard": purchase_kwh}).price_per_kwh),
        abs=0.01,
    )
    assert hass.states.get(entity_id(hass, entry, "tariff_period")).state == "standard"
    assert sensor("sale_price") == 15
    slots = runtime.ledger.slots()
    peak = max(slots, key=lambda slot: slot.purchase)
    assert sensor("peak_demand") == pytest.approx(float(peak.purchase), abs=1e-3)
    assert sensor("peak_demand_power") == pytest.approx(float(peak.purchase) * 2, abs=1e-3)
    assert hass.states.get(entity_id(hass, entry, "peak_demand_time")).state == (
        peak.start.astimezone(ZoneInfo("UTC")).isoformat()
    )


def _assert_totals_and_bill(
    hass: HomeAssistant, entry: MockConfigEntry, runtime: HomeRuntime, purchase_kwh: float
) -> None:
    """The day's purchased, sold and generated kWh as sensors (the slots' sums); the year's
    peaks, the projected bill, CO2, the target and the rooms."""
    sensor = _reader(hass, entry)
    totals = runtime.ledger.totals(START - timedelta(minutes=1), START + timedelta(days=1))
    assert sensor("purchase_energy_today") == pytest.approx(float(totals.purchase), abs=1e-3)
    assert sensor("sale_energy_today") == pytest.approx(float(totals.sale), abs=1e-3)
    assert sensor("generation_energy_today") == pytest.approx(float(totals.generation), abs=1e-3)
    assert sensor("generation_energy_month") == sensor("generation_energy_today")
    year = hass.states.get(entity_id(hass, entry, "peak_demand_year"))
    assert float(year.state) == sensor("peak_demand_power")
    assert len(year.attributes["months"]) == 12
    assert year.attributes["months"][0]["month"] == "2026-05"
    assert year.attributes["months"][1]["average_kw"] is None
    bill = hass.states.get(entity_id(hass, entry, "projected_bill"))
    assert float(bill.state) >= bill.attributes["so_far"] > 0
    assert bill.attributes["basic_charge"] == 935.25  # 30 A
    assert sensor("co2_emitted_today") == pytest.approx(purchase_kwh * 0.45, abs=0.01)
    assert sensor("electricity_target") > 0
    assert sensor("warmest_room") >= sensor("coldest_room")
    assert sensor("house_power") >= 0


def _assert_records_of_the_day(
    hass: HomeAssistant, entry: MockConfigEntry, notices: list[Event]
) -> None:
    """The next day: records of the finished day, and today's figures start again."""
    sensor = _reader(hass, entry)
    records = hass.states.get(entity_id(hass, entry, "record_best_generation"))
    assert records.attributes["date"] == "2026-05-20"
    assert float(records.state) > 5
    assert (
        hass.states.get(entity_id(hass, entry, "record_lowest_consumption")).attributes["date"]
        == "2026-05-20"
    )
    assert sensor("purchase_cost_today") < sensor("purchase_cost_month")
    assert any(event.data["type"] == "eco_record" for event in notices)
    # 150 kWh in a month is projected to be exceeded after a day of ~20 kWh? Not yet: the
    # projection needs three days; the running usage is far below 90 %.
    assert not any(event.data["type"].startswith("target") for event in notices)


def _reader(hass: HomeAssistant, entry: MockConfigEntry) -> Callable[[str], float]:
    """The value of the entry's sensor of a key."""

    def sensor(key: str) -> float:
        return value(hass, entity_id(hass, entry, key))

    return sensor


async def test_live_values_from_chosen_sources(hass: HomeAssistant) -> None:
    """Sources of other integrations: rooms in °F or unreadable, an area from the device, no
    grid power, an estimated contract current, locks and windows only the alarm watches."""
    hass.states.async_set("sensor.kitchen", "68", {"unit_of_measurement": "°F"})
    hass.states.async_set("sensor.attic", "unknown", {"unit_of_measurement": "°C"})
    hass.states.async_set("sensor.solar", "800", {"unit_of_measurement": "W"})
    hass.states.async_set("lock.back_door", "locked")
    hass.states.async_set("binary_sensor.window", "off", {"device_class": "window"})
    area = ar.async_get(hass).async_create("Study")
    device_entry = MockConfigEntry(domain="other")
    device_entry.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=device_entry.entry_id, identifiers={("other", "thermo")}
    )
    dr.async_get(hass).async_update_device(device.id, area_id=area.id)
    er.async_get(hass).async_get_or_create(
        "sensor", "other", "study", device_id=device.id, suggested_object_id="study"
    )
    hass.states.async_set("sensor.study", "21.5", {"unit_of_measurement": "°C"})
    entry = await setup_energy(
        hass,
        energy_entry(
            **{
                OPT_AUTO_SOURCES: False,
                OPT_SOURCES: {
                    "temperature": [
                        "sensor.kitchen",
                        "sensor.study",
                        "sensor.attic",
                        "sensor.gone",
                    ],
                    "generation_power": ["sensor.solar"],
                },
                OPT_ALARM_ENTITIES: ["lock.back_door", "binary_sensor.window"],
                OPT_CONTRACT_AMPERES: 30,
            }
        ),
    )
    warmest = hass.states.get(entity_id(hass, entry, "warmest_room"))
    coldest = hass.states.get(entity_id(hass, entry, "coldest_room"))
    assert warmest is not None and coldest is not None
    assert (float(warmest.state), warmest.attributes["room"]) == (21.5, "Study")
    assert (float(coldest.state), coldest.attributes["source"]) == (20.0, "sensor.kitchen")
    # No grid power: no house power, and the contract current cannot be told.
    assert hass.states.get("sensor.hems_home_house_power") is None
    locked = hass.states.get(entity_id(hass, entry, "all_locked", "binary_sensor"))
    opened = hass.states.get(entity_id(hass, entry, "any_open", "binary_sensor"))
    assert locked is not None and locked.state == "on"
    assert opened is not None and opened.state == "off"
    # Every room unreadable: no warmest room.
    for room in ("sensor.kitchen", "sensor.study"):
        hass.states.async_set(room, "unavailable")
    await hass.async_block_till_done()
    warmest = hass.states.get(entity_id(hass, entry, "warmest_room"))
    assert warmest is not None and warmest.state == "unknown"
