"""Exact costs from any integration's counters and a meter's half-hour values (no double
counting), time-of-use prices, the contract-current alert and target notices."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hems.home.settings import (
    OPT_AUTO_SOURCES,
    OPT_CONTRACT_AMPERES,
    OPT_SOURCES,
    OPT_TARGET_ELECTRICITY,
)

from .test_energy_support import energy_entry, entity_id, runtime_of, setup_energy, value

JST = ZoneInfo("Asia/Tokyo")
ENERGY = {"device_class": "energy", "unit_of_measurement": "kWh", "state_class": "total_increasing"}

TOU: dict[str, Any] = {
    "name": "TOU",
    "seasons": [
        {
            "key": "all",
            "periods": [
                {"key": "day", "price": "30", "windows": [{"start": "07:00", "end": "23:00"}]},
                {"key": "night", "price": "20", "windows": [{"start": "23:00", "end": "07:00"}]},
            ],
        }
    ],
    "fuel_adjustment": {"2026-06": "-1"},
    "renewable_surcharge": {"2026": "4"},
    "sale": {"price": "10"},
    "basic": {"kind": "fixed", "amount": "1000"},
    "emission_factor": "0.5",
}

SOURCES = {
    "purchase": ["sensor.meter_import"],
    "sale": ["sensor.meter_export"],
    "fixed_purchase": ["sensor.meter_fixed_import"],
    "current": ["sensor.meter_current"],
    "purchase_power": ["sensor.meter_power"],
}


def _at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 6, 10, hour, minute, second, tzinfo=JST)


def _meters_at_six(hass: HomeAssistant) -> None:
    """06:00: the counters, the meter's fixed half-hour value, current and power."""
    hass.states.async_set("sensor.meter_import", "100", ENERGY)
    hass.states.async_set("sensor.meter_export", "50", ENERGY)
    hass.states.async_set(
        "sensor.meter_fixed_import", "100", {**ENERGY, "measured_at": "2026-06-10T06:00:00"}
    )
    hass.states.async_set("sensor.meter_current", "10", {"unit_of_measurement": "A"})
    hass.states.async_set("sensor.meter_power", "2000", {"unit_of_measurement": "W"})


async def _assert_target_exceeded_once(
    hass: HomeAssistant, entry: MockConfigEntry, notices: list[Event]
) -> None:
    """Target: 3.2 kWh used of 3 -> exceeded, announced once."""
    exceeded = [e for e in notices if e.data["type"] == "target_exceeded"]
    assert len(exceeded) == 1 and exceeded[0].data["target"] == "electricity"
    await runtime_of(entry).coordinator.async_refresh()
    await hass.async_block_till_done()
    assert len([e for e in notices if e.data["type"] == "target_exceeded"]) == 1
    assert value(hass, entity_id(hass, entry, "electricity_target")) == pytest.approx(
        3.2 / 3 * 100, abs=0.1
    )


async def _assert_contract_current_alerts(
    hass: HomeAssistant, entry: MockConfigEntry, notices: list[Event]
) -> None:
    """Contract current: 80 % warns, above the contract is over."""
    alert = entity_id(hass, entry, "contract_current", "binary_sensor")
    assert hass.states.get(alert).state == "off"
    hass.states.async_set("sensor.meter_current", "25", {"unit_of_measurement": "A"})
    await hass.async_block_till_done()
    assert hass.states.get(alert).state == "on"
    hass.states.async_set("sensor.meter_current", "31", {"unit_of_measurement": "A"})
    await hass.async_block_till_done()
    kinds = [e.data["type"] for e in notices if e.data["type"].startswith("contract")]
    assert kinds == ["contract_current_warning", "contract_current_over"]
    notice_entity = hass.states.get(entity_id(hass, entry, "notice_event", "event"))
    assert notice_entity.attributes["event_type"] == "contract_current_over"


async def test_costs_without_double_counting(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Half-hour meter values replace the counter's estimate of their slot."""
    await hass.config.async_set_time_zone("Asia/Tokyo")
    notices: list[Event] = []
    hass.bus.async_listen("hems_notice", notices.append)
    freezer.move_to(_at(6, 0))
    _meters_at_six(hass)
    entry = await setup_energy(
        hass,
        energy_entry(
            TOU,
            **{
                OPT_AUTO_SOURCES: False,
                OPT_SOURCES: SOURCES,
                OPT_CONTRACT_AMPERES: 30,
                OPT_TARGET_ELECTRICITY: 3,
            },
        ),
    )
    runtime = runtime_of(entry)

    def sensor(key: str) -> float:
        return value(hass, entity_id(hass, entry, key))

    assert sensor("electricity_price") == 23  # night 20 - 1 + 4
    assert hass.states.get(entity_id(hass, entry, "tariff_period")).state == "night"
    # The meter's 06:30 value: 1.2 kWh in 06:00-06:30.
    freezer.move_to(_at(6, 31))
    hass.states.async_set(
        "sensor.meter_fixed_import", "101.2", {**ENERGY, "measured_at": "2026-06-10T06:30:00"}
    )
    await hass.async_block_till_done()
    # The counter reports 3 kWh for 06:00-07:30 (1 kWh a slot): its 06:00 share is dropped.
    freezer.move_to(_at(7, 30))
    hass.states.async_set("sensor.meter_import", "103", ENERGY)
    hass.states.async_set("sensor.meter_export", "52", ENERGY)
    await hass.async_block_till_done()
    await runtime.coordinator.async_refresh()
    await hass.async_block_till_done()
    cost = hass.states.get(entity_id(hass, entry, "purchase_cost_today"))
    assert cost.attributes["purchase_kwh"] == pytest.approx(3.2)
    assert float(cost.state) == pytest.approx(1.2 * 23 + 1 * 23 + 1 * 33)
    assert cost.attributes["by_period"]["night"]["kwh"] == pytest.approx(2.2)
    assert cost.attributes["last_reset"] == "2026-06-10T00:00:00+09:00"  # local midnight
    assert sensor("sale_revenue_today") == 20
    assert sensor("electricity_price") == 33
    assert hass.states.get(entity_id(hass, entry, "tariff_period")).state == "day"
    assert sensor("co2_emitted_today") == pytest.approx(1.6)
    assert sensor("self_sufficiency_today") == 0
    bill = hass.states.get(entity_id(hass, entry, "projected_bill"))
    # basic + day 1 x 30 + night 2.2 x 20 - fuel 3.2 x 1, rounded down; surcharge separately.
    assert bill.attributes["so_far"] == 1000 + int(30 + 2.2 * 20 - 3.2) + int(3.2 * 4)
    await _assert_target_exceeded_once(hass, entry, notices)
    await _assert_contract_current_alerts(hass, entry, notices)
    # The ledger survives a reload (Store).
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert value(hass, entity_id(hass, entry, "purchase_cost_today")) == pytest.approx(83.6)


async def test_an_unchanged_counter_is_still_a_reading(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Issue 10 ("self-consumption 100 % while exporting"): a counter that stays the same all
    night (the meter's 0.1 kWh export register, the panels' counter) is reported unchanged at
    every poll; the morning's first increase happened after the last report, not since the
    evening when the value last changed (it was spread back into yesterday, so today showed
    almost no export while the panels' energy was all used)."""
    await hass.config.async_set_time_zone("Asia/Tokyo")
    freezer.move_to(datetime(2026, 6, 9, 18, 0, tzinfo=JST))
    values = {"sensor.meter_import": 100.0, "sensor.meter_export": 50.0, "sensor.solar": 10.0}

    def report() -> None:
        for entity, kwh in values.items():
            hass.states.async_set(entity, f"{kwh:.1f}", ENERGY)

    report()
    entry = await setup_energy(
        hass,
        energy_entry(
            TOU,
            **{
                OPT_AUTO_SOURCES: False,
                OPT_SOURCES: {
                    "purchase": ["sensor.meter_import"],
                    "sale": ["sensor.meter_export"],
                    "generation": ["sensor.solar"],
                },
            },
        ),
    )
    moment = datetime(2026, 6, 9, 18, 0, tzinfo=JST)
    while moment < _at(8, 0):
        moment += timedelta(minutes=5)
        freezer.move_to(moment)
        report()  # the same values again: Home Assistant reports them, nothing changes
        await hass.async_block_till_done()
    for minutes, export, solar in ((5, 50.1, 10.5), (10, 50.2, 11.0)):
        freezer.move_to(_at(8, minutes))
        values |= {"sensor.meter_export": export, "sensor.solar": solar}
        report()
        await hass.async_block_till_done()
    await runtime_of(entry).coordinator.async_refresh()

    def ours(key: str) -> float:
        return value(hass, entity_id(hass, entry, key))

    assert ours("sale_revenue_today") == pytest.approx(0.2 * 10)
    assert ours("self_consumption_today") == pytest.approx(80.0)  # (1.0 - 0.2) / 1.0
    assert ours("house_energy_today") == pytest.approx(0.8)
