"""The controller against the simulator over real UDP on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import socket

import pytest

from custom_components.hems.echonet import (
    EOJ,
    ESV,
    DeviceRejectedError,
    RequestTimeoutError,
    UnknownNodeError,
)
from custom_components.hems.echonet.controller import (
    Controller,
    NodeAdded,
    NodeAddressChanged,
    NodeAvailability,
    ObjectAdded,
    PropertiesUpdated,
)
from custom_components.hems.echonet.definitions import Invalid
from custom_components.hems.echonet.frame import CONTROLLER, NODE_PROFILE, build, decode_frame
from custom_components.hems.echonet.node import Priority
from simulator import behaviours as b
from simulator.house import NodeSpec, _obj
from simulator.quirks import Quirks

from ..waiting import wait_for
from .conftest import HouseFactory, recv

AC = EOJ(0x01, 0x30, 0x01)


def ac_spec(name: str = "ac", quirks: Quirks | None = None) -> NodeSpec:
    return NodeSpec(
        name,
        [
            _obj(
                0x013001,
                b.AirConditioner(),
                power=True,
                inf=(0x80, 0x88, 0xB0, 0xB3),
                values={0x80: b.OFF, 0xB0: b"\x42", 0xB3: bytes((25,))},
            )
        ],
        quirks=quirks or Quirks(),
    )


async def discover_all(controller: Controller, expected: int) -> None:
    controller.discover()

    async def found() -> bool:
        await controller.wait_for_setups()
        return len(controller.nodes) >= expected

    await wait_for(found, what=lambda: f"{expected} nodes (found {len(controller.nodes)})")


async def setups_done_and(controller: Controller, condition: Callable[[], object]) -> None:
    """Wait until ``condition()`` holds with no node setup in progress."""

    async def done() -> bool:
        await controller.wait_for_setups()
        return bool(condition())

    await wait_for(done)


# --------------------------------------------------------------------------- discovery


async def test_multicast_discovery_finds_the_whole_house(
    controller: Controller, make_house: HouseFactory
) -> None:
    house = await make_house()
    events: list[object] = []
    controller.subscribe(events.append)
    await discover_all(controller, len(house.nodes))
    assert len(controller.nodes) == len(house.nodes)
    by_address = {n.address: n for n in controller.nodes.values()}
    for sim in house.nodes.values():
        node = by_address[sim.address]
        assert node.uid == sim.uid.hex()
        assert set(node.objects) == set(sim.objects)
        assert node.manufacturer_code == sim.manufacturer
        for eoj, obj in node.objects.items():
            simobj = sim.objects[eoj]
            assert obj.ready
            assert obj.get_map == frozenset(simobj.get_map)
            assert obj.set_map == frozenset(simobj.set_map)
            assert obj.inf_map == frozenset(simobj.inf_map)
            # every readable property was read in the first refresh (computed ones included)
            for epc in obj.pollable_epcs:
                assert obj.values.get(epc) == simobj.read(epc), (eoj, hex(epc))
    assert sum(isinstance(e, NodeAdded) for e in events) == len(house.nodes)
    assert controller.ignored_frames == 0


async def test_discovery_loop_runs_at_start(make_house: HouseFactory) -> None:
    house = await make_house(specs=[ac_spec()])
    ctrl = Controller("127.0.0.1", timeout=0.25, discovery_interval=3600)
    await ctrl.start()
    try:
        await setups_done_and(ctrl, lambda: ctrl.nodes)
        assert [n.address for n in ctrl.nodes.values()] == [house.node("ac").address]
    finally:
        await ctrl.stop()


async def test_instance_list_notification_announces_a_new_node(
    controller: Controller, make_house: HouseFactory
) -> None:
    added: list[NodeAdded] = []
    controller.subscribe(lambda e: added.append(e) if isinstance(e, NodeAdded) else None)
    house = await make_house(specs=[ac_spec()])
    house.node("ac").announce_instances()
    await setups_done_and(controller, lambda: added)
    assert [e.node.address for e in added] == [house.node("ac").address]


async def test_unicast_probe_without_multicast(make_house: HouseFactory) -> None:
    house = await make_house(specs=[ac_spec()], multicast=False)
    ctrl = Controller("127.0.0.1", timeout=0.25, multicast=False, discovery_interval=3600)
    await ctrl.start(discover=False)
    try:
        node = await ctrl.probe(house.node("ac").address)
        assert AC in node.objects
        assert ctrl.node_at(house.node("ac").address) is node
        with pytest.raises(RequestTimeoutError):
            await ctrl.probe("127.0.9.99")
    finally:
        await ctrl.stop()


async def test_configured_hosts_are_probed_by_discover(make_house: HouseFactory) -> None:
    house = await make_house(specs=[ac_spec()], multicast=False)
    address = house.node("ac").address
    ctrl = Controller("127.0.0.1", timeout=0.25, multicast=False, hosts=[address])
    await ctrl.start(discover=False)
    try:
        nodes = await ctrl.async_discover(wait=0.2)
        assert [n.address for n in nodes] == [address]
    finally:
        await ctrl.stop()


async def test_new_instance_appears_without_restart(
    controller: Controller, make_house: HouseFactory
) -> None:
    house = await make_house(specs=[ac_spec()])
    await discover_all(controller, 1)
    added: list[ObjectAdded] = []
    controller.subscribe(lambda e: added.append(e) if isinstance(e, ObjectAdded) else None)
    house.node("ac").add_object(_obj(0x013002, b.AirConditioner(), power=True))
    await setups_done_and(controller, lambda: added)
    assert [e.obj.eoj for e in added] == [EOJ(0x01, 0x30, 0x02)]
    assert added[0].obj.ready


# --------------------------------------------------------------------------- reading


async def test_refresh_reads_all_in_one_frame(
    controller: Controller, make_house: HouseFactory
) -> None:
    house = await make_house(specs=[ac_spec()])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    house.obj("ac").update({0xBB: b"\x1e"})
    sent = controller.transport.frames_sent
    values = await controller.refresh(obj)
    assert controller.transport.frames_sent - sent == 1
    assert values[0xBB] == b"\x1e"
    assert obj.value(0xBB) == 30


async def test_get_with_nothing_to_ask_sends_nothing(
    controller: Controller, make_house: HouseFactory
) -> None:
    await make_house(specs=[ac_spec()])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    sent = controller.transport.frames_sent
    assert await controller.get(obj, []) == {}
    obj.unsupported.add(0xEE)
    assert await controller.get(obj, [0xEE]) == {}
    assert controller.transport.frames_sent == sent  # never a Get with OPC 0


async def test_unsupported_properties_are_remembered(
    controller: Controller, make_house: HouseFactory
) -> None:
    await make_house(specs=[ac_spec()])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    values = await controller.get(obj, [0x80, 0xFE])
    assert set(values) == {0x80}
    assert 0xFE in obj.unsupported
    sent = controller.transport.frames_sent
    assert await controller.get(obj, [0xFE]) == {}
    assert controller.transport.frames_sent == sent


@pytest.mark.parametrize("quirk", ["split_sna", "pdc0_in_res"])
async def test_partial_answers_are_not_failures(
    controller: Controller, make_house: HouseFactory, quirk: str
) -> None:
    house = await make_house(specs=[ac_spec(quirks=Quirks(**{quirk: True}))])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    sent = controller.transport.frames_sent
    values = await controller.get(obj, [0x80, 0xFD, 0xB3, 0xFE])
    assert values == {0x80: house.obj("ac").values[0x80], 0xB3: bytes((25,))}
    assert {0xFD, 0xFE} <= obj.unsupported
    assert controller.transport.frames_sent - sent == 1
    assert obj.node.stats.timeouts == 0


async def test_truncating_device_teaches_its_capacity(
    controller: Controller, make_house: HouseFactory
) -> None:
    house = await make_house(specs=[ac_spec(quirks=Quirks(truncate_above=5))])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    assert obj.stats.capacity == 5
    assert obj.stats.capacity_source == "truncated"
    sim = house.obj("ac")
    for epc in obj.pollable_epcs:
        assert obj.values[epc] == sim.read(epc)
    # Later refreshes use the learned size right away: no retries.
    sent = controller.transport.frames_sent
    await controller.refresh(obj)
    expected = -(-len(obj.pollable_epcs) // 5)
    assert controller.transport.frames_sent - sent == expected


async def test_silently_dropped_large_gets_are_split(
    controller: Controller, make_house: HouseFactory
) -> None:
    house = await make_house(specs=[ac_spec(quirks=Quirks(drop_gets_above=6))])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    assert obj.stats.capacity is not None and obj.stats.capacity <= 6
    assert obj.stats.capacity_source == "silence"
    assert obj.node.available
    sim = house.obj("ac")
    for epc in obj.pollable_epcs:
        assert obj.values[epc] == sim.read(epc)
    timeouts = obj.node.stats.timeouts
    await controller.refresh(obj)
    assert obj.node.stats.timeouts == timeouts  # remembered: no more silence


async def test_never_together_rule_avoids_the_silent_drop(
    controller: Controller, make_house: HouseFactory
) -> None:
    house = await make_house()
    await discover_all(controller, len(house.nodes))
    board = next(o for o in controller.objects() if o.class_code == 0x0287)
    assert board.node.manufacturer_code == 0x00000B
    assert board.node.stats.timeouts == 0
    assert board.stats.capacity is None
    assert board.values[0xB3] == house.obj("board").read(0xB3)
    assert board.values[0xB7] == house.obj("board").read(0xB7)


async def test_without_the_rule_the_pair_is_learned_from_silence(make_house: HouseFactory) -> None:
    house = await make_house()
    ctrl = Controller("127.0.0.1", timeout=0.25, retries=1, rules=(), discovery_interval=3600)
    await ctrl.start(discover=False)
    try:
        await discover_all(ctrl, len(house.nodes))
        board = next(o for o in ctrl.objects() if o.class_code == 0x0287)
        assert board.node.stats.timeouts >= 1
        assert board.stats.capacity_source == "silence"
        assert board.values[0xB3] == house.obj("board").read(0xB3)
        assert board.values[0xB7] == house.obj("board").read(0xB7)
    finally:
        await ctrl.stop()


async def test_wrong_length_edt_is_invalid_not_a_crash(
    controller: Controller, make_house: HouseFactory
) -> None:
    await make_house(specs=[ac_spec(quirks=Quirks(wrong_length={0xB3}))])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    assert len(obj.values[0xB3]) == 2
    value = obj.value(0xB3)
    assert isinstance(value, Invalid)
    assert obj.value(0x80) in ("true", "false")


async def test_replies_from_port_23610_are_accepted(
    controller: Controller, make_house: HouseFactory
) -> None:
    await make_house(specs=[ac_spec(quirks=Quirks(reply_port=23610))])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    assert obj.values[0xB3] == bytes((25,))


async def test_duplicates_and_stale_tids_are_ignored(
    controller: Controller, make_house: HouseFactory
) -> None:
    await make_house(specs=[ac_spec(quirks=Quirks(duplicate_answers=True, stale_tid=True))])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    before = obj.node.stats.ignored_frames
    values = await controller.get(obj, [0xB3])
    assert values == {0xB3: bytes((25,))}
    # the stale one and the duplicate
    await wait_for(lambda: obj.node.stats.ignored_frames >= before + 2)
    assert obj.node.stats.timeouts == 0


async def test_slow_device_is_waited_for(controller: Controller, make_house: HouseFactory) -> None:
    await make_house(specs=[ac_spec(quirks=Quirks(delay=0.15))])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    assert obj.node.stats.latency_avg is not None and obj.node.stats.latency_avg >= 0.15
    assert obj.node.timeout_scale >= 0.6  # later requests wait longer than the default


# --------------------------------------------------------------------------- availability


async def test_silent_node_goes_unavailable_and_comes_back(
    controller: Controller, make_house: HouseFactory, caplog: pytest.LogCaptureFixture
) -> None:
    house = await make_house(specs=[ac_spec()])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    events: list[NodeAvailability] = []
    controller.subscribe(lambda e: events.append(e) if isinstance(e, NodeAvailability) else None)
    house.node("ac").quirks.silent = True
    with pytest.raises(RequestTimeoutError) as err:
        await controller.refresh(obj)
    assert set(err.value.missing) >= set(obj.pollable_epcs) - {0x80}
    assert not obj.node.available
    # A second failure is quick (no retries while unavailable) and not announced again.
    with pytest.raises(RequestTimeoutError):
        await controller.get(obj, [0x80])
    house.node("ac").quirks.silent = False
    await controller.refresh(obj)
    assert obj.node.available
    assert [e.available for e in events] == [False, True]
    messages = [r.getMessage() for r in caplog.records]
    assert sum("stopped answering" in m for m in messages) == 1
    assert sum("answering again" in m for m in messages) == 1


async def test_ip_change_keeps_the_node(controller: Controller, make_house: HouseFactory) -> None:
    house = await make_house(specs=[ac_spec()])
    await discover_all(controller, 1)
    node = next(iter(controller.nodes.values()))
    uid = node.uid
    moved: list[NodeAddressChanged] = []
    controller.subscribe(lambda e: moved.append(e) if isinstance(e, NodeAddressChanged) else None)
    sim = house.node("ac")
    old = sim.address
    new = old.rsplit(".", 1)[0] + ".199"
    await sim.move(new)  # announces its instance list from the new address
    await setups_done_and(controller, lambda: moved)
    assert len(controller.nodes) == 1
    assert controller.nodes[uid] is node
    assert node.address == new
    assert controller.node_at(new) is node
    assert controller.node_at(old) is None
    assert [(e.old_address, e.new_address) for e in moved] == [(old, new)]
    values = await controller.get(next(iter(node.objects.values())), [0xB3])
    assert values == {0xB3: bytes((25,))}


# --------------------------------------------------------------------------- push


async def test_inf_updates_immediately(controller: Controller, make_house: HouseFactory) -> None:
    house = await make_house(specs=[ac_spec()])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    got: asyncio.Queue[PropertiesUpdated] = asyncio.Queue()
    controller.subscribe(got.put_nowait, uid=obj.node.uid, eoj=AC, epcs=[0xB3])
    sent = controller.transport.frames_sent
    house.obj("ac").update({0xB3: bytes((21,))})
    event = await asyncio.wait_for(got.get(), 1)
    assert event.source == "inf"
    assert event.changes == {0xB3: bytes((21,))}
    assert obj.value(0xB3) == 21
    assert controller.transport.frames_sent == sent  # no polling involved


async def test_infc_is_acknowledged(controller: Controller, make_house: HouseFactory) -> None:
    house = await make_house(specs=[ac_spec()])
    await discover_all(controller, 1)
    sim = house.node("ac")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((sim.address.rsplit(".", 1)[0] + ".250", 0))
    try:
        sock.sendto(build(77, AC, CONTROLLER, ESV.INFC, [(0x80, b"\x30")]), ("127.0.0.1", 3610))
        data = await recv(sock)
    finally:
        sock.close()
    ack = decode_frame(data)
    assert ack.esv == ESV.INFC_RES
    assert ack.tid == 77
    assert ack.props == ((0x80, b""),)


async def test_spoofed_answers_are_ignored(
    controller: Controller, make_house: HouseFactory
) -> None:
    house = await make_house(specs=[ac_spec(quirks=Quirks(delay=0.1))])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    sim = house.node("ac")
    rogue = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rogue.bind((sim.address.rsplit(".", 1)[0] + ".251", 3610))
    try:
        task = asyncio.create_task(controller.get(obj, [0xB3]))
        await wait_for(lambda: bool(controller.requests.in_flight))
        tid = next(iter(controller.requests.in_flight))  # the request in flight
        fake = [(0xB3, bytes((99,)))]
        # wrong sender, right TID and EOJs
        rogue.sendto(build(tid, AC, CONTROLLER, ESV.GET_RES, fake), ("127.0.0.1", 3610))
        values = await task
    finally:
        rogue.close()
    assert values == {0xB3: bytes((25,))}
    assert controller.ignored_frames >= 1


async def test_answers_with_wrong_eoj_or_service_are_ignored(
    controller: Controller, make_house: HouseFactory
) -> None:
    house = await make_house(specs=[ac_spec(quirks=Quirks(delay=0.1))])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    sim = house.node("ac")
    task = asyncio.create_task(controller.get(obj, [0xB3]))
    await wait_for(lambda: bool(controller.requests.in_flight))
    tid = next(iter(controller.requests.in_flight))
    fake = [(0xB3, bytes((99,)))]
    before = obj.node.stats.ignored_frames
    # The real node's own socket sends the spoofs (right sender address).
    sim._send(build(tid, EOJ(0x01, 0x30, 0x02), CONTROLLER, ESV.GET_RES, fake), ("127.0.0.1", 3610))
    sim._send(build(tid, AC, CONTROLLER, ESV.SET_RES, fake), ("127.0.0.1", 3610))
    sim._send(build(tid, AC, NODE_PROFILE, ESV.GET_RES, fake), ("127.0.0.1", 3610))
    assert await task == {0xB3: bytes((25,))}
    assert obj.node.stats.ignored_frames == before + 3


# --------------------------------------------------------------------------- set


async def test_set_confirms_by_reading_back(
    controller: Controller, make_house: HouseFactory
) -> None:
    house = await make_house(specs=[ac_spec(quirks=Quirks(no_multicast=True))])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    sent = controller.transport.frames_sent
    confirmed = await controller.set(obj, {0x80: b"\x30"})
    assert confirmed == {0x80: b"\x30"}
    assert house.obj("ac").is_on
    assert controller.transport.frames_sent - sent == 2  # SetC, then the read-back Get


async def test_set_takes_the_inf_that_comes_first(
    controller: Controller, make_house: HouseFactory
) -> None:
    await make_house(specs=[ac_spec(quirks=Quirks(inf_before_set_res=True, delay=0.05))])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    sent = controller.transport.frames_sent
    confirmed = await controller.set(obj, {0xB3: bytes((20,))})
    assert confirmed == {0xB3: bytes((20,))}
    assert controller.transport.frames_sent - sent == 1  # no read-back needed


async def test_set_refused_raises(controller: Controller, make_house: HouseFactory) -> None:
    house = await make_house(specs=[ac_spec()])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    with pytest.raises(DeviceRejectedError) as err:
        await controller.set(obj, {0xB3: bytes((40,))})  # the unit accepts 16-32 only
    assert err.value.rejected == {0xB3: bytes((40,))}
    assert house.obj("ac").values[0xB3] == bytes((25,))
    with pytest.raises(DeviceRejectedError):
        await controller.set(obj, {0xBB: b"\x10"})  # not settable at all


async def test_a_refusal_that_names_nothing_blames_every_value(
    controller: Controller, make_house: HouseFactory
) -> None:
    """SetC_SNA with PDC 0 everywhere (some stacks): what was asked for is reported refused."""
    await make_house(specs=[ac_spec(quirks=Quirks(sna_without_edt=True))])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    sent = controller.transport.frames_sent
    assert await controller.set(obj, {}) == {}
    assert controller.transport.frames_sent == sent  # nothing to set: nothing sent
    with pytest.raises(DeviceRejectedError, match="refused to set 0xB3") as err:
        await controller.set(obj, {0xB3: bytes((40,))})
    assert err.value.rejected == {0xB3: bytes((40,))}


async def test_set_timeout_raises(controller: Controller, make_house: HouseFactory) -> None:
    house = await make_house(specs=[ac_spec()])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    house.node("ac").quirks.silent = True
    with pytest.raises(RequestTimeoutError):
        await controller.set(obj, {0x80: b"\x30"})
    assert not obj.node.available


async def test_user_set_jumps_the_polling_queue(
    controller: Controller, make_house: HouseFactory
) -> None:
    house = await make_house(specs=[ac_spec(quirks=Quirks(delay=0.05))])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    order: list[str] = []

    async def poll(i: int) -> None:
        await controller.get(obj, [0xBB], priority=Priority.POLL)
        order.append(f"poll{i}")

    async def user_set() -> None:
        await controller.set(obj, {0x80: b"\x30"}, confirm=False)
        order.append("set")

    tasks = [asyncio.create_task(poll(i)) for i in range(3)]
    # poll0 is in flight, poll1 and poll2 wait
    await wait_for(lambda: bool(controller.requests.in_flight))
    tasks.append(asyncio.create_task(user_set()))
    await asyncio.gather(*tasks)
    assert order == ["poll0", "set", "poll1", "poll2"]
    assert house.obj("ac").is_on


async def test_lookup_errors(controller: Controller) -> None:
    with pytest.raises(UnknownNodeError):
        controller.get_object("nope", AC)


async def test_diagnostics_are_json_safe(controller: Controller, make_house: HouseFactory) -> None:
    import json

    house = await make_house(specs=[ac_spec(quirks=Quirks(truncate_above=4))])
    await discover_all(controller, 1)
    diag = controller.diagnostics()
    text = json.dumps(diag)
    assert house.node("ac").address in text
    node = diag["nodes"][0]  # type: ignore[index]
    assert node["objects"][0]["batch_capacity"] == 4
    assert node["stats"]["latency_avg_ms"] is not None
