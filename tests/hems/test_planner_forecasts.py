"""The planner's forecasts in Home Assistant: the weather entity, the house's own history and
the solar forecast providers (failing or odd ones)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall, SupportsResponse
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    mock_integration,
    mock_platform,
)

from custom_components.hems.energy import Ledger, Slot
from custom_components.hems.energy.planner import SLOT
from custom_components.hems.home.planner import forecasts
from simulator.weather import Weather

from .planner_setup import DAY, Provider, add_provider, frozen

#: Fixtures of the setup module that this module's tests use.
FIXTURES = (frozen,)

#: The planner's horizon in the tests: 48 hours of slots from 06:00.
START = DAY + timedelta(hours=6)
STARTS = [START + i * SLOT for i in range(96)]


def _offer_hourly_forecast(hass: HomeAssistant) -> None:
    """The weather entity's ``get_forecasts`` action (the demo integration's kind): rain for
    12 hours from 08:00, then sun, for 40 hours."""
    hours = [
        {
            "datetime": (START + timedelta(hours=2 + h)).isoformat(),
            "condition": "rainy" if h < 12 else "sunny",
            "temperature": 10.0 + h % 10,
        }
        for h in range(40)
    ]

    async def get_forecasts(call: ServiceCall) -> dict[str, Any]:
        entity = call.data["entity_id"]
        return {entity if isinstance(entity, str) else entity[0]: {"forecast": hours}}

    hass.services.async_register(
        "weather", "get_forecasts", get_forecasts, supports_response=SupportsResponse.ONLY
    )
    hass.states.async_set("weather.home", "cloudy", {"temperature": 12.0})


async def test_weather_entity_forecast(hass: HomeAssistant, frozen: FrozenDateTimeFactory) -> None:
    """The weather entity's hourly forecast, or the weather now when it has none."""
    await hass.config.async_set_time_zone("Asia/Tokyo")
    # A weather entity without the forecast action: the weather now for today, no more.
    hass.states.async_set("weather.home", "cloudy", {"temperature": 12.0})
    conditions, temperatures = await forecasts.async_weather(hass, "weather.home", STARTS)
    assert conditions[0] == "cloudy" and conditions[-1] is None
    assert temperatures == [12.0] * 96
    _offer_hourly_forecast(hass)
    conditions, temperatures = await forecasts.async_weather(hass, "weather.home", STARTS)
    # Before the forecast's first hour: the weather now (today only); after its last: unknown.
    assert conditions[0] == "cloudy" and conditions[4] == "rainy" and conditions[-1] is None
    assert temperatures[0] == 12.0 and temperatures[4] == 10.0 and temperatures[-1] == 12.0
    assert await forecasts.async_weather(hass, None, STARTS) == ([None] * 96, [None] * 96)
    assert await forecasts.async_weather(hass, "weather.gone", STARTS) == (
        [None] * 96,
        [None] * 96,
    )


async def test_forecast_from_history(hass: HomeAssistant, frozen: FrozenDateTimeFactory) -> None:
    """Without a provider: the house's generation history under the weather entity's hourly
    forecast; the load learned from the ledger."""
    await hass.config.async_set_time_zone("Asia/Tokyo")
    hass.config.latitude, hass.config.longitude = 35.68, 139.69
    _offer_hourly_forecast(hass)
    conditions, _ = await forecasts.async_weather(hass, "weather.home", STARTS)
    # A ledger with three sunny days of generation and consumption.
    ledger = Ledger("Asia/Tokyo")
    assert forecasts.history_solar(hass, ledger, STARTS, conditions) is None
    assert forecasts.load_forecast(ledger, STARTS, [15.0] * 96)[1] == "typical"
    # A few slots: their mean; a complete day without generation: no solar forecast.
    for index in range(48):
        ledger.add_slot(Slot.make(DAY - timedelta(days=5) + index * SLOT, purchase=0.5))
    assert forecasts.history_solar(hass, ledger, STARTS, conditions) is None
    partial = Ledger("Asia/Tokyo")
    partial.add_slot(Slot.make(DAY - timedelta(days=5), purchase=0.5))
    assert forecasts.load_forecast(partial, STARTS, [15.0] * 96) == ([0.5] * 96, "recent")
    weather = Weather(1)
    for day in range(4):
        for index in range(48):
            when = DAY - timedelta(days=4 - day) + index * SLOT
            sun = sum(4500 * weather.sun(when.timestamp() + 60 * m) for m in range(30)) / 60000
            ledger.add_slot(Slot.make(when, purchase=0.4, generation=round(sun, 3), sale=0))
    solar = forecasts.history_solar(hass, ledger, STARTS, conditions)
    assert solar is not None
    assert sum(solar[:24]) < sum(solar[48:72])  # rain in the morning, sun tomorrow
    load, source = forecasts.load_forecast(ledger, STARTS, [15.0] * 96)
    assert source == "learned" and load[0] > 0


async def test_failing_and_odd_providers(
    hass: HomeAssistant, frozen: FrozenDateTimeFactory
) -> None:
    """A provider that fails, or whose values are unusable, is a forecast loss."""
    await hass.config.async_set_time_zone("Asia/Tokyo")
    # A provider that raises, one without energy platform, a config entry that is gone.
    mock_integration(hass, MockModule("broken_solar"))

    async def broken(hass: HomeAssistant, entry_id: str) -> None:
        raise RuntimeError("cloud down")

    mock_platform(hass, "broken_solar.energy", SimpleNamespace(async_get_solar_forecast=broken))
    assert await async_setup_component(hass, "broken_solar", {})
    entry = MockConfigEntry(domain="broken_solar")
    entry.add_to_hass(hass)
    other = MockConfigEntry(domain="hems_not_a_provider")
    other.add_to_hass(hass)
    assert await forecasts.async_provider_solar(hass, entry.entry_id, STARTS) is None
    assert await forecasts.async_provider_solar(hass, other.entry_id, STARTS) is None
    assert await forecasts.async_provider_solar(hass, "gone", STARTS) is None
    # A provider whose values are all unusable (no time, negative, not a number) or far away.
    odd = Provider()
    odd_entry = await add_provider(hass, odd, "odd_solar")
    odd.fixed = {"wh_hours": {"noon": 5, START.isoformat(): -1, "2026-05-22T12:00:00": "x"}}
    assert await forecasts.async_provider_solar(hass, odd_entry.entry_id, STARTS) is None
    odd.fixed = {"wh_hours": {"2020-01-01T12:00:00": 100}}
    assert await forecasts.async_provider_solar(hass, odd_entry.entry_id, STARTS) is None
    odd.fixed = {"wh_hours": {(START + timedelta(hours=1)).replace(tzinfo=None).isoformat(): 800}}
    slots = await forecasts.async_provider_solar(hass, odd_entry.entry_id, STARTS)
    assert slots is not None and slots[2] == pytest.approx(0.4) and slots[0] is None
    # Odd periods: an empty span, values that are not numbers, naive times (local).
    spread = forecasts.spread_hours(
        {START: 1000.0, START + timedelta(hours=1): 500.0}, [START, START + SLOT * 3]
    )
    assert spread == [pytest.approx(0.5), pytest.approx(0.25)]
