"""The physics of the devices and the life of the default house, and how commands change them.

These are the behaviours the energy features (and the planner) rely on: a battery or a car
commanded to charge gains charge, an EcoCute asked to boil fills its tank, the fuel cell's
status agrees with its switch, the family heats in winter and cools in summer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from simulator.clock import JST
from simulator.house import House

from .readings import decoded

ON, OFF = b"\x30", b"\x31"


def _house(when: str, **kwargs: object) -> House:
    start = datetime.fromisoformat(when).replace(tzinfo=JST)
    return House(
        "house", start=start, history_days=0, speed=1e-9, base_address="127.0.200.1", **kwargs
    )


def _modes_used(house: House, days: int) -> set[bytes]:
    """The air conditioners' modes whenever one runs, every 10 minutes for ``days`` days."""
    used: set[bytes] = set()
    for _ in range(days * 144):
        house.step(600)
        for name in ("living-ac", "bedroom-ac"):
            ac = house.obj(name)
            if ac.is_on:
                used.add(ac.values[0xB0])
    return used


def test_the_family_heats_in_winter_and_cools_in_summer() -> None:
    assert _modes_used(_house("2026-12-10T00:00"), 4) == {b"\x43"}  # heating only
    assert _modes_used(_house("2026-08-01T00:00"), 4) == {b"\x42"}  # cooling only
    assert _modes_used(_house("2026-05-05T00:00"), 3) == set()  # mild: left off


def test_the_living_room_follows_its_air_conditioner() -> None:
    house = _house("2026-01-20T06:00")
    room = house.physics.rooms[0x08]
    ac = house.obj("living-ac")
    house.step(3 * 3600)  # heating since about 06:30
    assert ac.is_on and ac.values[0xB0] == b"\x43"
    assert abs(room.temp_c - 22) < 0.7
    assert decoded(ac, 0xBB) == round(room.temp_c)
    assert decoded(house.obj("sensors", 0x001101), 0xE0) == round(room.temp_c, 1)
    drawn = decoded(ac, 0x84)
    assert 150 < drawn < 1500
    assert ac.write(0x80, OFF)
    house.step(2 * 3600)
    assert room.temp_c < 20  # a cold January day


def test_lights_draw_by_brightness() -> None:
    house = _house("2026-03-03T12:00")
    light = house.obj("lighting", 0x029001)
    assert light.write(0x80, ON)
    assert light.write(0xB0, bytes((100,)))
    load = house.load_w
    assert light.write(0xB0, bytes((50,)))
    assert house.load_w == load - 30  # a 60 W light at half brightness


def test_the_fuel_cell_status_agrees_with_its_switch() -> None:
    house = _house("2026-02-01T03:00")
    cell = house.obj("fuel-cell")
    seen = set()
    for _ in range(48):
        house.step(1800)
        on = cell.values[0xCA] == b"\x41"  # its timer: mornings and evenings
        seen.add(on)
        assert cell.values[0xCB] == (b"\x41" if on else b"\x42")  # generating / stopped
        assert (0 < decoded(cell, 0xC4) <= 700) == on
    assert seen == {True, False}
    assert cell.write(0xCA, b"\x42")
    assert cell.values[0xCB] == b"\x42" and decoded(cell, 0xC4) == 0
    house.step(3600)
    assert cell.values[0xCB] == b"\x42"
    assert cell.write(0xCA, b"\x41")
    assert cell.values[0xCB] == b"\x41" and decoded(cell, 0xC4) > 0


def _tank(house: House) -> float:
    return float(decoded(house.obj("ecocute"), 0xE1))


def test_the_ecocute_boils_at_night_and_when_asked() -> None:
    house = _house("2026-01-20T20:00")
    heater = house.obj("ecocute")
    house.step(3 * 3600)  # 23:00: the bath and the evening used hot water
    evening = _tank(house)
    assert evening < 460
    house.step(30 * 60)
    assert heater.values[0xB2] == b"\x41"  # boiling in the night period
    assert decoded(heater, 0x84) > 800
    house.step(6 * 3600)
    assert _tank(house) > 0.95 * 460  # full by the morning (05:30), less the standing loss
    assert heater.values[0xB2] == b"\x42"
    house.step(11 * 3600)  # 16:30 the next day
    used = _tank(house)
    assert heater.write(0xB0, b"\x42")  # 沸き増し
    assert heater.values[0xB2] == b"\x41"
    house.step(1800)
    assert _tank(house) > used
    house.step(2 * 3600)  # 19:00
    assert heater.values[0xB0] == b"\x41"  # back to automatic once full
    assert heater.values[0xB2] == b"\x42"


def test_the_ecocute_shifts_boiling_into_the_day() -> None:
    house = _house("2026-04-14T08:00")
    heater = house.obj("ecocute")
    assert heater.write(0xC7, b"\x01")  # take part in the energy shift
    assert heater.write(0xCA, bytes((13,)))  # boil from 13:00
    house.step(4 * 3600)
    assert heater.values[0xB2] == b"\x42"  # 12:00: not yet
    house.step(3600 + 60)
    assert heater.values[0xB2] == b"\x41"  # 13:01: boiling in the sun
    house.step(12 * 3600)  # 01:01: the night fills only 60 %
    night = house.physics.behaviour(heater)
    assert night.heat_kwh <= 0.6 * night.full_kwh(heater) + 0.5


def test_the_battery_follows_its_mode_and_amounts() -> None:
    house = _house("2026-06-10T02:00")
    assert house.obj("v2h").write(0xDA, b"\x44")  # the car does not charge tonight
    battery = house.obj("battery")
    soc = decoded(battery, 0xE4)
    assert battery.write(0xE7, (1000).to_bytes(4, "big"))  # charge 1 kWh
    assert battery.write(0xDA, b"\x42")
    assert decoded(battery, 0xD3) == 3000  # the charging power setting
    grid = house.net_w
    house.step(10 * 60)
    assert decoded(battery, 0xE4) > soc
    house.step(30 * 60)  # 1 kWh at 3 kW takes 20 minutes
    assert decoded(battery, 0xD3) == 0
    assert battery.values[0xCF] == b"\x44"  # standby once the amount is in
    assert house.net_w <= grid - 2900  # the charging came from the grid
    assert battery.write(0xDA, b"\x43")  # discharge: covers the house, exports nothing
    assert decoded(battery, 0xD3) < 0
    assert house.net_w == 0
    assert battery.write(0xDA, b"\x44")
    assert decoded(battery, 0xD3) == 0


def test_automatic_battery_soaks_up_the_sun() -> None:
    house = _house("2026-05-20T11:00")
    battery = house.obj("battery")
    assert battery.write(0xDA, b"\x46")
    house.step(60)
    behaviour = house.physics.behaviour(battery)
    assert 10 < behaviour.soc < 100
    surplus = -(house.net_w - behaviour.power)  # what the house would export without it
    assert surplus > 0
    assert behaviour.power == min(3000, surplus)  # up to its maximum
    assert house.net_w == min(0, 3000 - surplus)


def test_the_car_charges_when_plugged_and_asked() -> None:
    house = _house("2026-09-15T07:30")  # a Tuesday
    v2h = house.obj("v2h")
    assert v2h.values[0xC7] == b"\x43"  # plugged in, chargeable and dischargeable
    assert v2h.write(0xE7, (2000).to_bytes(4, "big"))
    assert v2h.write(0xDA, b"\x42")
    charged = decoded(v2h, 0xD8)
    assert decoded(v2h, 0xD3) == 3000
    house.step(30 * 60)  # 08:00: 1.5 of the 2 kWh are in
    assert decoded(v2h, 0xD3) == 3000
    assert decoded(v2h, 0xD8) - charged == 1.5
    house.step(10 * 60)  # 08:10: done
    assert decoded(v2h, 0xD3) == 0
    assert decoded(v2h, 0xD8) - charged == 2.0
    house.step(20 * 60)  # 08:30: the car has left for work
    assert v2h.values[0xC7] == b"\x30"
    assert decoded(v2h, 0xD3) == 0
    house.step(11 * 3600)  # 19:30: back, with less charge
    assert v2h.values[0xC7] == b"\x43"


def test_the_solar_plant_follows_the_sun() -> None:
    house = _house("2026-05-24T04:00")  # a sunny day (seed 1)
    assert house.weather.day(house.physics.env.day).kind == "sunny"
    solar = house.obj("solar")
    outputs = []
    for _ in range(18 * 6):
        house.step(600)
        outputs.append(decoded(solar, 0xE0))
    assert outputs[0] == 0 and outputs[-1] == 0  # 04:10 and 22:00
    assert 3500 < max(outputs) <= 4500
    winter = _house("2026-12-21T11:40")
    assert decoded(winter.obj("solar"), 0xE0) < 4500


def test_a_week_goes_by() -> None:
    """Seven days at ten-minute steps: values stay valid and the counters only grow."""
    house = _house("2026-10-01T00:00")
    meter = house.obj("meters", 0x028101)
    last = decoded(meter, 0xE0)
    end = house.clock.now() + timedelta(days=7)
    while house.clock.now() < end:
        house.step(600)
        water = decoded(meter, 0xE0)
        assert water >= last
        last = water
    assert last > 456.789 + 1.5  # a family uses a few hundred litres a day
