"""Node identity through Home Assistant on real sockets (issue 15 item 2, issue 9 item 6).

A forging host answers with the battery's identification number from another address: the
battery stays where it is (values and commands), never becomes unavailable, and a repair issue
names both addresses.  A device that really moved (its old address silent) is followed, and a
configured host follows it into the entry, so that a unicast-only device is found at its new
address after a restart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir
import pytest

from custom_components.hems.const import CONF_ADDRESS, CONF_HOSTS, CONF_INTERFACE, DOMAIN
from custom_components.hems.echonet import identity
from custom_components.hems.echonet.controller import Controller
from custom_components.hems.echonet.frame import EOJ
from custom_components.hems.echonet.node import Node
from custom_components.hems.hub import KIND as HUB
from custom_components.hems.kinds import runtime_of
from simulator import behaviours as b
from simulator.device import SimObject
from simulator.house import House, NodeSpec, _obj
from simulator.node import SimNode
from simulator.quirks import Quirks
from tests.netns import child_namespace
from tests.waiting import wait_for

from .conftest import HouseFactory, hub_entry, setup_hub

MODE = "select.storage_battery_operation_mode"
BATTERY = EOJ(0x02, 0x7D, 0x01)


async def _forger(house: House, address: str) -> SimNode:
    """A host answering with the battery's identification number (read by anyone: 0x83)."""
    real = house.node("battery")
    fake = SimObject(BATTERY, values={0xDA: b"\x44"}, inf=(0x80, 0xDA))
    forger = SimNode(address, [fake], name="forger", uid=real.uid)
    await forger.start()
    return forger


def _conflict_issues(hass: HomeAssistant) -> list[ir.IssueEntry]:
    return [
        issue
        for (domain, issue_id), issue in ir.async_get(hass).issues.items()
        if domain == DOMAIN and issue_id.startswith("identity_conflict")
    ]


async def test_a_forged_identity_does_not_take_the_device_over(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house = await make_house()
    entry = await setup_hub(hass)
    controller = runtime_of(entry, HUB).controller
    controller.timeout = 0.3
    real = house.node("battery")
    states: list[str] = []

    def _record(event: Event[Any]) -> None:
        if event.data["entity_id"] == MODE and event.data["new_state"] is not None:
            states.append(event.data["new_state"].state)

    hass.bus.async_listen("state_changed", _record)
    assert hass.states.get(MODE).state == "auto"

    forged_address = real.address.rsplit(".", 1)[0] + ".250"
    forger = await _forger(house, forged_address)
    try:
        forger.announce_instances()  # "I am the battery" from another address
        await wait_for(lambda: forger.requests_received > 0, what="the forger to be asked")
        await controller.wait_for_setups()
        await hass.async_block_till_done()
        node = controller.nodes[real.uid.hex()]
        assert node.address == real.address
        assert controller.node_at(forged_address) is None

        # One repair issue, naming both addresses (Home Assistant shows it translated).
        (issue,) = _conflict_issues(hass)
        assert issue.translation_key == "identity_conflict"
        assert issue.translation_placeholders is not None
        assert issue.translation_placeholders["address"] == real.address
        assert issue.translation_placeholders["claimant"] == forged_address
        assert issue.severity is ir.IssueSeverity.ERROR

        # The forger announces a value; then the real battery does: only the real one shows.
        forger.objects[BATTERY].update({0xDA: b"\x42"})
        house.obj("battery").update({0xDA: b"\x44"})
        await wait_for(lambda: hass.states.get(MODE).state == "standby", what="the real value")
        assert "charging" not in states

        # Commands go to the real battery.
        await hass.services.async_call(
            "select", "select_option", {"entity_id": MODE, "option": "discharging"}, blocking=True
        )
        assert house.obj("battery").values[0xDA] == b"\x43"
        assert forger.objects[BATTERY].values[0xDA] == b"\x42"
        assert STATE_UNAVAILABLE not in states
        assert node.available
        assert node.stats.address_changes == 0
    finally:
        await forger.stop()


async def test_one_issue_per_device_names_its_claimants(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house = await make_house()
    entry = await setup_hub(hass)
    controller = runtime_of(entry, HUB).controller
    controller.timeout = 0.3
    base = house.node("battery").address.rsplit(".", 1)[0]
    forgers = [await _forger(house, f"{base}.{last}") for last in range(240, 246)]
    try:
        for forger in forgers:
            forger.announce_instances()
        guard = controller.discovery.identity
        await wait_for(lambda: len(guard.claims) == 6, what="six claims held off")
        await hass.async_block_till_done()
        (issue,) = _conflict_issues(hass)
        assert issue.translation_placeholders is not None
        claimants = issue.translation_placeholders["claimant"]
        assert claimants == ", ".join(f"{base}.{last}" for last in range(240, 245)) + " …"
        # Unloaded, the hub forgets its conflicts (found again if they are still there).
        assert await hass.config_entries.async_unload(entry.entry_id)
        assert _conflict_issues(hass) == []
    finally:
        for forger in forgers:
            await forger.stop()


async def test_the_conflict_ends_when_the_claimant_stops(
    hass: HomeAssistant, make_house: HouseFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(identity, "HOLD_SECONDS", 0.5)
    house = await make_house()
    entry = await setup_hub(hass)
    controller = runtime_of(entry, HUB).controller
    controller.timeout = 0.2
    real = house.node("battery")
    forged_address = real.address.rsplit(".", 1)[0] + ".250"
    forger = await _forger(house, forged_address)
    forger.announce_instances()
    guard = controller.discovery.identity
    await wait_for(lambda: guard.held(forged_address), what="the claim to be held off")
    await hass.async_block_till_done()
    assert len(_conflict_issues(hass)) == 1
    await forger.stop()
    await wait_for(lambda: guard.due() == [forged_address], what="the hold to end")
    controller.discover()  # the periodic discovery checks the claimant again: silent
    await wait_for(lambda: not guard.claims, what="the conflict to end")
    await hass.async_block_till_done()
    assert _conflict_issues(hass) == []
    assert controller.nodes[real.uid.hex()].address == real.address


async def test_a_real_move_is_followed_once_the_old_address_is_silent(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """The battery moves while a forger holds its identity elsewhere: the move is accepted
    (its old address is silent), and the forger's claim ends with it."""
    house = await make_house()
    entry = await setup_hub(hass)
    controller = runtime_of(entry, HUB).controller
    controller.timeout = 0.2
    real = house.node("battery")
    base = real.address.rsplit(".", 1)[0]
    forger = await _forger(house, f"{base}.250")
    try:
        forger.announce_instances()
        guard = controller.discovery.identity
        await wait_for(lambda: guard.held(f"{base}.250"), what="the claim to be held off")
        await real.move(f"{base}.222")  # announces its instances from the new address

        async def moved() -> bool:
            await controller.wait_for_setups()
            await hass.async_block_till_done()
            return controller.node_at(f"{base}.222") is not None

        await wait_for(moved, what="the node at its new address")
        assert not guard.claims
        assert _conflict_issues(hass) == []
        house.obj("battery").update({0xDA: b"\x42"})
        await wait_for(lambda: hass.states.get(MODE).state == "charging", what="the pushed mode")
    finally:
        await forger.stop()


async def test_a_unicast_only_device_is_found_at_its_new_address_after_a_restart(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    house = await make_house()
    real = house.node("battery")
    old = real.address
    entry = hub_entry()
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_HOSTS: [old]})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    controller = runtime_of(entry, HUB).controller
    controller.timeout = 0.2
    new = old.rsplit(".", 1)[0] + ".223"
    await real.move(new)

    async def moved() -> bool:
        await controller.wait_for_setups()
        await hass.async_block_till_done()
        return controller.node_at(new) is not None

    await wait_for(moved, what="the node at its new address")
    assert entry.data[CONF_HOSTS] == [new]  # the stored host followed the device
    assert runtime_of(entry, HUB).controller is controller  # no reload for that

    # Restart with the device reachable by unicast only (it no longer hears multicast).
    assert await hass.config_entries.async_unload(entry.entry_id)
    real.quirks.deaf_to_multicast = True
    real.quirks.no_multicast = True
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    controller = runtime_of(entry, HUB).controller
    await wait_for(
        lambda: controller.node_at(new) is not None, what="the device at its stored address"
    )
    assert hass.states.get(MODE).state == "auto"


async def test_a_node_without_identification_is_known_by_its_mac_address(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """On the same link, a node without 0x83 keeps its identity (its MAC address) when its
    IP address changes: same device, same entities, found at the new address."""
    with child_namespace() as child:
        child.set_address(f"{child.prefix}.2")
        light = _obj(0x029001, b.Light(watts=60), values={0x80: b.ON}, inf=(0x80,))
        node = SimNode(
            f"{child.prefix}.2",
            [light],
            name="old stack",
            quirks=Quirks(no_identification=True),
            socket_factory=child.socket,
        )
        await node.start()
        try:
            entry = hub_entry()
            entry.add_to_hass(hass)
            data = {
                **entry.data,
                CONF_INTERFACE: child.host_if,
                CONF_ADDRESS: child.host_address,
                CONF_HOSTS: [f"{child.prefix}.2"],
            }
            hass.config_entries.async_update_entry(entry, data=data)
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
            controller = runtime_of(entry, HUB).controller
            controller.timeout = 0.3
            await wait_for(lambda: len(controller.nodes) == 1, what="the node")
            (uid,) = controller.nodes
            assert uid == f"mac:{child.child_mac()}"
            registry = er.async_get(hass)
            entities = len(er.async_entries_for_config_entry(registry, entry.entry_id))

            child.set_address(f"{child.prefix}.3", old=f"{child.prefix}.2")
            await node.move(f"{child.prefix}.3")  # announces from the new address

            async def moved() -> bool:
                await controller.wait_for_setups()
                await hass.async_block_till_done()
                return controller.node_at(f"{child.prefix}.3") is not None

            await wait_for(moved, what="the node at its new address")
            assert list(controller.nodes) == [uid]
            assert entry.data[CONF_HOSTS] == [f"{child.prefix}.3"]
            assert len(er.async_entries_for_config_entry(registry, entry.entry_id)) == entities
            light.update({0x80: b.OFF})
            lamp = registry.async_get_entity_id("light", DOMAIN, f"{uid}-{light.eoj}-light")
            assert lamp is not None
            await wait_for(lambda: hass.states.get(lamp).state == "off", what="the pushed off")
            assert await hass.config_entries.async_unload(entry.entry_id)
        finally:
            await node.stop()


async def test_a_node_without_identification_off_link_is_known_by_ip(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """Without a MAC address (loopback here; a routed network in a home), by its IP."""
    light = _obj(0x029001, b.Light(watts=60), values={0x80: b.ON}, inf=(0x80,))
    spec = NodeSpec("old stack", [light], quirks=Quirks(no_identification=True))
    house = await make_house(specs=[spec])
    entry = await setup_hub(hass)
    controller = runtime_of(entry, HUB).controller
    assert list(controller.nodes) == [f"ip:{house.node('old stack').address}"]


def test_neighbour_table(tmp_path: Path) -> None:
    table = tmp_path / "arp"
    table.write_text(
        "IP address       HW type     Flags       HW address            Mask     Device\n"
        "192.168.1.20     0x1         0x2         AA:bb:cc:00:11:22     *        eth0\n"
        "192.168.1.21     0x1         0x0         00:00:00:00:00:00     *        eth0\n"
        "192.168.1.22     0x1         0x6         00:00:00:00:00:00     *        eth0\n"
        "192.168.1.23     0x1         zz          aa:bb:cc:00:11:23     *        eth0\n"
        "broken\n"
    )
    assert identity.neighbour_mac("192.168.1.20", table) == "aa:bb:cc:00:11:22"
    for host in ("192.168.1.21", "192.168.1.22", "192.168.1.23", "192.168.1.99"):
        assert identity.neighbour_mac(host, table) is None
    assert identity.neighbour_mac("192.168.1.20", tmp_path / "missing") is None


async def test_a_mac_identity_outlives_a_missing_table_entry(tmp_path: Path) -> None:
    table = tmp_path / "arp"
    table.write_text("IP address HW type Flags HW address Mask Device\n")
    guard = identity.IdentityGuard(Controller("127.0.0.1"), neighbour_table=table)
    bound = "mac:aa:bb:cc:00:11:22"
    # No entry (yet, or any more) for the host: the node bound there keeps its MAC key...
    assert await guard.key_of("192.168.1.20", {}, bound) == bound
    # ... but a node bound by IP, or none, is known by IP.
    assert await guard.key_of("192.168.1.20", {}, "ip:192.168.1.20") == "ip:192.168.1.20"
    assert await guard.key_of("192.168.1.20", {}) == "ip:192.168.1.20"
    ident = bytes.fromhex("fe00000b") + bytes(range(1, 14))
    assert await guard.key_of("192.168.1.20", {0x83: ident}, bound) == ident.hex()


async def test_held_claimants_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identity, "MAX_CLAIMS", 3)
    controller = Controller("127.0.0.1")
    heard: list[object] = []
    controller.subscribe(heard.append)
    guard = identity.IdentityGuard(controller)
    node = Node("fe00000b" + "00" * 13, "192.0.2.1")
    for last in range(10, 15):
        guard._hold(node, f"192.0.2.{last}")
    assert list(guard.claims) == ["192.0.2.12", "192.0.2.13", "192.0.2.14"]
    assert guard.conflicts_seen == 5 and len(heard) == 5
    guard._hold(node, "192.0.2.14")  # the same claimant again: held longer, counted once
    assert guard.conflicts_seen == 5
