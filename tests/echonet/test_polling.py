"""The poll planner (pure), refusals that are never final, and the node poller on the simulator."""

from __future__ import annotations

import time

import pytest

from custom_components.hems.echonet import EOJ
from custom_components.hems.echonet.board import (
    channel_epcs,
    needs_ranges,
    refresh_board_channels,
)
from custom_components.hems.echonet.controller import Controller
from custom_components.hems.echonet.definitions import get_class
from custom_components.hems.echonet.node import EchonetObject, Node, Priority
from custom_components.hems.echonet.poller import NodePoller
from custom_components.hems.echonet.polling import (
    CALM_READS,
    ENERGY_FACTOR,
    MAX_FRESHNESS,
    MIN_FRESHNESS,
    SAFETY_FACTOR,
    STATE_FACTOR,
    Kind,
    PollPlanner,
    classify,
)
from custom_components.hems.echonet.refusals import (
    FIRST_RETRY,
    MAX_RETRY,
    answered,
    refusals_of,
    refuse,
    release_all,
    release_due,
    retry_at,
    transient,
)
from simulator import behaviours as b
from simulator.house import NodeSpec, _obj
from simulator.quirks import Quirks

from ..waiting import wait_for
from .conftest import HouseFactory
from .test_controller import discover_all

F = 10.0


def _object(class_code: int, get_map: set[int], inf_map: set[int] = frozenset()) -> EchonetObject:
    cls = get_class(class_code)
    assert cls is not None
    node = Node("node", "127.0.0.9")
    obj = EchonetObject(node, EOJ.from_int(class_code << 8 | 1), cls)
    obj.get_map = frozenset(get_map)
    obj.inf_map = frozenset(inf_map)
    node.objects[obj.eoj] = obj
    return obj


def _aircon() -> EchonetObject:
    # 0x80 announced; 0x84 power; 0xBB room temperature; 0x85 energy; 0x8A maker (static).
    return _object(0x0130, {0x80, 0x84, 0x85, 0x8A, 0x9F, 0xBB, 0xB8}, {0x80})


# --------------------------------------------------------------------------- planner


def test_kinds_come_from_the_definitions() -> None:
    ac = get_class(0x0130)
    meter = get_class(0x0288)
    assert ac is not None and meter is not None
    assert classify(0x84, ac.get(0x84)) is Kind.POWER  # W
    assert classify(0xB9, ac.get(0xB9)) is Kind.POWER  # A
    assert classify(0xBB, ac.get(0xBB)) is Kind.STATE  # °C
    assert classify(0xB0, ac.get(0xB0)) is Kind.STATE  # a state
    assert classify(0x85, ac.get(0x85)) is Kind.ENERGY  # cumulative kWh
    assert classify(0xB8, ac.get(0xB8)) is Kind.ENERGY  # a rating
    assert classify(0xE0, meter.get(0xE0)) is Kind.ENERGY  # the meter's counter
    assert classify(0xE7, meter.get(0xE7)) is Kind.POWER
    for static in (0x82, 0x83, 0x8A, 0x9D, 0x9E, 0x9F):
        assert classify(static, ac.get(static)) is Kind.STATIC


def test_targets_per_kind_and_the_knob() -> None:
    obj = _aircon()
    planner = PollPlanner(F)
    planner.track(obj, 0.0)
    props = planner.objects[obj.eoj].props
    assert set(props) == {0x80, 0x84, 0x85, 0xB8, 0xBB}  # never the identity or the maps
    assert props[0x84].interval == F
    assert props[0xBB].interval == STATE_FACTOR * F
    assert props[0x85].interval == ENERGY_FACTOR * F
    assert props[0x80].announced and props[0x80].interval == SAFETY_FACTOR * F
    # The first reads come at the object's own phase, within each interval.
    assert all(0 < p.due <= p.interval for p in props.values())
    assert PollPlanner(1).freshness == MIN_FRESHNESS
    assert PollPlanner(10_000).freshness == MAX_FRESHNESS


def test_one_get_per_object_with_everything_due_soon() -> None:
    obj = _aircon()
    planner = PollPlanner(F)
    planner.track(obj, 0.0)
    assert planner.due(0.0) == {}
    first = planner.next_due()
    assert first is not None
    due = planner.due(first)
    # The power value and the temperature (due within half its interval) in one Get.
    assert due == {obj.eoj: [0x84, 0xBB]}
    planner.polled(obj.eoj, due[obj.eoj], {0x84: b"\x00\x10"}, first)
    props = planner.objects[obj.eoj].props
    assert props[0x84].due == first + F and props[0xBB].due == first + STATE_FACTOR * F


def test_objects_start_at_phases_of_their_own() -> None:
    planner = PollPlanner(F)
    firsts = set()
    for instance in range(1, 6):
        obj = _aircon()
        obj.eoj = EOJ(0x01, 0x30, instance)
        planner.track(obj, 0.0)
        firsts.add(round(planner.objects[obj.eoj].props[0x84].due, 3))
    assert len(firsts) == 5


def test_behaviour_changes_the_interval() -> None:
    obj = _aircon()
    planner = PollPlanner(F)
    planner.track(obj, 0.0)
    props = planner.objects[obj.eoj].props
    # A counter that moves is read with the power values; once calm, slower and slower.
    planner.polled(obj.eoj, [0x85], [0x85], 100.0)
    assert props[0x85].interval == F
    for read in range(CALM_READS):
        planner.polled(obj.eoj, [0x85], [], 200.0 + read)
    assert props[0x85].interval == ENERGY_FACTOR * F * 1.5
    for read in range(20 * CALM_READS):
        planner.polled(obj.eoj, [0x85], [], 300.0 + read)
    # Never beyond four times its target nor the safety poll.
    assert props[0x85].interval == SAFETY_FACTOR * F
    for read in range(20 * CALM_READS):
        planner.polled(obj.eoj, [0x84], [], 300.0 + read)
    assert props[0x84].interval == 4 * F
    # An INF seen: from now on the safety poll only, counted from the last read.
    planner.announced(obj.eoj, [0xBB, 0x99])
    assert props[0xBB].announced and props[0xBB].due == props[0xBB].last + SAFETY_FACTOR * F
    planner.polled(obj.eoj, [0xBB], [0xBB], 500.0)
    assert props[0xBB].interval == SAFETY_FACTOR * F
    planner.announced(EOJ(0x02, 0x88, 0x01), [0xE0])  # unknown object: nothing happens
    planner.polled(EOJ(0x02, 0x88, 0x01), [0xE0], [], 1.0)


def test_fast_excluded_forgotten() -> None:
    obj = _aircon()
    planner = PollPlanner(F)
    planner.track(obj, 0.0, fast=[0xBB], exclude=[0x85])
    props = planner.objects[obj.eoj].props
    assert props[0xBB].kind is Kind.POWER and 0x85 not in props
    kept = props[0x84]
    planner.track(obj, 5.0)  # tracked again: unchanged plans are kept
    assert planner.objects[obj.eoj].props[0x84] is kept
    assert planner.objects[obj.eoj].props[0xBB].kind is Kind.STATE
    assert planner.all_epcs(obj.eoj) == [0x80, 0x84, 0x85, 0xB8, 0xBB]
    diagnostics = planner.diagnostics()
    assert diagnostics["objects"]["0x013001"]["0x84"]["kind"] == "power"  # type: ignore[index]
    planner.forget(obj.eoj)
    planner.forget(obj.eoj)
    assert planner.next_due() is None and planner.all_epcs(obj.eoj) == []


# --------------------------------------------------------------------------- refusals


def test_refusals_back_off_and_are_released() -> None:
    obj = _aircon()
    assert transient([0x80, 0x84], {0x80: b"", 0x84: b""}, 0)
    assert not transient([0x80], {0x80: b""}, 0)  # one property alone: a refusal
    assert not transient([0x80, 0x84], {0x84: b""}, 1)
    assert release_due(obj, 0.0) == [] and retry_at(obj, 0x84) is None
    answered(obj, [0x84])  # nothing refused yet: nothing to forget
    refuse(obj, [0x84], 0.0)
    assert 0x84 in obj.unsupported and retry_at(obj, 0x84) == FIRST_RETRY
    assert release_due(obj, FIRST_RETRY - 1) == []
    assert release_due(obj, FIRST_RETRY) == [0x84] and 0x84 not in obj.unsupported
    refuse(obj, [0x84], 100.0)  # refused again: twice the wait
    assert retry_at(obj, 0x84) == 100.0 + 2 * FIRST_RETRY
    for _ in range(20):
        refuse(obj, [0x84], 100.0)
    assert retry_at(obj, 0x84) == 100.0 + MAX_RETRY
    obj.unsupported.add(0xBB)  # (refused before this module knew)
    assert release_all(obj) == [0x84, 0xBB] and not obj.unsupported
    assert retry_at(obj, 0x84) == 0.0
    answered(obj, [0x84])
    assert retry_at(obj, 0x84) is None and not refusals_of(obj).by_epc


def _battery_spec(quirks: Quirks | None = None) -> NodeSpec:
    return NodeSpec("battery", [_obj(0x027D01, b.Battery())], quirks=quirks or Quirks())


async def test_a_busy_device_has_nothing_marked(
    controller: Controller, make_house: HouseFactory
) -> None:
    house = await make_house(specs=[_battery_spec()])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    house.node("battery").quirks.busy = True
    assert await controller.get(obj, [0x80, 0xE4, 0xD3]) == {}
    assert not obj.unsupported
    house.node("battery").quirks.busy = False
    values = await controller.get(obj, [0x80, 0xE4, 0xD3])
    assert set(values) == {0x80, 0xE4, 0xD3}


async def test_a_property_refused_alone_is_asked_again_later(
    controller: Controller, make_house: HouseFactory
) -> None:
    house = await make_house(specs=[_battery_spec()])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    house.node("battery").quirks.refuse_get = {0xE4}
    assert set(await controller.get(obj, [0x80, 0xE4])) == {0x80}
    assert 0xE4 in obj.unsupported
    sent = controller.transport.frames_sent
    assert await controller.get(obj, [0xE4]) == {}  # not asked while waiting
    assert controller.transport.frames_sent == sent
    house.node("battery").quirks.refuse_get = set()
    release_due(obj, time.monotonic() + FIRST_RETRY)  # the wait is over
    assert set(await controller.get(obj, [0xE4])) == {0xE4}
    assert retry_at(obj, 0xE4) is None and 0xE4 not in obj.unsupported


# --------------------------------------------------------------------------- the poller


async def test_the_poller_reads_what_is_due(
    controller: Controller, make_house: HouseFactory
) -> None:
    house = await make_house(specs=[_battery_spec()])
    await discover_all(controller, 1)
    node = next(iter(controller.nodes.values()))
    obj = next(controller.objects())
    poller = NodePoller(controller, node, F)
    try:
        poller.track_all(0.0)
        poller.want_fast(obj, [0xE4, 0x01], 0.0)  # the state of charge as a power value
        assert poller.planner.objects[obj.eoj].props[0xE4].kind is Kind.POWER
        assert poller.fast_epcs[obj.eoj] == {0xE4}
        poller.want_fast(obj, [0xE4], 0.0)  # nothing new
        house.obj("battery").values[0xE4] = bytes((77,))  # silently
        wake = poller.next_wake()
        assert wake is not None and wake <= F
        gets = obj.stats.gets
        await poller.poll(wake)
        assert obj.values[0xE4] == bytes((77,)) and obj.stats.gets == gets + 1
        assert poller.planner.objects[obj.eoj].props[0xE4].changes == 1
        # An announced change moves the property to the safety poll.
        house.obj("battery").update({0xDA: b"\x42"})
        await wait_for(lambda: poller.planner.objects[obj.eoj].props[0xDA].announced)
        # A complete read, refused properties too.
        obj.unsupported.add(0xE4)
        await poller.read_all(100.0)
        assert 0xE4 not in obj.unsupported
        # An object switched off is forgotten.
        poller.enabled = lambda _obj: False
        await poller.poll(1000.0)
        assert not poller.planner.objects and poller.next_wake() is None
    finally:
        poller.close()


@pytest.mark.parametrize(
    ("omit", "lists", "energy"),
    [
        ((), 2, "list"),  # 0xB3 and 0xB7
        ((0xB3,), 1, "channels"),  # no energy list: power from 0xB7, energy from 0xD0-...
        ((0xB3, 0xB7), 0, "channels"),  # no lists at all: energy from 0xD0-... only
    ],
)
async def test_boards_give_what_their_get_map_offers(
    controller: Controller,
    make_house: HouseFactory,
    omit: tuple[int, ...],
    lists: int,
    energy: str,
) -> None:
    board = b.DistributionBoard(circuits=4, duplex=0)
    await make_house(specs=[NodeSpec("board", [_obj(0x028701, board, omit=omit)])])
    await discover_all(controller, 1)
    node = next(iter(controller.nodes.values()))
    obj = next(controller.objects())
    assert not needs_ranges(obj)
    assert bool(channel_epcs(obj)) is (energy == "channels")
    seen: list[int] = []
    poller = NodePoller(controller, node, F, on_board=lambda o, c: seen.append(c.count))
    try:
        poller.track_all(0.0)
        await poller.refresh_boards()
        channels = poller.boards[obj.eoj]
        assert channels.power_w == (board.circuit_w if lists else [None] * 4)
        assert channels.energy_kwh == pytest.approx(board.circuit_kwh, abs=0.01)
        assert seen == [4]
        if not lists:
            return
        # Lists are polled like any property (no range selection for 4 circuits).
        sets = obj.stats.sets
        board.circuit_w = [1, 2, 3, 4]
        poller.planner.objects[obj.eoj].props[0xB7].due = 0.0
        await poller.poll(0.0)
        assert poller.boards[obj.eoj].power_w == [1, 2, 3, 4]
        assert obj.stats.sets == sets
        assert sum(1 for e in (0xB3, 0xB7) if e in obj.get_map) == lists
    finally:
        poller.close()


async def test_a_large_board_selects_ranges_only_for_its_circuits(
    controller: Controller, make_house: HouseFactory
) -> None:
    board = b.DistributionBoard(circuits=40, duplex=0)
    await make_house(specs=[NodeSpec("board", [_obj(0x028701, board)])])
    await discover_all(controller, 1)
    node = next(iter(controller.nodes.values()))
    obj = next(controller.objects())
    assert needs_ranges(obj)
    poller = NodePoller(controller, node, F)
    try:
        poller.track_all(0.0)
        assert 0xB3 not in poller.planner.objects[obj.eoj].props
        circuits = poller.circuits_due[obj.eoj]
        assert circuits == ENERGY_FACTOR * F
        sets = obj.stats.sets
        wake = poller.next_wake()
        assert wake is not None and wake < circuits
        await poller.poll(wake)  # properties only: no range selected
        assert obj.stats.sets == sets
        await poller.poll(circuits)  # the circuits: ranges selected as needed
        assert obj.stats.sets > sets
        assert poller.boards[obj.eoj].count == 40
        assert poller.circuits_due[obj.eoj] == circuits + ENERGY_FACTOR * F
    finally:
        poller.close()


async def test_a_large_board_without_range_selection_gives_its_first_circuits(
    controller: Controller, make_house: HouseFactory
) -> None:
    board = b.DistributionBoard(circuits=40, duplex=0)
    first = {0xB2: b"\x01\x20", 0xB6: b"\x01\x20"}  # circuits 1-32
    spec = NodeSpec("board", [_obj(0x028701, board, values=first)])
    house = await make_house(specs=[spec])
    sim = house.obj("board")
    sim.set_map -= {0xB2, 0xB6}  # the ranges cannot be set
    sim._refresh_maps()
    await discover_all(controller, 1)
    node = next(iter(controller.nodes.values()))
    obj = next(controller.objects())
    poller = NodePoller(controller, node, F)
    try:
        await poller.refresh_boards()
        channels = poller.boards[obj.eoj]
        assert channels.power_w[:32] == board.circuit_w[:32]
        assert channels.power_w[32:] == [None] * 8
        assert obj.stats.sets == 0
    finally:
        poller.close()


async def test_boards_refusing_ranges_or_without_circuits(
    controller: Controller, make_house: HouseFactory
) -> None:
    board = b.DistributionBoard(circuits=40, duplex=0)
    first = {0xB2: b"\x01\x20", 0xB6: b"\x01\x20"}
    spec = NodeSpec(
        "board",
        [
            _obj(0x028701, board, values=first),
        ],
        quirks=Quirks(refuse_set={0xB2, 0xB6}),
    )
    await make_house(specs=[spec])
    await discover_all(controller, 1)
    node = next(iter(controller.nodes.values()))
    large = node.objects[EOJ(0x02, 0x87, 0x01)]
    poller = NodePoller(controller, node, F)
    try:
        poller.track_all(0.0)
        # A new object appears later: planned at the next poll.
        poller.planner.forget(large.eoj)
        await poller.poll(0.0)
        assert large.eoj in poller.planner.objects
        # The range is refused: the circuits the board lists now, nothing more.
        await poller.read_all(1.0)
        channels = poller.boards[large.eoj]
        assert all(isinstance(w, int) for w in channels.power_w[:32])
        assert channels.power_w[32:] == [None] * 8
        # Without a channel count, no circuits.
        count = large.values.pop(0xB1)
        assert await refresh_board_channels(controller, large) is None
        await poller.refresh_board(large, Priority.POLL)
        large.values[0xB1] = count
        # An unplanned property answered: nothing to plan.
        poller.planner.polled(large.eoj, [0x01], [], 2.0)
    finally:
        poller.close()
