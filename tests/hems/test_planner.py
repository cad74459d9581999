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

from datetime import timedelta
from itertools import pairwise
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest

from custom_components.hems.const import DOMAIN
from custom_components.hems.echonet.controller import Controller
from custom_components.hems.energy import Slot
from custom_components.hems.energy.planner import SLOT, TariffPrices
from custom_components.hems.home.planner.runtime import PlannerMode
from custom_components.hems.home.settings import (
    OPT_BATTERY_RESERVE,
    OPT_SOLAR_FORECAST,
    OPT_WARNING_ENTITY,
)
from custom_components.hems.hub import KIND as HUB
from custom_components.hems.kinds import runtime_of as kind_runtime
from simulator.house import House

from .conftest import HouseFactory, setup_hub
from .planner_setup import (
    DAY,
    TARIFF,
    Provider,
    Setup,
    add_provider,
    day_cost,
    frozen,
    run_slot,
    setup,
    start_house_args,
    stored_kwh,
)
from .platform_helpers import discovery_of
from .test_energy_support import energy_entry, entity_id, runtime_of, setup_energy

#: Fixtures of the setup module that this module's tests use.
FIXTURES = (frozen, setup)


# ----------------------------------------------------------------------------- the day


async def _the_day_without_the_planner() -> tuple[dict[str, float], float, dict[str, float]]:
    """The same house stepped through the day by itself, every device in its own automatic
    mode: the energy stored before, the day's cost, the energy stored after."""
    baseline = House("house", start=DAY, speed=1e-9, tick_interval=0)
    await baseline.start(announce=False, serve=False)
    try:
        stored_before = stored_kwh(baseline)
        for _ in range(48 * 3):
            baseline.step(600)
        end = DAY + timedelta(days=1)
        return stored_before, day_cost(baseline, DAY, end), stored_kwh(baseline)
    finally:
        await baseline.stop()


async def test_a_day_with_the_planner_is_cheaper(
    hass: HomeAssistant, setup: Setup, frozen: FrozenDateTimeFactory
) -> None:
    """A whole day with the planner active costs less than the same day without it.

    Without it: the same house (weather, family, devices) stepped through the day by itself,
    every device in its own automatic mode.  Both days end with different energy stored in
    the battery, the car and the tank; it is valued at the night price (what refilling it
    would cost), so that charging for tomorrow is not counted as a saving today.
    """
    stored_before, cost_without, stored_without = await _the_day_without_the_planner()
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
    house = await make_house(**start_house_args())
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
