"""The planner tests' house, solar forecast provider, frozen clock and setup (hub, provider,
energy entry in dry run), and the day's cost as the smart meter measured it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory, real_monotonic
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    mock_integration,
    mock_platform,
)

from custom_components.hems.echonet.controller import Controller
from custom_components.hems.energy import SalePlan, preset_tariff
from custom_components.hems.energy.planner import SLOT, TariffPrices
from custom_components.hems.home.planner.runtime import HomePlanner
from custom_components.hems.home.settings import (
    OPT_BATTERY_RESERVE,
    OPT_SOLAR_FORECAST,
)
from custom_components.hems.hub import KIND as HUB
from custom_components.hems.kinds import runtime_of as kind_runtime
from simulator.behaviours import Battery, EvCharger, WaterHeater
from simulator.house import House
from simulator.weather import Weather

from .conftest import HouseFactory, setup_hub
from .platform_helpers import discovery_of
from .test_energy_support import energy_entry, runtime_of, setup_energy

JST = ZoneInfo("Asia/Tokyo")
#: A sunny day in May: 29 kWh of sun on the 4.5 kW roof.
DAY = datetime(2026, 5, 22, tzinfo=JST)
TARIFF = replace(preset_tariff("smart_life"), sale=SalePlan.flat(8))
"""Night-cheap time of use (01:00-06:00 at 31.8 yen/kWh, 39.7 otherwise), 卒FIT 8 yen/kWh."""


def solar_forecast(weather: Weather, peak_w: float, start: datetime, hours: int) -> dict[str, Any]:
    """Wh per hour of the simulated roof: the simulator's own weather (a perfect forecast),
    in the shape every energy platform gives (``wh_hours``)."""
    out: dict[str, float] = {}
    for hour in range(hours):
        begin = start + timedelta(hours=hour)
        ts = begin.timestamp()
        out[begin.isoformat()] = sum(peak_w * weather.sun(ts + 60 * m + 30) for m in range(60)) / 60
    return {"wh_hours": out}


@dataclass
class Provider:
    """A solar forecast provider (an integration with an energy platform), in the test."""

    house: House | None = None
    lost: bool = False
    calls: int = 0
    fixed: dict[str, Any] | None = None

    async def async_get_solar_forecast(
        self, hass: HomeAssistant, config_entry_id: str
    ) -> dict[str, Any] | None:
        self.calls += 1
        if self.fixed is not None:
            return self.fixed
        if self.lost or self.house is None:
            return None
        peak = self.house.obj("solar").behaviour
        now = self.house.clock.now().replace(minute=0, second=0, microsecond=0)
        return solar_forecast(self.house.weather, peak.peak_w, now, 50)  # type: ignore[union-attr]


async def add_provider(
    hass: HomeAssistant, provider: Provider, domain: str = "sim_solar"
) -> MockConfigEntry:
    """Install the provider as the integration ``domain`` and add its config entry."""
    mock_integration(hass, MockModule(domain))
    mock_platform(
        hass,
        f"{domain}.energy",
        SimpleNamespace(async_get_solar_forecast=provider.async_get_solar_forecast),
    )
    assert await async_setup_component(hass, domain, {})
    entry = MockConfigEntry(domain=domain, title="Simulated roof")
    entry.add_to_hass(hass)
    return entry


def day_cost(house: House, start: datetime, end: datetime) -> float:
    """Purchases minus sales of ``[start, end)`` measured by the smart meter, in yen."""
    assert house.meter is not None
    prices = TariffPrices(TARIFF)
    total = 0.0
    when = start
    while when < end:
        first, last = house.meter.boundary_kwh(when), house.meter.boundary_kwh(when + SLOT)
        assert first is not None and last is not None, when
        bought, sold = last[0] - first[0], last[1] - first[1]
        total += bought * prices.purchase_price(when) - sold * prices.sale_price(when)
        when += SLOT
    return total


def stored_kwh(house: House) -> dict[str, float]:
    """Energy kept in the battery, the car and the tank (electric kWh for the tank)."""
    battery = house.obj("battery").behaviour
    car = house.obj("v2h").behaviour
    tank = house.obj("ecocute").behaviour
    assert isinstance(battery, Battery)
    assert isinstance(car, EvCharger)
    assert isinstance(tank, WaterHeater)
    return {
        "battery": battery.soc / 100 * battery.capacity_wh / 1000,
        "car": car.car_kwh,
        "tank": tank.heat_kwh / WaterHeater.cop(20.0),
    }


def start_house_args() -> dict[str, Any]:
    return {"start": DAY, "speed": 1e-9}


@pytest.fixture
async def frozen(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FrozenDateTimeFactory]:
    """Home Assistant's clock at the start of the day, moved only by the test; the event loop
    keeps real time (UDP timeouts stay real)."""
    monkeypatch.setattr(asyncio.get_running_loop(), "time", real_monotonic)
    with freeze_time(DAY + timedelta(seconds=5)) as freezer:
        yield freezer


@dataclass
class Setup:
    house: House
    hub: MockConfigEntry
    energy: MockConfigEntry
    planner: HomePlanner
    provider: Provider


@pytest.fixture
async def setup(
    hass: HomeAssistant, make_house: HouseFactory, frozen: FrozenDateTimeFactory
) -> AsyncIterator[Setup]:
    """The house, a hub for it, the provider and the energy entry (dry run)."""
    await hass.config.async_set_time_zone("Asia/Tokyo")
    house = await make_house(**start_house_args())
    with patch.object(Controller, "async_discover", discovery_of(len(house.nodes))):
        hub = await setup_hub(hass)
    kind_runtime(hub, HUB).controller.timeout = 0.5
    provider = Provider(house)
    solar = await add_provider(hass, provider)
    energy = await setup_energy(
        hass,
        energy_entry(
            TARIFF.to_dict(),
            **{OPT_SOLAR_FORECAST: solar.entry_id, OPT_BATTERY_RESERVE: 30},
        ),
    )
    yield Setup(house, hub, energy, runtime_of(energy).planner, provider)


async def run_slot(hass: HomeAssistant, setup: Setup, freezer: FrozenDateTimeFactory) -> None:
    """Plan at the start of the slot, then let the house live its 30 minutes."""
    await setup.planner.async_replan("slot")
    for _ in range(3):
        freezer.tick(600)
        setup.house.step(600)
        await hass.async_block_till_done()
