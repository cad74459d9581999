"""The virtual house: values valid per the MRA, dynamics, quirks and the CLI."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
import os
from pathlib import Path
import signal
import sys

import pytest

from custom_components.hems.echonet.definitions import Invalid, all_classes
from custom_components.hems.echonet.frame import EOJ
from simulator import behaviours as b
from simulator.device import SimObject
from simulator.env import Env
from simulator.house import House, NodeSpec, addresses
from simulator.quirks import Quirks
from tests.houses import next_base
from tests.waiting import wait_for

JST_NOON = datetime.fromisoformat("2026-05-15T12:00:00+09:00")
JST_NIGHT = datetime.fromisoformat("2026-05-15T02:00:00+09:00")
ROOT = Path(__file__).resolve().parents[2]


def _invalid_values(house: House) -> list[str]:
    bad = []
    for obj in house.objects():
        for epc in sorted(obj.get_map):
            edt = obj.read(epc)
            assert edt is not None
            value = obj.prop(epc).decode(edt, obj.values)
            if isinstance(value, Invalid):
                bad.append(f"{obj.eoj} 0x{epc:02X}: {value.reason}")
    return bad


def test_full_scenario_offers_every_class_with_valid_values() -> None:
    house = House("full", start=JST_NOON, base_address="127.0.200.1")
    offered = {o.eoj.class_code for o in house.objects()}
    assert offered == set(all_classes()) - {0x05FF}
    for obj in house.objects():
        gettable = {e for e, p in obj.class_def.properties.items() if p.gettable}
        own = gettable - set(range(0x80, 0xA0))
        assert own <= obj.get_map, obj.eoj
    assert _invalid_values(house) == []


def test_default_house_values_stay_valid_over_a_day() -> None:
    house = House("house", start=JST_NIGHT, base_address="127.0.200.1")
    for _ in range(48):
        house.step(1800)
        assert _invalid_values(house) == []


def test_solar_follows_the_day_and_meter_follows_the_balance() -> None:
    house = House("house", start=JST_NIGHT, base_address="127.0.200.1", speed=1e-9)
    solar = house.obj("solar")
    assert solar.u(0xE0, 2) == 0
    house.step(10 * 3600)  # noon
    assert solar.u(0xE0, 2) > 500
    # Nothing stores or generates but the sun: the grid is the house's load minus the sun.
    assert house.obj("battery").write(0xDA, b"\x44")  # standby
    assert house.obj("fuel-cell").write(0xCA, b"\x42")  # generation off
    meter = house.obj("smart-meter")
    assert house.net_w == house.load_w - solar.u(0xE0, 2)
    assert meter.s(0xE7, 4) == house.net_w
    before = house.meter.cumulative_kwh() if house.meter else (0.0, 0.0)
    net = house.net_w
    house.step(60)  # one step of the physics: the power is held
    after = house.meter.cumulative_kwh() if house.meter else (0.0, 0.0)
    moved = (after[0] - before[0], after[1] - before[1])
    # a minute at the power held: what the meter counted (import or export)
    expected = abs(net) * 60 / 3_600_000
    assert moved == pytest.approx((expected, 0.0) if net > 0 else (0.0, expected), abs=1e-9)


def test_air_conditioner_off_stops_drawing_power() -> None:
    """A command changes the physics at once: the house's load drops by the unit's power."""
    house = House("house", start=JST_NOON, base_address="127.0.200.1")
    ac = house.obj("living-ac")
    assert not ac.is_on  # a mild May noon: the family leaves it off
    assert ac.write(0xB0, b"\x42")  # cooling
    assert ac.write(0xB3, bytes((18,)))
    assert ac.write(0x80, b"\x30")
    drawn = ac.u(0x84, 2)
    assert drawn > 200
    house.step(60)
    load = house.load_w
    drawn = ac.u(0x84, 2)
    assert ac.write(0x80, b"\x31")
    assert ac.u(0x84, 2) == 0
    assert house.load_w == load - drawn
    assert not ac.write(0xB3, bytes((45,)))  # outside the unit's range


def test_battery_charges_on_command_and_reports_soc() -> None:
    house = House("house", start=JST_NIGHT, base_address="127.0.200.1")
    battery = house.obj("battery")
    soc = battery.u(0xE4)
    charged = battery.u(0xD8, 4)
    assert battery.write(0xDA, b"\x42")
    house.step(1800)
    assert battery.u(0xE4) > soc
    assert battery.u(0xD8, 4) > charged
    assert battery.s(0xD3, 4) > 0
    assert battery.values[0xCF] == b"\x42"


def test_shutter_moves_after_open_close() -> None:
    house = House("house", start=JST_NOON, base_address="127.0.200.1")
    shutter = house.obj("shutter")
    assert shutter.write(0xE0, b"\x42")  # close
    assert shutter.values[0xEA] == b"\x44"  # closing
    house.step(3)
    assert 0 < shutter.u(0xE1) < 100
    house.step(30)
    assert shutter.u(0xE1) == 0
    assert shutter.values[0xEA] == b"\x42"


def test_lock_refuses_to_lock_an_open_door() -> None:
    house = House("house", start=JST_NOON, base_address="127.0.200.1")
    lock = house.obj("entrance-lock")
    lock.update({0xE3: b"\x41"})
    assert not lock.write(0xE0, b"\x41")
    lock.update({0xE3: b"\x42"})
    assert lock.write(0xE0, b"\x41")


def test_ecocute_manual_boiling_and_bath_auto() -> None:
    house = House("house", start=JST_NOON, base_address="127.0.200.1")
    heater = house.obj("ecocute")
    assert heater.write(0xB0, b"\x42")
    house.step(60)
    assert heater.values[0xB2] == b"\x41"
    assert heater.write(0xE3, b"\x41")


def test_meter_fixed_time_values_every_30_minutes() -> None:
    house = House("house", start=JST_NIGHT + timedelta(minutes=5), base_address="127.0.200.1")
    meter = house.obj("smart-meter")
    first = meter.values[0xEA]
    house.step(30 * 60)
    second = meter.values[0xEA]
    assert second != first
    assert second[4:7] == bytes((2, 30, 0))  # 02:30:00
    assert meter.values[0xEB][4:7] == bytes((2, 30, 0))
    history = meter.read(0xE2)
    assert history is not None and len(history) == 2 + 48 * 4


def test_distribution_board_ranges() -> None:
    house = House("house", start=JST_NOON, base_address="127.0.200.1")
    board = house.obj("board")
    house.step(60)
    assert board.u(0xB1) == 40
    default = board.read(0xB3)
    assert default is not None and default[:2] == bytes((1, 32))
    assert board.write(0xB2, bytes((33, 8)))
    tail = board.read(0xB3)
    assert tail is not None and tail[:2] == bytes((33, 8)) and len(tail) == 2 + 8 * 4
    assert not board.write(0xB2, bytes((41, 1)))
    assert board.read(0xEF) is not None  # channel 32 as a single property
    # the 4 duplex channels (solar, battery, V2H, fuel cell): 0xB9 selects for 0xBA
    assert board.write(0xB9, bytes((2, 2)))
    duplex = board.read(0xBA)
    assert duplex is not None and duplex[:2] == bytes((2, 2)) and len(duplex) == 2 + 2 * 8
    assert not board.write(0xB9, bytes((5, 1)))  # no channel 5
    assert board.write(0xBD, bytes((1, 4)))
    assert not board.write(0xBD, bytes((1, 31)))  # at most 30 at once
    assert board.read(0xBA) == duplex
    assert board.write(0x81, bytes((0x6A,)))  # not a range: the board takes it as it is


def test_addresses_and_quirk_parsing() -> None:
    assert list(addresses("127.0.0.254", 3)) == ["127.0.0.254", "127.0.0.255", "127.0.1.0"]
    quirks = Quirks.parse("drop_together=B3+B7/C0+C1,delay=0.5,silent=1,wrong_length=E0")
    assert quirks.drop_together == [frozenset({0xB3, 0xB7}), frozenset({0xC0, 0xC1})]
    assert quirks.delay == 0.5 and quirks.silent and quirks.wrong_length == {0xE0}
    assert set(quirks.active()) == {"drop_together", "delay", "silent", "wrong_length"}
    assert Quirks.parse("ignore_set=DA+E7").ignore_set == {0xDA, 0xE7}
    quirks.reset()
    assert quirks.active() == {}
    with pytest.raises(ValueError, match="unknown quirk"):
        quirks.set(nope=True)
    with pytest.raises(ValueError, match="scenario"):
        House("nope")


async def test_house_runs_its_own_clock() -> None:
    house = House("scale", count=3, speed=3600, tick_interval=0.05, base_address=next_base())
    await house.start()
    try:
        sensor = next(o for o in house.objects() if isinstance(o.behaviour, b.Sensor))
        first = sensor.values[0xE0]
        for _ in range(40):
            await asyncio.sleep(0.05)
            if sensor.values[0xE0] != first:
                break
        assert sensor.values[0xE0] != first
    finally:
        await house.stop()
    assert house.node("node-1").objects[EOJ(0x01, 0x30, 0x01)] is not None


async def test_cli_serves_the_house_and_stops_on_ctrl_c() -> None:
    base = next_base()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        "--base-address",
        base,
        "--speed",
        "60",
        "--quirk",
        "board:delay=0.1",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    lines = []
    try:
        while True:
            line = await asyncio.wait_for(proc.stdout.readline(), 30)
            assert line, (await proc.stderr.read()).decode() if proc.stderr else ""
            lines.append(line.decode())
            if "Serving" in lines[-1]:
                break
    finally:
        proc.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(proc.wait(), 15)
    text = "".join(lines)
    assert base in text
    assert "0x028801 Smart meter" in text
    assert "delay" in text
    assert code == 0


async def test_cli_rejects_unknown_nodes() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        "--base-address",
        next_base(),
        "--quirk",
        "nope:silent=1",
        cwd=ROOT,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 2
    assert b"no node named" in err


@dataclass
class _FlakySensor(b.Sensor):
    """A thermometer whose next ``fail`` publishes crash (a bug in one device's model)."""

    fail: int = 0
    published: int = 0

    def publish(self, obj: SimObject, env: Env) -> None:
        if self.fail:
            self.fail -= 1
            raise RuntimeError("sensor model crashed")
        self.published += 1
        super().publish(obj, env)


async def test_a_failing_step_is_logged_and_the_house_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One step raising does not stop the house's clock: it is logged, the next steps run."""
    sensor = SimObject(EOJ(0x00, 0x11, 0x01), name="thermometer")
    flaky = _FlakySensor()
    sensor.behaviour = flaky
    with pytest.raises(ValueError, match="unknown scenario 'nope'"):
        House("nope", specs=[NodeSpec("thermometer", [sensor])])
    house = House(
        "scale",
        specs=[NodeSpec("thermometer", [sensor])],
        speed=600,
        tick_interval=0.01,
        base_address=next_base(),
    )
    await house.start(serve=False)
    try:
        flaky.fail = 1
        before = flaky.published
        await wait_for(lambda: flaky.published > before + 1, what="steps after the failure")
    finally:
        await house.stop()
    assert flaky.fail == 0
    assert "simulation step failed" in caplog.text and "sensor model crashed" in caplog.text
    assert house.node("thermometer").frames_sent == 0  # it never served: it sent nothing


async def test_serving_as_a_context_and_the_unmetered_load() -> None:
    """``async with`` binds and announces every node and closes them; a house that was never
    started stops quietly; the load no device measures is part of the house's load."""
    house = House("scale", count=2, tick_interval=0, base_address=next_base())
    await house.stop()
    assert 0 <= house.base_load_w <= house.load_w
    async with house as served:
        assert served is house
        sent = [node.frames_sent for node in house.nodes.values()]
        assert sent == [1, 1]  # the instance list (INF 0xD5) of each node
    for node in house.nodes.values():
        node.announce_instances()  # closed: nothing goes out any more
    assert [node.frames_sent for node in house.nodes.values()] == sent
    quiet = House("scale", count=1, tick_interval=0, base_address=next_base())
    await quiet.start(announce=False)
    try:
        assert quiet.node("node-1").frames_sent == 0
    finally:
        await quiet.stop()
    house_with_residents = House("house", start=JST_NOON, base_address=next_base())
    assert 0 < house_with_residents.base_load_w < house_with_residents.load_w
