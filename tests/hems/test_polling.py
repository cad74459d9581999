"""Polling through Home Assistant on the virtual house: the planner, refusals that are never
final, boards without an energy list, and a recovering device read before it is shown again."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.hems.echonet.polling import DEFAULT_FRESHNESS, MIN_FRESHNESS
from custom_components.hems.echonet.refusals import retry_at
from custom_components.hems.hub import KIND as HUB
from custom_components.hems.hub.runtime import freshness_option
from custom_components.hems.kinds import runtime_of
from simulator import behaviours as b
from simulator.device import SimObject
from simulator.house import NodeSpec, _obj

from .conftest import HouseFactory, settle
from .platform_helpers import entity_id, start, state_of

SOC = "sensor.storage_battery_state_of_charge"


def _change_soc(battery: SimObject, percent: int) -> None:
    """Change the battery's state of charge silently (0xE4 is not announced), in its model
    too (a Set elsewhere in the house republishes the model's values)."""
    assert isinstance(battery.behaviour, b.Battery)
    battery.behaviour.soc = float(percent)
    battery.values[0xE4] = bytes((percent,))


async def _polls(hass: HomeAssistant, count: int) -> None:
    """Let ``count`` polls of every node run (each wake of a coordinator is one poll)."""
    for _ in range(count):
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=3600))
        await settle(hass)


async def test_the_plan_follows_the_knob_and_the_announcements(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house, entry = await start(hass, make_house)
    hub = runtime_of(entry, HUB)
    battery = house.obj("battery")
    assert battery.node is not None
    coordinator = hub.coordinators[battery.node.uid.hex()]
    plan = coordinator.planner.objects[battery.eoj].props
    assert coordinator.planner.freshness == 10
    assert plan[0xE4].interval == 20  # a state: twice the freshness
    assert not plan[0xDA].announced or plan[0xDA].interval == 200
    # The battery announces its mode: from then on only the safety poll reads it.
    battery.update({0xDA: b"\x42"})
    await hass.async_block_till_done()
    await _polls(hass, 1)
    assert plan[0xDA].announced and plan[0xDA].interval == 200
    diagnostics = coordinator.diagnostics()
    assert diagnostics["plan"]["objects"][str(battery.eoj)]["0xE4"]["kind"] == "state"
    # A silent change is still picked up by the polls.
    _change_soc(battery, 91)
    await _polls(hass, 4)
    assert state_of(hass, SOC).state == "91"


async def test_a_busy_device_keeps_being_polled(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house, entry = await start(hass, make_house)
    battery = house.obj("battery")
    assert battery.node is not None
    obj = runtime_of(entry, HUB).controller.get_object(battery.node.uid.hex(), battery.eoj)
    battery.node.quirks.busy = True  # every Get refused as a whole
    await _polls(hass, 3)
    assert not obj.unsupported  # nothing given up
    assert state_of(hass, SOC).state != STATE_UNAVAILABLE
    battery.node.quirks.busy = False
    _change_soc(battery, 91)  # changed silently while it was busy
    await _polls(hass, 4)
    assert state_of(hass, SOC).state == "91"


async def test_a_property_refused_alone_is_read_again_at_recovery(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house, entry = await start(hass, make_house)
    battery = house.obj("battery")
    assert battery.node is not None
    obj = runtime_of(entry, HUB).controller.get_object(battery.node.uid.hex(), battery.eoj)
    battery.node.quirks.refuse_get = {0xE4}
    await _polls(hass, 4)
    assert 0xE4 in obj.unsupported and retry_at(obj, 0xE4) is not None
    battery.node.quirks.refuse_get = set()
    _change_soc(battery, 91)
    # The device goes silent and comes back: everything is read again, 0xE4 too.
    battery.node.quirks.silent = True
    await _polls(hass, 2)
    assert state_of(hass, SOC).state == STATE_UNAVAILABLE
    battery.node.quirks.silent = False
    await _polls(hass, 2)
    assert state_of(hass, SOC).state == "91"
    assert 0xE4 not in obj.unsupported and retry_at(obj, 0xE4) is None


async def test_a_recovering_device_is_read_before_it_is_shown(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house, entry = await start(hass, make_house)
    battery = house.obj("battery")
    assert battery.node is not None
    coordinator = runtime_of(entry, HUB).coordinators[battery.node.uid.hex()]
    old = state_of(hass, SOC).state
    battery.node.quirks.silent = True
    await _polls(hass, 2)
    assert state_of(hass, SOC).state == STATE_UNAVAILABLE
    assert coordinator.stale
    # While silent, the battery changed; nothing it does not announce is read yet.
    _change_soc(battery, int(old) + 7)
    shown: list[str] = []

    @callback
    def _written(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is not None and event.data["entity_id"] == SOC:
            shown.append(new.state)

    unsubscribe = hass.bus.async_listen("state_changed", _written)
    battery.node.quirks.silent = False
    await _polls(hass, 2)
    unsubscribe()
    assert not coordinator.stale
    # Available again only with the value read after the silence: never the old one.
    assert shown, "the sensor came back"
    assert old not in shown
    assert state_of(hass, SOC).state == str(int(old) + 7)


async def test_a_board_without_an_energy_list_fills_its_circuits(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    board = b.DistributionBoard(circuits=4, duplex=0)
    spec = NodeSpec("board", [_obj(0x028701, board, omit=(0xB3,))])
    house, _entry = await start(hass, make_house, [spec])
    await settle(hass)  # the circuits are read in the background after the setup
    sim = house.obj("board")
    for index in range(4):
        power = state_of(hass, entity_id(hass, "sensor", sim, f"circuit_{index + 1}_power"))
        assert power.state not in (STATE_UNKNOWN, STATE_UNAVAILABLE)
        assert float(power.state) == board.circuit_w[index]
        energy = state_of(hass, entity_id(hass, "sensor", sim, f"circuit_{index + 1}_energy"))
        assert float(energy.state) == round(board.circuit_kwh[index], 2)


def test_older_entries_keep_their_fast_interval_as_freshness() -> None:
    assert freshness_option({"poll_interval": 60, "fast_poll_interval": 30}) == 30
    assert freshness_option({"freshness": 20, "fast_poll_interval": 30}) == 20
    assert freshness_option({}) == DEFAULT_FRESHNESS
    assert freshness_option({"freshness": 1}) == MIN_FRESHNESS
