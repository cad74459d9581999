"""The planner's devices against the virtual house: their values as the planner reads them,
commands within their limits, refusals, and the planner's modes."""

from __future__ import annotations

from dataclasses import replace
import json

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.util.async_ import get_scheduled_timer_handles
import pytest

from custom_components.hems.energy.planner import BatteryMode, Commands
from custom_components.hems.home.planner import devices as dv
from custom_components.hems.home.planner.runtime import PlannerMode
from custom_components.hems.hub import KIND as HUB
from custom_components.hems.kinds import runtime_of as kind_runtime

from .planner_setup import (
    DAY,
    Setup,
    frozen,
    setup,
)
from .test_energy_support import entity_id, runtime_of, setup_energy

#: Fixtures of the setup module that this module's tests use.
FIXTURES = (frozen, setup)


async def test_devices_read_and_commanded_within_limits(
    hass: HomeAssistant, setup: Setup, frozen: FrozenDateTimeFactory
) -> None:
    """The devices' values as the planner sees them, and commands clamped to their ranges."""
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


async def test_device_models_from_missing_or_odd_values(
    hass: HomeAssistant, setup: Setup, frozen: FrozenDateTimeFactory
) -> None:
    """Missing or odd values: derived, defaulted, or no model at all."""
    found = dv.DeviceSet.find(hass)
    assert found.battery is not None and found.water_heater is not None and found.ev is not None
    for handle in found.handles:
        await handle.async_refresh()
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


async def test_a_planner_started_while_home_assistant_stops_sets_no_timer(
    hass: HomeAssistant,
) -> None:
    """An energy entry reloaded while Home Assistant stops (options saved just before) starts
    no slot timer that would outlive the entries' shutdown."""
    entry = await setup_energy(hass)
    planner = runtime_of(entry).planner
    await planner.async_stop()

    def slot_timers() -> list[str]:
        handles = get_scheduled_timer_handles(hass.loop)
        return [repr(h) for h in handles if not h.cancelled() and "_async_slot_started" in repr(h)]

    assert not slot_timers()
    hass.set_state(CoreState.stopping)
    try:
        planner.async_start()
        assert not slot_timers()
    finally:
        hass.set_state(CoreState.running)
    planner.async_start()
    assert slot_timers()
