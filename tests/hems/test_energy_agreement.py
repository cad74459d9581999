"""The energy entry's figures agree with Home Assistant's own (issue 10).

Two simulated days (the 1st and 2nd of December) of the default virtual house: its smart
meter, solar panels, fuel cell and storage battery are read every 5 minutes into sensors that
Home Assistant records, the recorder compiles their statistics, and Home Assistant's energy
integration prices them (its own cost and compensation sensors, from the energy entry's price
entities).  At the end of the second day the energy entry's "today" and "this month" figures
must equal what Home Assistant computes from its compiled statistics with the Energy
dashboard's definitions (the frontend's, restated below in :class:`Dashboard`), within 1 %.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from awesomeversion import AwesomeVersion
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.energy.data import async_get_manager
from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
)

from custom_components.hems.home.runtime import HomeRuntime
from custom_components.hems.home.settings import OPT_AUTO_SOURCES, OPT_SOURCES
from simulator.behaviours import Battery, FuelCell, Solar
from simulator.history import counters
from simulator.house import House

from .test_energy_support import energy_entry, entity_id, runtime_of, setup_energy, value

JST = ZoneInfo("Asia/Tokyo")
STEP = timedelta(minutes=5)
ENERGY = {"device_class": "energy", "unit_of_measurement": "kWh", "state_class": "total_increasing"}
FIRST_DAY = datetime(2026, 12, 1, tzinfo=JST)
DAYS = 2

TARIFF: dict[str, Any] = {
    "name": "Day and night",
    "seasons": [
        {
            "key": "all",
            "periods": [
                {"key": "day", "price": "35.76", "windows": [{"start": "06:00", "end": "01:00"}]},
                {"key": "night", "price": "27.86", "windows": [{"start": "01:00", "end": "06:00"}]},
            ],
        }
    ],
    "fuel_adjustment": {"2026-12": "-1.5"},
    "renewable_surcharge": {"2026": "3.98"},
    "sale": {"price": "16"},
    "basic": {"kind": "fixed", "amount": "1000"},
}

#: The sensors the house's counters are shown in (role in the energy entry, in the dashboard).
GRID_IN = "sensor.grid_import"
GRID_OUT = "sensor.grid_export"
SOLAR = "sensor.solar_energy"
FUEL_CELL = "sensor.fuel_cell_energy"
CHARGED = "sensor.battery_charged"
DISCHARGED = "sensor.battery_discharged"
SOURCES = {
    "purchase": [GRID_IN],
    "sale": [GRID_OUT],
    "generation": [SOLAR, FUEL_CELL],
    "battery_charge": [CHARGED],
    "battery_discharge": [DISCHARGED],
}


def readings(house: House) -> dict[str, float]:
    """The counters as the house's devices show them (the meter at its register's resolution)."""
    meter = house.meter
    assert meter is not None
    imported, exported = meter.registers()
    out = {GRID_IN: imported * meter.count_kwh, GRID_OUT: exported * meter.count_kwh}
    for obj in house.objects():
        behaviour = obj.behaviour
        values = counters(obj, behaviour) if behaviour is not None else {}
        if isinstance(behaviour, Solar):
            out[SOLAR] = values[0xE1]
        elif isinstance(behaviour, FuelCell):
            out[FUEL_CELL] = values[0xC5]
        elif isinstance(behaviour, Battery) and obj.eoj.class_code == 0x027D:
            out[CHARGED] = values[0xD8]
            out[DISCHARGED] = values[0xD6]
    return out


@dataclass
class Dashboard:
    """What the Energy dashboard computes from the statistics' changes per bucket (the
    frontend's ``computeConsumptionSingle`` and ``calculateSolarConsumedGauge``, restated)."""

    buckets: list[dict[str, float]]  # from_grid, to_grid, solar, to_battery, from_battery

    @property
    def used_total(self) -> float:
        return sum(
            b["from_grid"] + b["solar"] + b["from_battery"] - b["to_grid"] - b["to_battery"]
            for b in self.buckets
        )

    @property
    def self_sufficiency(self) -> float:
        from_grid = sum(b["from_grid"] for b in self.buckets)
        return (1 - min(1.0, from_grid / max(0.0, self.used_total))) * 100

    @property
    def solar_consumed(self) -> float:
        consumed = returned = 0.0
        lifo: list[list[Any]] = []
        for b in self.buckets:
            to_grid, to_battery = b["to_grid"], b["to_battery"]
            solar, from_grid, from_battery = b["solar"], b["from_grid"], b["from_battery"]
            used = from_grid + solar + from_battery - to_grid - to_battery
            remaining = max(used, 0.0)
            excess = max(0.0, min(to_battery, from_grid - remaining))
            grid_to_battery = excess
            to_battery -= excess
            from_grid -= excess
            solar_to_battery = min(solar, to_battery)
            to_battery -= solar_to_battery
            solar -= solar_to_battery
            solar_to_grid = min(solar, to_grid)
            to_grid -= solar_to_grid
            solar -= solar_to_grid
            battery_to_grid = min(from_battery, to_grid)
            from_battery -= battery_to_grid
            second = min(from_grid, to_battery)
            grid_to_battery += second
            used_solar = min(remaining, solar)
            remaining -= used_solar
            used_battery = min(from_battery, remaining)
            consumed += used_solar
            returned += solar_to_grid
            if grid_to_battery:
                lifo.append(["grid", grid_to_battery])
            if solar_to_battery:
                lifo.append(["solar", solar_to_battery])
            for amount, is_consumed in ((used_battery, True), (battery_to_grid, False)):
                while amount > 0 and lifo:
                    kind, stored = lifo[-1]
                    taken = min(amount, stored)
                    if taken >= stored:
                        lifo.pop()
                    else:
                        lifo[-1][1] = stored - taken
                    if kind == "solar":
                        if is_consumed:
                            consumed += taken
                        else:
                            returned += taken
                    amount -= taken
        return consumed / (consumed + returned) * 100


STATS = {
    "from_grid": GRID_IN,
    "to_grid": GRID_OUT,
    "to_battery": CHARGED,
    "from_battery": DISCHARGED,
}


def _changes(
    hass: HomeAssistant, start: datetime, end: datetime, period: str, ids: Iterable[str]
) -> dict[str, dict[float, float]]:
    found = statistics_during_period(hass, start, end, set(ids), period, None, {"change"})
    return {
        statistic_id: {row["start"]: row["change"] or 0.0 for row in rows}
        for statistic_id, rows in found.items()
    }


async def dashboard(
    hass: HomeAssistant, start: datetime, end: datetime, period: str
) -> tuple[Dashboard, dict[str, float]]:
    """The dashboard's buckets of ``[start, end)`` and the totals of every statistic."""
    ids = [*STATS.values(), SOLAR, FUEL_CELL, f"{GRID_IN}_cost", f"{GRID_OUT}_compensation"]
    changes = await get_instance(hass).async_add_executor_job(
        _changes, hass, start, end, period, ids
    )
    starts = sorted({t for rows in changes.values() for t in rows})

    def at(statistic_id: str, t: float) -> float:
        return changes.get(statistic_id, {}).get(t, 0.0)

    buckets = [
        {key: at(statistic_id, t) for key, statistic_id in STATS.items()}
        | {"solar": at(SOLAR, t) + at(FUEL_CELL, t)}
        for t in starts
    ]
    totals = {statistic_id: sum(rows.values()) for statistic_id, rows in changes.items()}
    return Dashboard(buckets), totals


def _prefs(hass: HomeAssistant, entry: Any) -> dict[str, Any]:
    return {
        "energy_sources": [
            {
                "type": "grid",
                "flow_from": [
                    {
                        "stat_energy_from": GRID_IN,
                        "stat_cost": None,
                        "entity_energy_price": entity_id(hass, entry, "electricity_price"),
                        "number_energy_price": None,
                    }
                ],
                "flow_to": [
                    {
                        "stat_energy_to": GRID_OUT,
                        "stat_compensation": None,
                        "entity_energy_price": entity_id(hass, entry, "sale_price"),
                        "number_energy_price": None,
                    }
                ],
                "cost_adjustment_day": 0,
            },
            {"type": "solar", "stat_energy_from": SOLAR, "config_entry_solar_forecast": None},
            {"type": "solar", "stat_energy_from": FUEL_CELL, "config_entry_solar_forecast": None},
            {"type": "battery", "stat_energy_from": DISCHARGED, "stat_energy_to": CHARGED},
        ],
        "device_consumption": [],
    }


def _set(hass: HomeAssistant, values: Mapping[str, float]) -> None:
    for statistic_id, kwh in values.items():
        hass.states.async_set(statistic_id, f"{kwh:.3f}", ENERGY)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: object, enable_custom_integrations: None
) -> None:
    """The recorder must start before hass (this replaces the package's autouse fixture)."""


def _off_by(ours: float, theirs: float) -> float:
    """Percent difference (of theirs)."""
    return abs(ours - theirs) / abs(theirs) * 100 if theirs else abs(ours) * 100


async def _run_house_until(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    house: House,
    runtime: HomeRuntime,
    end: datetime,
) -> None:
    """The house's readings every 5 minutes from the first day to ``end``, with the recorder's
    statistics compiled as they go."""
    moment = FIRST_DAY - STEP
    while moment < end:
        moment += STEP
        # Readings a second before every 5-minute boundary: Home Assistant's statistics put a
        # change in the 5 minutes in which it was read, the ledger spreads it over the time
        # since the last reading (the same unless a reading falls on a day's boundary).
        freezer.move_to(moment - timedelta(seconds=1))
        house.step((moment - timedelta(seconds=1) - house.clock.now()).total_seconds())
        _set(hass, readings(house))
        await hass.async_block_till_done()
        # The price entities follow the clock after the readings (priced in the slot they were
        # measured in, as the ledger does).
        freezer.move_to(moment + timedelta(seconds=1))
        await runtime.coordinator.async_refresh()
        await hass.async_block_till_done()
        do_adhoc_statistics(hass, start=(moment - STEP).astimezone(UTC))
        if moment.minute == 0:
            await async_wait_recording_done(hass)
    await async_wait_recording_done(hass)
    freezer.move_to(end - timedelta(seconds=30))
    await runtime.coordinator.async_refresh()
    await hass.async_block_till_done()


async def _home_assistants_figures(
    hass: HomeAssistant, end: datetime
) -> tuple[dict[str, float], dict[str, float]]:
    """Home Assistant's figures for the keys it has, and today's dashboard totals."""
    today, today_totals = await dashboard(hass, end - timedelta(days=1), end, "hour")
    month, month_totals = await dashboard(hass, FIRST_DAY, end, "day")
    theirs = {
        "house_energy_today": today.used_total,
        "house_energy_month": month.used_total,
        "self_sufficiency_today": today.self_sufficiency,
        "self_sufficiency_month": month.self_sufficiency,
        "self_consumption_today": today.solar_consumed,
        "self_consumption_month": month.solar_consumed,
    }
    # The cost and compensation: Home Assistant's own cost sensors, made from the grid sources'
    # prices in the energy preferences written above.  Home Assistant 2026.10's energy
    # integration ("unified grid format") does not make them from those preferences; there the
    # money figures are compared on the 2026.2 lane only (noted in the README).
    if f"{GRID_IN}_cost" in today_totals:
        theirs |= {
            "purchase_cost_today": today_totals[f"{GRID_IN}_cost"],
            "purchase_cost_month": month_totals[f"{GRID_IN}_cost"],
            "sale_revenue_today": today_totals[f"{GRID_OUT}_compensation"],
            "sale_revenue_month": month_totals[f"{GRID_OUT}_compensation"],
        }
    else:
        assert AwesomeVersion(HA_VERSION) >= AwesomeVersion("2026.3"), "cost sensors missing"
    return theirs, today_totals


async def test_figures_agree_with_home_assistant(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Today's and this month's house consumption, self-sufficiency, self-consumption,
    purchase cost and sale revenue equal Home Assistant's within 1 %."""
    await hass.config.async_set_time_zone("Asia/Tokyo")
    begin = FIRST_DAY - timedelta(seconds=1)
    house = House("house", tick_interval=0, start=begin, history_days=1)
    freezer.move_to(begin)
    _set(hass, readings(house))
    entry = await setup_energy(
        hass, energy_entry(TARIFF, **{OPT_AUTO_SOURCES: False, OPT_SOURCES: SOURCES})
    )
    runtime = runtime_of(entry)
    assert await async_setup_component(hass, "energy", {})
    manager = await async_get_manager(hass)
    await manager.async_update(_prefs(hass, entry))  # type: ignore[arg-type]
    await hass.async_block_till_done()
    end = FIRST_DAY + timedelta(days=DAYS)
    await _run_house_until(hass, freezer, house, runtime, end)
    theirs, today_totals = await _home_assistants_figures(hass, end)
    ours = {key: value(hass, entity_id(hass, entry, key)) for key in _KEYS}
    report = {
        key: (ours[key], round(theirs[key], 3), _off_by(ours[key], theirs[key]))
        for key in _KEYS
        if key in theirs
    }
    print("agreement (ours, Home Assistant's, % off):")
    for key, row in report.items():
        print(f"  {key}: {row[0]} {row[1]} {row[2]:.3f} %")
    assert today_totals[GRID_OUT] > 0.5 and today_totals[SOLAR] > 1  # a day with export
    assert all(row[2] <= 1.0 for row in report.values()), report


_KEYS = (
    "house_energy_today",
    "house_energy_month",
    "self_sufficiency_today",
    "self_sufficiency_month",
    "self_consumption_today",
    "self_consumption_month",
    "purchase_cost_today",
    "purchase_cost_month",
    "sale_revenue_today",
    "sale_revenue_month",
)
