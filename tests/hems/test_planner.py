"""The planner in a real Home Assistant against the virtual house (battery, EcoCute, V2H).

The day test drives the planner's cycle slot by slot: at the start of each 30-minute slot the
planner reads the devices over ECHONET Lite, plans and (active) commands them; then the
simulated house runs the 30 minutes with those settings (its battery, tank and car move by
the physics of the simulator) while Home Assistant's clock moves by the same 30 minutes.  The
cost of the day is the smart meter's measured purchase and sale per slot at the tariff's prices;
"the same day without the planner" is the same house, weather and family with the devices in
their own automatic modes.  The simulator's clock stands still between steps (no wall clock in
the comparison).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import pairwise
import json
from types import SimpleNamespace
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory, real_monotonic
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    mock_integration,
    mock_platform,
)

from custom_components.hems.const import DOMAIN
from custom_components.hems.echonet.controller import Controller
from custom_components.hems.energy import SalePlan, Slot, preset_tariff
from custom_components.hems.energy.planner import SLOT, TariffPrices
from custom_components.hems.home.planner.runtime import HomePlanner, PlannerMode
from custom_components.hems.home.settings import (
    OPT_BATTERY_RESERVE,
    OPT_SOLAR_FORECAST,
    OPT_WARNING_ENTITY,
)
from custom_components.hems.hub import KIND as HUB
from custom_components.hems.kinds import runtime_of as kind_runtime
from simulator.behaviours import Battery, EvCharger, WaterHeater
from simulator.house import House
from simulator.weather import Weather

from .conftest import HouseFactory, setup_hub
from .platform_helpers import discovery_of
from .test_energy_support import energy_entry, entity_id, runtime_of, setup_energy

JST = ZoneInfo("Asia/Tokyo")
#: A sunny day in May: 29 kWh of sun on the 4.5 kW roof.
DAY = datetime(2026, 5, 22, tzinfo=JST)
TARIFF = replace(preset_tariff("smart_life"), sale=SalePlan.flat(8))
"""Night-cheap time of use (01:00-06:00 at 31.8 yen/kWh, 39.7 otherwise), 卒FIT 8 yen/kWh."""


# ----------------------------------------------------------------------------- helpers


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


def _start_house_args() -> dict[str, Any]:
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
    house = await make_house(**_start_house_args())
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


# ----------------------------------------------------------------------------- the day


async def test_a_day_with_the_planner_is_cheaper(
    hass: HomeAssistant, setup: Setup, frozen: FrozenDateTimeFactory
) -> None:
    """A whole day with the planner active costs less than the same day without it.

    Without it: the same house (weather, family, devices) stepped through the day by itself,
    every device in its own automatic mode.  Both days end with different energy stored in
    the battery, the car and the tank; it is valued at the night price (what refilling it
    would cost), so that charging for tomorrow is not counted as a saving today.
    """
    baseline = House("house", start=DAY, speed=1e-9, tick_interval=0)
    await baseline.start(announce=False, serve=False)
    try:
        stored_before = stored_kwh(baseline)
        for _ in range(48 * 3):
            baseline.step(600)
        end = DAY + timedelta(days=1)
        cost_without = day_cost(baseline, DAY, end)
        stored_without = stored_kwh(baseline)
    finally:
        await baseline.stop()
    assert stored_kwh(setup.house) == pytest.approx(stored_before)

    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": entity_id(hass, setup.energy, "planner_mode", "select"), "option": "active"},
        blocking=True,
    )
    assert setup.planner.mode is PlannerMode.ACTIVE
    battery = setup.house.obj("battery")
    tank = setup.house.obj("ecocute")
    socs: list[float] = []
    tank_heat: list[float] = []
    reasons: set[str] = set()
    while setup.house.clock.now() < DAY + timedelta(days=1) - timedelta(minutes=1):
        await run_slot(hass, setup, frozen)
        socs.append(battery.behaviour.soc)  # type: ignore[union-attr]
        tank_heat.append(tank.behaviour.heat_kwh)  # type: ignore[union-attr]
        state = hass.states.get(entity_id(hass, setup.energy, "planner_next_action"))
        assert state is not None
        reasons.add(state.attributes["reason_code"])
    cost_with = day_cost(setup.house, DAY, DAY + timedelta(days=1))
    stored_with = stored_kwh(setup.house)
    night = TariffPrices(TARIFF).purchase_price(DAY + timedelta(hours=2))
    value_without = sum(stored_without.values()) * night
    value_with = sum(stored_with.values()) * night
    net_without = cost_without - value_without
    net_with = cost_with - value_with
    print(  # the figures, for the report (pytest -s)
        f"without: {cost_without:.0f} yen, stored {stored_without}; "
        f"with: {cost_with:.0f} yen, stored {stored_with}; "
        f"net {net_without:.0f} -> {net_with:.0f} yen"
    )
    assert net_with < net_without - 20, (net_with, net_without)
    # The devices really followed: the battery charged and discharged, the tank boiled by day.
    assert max(socs) - min(socs) > 20
    assert min(socs) >= 30 - 1  # never below the reserve
    noon = tank_heat[24:30]
    assert max(b - a for a, b in pairwise(noon)) > 0.5
    assert reasons & {"battery_charge_cheap", "boil_surplus", "battery_store_surplus"}
    saving = hass.states.get(entity_id(hass, setup.energy, "planner_saving_today"))
    assert saving is not None and saving.state not in ("unknown", "unavailable")
    assert not ir.async_get(hass).issues


async def test_dry_run_commands_nothing(
    hass: HomeAssistant, setup: Setup, frozen: FrozenDateTimeFactory
) -> None:
    """Dry run (the default) plans and explains but never sets a property of a device."""
    planner = setup.planner
    assert planner.mode is PlannerMode.DRY_RUN
    controller = kind_runtime(setup.hub, HUB).controller
    before = {str(obj.eoj): obj.stats.sets for obj in controller.objects()}
    for _ in range(4):
        await run_slot(hass, setup, frozen)
    assert planner.state.plan is not None
    assert planner.state.commanded == {}
    assert {str(obj.eoj): obj.stats.sets for obj in controller.objects()} == before
    state = hass.states.get(entity_id(hass, setup.energy, "planner_next_action"))
    assert state is not None and state.state in (
        "battery_charge",
        "battery_discharge",
        "battery_hold",
        "water_heater_boil",
        "ev_charge",
        "idle",
    )
    assert state.attributes["mode"] == "dry_run"
    assert state.attributes["reason"]
    plan = state.attributes["plan"]
    assert 0 < len(plan) <= 48
    assert set(plan[0]) == {"slot", "action", "soc", "reason"}
    assert setup.provider.calls >= 4


async def test_refusal_falls_back_to_automatic(
    hass: HomeAssistant, setup: Setup, frozen: FrozenDateTimeFactory
) -> None:
    """An EcoCute that refuses the daytime shift (energy shift participation, 0xC7) is left in
    its automatic mode, and the refusal is reported (repair issue, notice event, the next
    action's reason); once it takes commands again the issue goes away."""
    notices: list[Event] = []
    hass.bus.async_listen("hems_notice", notices.append)
    node = setup.house.node("ecocute")
    node.quirks.set(refuse_set={0xC7})
    planner = setup.planner
    await planner.async_set_mode(PlannerMode.ACTIVE)
    await run_slot(hass, setup, frozen)
    assert planner.state.refusals, planner.state.commanded
    assert planner.state.commanded["water_heater"]["refused"]
    tank = setup.house.obj("ecocute")
    assert tank.values[0xB0] == b"\x41"  # automatic
    assert tank.values[0xC7] == b"\x00"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "planner_refused_water_heater")
    assert issue is not None and issue.translation_key == "planner_refused"
    assert any(e.data["type"] == "planner_refused" for e in notices)
    state = hass.states.get(entity_id(hass, setup.energy, "planner_next_action"))
    assert state is not None
    assert state.state == "automatic"
    assert state.attributes["reason_code"] == "device_refused"
    assert "Electric water heater" in state.attributes["reason"]
    assert planner.diagnostics()["refusals"][0]["device"] == "water_heater"
    # The battery was commanded all the same.
    assert setup.house.obj("battery").values[0xA7] == bytes((30,))
    node.quirks.set(refuse_set=set())
    await run_slot(hass, setup, frozen)
    assert not planner.state.refusals
    assert tank.values[0xC7] == b"\x01"
    assert ir.async_get(hass).async_get_issue(DOMAIN, "planner_refused_water_heater") is None


async def test_forecast_loss_falls_back(
    hass: HomeAssistant, setup: Setup, frozen: FrozenDateTimeFactory
) -> None:
    """When the provider has nothing (and the house has no generation history yet), the plan
    is the devices' own automatic modes, with the reason."""
    planner = setup.planner
    await planner.async_set_mode(PlannerMode.ACTIVE)
    await run_slot(hass, setup, frozen)
    assert planner.state.plan is not None and planner.state.plan.fallback is None
    setup.provider.lost = True
    await run_slot(hass, setup, frozen)
    plan = planner.state.plan
    assert plan is not None and plan.fallback is not None
    assert plan.fallback.code.value == "fallback_no_forecast"
    assert setup.house.obj("battery").values[0xDA] == b"\x46"
    assert setup.house.obj("ecocute").values[0xB0] == b"\x41"
    assert setup.house.obj("v2h").values[0xDA] == b"\x49"
    state = hass.states.get(entity_id(hass, setup.energy, "planner_next_action"))
    assert state is not None and state.state == "automatic"
    assert state.attributes["reason_code"] == "fallback_no_forecast"
    diagnostics = planner.diagnostics()
    assert diagnostics["forecasts"]["solar_source"] == "none"
    assert diagnostics["forecasts"]["provider_answered"] is False
    # Once the ledger holds a day of generation, the house's own history is the forecast.
    ledger = runtime_of(setup.energy).ledger
    for index in range(48):
        when = DAY - timedelta(days=1) + index * SLOT
        ledger.add_slot(Slot.make(when, purchase=0.3, generation=1.0 if 18 <= index < 32 else 0))
    await run_slot(hass, setup, frozen)
    assert planner.state.forecasts is not None
    assert planner.state.forecasts.solar_source == "history"
    assert planner.state.plan is not None and planner.state.plan.fallback is None


async def test_keep_full_and_warning_sensor(
    hass: HomeAssistant, make_house: HouseFactory, frozen: FrozenDateTimeFactory
) -> None:
    """The weather-warning reserve: the switch by hand, or the chosen binary sensor."""
    await hass.config.async_set_time_zone("Asia/Tokyo")
    house = await make_house(**_start_house_args())
    with patch.object(Controller, "async_discover", discovery_of(len(house.nodes))):
        await setup_hub(hass)
    provider = Provider(house)
    solar = await add_provider(hass, provider)
    hass.states.async_set("binary_sensor.warning", "off")
    energy = await setup_energy(
        hass,
        energy_entry(
            TARIFF.to_dict(),
            **{OPT_SOLAR_FORECAST: solar.entry_id, OPT_WARNING_ENTITY: "binary_sensor.warning"},
        ),
    )
    planner = runtime_of(energy).planner
    switch = entity_id(hass, energy, "planner_keep_full", "switch")
    assert hass.states.get(switch).state == "off"
    await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    assert hass.states.get(switch).state == "on"
    assert planner.state.inputs is not None and planner.state.inputs.battery is not None
    assert planner.state.inputs.battery.keep_full
    assert planner.state.plan is not None
    assert planner.state.plan.decisions[0].code.value == "battery_reserve_kept"
    await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)
    assert not planner.state.inputs.battery.keep_full
    # The warning sensor turns on: re-planned with the battery kept full.
    hass.states.async_set("binary_sensor.warning", "on")
    await hass.async_block_till_done()
    assert planner.state.trigger == "warning"
    assert planner.state.inputs.battery.keep_full
    assert hass.states.get(switch).state == "on"
    assert hass.states.get(switch).attributes["warning_active"] is True
    # Only an attribute changes: nothing to re-plan.
    planner.state.trigger = "test"
    hass.states.async_set("binary_sensor.warning", "on", {"level": "red"})
    await hass.async_block_till_done()
    assert planner.state.trigger == "test"


# ----------------------------------------------------------------------------- options


async def test_options_step(hass: HomeAssistant, frozen: FrozenDateTimeFactory) -> None:
    """The planner's options step lists the solar forecast providers and stores the choices."""
    from homeassistant.data_entry_flow import FlowResultType

    from .test_energy_flow import OptionsDriver

    solar = await add_provider(hass, Provider())
    entry = await setup_energy(hass, energy_entry(TARIFF.to_dict()))
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert "planner" in result["menu_options"]
    flow = OptionsDriver(hass, result["flow_id"])
    form = await flow.open("planner")
    assert form["description_placeholders"] == {"providers": "1"}
    schema = form["data_schema"].schema
    options = next(v for k, v in schema.items() if k == OPT_SOLAR_FORECAST).config["options"]
    assert [o["value"] for o in options] == ["none", solar.entry_id]
    await flow.submit(
        {
            OPT_SOLAR_FORECAST: solar.entry_id,
            "weather": "weather.home",
            OPT_WARNING_ENTITY: "binary_sensor.warning",
            OPT_BATTERY_RESERVE: 40,
        }
    )
    form = await flow.open("planner")
    defaults = {str(k): k.default() for k in form["data_schema"].schema if callable(k.default)}
    assert defaults[OPT_SOLAR_FORECAST] == solar.entry_id
    assert defaults[OPT_BATTERY_RESERVE] == 40
    await flow.submit(
        {OPT_SOLAR_FORECAST: "none", "weather": "weather.home", OPT_BATTERY_RESERVE: 25}
    )
    result = await flow.submit({"next_step_id": "save"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options[OPT_SOLAR_FORECAST] is None
    assert entry.options["weather"] == "weather.home"
    assert entry.options[OPT_WARNING_ENTITY] is None
    assert entry.options[OPT_BATTERY_RESERVE] == 25
    planner = runtime_of(entry).planner
    assert planner.settings.battery_reserve == 0.25
    assert planner.settings.weather == "weather.home"


# ----------------------------------------------------------------------------- forecasts


async def test_forecast_from_history_and_weather(
    hass: HomeAssistant, frozen: FrozenDateTimeFactory
) -> None:
    """Without a provider: the house's generation history and the weather entity's hourly
    forecast; the load learned from the ledger; a provider that fails is a forecast loss."""
    from custom_components.hems.home.planner import forecasts

    await hass.config.async_set_time_zone("Asia/Tokyo")
    hass.config.latitude, hass.config.longitude = 35.68, 139.69
    start = DAY + timedelta(hours=6)
    starts = [start + i * SLOT for i in range(96)]
    # A weather entity without the forecast action: the weather now for today, no more.
    hass.states.async_set("weather.home", "cloudy", {"temperature": 12.0})
    conditions, temperatures = await forecasts.async_weather(hass, "weather.home", starts)
    assert conditions[0] == "cloudy" and conditions[-1] is None
    assert temperatures == [12.0] * 96
    # The weather entity (the demo integration's kind: a template-free test entity).
    hours = [
        {
            "datetime": (start + timedelta(hours=2 + h)).isoformat(),
            "condition": "rainy" if h < 12 else "sunny",
            "temperature": 10.0 + h % 10,
        }
        for h in range(40)
    ]

    async def get_forecasts(call: Any) -> dict[str, Any]:
        entity = call.data["entity_id"]
        return {entity if isinstance(entity, str) else entity[0]: {"forecast": hours}}

    from homeassistant.core import SupportsResponse

    hass.services.async_register(
        "weather", "get_forecasts", get_forecasts, supports_response=SupportsResponse.ONLY
    )
    hass.states.async_set("weather.home", "cloudy", {"temperature": 12.0})
    conditions, temperatures = await forecasts.async_weather(hass, "weather.home", starts)
    # Before the forecast's first hour: the weather now (today only); after its last: unknown.
    assert conditions[0] == "cloudy" and conditions[4] == "rainy" and conditions[-1] is None
    assert temperatures[0] == 12.0 and temperatures[4] == 10.0 and temperatures[-1] == 12.0
    assert await forecasts.async_weather(hass, None, starts) == ([None] * 96, [None] * 96)
    assert await forecasts.async_weather(hass, "weather.gone", starts) == (
        [None] * 96,
        [None] * 96,
    )
    # A ledger with three sunny days of generation and consumption.
    from custom_components.hems.energy import Ledger

    ledger = Ledger("Asia/Tokyo")
    assert forecasts.history_solar(hass, ledger, starts, conditions) is None
    assert forecasts.load_forecast(ledger, starts, [15.0] * 96)[1] == "typical"
    # A few slots: their mean; a complete day without generation: no solar forecast.
    for index in range(48):
        ledger.add_slot(Slot.make(DAY - timedelta(days=5) + index * SLOT, purchase=0.5))
    assert forecasts.history_solar(hass, ledger, starts, conditions) is None
    partial = Ledger("Asia/Tokyo")
    partial.add_slot(Slot.make(DAY - timedelta(days=5), purchase=0.5))
    assert forecasts.load_forecast(partial, starts, [15.0] * 96) == ([0.5] * 96, "recent")
    weather = Weather(1)
    for day in range(4):
        for index in range(48):
            when = DAY - timedelta(days=4 - day) + index * SLOT
            sun = sum(4500 * weather.sun(when.timestamp() + 60 * m) for m in range(30)) / 60000
            ledger.add_slot(Slot.make(when, purchase=0.4, generation=round(sun, 3), sale=0))
    solar = forecasts.history_solar(hass, ledger, starts, conditions)
    assert solar is not None
    assert sum(solar[:24]) < sum(solar[48:72])  # rain in the morning, sun tomorrow
    load, source = forecasts.load_forecast(ledger, starts, [15.0] * 96)
    assert source == "learned" and load[0] > 0
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
    assert await forecasts.async_provider_solar(hass, entry.entry_id, starts) is None
    assert await forecasts.async_provider_solar(hass, other.entry_id, starts) is None
    assert await forecasts.async_provider_solar(hass, "gone", starts) is None
    # A provider whose values are all unusable (no time, negative, not a number) or far away.
    odd = Provider()
    odd_entry = await add_provider(hass, odd, "odd_solar")
    odd.fixed = {"wh_hours": {"noon": 5, start.isoformat(): -1, "2026-05-22T12:00:00": "x"}}
    assert await forecasts.async_provider_solar(hass, odd_entry.entry_id, starts) is None
    odd.fixed = {"wh_hours": {"2020-01-01T12:00:00": 100}}
    assert await forecasts.async_provider_solar(hass, odd_entry.entry_id, starts) is None
    odd.fixed = {"wh_hours": {(start + timedelta(hours=1)).replace(tzinfo=None).isoformat(): 800}}
    slots = await forecasts.async_provider_solar(hass, odd_entry.entry_id, starts)
    assert slots is not None and slots[2] == pytest.approx(0.4) and slots[0] is None
    # Odd periods: an empty span, values that are not numbers, naive times (local).
    spread = forecasts.spread_hours(
        {start: 1000.0, start + timedelta(hours=1): 500.0}, [start, start + SLOT * 3]
    )
    assert spread == [pytest.approx(0.5), pytest.approx(0.25)]


# ----------------------------------------------------------------------------- devices


async def test_devices_read_and_commanded_within_limits(
    hass: HomeAssistant, setup: Setup, frozen: FrozenDateTimeFactory
) -> None:
    """The devices' values as the planner sees them, and commands clamped to their ranges."""
    from custom_components.hems.energy.planner import BatteryMode, Commands
    from custom_components.hems.home.planner import devices as dv

    found = dv.DeviceSet.find(hass)
    assert found.battery is not None and found.water_heater is not None and found.ev is not None
    for handle in found.handles:
        await handle.async_refresh()
    battery = dv.battery_model(found.battery, reserve=0.3, keep_full=False)
    assert battery is not None
    assert battery.capacity_kwh == pytest.approx(9.8)
    assert battery.max_charge_kw == pytest.approx(3.0)
    assert battery.reserve == pytest.approx(0.3)
    heater = dv.water_heater_model(found.water_heater, DAY)
    assert heater is not None and heater.max_input_kw == pytest.approx(4.5 / 3.2, abs=0.01)
    winter = dv.heat_pump_kw(found.water_heater.obj, DAY.replace(month=1))
    summer = dv.heat_pump_kw(found.water_heater.obj, DAY.replace(month=8))
    assert winter > summer
    ev = dv.ev_model(found.ev)
    assert ev is not None and ev.plugged and ev.capacity_kwh == pytest.approx(60, abs=1)
    # Charge: at most what the slot and the room allow; the power within the device's range.
    values = dv.battery_values(
        found.battery, battery, Commands(BatteryMode.CHARGE, battery_kwh=100.0)
    )
    assert int.from_bytes(values[0xE7], "big") == 1500
    assert int.from_bytes(values[0xEB], "big") == 3000
    assert values[0xDA] == b"\x42"
    values = dv.battery_values(found.battery, battery, Commands(BatteryMode.DISCHARGE, 0.4))
    assert int.from_bytes(values[0xE8], "big") == 400
    assert int.from_bytes(values[0xEC], "big") == 800
    empty = replace(battery, soc=0.3)
    assert dv.battery_values(found.battery, empty, Commands(BatteryMode.DISCHARGE, 1))[
        0xDA
    ] == bytes((0x44,))  # nothing above the reserve: hold
    full = replace(battery, soc=1.0)
    assert dv.battery_values(found.battery, full, Commands(BatteryMode.CHARGE, 1))[0xDA] == (
        b"\x44"
    )
    assert dv.ev_values(found.ev, ev, Commands(ev_charge_kwh=5.0))[0xE7] == (1500).to_bytes(
        4, "big"
    )
    assert dv.ev_values(found.ev, ev, Commands(ev_follow_surplus=True)) == {0xDA: b"\x49"}
    assert dv.ev_values(found.ev, replace(ev, plugged=False), Commands(ev_charge_kwh=1)) == {}
    # Missing or odd values: derived, defaulted, or no model at all.
    obj = found.battery.obj
    saved = dict(obj.values)
    try:
        del obj.values[0xE4]
        obj.values[0xC8] = b"\x00" * 8
        obj.values[0xA6] = b"\xff"
        derived = dv.battery_model(found.battery, reserve=0.2, keep_full=True)
        assert derived is not None and derived.keep_full
        assert derived.soc == pytest.approx(int.from_bytes(saved[0xE2], "big") / 9800)
        assert derived.max_charge_kw == 3.0 and derived.max_soc == 1.0
        del obj.values[0xD0], obj.values[0xA0]
        assert dv.battery_model(found.battery, reserve=0.2, keep_full=False) is None
    finally:
        obj.values.clear()
        obj.values.update(saved)
    tank = found.water_heater.obj
    saved = dict(tank.values)
    try:
        tank.values[0xB3] = b"\x10"
        tank.values[0xDC] = b"\x00\x01"
        assert dv.boil_temperature(tank) == 65.0
        assert dv.heat_pump_kw(tank, DAY) == 1.5
        del tank.values[0xE2]
        assert dv.water_heater_model(found.water_heater, DAY) is None
    finally:
        tank.values.clear()
        tank.values.update(saved)
    car = found.ev.obj
    saved = dict(car.values)
    try:
        car.values[0xE4] = b"\x00"
        del car.values[0xC8]
        assert dv.ev_model(found.ev).capacity_kwh == 40.0  # type: ignore[union-attr]
        car.values[0xE4] = b"\xff"
        assert dv.ev_model(found.ev) is None
    finally:
        car.values.clear()
        car.values.update(saved)


async def test_a_device_that_ignores_a_command(
    hass: HomeAssistant, setup: Setup, frozen: FrozenDateTimeFactory
) -> None:
    """A Set that the device answers but does not carry out (read back differs) or does not
    answer at all counts as refused; the same goes back to automatic."""
    from custom_components.hems.home.planner import devices as dv

    found = dv.DeviceSet.find(hass)
    assert found.battery is not None
    node = setup.house.node("battery")
    node.quirks.set(ignore_set={0xDA})
    with pytest.raises(dv.CommandRefusedError, match="another value for 0xDA"):
        await found.battery.async_set({0xDA: b"\x44"})
    node.quirks.set(ignore_set=set(), silent=True)
    with pytest.raises(dv.CommandRefusedError) as err:
        await found.battery.async_set({0xDA: b"\x44"})
    assert err.value.device.value == "battery"
    await found.battery.async_refresh()  # silent: the cached values stay
    node.quirks.set(silent=False)


async def test_mode_changes_and_material_changes(
    hass: HomeAssistant, setup: Setup, frozen: FrozenDateTimeFactory
) -> None:
    """Off plans nothing; leaving active mode hands the devices back; a device far from the
    plan, the car plugged or unplugged and the weather re-plan; diagnostics hold the plan."""
    from custom_components.hems.echonet.events import PropertiesUpdated

    planner = setup.planner
    await planner.async_set_mode(PlannerMode.ACTIVE)
    assert setup.house.obj("ecocute").values[0xC7] == b"\x01"  # the daytime shift
    await planner.async_set_mode(PlannerMode.OFF)
    assert planner.state.plan is None
    controller = kind_runtime(setup.hub, HUB).controller
    battery = next(o for o in controller.objects() if o.class_code == 0x027D)
    assert not planner.material(PropertiesUpdated(battery, {0xE4: b"\x01"}, "get"))
    assert setup.house.obj("ecocute").values[0xC7] == b"\x00"  # back to automatic
    assert await planner.async_replan() is None
    state = hass.states.get(entity_id(hass, setup.energy, "planner_next_action"))
    assert state is not None and state.state == "unknown"
    select = entity_id(hass, setup.energy, "planner_mode", "select")
    assert hass.states.get(select).state == "off"
    await planner.async_set_mode(PlannerMode.DRY_RUN)
    plan = planner.state.plan
    assert plan is not None
    car = next(o for o in controller.objects() if o.class_code == 0x027E)
    expected = plan.slots[0].battery_soc
    assert expected is not None and planner.state.inputs is not None
    assert planner.state.inputs.battery is not None
    start_soc = planner.state.inputs.battery.soc
    near = bytes((round(50 * (expected + start_soc)),))
    far = bytes((round(100 * expected) + 30 if expected < 0.5 else round(100 * expected) - 30,))
    assert not planner.material(PropertiesUpdated(battery, {0xE4: near}, "get"))
    assert planner.material(PropertiesUpdated(battery, {0xE4: far}, "get"))
    assert planner.material(PropertiesUpdated(car, {0xC7: b"\x30"}, "inf"))
    assert not planner.material(PropertiesUpdated(car, {0xDA: b"\x44"}, "inf"))
    # A real change at the device: the car is unplugged, the controller hears it, re-plans.
    setup.house.obj("v2h").behaviour.leave(5.0)  # type: ignore[union-attr]
    setup.house.step(1)
    planned_at = planner.state.planned_at
    await controller.get(car, [0xC7])
    await hass.async_block_till_done()
    assert planner.state.trigger == "device"
    assert planner.state.planned_at != planned_at or planner.state.inputs is not None
    assert planner.state.inputs is not None and planner.state.inputs.ev is not None
    assert not planner.state.inputs.ev.plugged
    diagnostics = planner.diagnostics()
    json.dumps(diagnostics)  # what the diagnostics download serialises
    assert diagnostics["mode"] == "dry_run"
    assert diagnostics["plan"]["slots"]
    assert diagnostics["inputs"]["battery"]["capacity_kwh"] == pytest.approx(9.8)
    assert diagnostics["forecasts"]["solar_source"] == "provider"
    saving = planner.saving_today
    assert saving is not None


async def test_a_device_refusing_even_its_automatic_mode(
    hass: HomeAssistant, setup: Setup, frozen: FrozenDateTimeFactory
) -> None:
    """A battery that refuses every command, its automatic mode too: reported, and leaving
    active mode does not fail on it."""
    controller = kind_runtime(setup.hub, HUB).controller
    battery = next(o for o in controller.objects() if o.class_code == 0x027D)
    setup.house.obj("battery").update({0xDA: b"\x44"})  # standby, set at the device
    await controller.get(battery, [0xDA])
    setup.house.node("battery").quirks.set(refuse_set={0xA7, 0xDA})
    planner = setup.planner
    await planner.async_set_mode(PlannerMode.ACTIVE)
    assert [r.device.value for r in planner.state.refusals] == ["battery"]
    assert setup.house.obj("battery").values[0xDA] == b"\x44"
    await planner.async_set_mode(PlannerMode.DRY_RUN)
    assert planner.state.commanded == {}
    assert setup.house.obj("battery").values[0xDA] == b"\x44"


async def test_mode_and_reserve_switch_restored(
    hass: HomeAssistant, frozen: FrozenDateTimeFactory
) -> None:
    """The mode and the reserve switch come back after a restart."""
    from homeassistant.core import State
    from pytest_homeassistant_custom_component.common import mock_restore_cache

    mock_restore_cache(
        hass,
        [
            State("select.hems_home_solar_planner_mode", "active"),
            State("switch.hems_home_weather_warning_reserve_keep_battery_full", "on"),
        ],
    )
    entry = await setup_energy(hass, energy_entry(TARIFF.to_dict()))
    planner = runtime_of(entry).planner
    assert planner.mode is PlannerMode.ACTIVE
    assert planner.keep_full
    assert hass.states.get("select.hems_home_solar_planner_mode").state == "active"
    # No device to plan: nothing planned, nothing to say.
    assert planner.state.plan is None
    assert hass.states.get(entity_id(hass, entry, "planner_next_action")).state == "unknown"
    assert hass.states.get(entity_id(hass, entry, "planner_saving_today")).state == "unknown"
