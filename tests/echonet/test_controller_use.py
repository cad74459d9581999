"""The controller as a library user drives it: as a context, tuned while running, node by
node, and an INF_REQ answered by multicast (over real UDP on loopback, against the simulator)."""

from __future__ import annotations

import socket

import pytest

from custom_components.hems.echonet import ESV, RequestTimeoutError
from custom_components.hems.echonet.controller import Controller
from custom_components.hems.echonet.node import Priority

from .conftest import HouseFactory
from .test_controller import AC, ac_spec, discover_all


def _port_3610_free() -> bool:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.bind(("127.0.0.1", 3610))
    except OSError:
        return False
    finally:
        probe.close()
    return True


async def test_a_controller_used_as_a_context_gives_its_port_back(
    make_house: HouseFactory,
) -> None:
    house = await make_house(specs=[ac_spec()])
    async with Controller("127.0.0.1", timeout=0.25, discovery_interval=3600) as ctrl:
        assert ctrl.running
        assert not _port_3610_free()
        await discover_all(ctrl, 1)
        node = ctrl.nodes[house.node("ac").uid.hex()]
        assert ctrl.get_object(node.uid, AC) is node.objects[AC]
    assert not ctrl.running
    assert _port_3610_free()


async def test_batch_size_and_retries_are_the_ones_chosen(make_house: HouseFactory) -> None:
    house = await make_house(specs=[ac_spec()])
    ctrl = Controller("127.0.0.1", timeout=0.25, max_batch=2, rules=(), discovery_interval=3600)
    await ctrl.start(discover=False)
    try:
        assert (ctrl.max_batch, ctrl.rules) == (2, ())
        await discover_all(ctrl, 1)
        obj = next(ctrl.objects())
        sent = ctrl.transport.frames_sent
        assert set(await ctrl.get(obj, [0x80, 0xB0, 0xB3])) == {0x80, 0xB0, 0xB3}
        assert ctrl.transport.frames_sent - sent == 2  # at most two EPCs per Get
        ctrl.retries = 0
        ctrl.timeout = ctrl.max_timeout = 0.2
        assert (ctrl.retries, ctrl.timeout, ctrl.max_timeout) == (0, 0.2, 0.2)
        assert (ctrl.requests.timeout, ctrl.requests.max_timeout) == (0.2, 0.2)
        house.node("ac").quirks.silent = True
        sent = ctrl.transport.frames_sent
        with pytest.raises(RequestTimeoutError):
            await ctrl.get(obj, [0x80])
        assert ctrl.transport.frames_sent - sent == 1  # asked once, never again
    finally:
        await ctrl.stop()


async def test_refreshing_a_node_reads_every_object_of_it(
    controller: Controller, make_house: HouseFactory
) -> None:
    house = await make_house(specs=[ac_spec()])
    await discover_all(controller, 1)
    node = controller.nodes[house.node("ac").uid.hex()]
    house.obj("ac").values[0xB3] = bytes((27,))  # changed on the unit, not announced
    await controller.refresh_node(node)
    assert node.objects[AC].values[0xB3] == bytes((27,))


async def test_an_inf_req_is_answered_by_the_multicast_inf(
    controller: Controller, make_house: HouseFactory
) -> None:
    """The answer to an INF_REQ goes to everyone; it still completes our request (by TID)."""
    house = await make_house(specs=[ac_spec()])
    await discover_all(controller, 1)
    obj = next(controller.objects())
    house.obj("ac").values[0xB3] = bytes((21,))
    pending = await controller.requests.exchange(
        obj.node, obj.eoj, ESV.INF_REQ, [(0xB3, b"")], Priority.USER, 1
    )
    assert pending is not None
    assert (pending.answer_esv, pending.values) == (ESV.INF, {0xB3: bytes((21,))})
    assert obj.values[0xB3] == bytes((21,))  # the announcement is taken in as well


async def test_a_discovery_before_the_start_sends_nothing() -> None:
    """Asking a controller that is not started (or already stopped) to discover is harmless:
    no socket is opened, no frame sent, no request left pending."""
    ctrl = Controller("127.0.0.1", timeout=0.25, discovery_interval=3600)
    ctrl.discovery.discover()
    assert not ctrl.running
    assert ctrl.transport.frames_sent == 0
    assert _port_3610_free()
