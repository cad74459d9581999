"""Home Assistant's Energy dashboard validation accepts the energy entry's sensors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.energy.data import async_get_manager
from homeassistant.components.energy.validate import async_validate
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
)

from custom_components.hems.home.settings import OPT_AUTO_SOURCES, OPT_SOURCES

from .test_energy_costs import ENERGY, TOU
from .test_energy_support import energy_entry, entity_id, runtime_of, setup_energy, value

JST = ZoneInfo("Asia/Tokyo")
#: 10:00 on a June day: the dashboard tests start here.
START = datetime(2026, 6, 10, 10, 0, tzinfo=JST)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: object, enable_custom_integrations: None
) -> None:
    """The recorder must start before hass (this replaces the package's autouse fixture)."""


GAS = {"device_class": "gas", "unit_of_measurement": "m³", "state_class": "total_increasing"}
WATER = {"device_class": "water", "unit_of_measurement": "m³", "state_class": "total_increasing"}


#: The meters the energy entry is given by hand.
SOURCES = {
    "purchase": ["sensor.meter_import"],
    "sale": ["sensor.meter_export"],
    "gas": ["sensor.gas_meter"],
    "water": ["sensor.water_meter"],
}


def _read_meters(hass: HomeAssistant, imported: str, exported: str, gas: str, water: str) -> None:
    """The grid meter's two counters, the gas and the water meter read these values."""
    hass.states.async_set("sensor.meter_import", imported, ENERGY)
    hass.states.async_set("sensor.meter_export", exported, ENERGY)
    hass.states.async_set("sensor.gas_meter", gas, GAS)
    hass.states.async_set("sensor.water_meter", water, WATER)


def _preferences(ours: Callable[[str], str]) -> dict[str, Any]:
    """Energy dashboard settings that use the entry's prices, costs and consumption."""
    return {
        "energy_sources": [
            {
                "type": "grid",
                "flow_from": [
                    {
                        "stat_energy_from": "sensor.meter_import",
                        "stat_cost": None,
                        "entity_energy_price": ours("electricity_price"),
                        "number_energy_price": None,
                    },
                    {
                        "stat_energy_from": ours("house_energy_today"),
                        "stat_cost": ours("purchase_cost_today"),
                        "entity_energy_price": None,
                        "number_energy_price": None,
                    },
                ],
                "flow_to": [
                    {
                        "stat_energy_to": "sensor.meter_export",
                        "stat_compensation": None,
                        "entity_energy_price": ours("sale_price"),
                        "number_energy_price": None,
                    }
                ],
                "cost_adjustment_day": 0,
            },
            {
                "type": "gas",
                "stat_energy_from": "sensor.gas_meter",
                "stat_cost": ours("gas_cost_month"),
                "entity_energy_price": None,
                "number_energy_price": None,
            },
            {
                "type": "water",
                "stat_energy_from": "sensor.water_meter",
                "stat_cost": ours("water_cost_month"),
                "entity_energy_price": None,
                "number_energy_price": None,
            },
        ],
        "device_consumption": [{"stat_consumption": ours("house_energy_month")}],
    }


async def _compile_first_minutes(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    read: Callable[[], None],
) -> None:
    """At 10:03 the meters read (``read``) and the entry's figures follow; at 10:06 the
    recorder compiles 10:00-10:05."""
    freezer.move_to(START + timedelta(minutes=3))
    read()
    await hass.async_block_till_done()
    await runtime_of(entry).coordinator.async_refresh()
    await async_wait_recording_done(hass)
    freezer.move_to(START + timedelta(minutes=6))
    do_adhoc_statistics(hass, start=START.astimezone(UTC))
    await async_wait_recording_done(hass)


async def _dashboard_issues(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, preferences: dict[str, Any]
) -> list[Any]:
    """The Energy dashboard set to ``preferences``, 10:05-10:10 compiled at 10:11: what its
    validation finds wrong with the sources and the devices."""
    assert await async_setup_component(hass, "energy", {})
    manager = await async_get_manager(hass)
    await manager.async_update(preferences)
    await hass.async_block_till_done()
    freezer.move_to(START + timedelta(minutes=11))
    do_adhoc_statistics(hass, start=(START + timedelta(minutes=5)).astimezone(UTC))
    await async_wait_recording_done(hass)
    result = (await async_validate(hass)).as_dict()
    return [
        issue
        for group in ("energy_sources", "device_consumption")
        for source in result[group]
        for issue in source
    ]


async def test_energy_dashboard_validation(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Price entities, cost and consumption sensors pass the Energy dashboard's checks."""
    await hass.config.async_set_time_zone("Asia/Tokyo")
    freezer.move_to(START + timedelta(minutes=1))
    _read_meters(hass, "100", "50", "10", "20")
    tariff = {**TOU, "water": {"unit_price": "250"}, "gas": {"unit_price": "180"}}
    entry = await setup_energy(
        hass,
        energy_entry(
            tariff,
            **{OPT_AUTO_SOURCES: False, OPT_SOURCES: SOURCES},
        ),
    )
    await _compile_first_minutes(
        hass, freezer, entry, lambda: _read_meters(hass, "101", "50.5", "10.1", "20.2")
    )

    def ours(key: str) -> str:
        return entity_id(hass, entry, key)

    issues = await _dashboard_issues(hass, freezer, _preferences(ours))
    assert issues == [], issues
    assert float(hass.states.get(ours("gas_cost_month")).state) == 18


async def test_the_recorder_does_not_log_every_statement(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """The test plugin turns SQLAlchemy's statement log on (INFO); tests/conftest.py turns it
    off again, so the recorder's SQL does not flood the test logs."""
    hass.states.async_set("sensor.anything", "1", GAS)
    await async_wait_recording_done(hass)
    records = [*caplog.get_records("setup"), *caplog.get_records("call")]
    assert records  # the log is captured ...
    assert not [r for r in records if r.name.startswith("sqlalchemy")]  # ... without SQL


def _full_feed_in_preferences(ours: Callable[[str], str]) -> dict[str, Any]:
    """Full feed-in as the README sets it up: the solar's counter is the grid return (at the
    sale price entity) and the solar source."""
    return {
        "energy_sources": [
            {
                "type": "grid",
                "flow_from": [
                    {
                        "stat_energy_from": "sensor.meter_import",
                        "stat_cost": None,
                        "entity_energy_price": ours("electricity_price"),
                        "number_energy_price": None,
                    }
                ],
                "flow_to": [
                    {
                        "stat_energy_to": "sensor.solar_energy",
                        "stat_compensation": None,
                        "entity_energy_price": ours("sale_price"),
                        "number_energy_price": None,
                    }
                ],
                "cost_adjustment_day": 0,
            },
            {
                "type": "solar",
                "stat_energy_from": "sensor.solar_energy",
                "config_entry_solar_forecast": None,
            },
        ],
        "device_consumption": [],
    }


async def test_full_feed_in_configuration_passes_validation(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Full feed-in (全量買取) as the README sets it up: grid return = the solar's counter at
    the sale price entity, and the same counter as the solar source; Home Assistant's checks
    accept it."""
    await hass.config.async_set_time_zone("Asia/Tokyo")
    freezer.move_to(START + timedelta(minutes=1))
    hass.states.async_set("sensor.meter_import", "100", ENERGY)
    hass.states.async_set("sensor.solar_energy", "500", ENERGY)
    tariff = {**TOU, "sale": {"price": "40", "scheme": "full"}}
    entry = await setup_energy(
        hass,
        energy_entry(
            tariff,
            **{
                OPT_AUTO_SOURCES: False,
                OPT_SOURCES: {
                    "purchase": ["sensor.meter_import"],
                    "sale": ["sensor.solar_energy"],
                    "generation": ["sensor.solar_energy"],
                },
            },
        ),
    )

    def read() -> None:
        hass.states.async_set("sensor.meter_import", "101", ENERGY)
        hass.states.async_set("sensor.solar_energy", "501", ENERGY)

    await _compile_first_minutes(hass, freezer, entry, read)

    def ours(key: str) -> str:
        return entity_id(hass, entry, key)

    issues = await _dashboard_issues(hass, freezer, _full_feed_in_preferences(ours))
    assert issues == [], issues
    assert value(hass, ours("sale_energy_today")) == 1
    assert value(hass, ours("sale_revenue_today")) == 40
