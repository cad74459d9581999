"""The house's physics and the two rule-based controllers (automatic modes, AiSEG2-like)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from custom_components.hems.energy.planner import (
    AiSolarChargeRule,
    BatteryMode,
    Commands,
    Devices,
    Horizon,
    SlotConditions,
    State,
    automatic,
    automatic_commands,
    simulate,
    slot_commands,
    step,
)

from .planner_inputs import DAY_PRICE, at, battery, ev, inputs, water_heater

EPS = 1e-9


def conditions(**changes: float | bool | None) -> SlotConditions:
    base = SlotConditions(
        solar_kwh=0.0, load_kwh=0.5, purchase_price=DAY_PRICE, sale_price=8.0, cop=3.0
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_auto_covers_the_house_but_never_below_the_reserve() -> None:
    devices = Devices(battery=battery(0.25))
    devices, outcome = step(devices, Commands(), conditions(load_kwh=1.0))
    assert devices.battery is not None
    assert devices.battery.soc == pytest.approx(0.2)
    # 0.35 kWh stored above the reserve gives 0.35 × √0.9 to the house; the rest is bought
    assert outcome.battery_discharge_kwh == pytest.approx(0.35 * 0.9**0.5)
    assert outcome.grid_import_kwh == pytest.approx(1.0 - 0.35 * 0.9**0.5)


def test_battery_energy_is_never_sold() -> None:
    devices = Devices(battery=battery(0.9))
    commands = Commands(battery_mode=BatteryMode.DISCHARGE, battery_kwh=1.5)
    _, outcome = step(devices, commands, conditions(solar_kwh=1.0, load_kwh=0.3))
    assert outcome.battery_discharge_kwh == 0
    assert outcome.grid_export_kwh == pytest.approx(0.7)


def test_grid_charging_stops_at_the_contract() -> None:
    devices = Devices(battery=battery(0.2))
    commands = Commands(battery_mode=BatteryMode.CHARGE, battery_kwh=1.5)
    _, outcome = step(devices, commands, conditions(load_kwh=2.5, contract_kwh=3.0))
    assert outcome.battery_charge_kwh == pytest.approx(0.5)
    assert outcome.grid_import_kwh == pytest.approx(3.0)


def test_ecocute_boils_by_itself_below_its_reserve() -> None:
    devices = Devices(water_heater=water_heater(1.0))
    devices, outcome = step(devices, Commands(), conditions(hot_water_kwh=0.2))
    assert outcome.boil_kwh == pytest.approx(0.75)
    assert devices.water_heater is not None
    assert devices.water_heater.heat_kwh == pytest.approx(1.0 + 3 * 0.75 - 0.2 - 0.035)


def test_tank_runs_dry_as_a_shortfall() -> None:
    devices = Devices(water_heater=water_heater(2.5))
    devices, outcome = step(devices, Commands(), conditions(hot_water_kwh=4.0))
    assert outcome.hot_water_shortfall_kwh == pytest.approx(4.0 + 0.035 - 2.5)
    assert devices.water_heater is not None and devices.water_heater.heat_kwh == 0


def test_ev_follows_the_surplus_only_while_plugged_in() -> None:
    devices = Devices(ev=ev(0.5))
    commands = Commands(ev_follow_surplus=True)
    home = conditions(solar_kwh=1.4, load_kwh=0.4, ev_available=True)
    devices, outcome = step(devices, commands, home)
    assert outcome.ev_charge_kwh == pytest.approx(1.0)
    assert outcome.grid_import_kwh == pytest.approx(0) and outcome.grid_export_kwh == 0
    _, away = step(devices, commands, replace(home, ev_available=False))
    assert away.ev_charge_kwh == 0


def test_state_round_trip() -> None:
    devices = Devices(battery(0.4), water_heater(5.0), ev(0.6))
    assert State.of(devices).devices() == devices


def test_slot_commands_cap_discharge_when_the_plan_covers_only_part_of_the_draw() -> None:
    store = battery(0.8)
    planned = {"boil": 0.0, "ev_out": 0.0, "solar": 0.0, "load": 0.3}
    capped = slot_commands(store, stored_kwh=5.6, charge=0, discharge=0.3, ev_in=1.5, **planned)
    assert capped.battery_mode is BatteryMode.DISCHARGE and capped.battery_kwh == 0.3
    whole = slot_commands(store, stored_kwh=5.6, charge=0, discharge=0.3, ev_in=0.0, **planned)
    assert whole.battery_mode is BatteryMode.AUTO
    hold = slot_commands(store, stored_kwh=5.6, charge=0, discharge=0, ev_in=0.0, **planned)
    assert hold.battery_mode is BatteryMode.HOLD
    buy = slot_commands(store, stored_kwh=5.6, charge=1.0, discharge=0, ev_in=0.0, **planned)
    assert buy.battery_mode is BatteryMode.CHARGE and buy.battery_kwh == 1.0


# ---------------------------------------------------------------------------------------------
# Automatic modes


def test_automatic_modes_charge_and_boil_in_the_night_window() -> None:
    situation = inputs(
        "2026-06-01T22:00", with_battery=battery(0.3), with_water_heater=water_heater(4.0)
    )
    horizon = Horizon.of(situation)
    rows = simulate(horizon, automatic)
    night = [t for t in range(horizon.slots) if horizon.cheap[t]]
    assert [horizon.when(t).hour for t in night][:1] == [1]
    # the battery charges to full in the window and is full when it ends
    assert rows[night[-1]].stored == pytest.approx(7.0)
    # the EcoCute boils as late as it can: the window's last slots, none before 03:00
    boiling = [t for t in night if rows[t].boil > 1e-6]
    assert boiling and all(horizon.when(t).hour >= 3 for t in boiling)
    assert boiling[-1] == night[-1]
    # and only in the window
    assert all(rows[t].boil == 0 for t in range(horizon.slots) if not horizon.cheap[t])
    assert automatic_commands(situation).battery_mode is BatteryMode.AUTO


def test_automatic_ev_timer_charges_now_when_the_night_is_too_short() -> None:
    car = ev(0.2, departure=at("2026-06-02T03:00"))
    commands = automatic_commands(inputs("2026-06-01T22:00", with_ev=car))
    # 26 kWh needed, two cheap hours give 6: the rest starts now
    assert commands.ev_charge_kwh == pytest.approx(1.5)
    relaxed = automatic_commands(inputs("2026-06-01T22:00", with_ev=ev(0.7)))
    assert relaxed.ev_charge_kwh == 0


# ---------------------------------------------------------------------------------------------
# AiSEG2-like rule


def run_rule(rule: AiSolarChargeRule, start: str, sun: float) -> Commands:
    situation = inputs(
        start,
        with_battery=battery(0.2),
        with_water_heater=water_heater(4.0),
        with_ev=ev(0.75),
        sun=sun,
    )
    return rule.commands(situation)


def test_aiseg2_rule_leaves_room_for_a_sunny_day() -> None:
    rule = AiSolarChargeRule()
    first = run_rule(rule, "2026-06-02T01:00", sun=1.9)
    assert rule.predicted_surplus_kwh is not None and rule.predicted_surplus_kwh > 10
    assert first.battery_mode is BatteryMode.CHARGE
    full = automatic_commands(
        inputs("2026-06-02T01:00", with_battery=battery(0.2), sun=1.9)
    ).battery_kwh
    assert first.battery_kwh < full  # charges less than the automatic night charge
    # at noon the decided daytime boil runs and the EV charges with the surplus
    noon = run_rule(rule, "2026-06-02T12:00", sun=1.9)
    assert noon.ev_follow_surplus
    boil_slots = [
        run_rule(rule, f"2026-06-02T{hour:02d}:{minute:02d}", sun=1.9).boil_kwh
        for hour in range(9, 16)
        for minute in (0, 30)
    ]
    assert max(boil_slots) == pytest.approx(0.75)


def test_aiseg2_rule_on_a_cloudy_day_is_the_automatic_mode() -> None:
    rule = AiSolarChargeRule()
    cloudy = run_rule(rule, "2026-06-02T01:00", sun=0.02)
    assert rule.predicted_surplus_kwh is not None and rule.predicted_surplus_kwh < 0.3
    expected = automatic_commands(
        inputs(
            "2026-06-02T01:00",
            with_battery=battery(0.2),
            with_water_heater=water_heater(4.0),
            with_ev=ev(0.75),
            sun=0.02,
        )
    )
    assert cloudy == expected


def test_aiseg2_rule_respects_a_weather_warning() -> None:
    rule = AiSolarChargeRule()
    situation = inputs("2026-06-02T01:00", with_battery=battery(0.2, keep_full=True))
    commands = rule.commands(situation)
    assert commands.battery_mode is BatteryMode.CHARGE
    assert commands.battery_kwh == pytest.approx(1.5)
    assert rule.commands(situation) == automatic_commands(situation)
    assert EPS > 0
