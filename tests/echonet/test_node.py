"""Nodes and objects as the controller keeps them: the request lock, identity, batches."""

from __future__ import annotations

import asyncio

from custom_components.hems.echonet import EOJ
from custom_components.hems.echonet.definitions import class_or_generic
from custom_components.hems.echonet.frame import NODE_PROFILE
from custom_components.hems.echonet.node import (
    EchonetObject,
    NeverTogether,
    Node,
    Priority,
    PriorityLock,
    plan_batches,
)

from ..waiting import wait_for

AC = EOJ(0x01, 0x30, 0x01)


async def _queued(lock: PriorityLock, order: list[str], name: str, priority: Priority) -> None:
    await lock.acquire(priority)
    order.append(name)


async def test_the_lock_serves_users_before_polls_then_in_arrival_order() -> None:
    lock = PriorityLock()
    await lock.acquire(Priority.POLL)
    order: list[str] = []
    tasks = [
        asyncio.create_task(_queued(lock, order, name, priority))
        for name, priority in (
            ("poll 1", Priority.POLL),
            ("poll 2", Priority.POLL),
            ("user", Priority.USER),
            ("setup", Priority.SETUP),
        )
    ]
    await wait_for(lambda: lock.waiting == 4, what="four waiters")
    for served in range(1, 5):
        lock.release()
        await wait_for(lambda served=served: len(order) == served, what=f"waiter {served}")
        assert lock.locked
    lock.release()
    await asyncio.gather(*tasks)
    assert order == ["user", "setup", "poll 1", "poll 2"]
    assert not lock.locked


async def test_a_waiter_cancelled_as_it_is_handed_the_lock_passes_it_on() -> None:
    """The request was abandoned just as its turn came: the next one must not wait forever."""
    lock = PriorityLock()
    await lock.acquire(Priority.USER)
    first = asyncio.create_task(lock.acquire(Priority.POLL))
    second = asyncio.create_task(lock.acquire(Priority.POLL))
    await wait_for(lambda: lock.waiting == 2, what="two waiters")
    lock.release()  # hands the lock to ``first`` ...
    first.cancel()  # ... which is cancelled before it runs
    await asyncio.wait_for(second, 10)
    assert first.cancelled()
    assert lock.locked  # held by ``second``
    lock.release()
    assert not lock.locked


async def test_a_cancelled_waiter_is_skipped() -> None:
    lock = PriorityLock()
    await lock.acquire(Priority.USER)
    gone = asyncio.create_task(lock.acquire(Priority.USER))
    waiting = asyncio.create_task(lock.acquire(Priority.POLL))
    await wait_for(lambda: lock.waiting == 2, what="two waiters")
    gone.cancel()
    await wait_for(lambda: lock.waiting == 1, what="the cancelled waiter to leave")
    lock.release()
    await asyncio.wait_for(waiting, 10)
    assert lock.locked and lock.waiting == 0
    lock.release()
    assert not lock.locked


def _node_with_profile(manufacturer: bytes | None) -> Node:
    node = Node("fe00000b0000000000000000000000001", "127.0.5.1")
    profile = EchonetObject(node, NODE_PROFILE, class_or_generic(NODE_PROFILE.class_code))
    if manufacturer is not None:
        profile.apply({0x8A: manufacturer})
    node.profile = profile
    return node


def test_the_maker_is_known_only_from_a_well_formed_code() -> None:
    assert Node("fe01", "127.0.5.1").manufacturer_code is None  # profile not read yet
    assert _node_with_profile(None).manufacturer_code is None
    assert _node_with_profile(b"\x00\x0b").manufacturer_code is None  # two bytes: malformed
    assert _node_with_profile(b"\x00\x00\x0b").manufacturer_code == 0x00000B


def test_objects_are_found_by_eoj_and_named_in_logs() -> None:
    node = _node_with_profile(b"\x00\x00\x0b")
    ac = EchonetObject(node, AC, class_or_generic(AC.class_code))
    node.objects[AC] = ac
    assert node.object(NODE_PROFILE) is node.profile
    assert node.object(AC) is ac
    assert node.object(EOJ(0x01, 0x30, 0x02)) is None
    assert repr(node) == "<Node fe00000b0000000000000000000000001 at 127.0.5.1>"
    assert repr(ac) == f"<EchonetObject {AC} of {node.uid} at 127.0.5.1>"


def test_values_are_decoded_once_known() -> None:
    node = _node_with_profile(None)
    ac = EchonetObject(node, AC, class_or_generic(AC.class_code))
    assert ac.value(0x80) is None
    assert ac.apply({0x80: b"\x30", 0xB3: b"\x19"}) == {0x80: b"\x30", 0xB3: b"\x19"}
    assert ac.apply({0x80: b"\x30", 0xB3: b"\x1a"}) == {0xB3: b"\x1a"}  # only what changed
    assert ac.value(0xB3) == 26
    assert set(ac.updated) == {0x80, 0xB3}


def test_batches_respect_capacity_and_never_join_a_rule() -> None:
    assert plan_batches([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]
    # 1 and 2 never together; the first Get is full when 4 comes, so 4 joins the second.
    assert plan_batches([1, 2, 3, 4], 2, [frozenset({1, 2})]) == [[1, 3], [2, 4]]
    # A rule that touches only one of the EPCs asked for changes nothing.
    assert plan_batches([1, 3], 5, [frozenset({1, 2})]) == [[1, 3]]


def test_a_rule_for_one_maker_applies_only_to_its_devices() -> None:
    rule = NeverTogether(0x0130, frozenset({0xB3, 0xB7}), manufacturer=0x00000B)
    panasonic = _node_with_profile(b"\x00\x00\x0b")
    other = _node_with_profile(b"\x00\x00\x08")
    assert rule.applies(EchonetObject(panasonic, AC, class_or_generic(AC.class_code)))
    assert not rule.applies(EchonetObject(other, AC, class_or_generic(AC.class_code)))
    anyone = NeverTogether(0x0130, frozenset({0xB3, 0xB7}))
    assert anyone.applies(EchonetObject(other, AC, class_or_generic(AC.class_code)))
