"""Device models (behaviours) as the house runs them: settings, modes, optional properties."""

from __future__ import annotations

from datetime import datetime
import math

from custom_components.hems.echonet.definitions import Invalid
from custom_components.hems.echonet.frame import EOJ
from simulator import behaviours as b
from simulator.device import SimObject
from simulator.house import House, NodeSpec
from simulator.scenario import EMPTY
from tests.houses import next_base

NIGHT = datetime.fromisoformat("2026-05-13T02:00:00+09:00")  # a Wednesday
NOON = datetime.fromisoformat("2026-05-13T12:00:00+09:00")
CHARGE, DISCHARGE, RAPID, STANDBY = b"\x42", b"\x43", b"\x41", b"\x44"
EV_AUTO = b"\x49"


def _device(
    eoj: int,
    behaviour: b.Base,
    *,
    omit: tuple[int, ...] = (),
    values: dict[int, bytes] | None = None,
    location: int | None = None,
) -> SimObject:
    if location is not None:
        values = {0x81: bytes((location,)), **(values or {})}
    obj = SimObject(EOJ.from_int(eoj), measures_power=True, omit=omit, values=values)
    obj.behaviour = behaviour
    return obj


def _house(start: datetime, *objects: SimObject) -> House:
    """A house of just these devices and nobody living in it (not serving the network)."""
    specs = [NodeSpec("devices", list(objects))]
    return House(
        "scale", specs=specs, start=start, life=EMPTY, speed=1e-9, base_address=next_base()
    )


def _invalid(obj: SimObject) -> list[str]:
    bad = []
    for epc in sorted(obj.get_map):
        edt = obj.read(epc)
        assert edt is not None, f"{obj.eoj} 0x{epc:02X}"
        if isinstance(obj.prop(epc).decode(edt, obj.values), Invalid):
            bad.append(f"{obj.eoj} 0x{epc:02X}")
    return bad


#: Devices whose optional properties are left out (what some real units do).
SPARSE: dict[int, tuple[b.Base, tuple[int, ...]]] = {
    0x027D01: (b.Battery(), (0xA4, 0xA5, 0xA8, 0xA9, 0xC8, 0xC9)),
    0x02A101: (b.EvCharger(), (0xC5, 0xC7, 0xC8, 0xD3, 0xD6, 0xD8, 0xE1, 0xE2, 0xE4, 0xEB)),
    0x027C01: (b.FuelCell(), (0xC7, 0xC8, 0xE1, 0xE2)),
    0x027901: (b.Solar(), (0xE3,)),
    0x027B01: (b.FloorHeater(), (0xE2, 0xE3)),
    0x013001: (b.AirConditioner(), (0xBE,)),
    0x028701: (b.DistributionBoard(circuits=32, duplex=4), (0xB8,)),
}


def test_devices_without_optional_properties_never_invent_them() -> None:
    """Over a day, a device lacking optional properties publishes only what it has, validly."""
    ranges = {epc: b"\x01\x20" for epc in (0xB2, 0xB4, 0xB6)}
    ranges |= {epc: b"\x01\x04" for epc in (0xB9, 0xBB, 0xBD)}
    house = _house(
        NIGHT,
        *(
            _device(eoj, model, omit=omit, values=ranges if eoj == 0x028701 else None)
            for eoj, (model, omit) in SPARSE.items()
        ),
    )
    for _ in range(8):
        house.step(3 * 3600)
        for obj in house.objects():
            omitted = SPARSE[int.from_bytes(obj.eoj.to_bytes(), "big")][1]
            assert not set(omitted) & set(obj.values), obj.eoj
            assert all(obj.read(epc) is None for epc in omitted), obj.eoj
            assert _invalid(obj) == []
    solar = house.obj("devices", 0x027901)
    assert solar.u(0xE1, 4) > 0  # it generated, and counted it


def test_battery_amounts_and_rapid_charging() -> None:
    """Discharging stops after the set amount (0xE8); other settings do not restart it, a new
    mode does; rapid charging runs at full power and says so (0xCF)."""
    house = House("house", start=NIGHT, speed=1e-9, base_address="127.0.200.1")
    battery = house.obj("battery")
    assert battery.write(0xE8, (150).to_bytes(4, "big"))
    assert battery.write(0xDA, DISCHARGE)
    discharged = battery.u(0xD6, 4)
    for _ in range(10):
        house.step(60)
    assert battery.s(0xD3, 4) == 0
    moved = battery.u(0xD6, 4) - discharged
    assert 150 <= moved <= 150 + 3000 / 60  # at most one minute at full power beyond it
    assert battery.write(0xA7, bytes((5,)))  # a lower limit: the amount still counts
    house.step(60)
    assert battery.s(0xD3, 4) == 0
    assert battery.write(0xE8, bytes(4))
    assert battery.write(0xE7, bytes(4))  # no first charge amount: the second (0xAA) counts
    assert battery.write(0xAA, (100).to_bytes(4, "big"))
    assert battery.write(0xDA, CHARGE)
    assert battery.s(0xD3, 4) == 3000  # 0xEB: charge at 3 kW
    charged = battery.u(0xD8, 4)
    for _ in range(5):
        house.step(60)
    assert battery.s(0xD3, 4) == 0 and 100 <= battery.u(0xD8, 4) - charged <= 150
    assert battery.write(0xAA, bytes(4))
    assert battery.write(0xDA, RAPID)
    house.step(60)
    assert battery.values[0xCF] == RAPID and battery.s(0xD3, 4) == 3000
    assert battery.write(0xDA, STANDBY)
    assert battery.s(0xD3, 4) == 0 and battery.values[0xCF] == STANDBY


def test_v2h_keeps_the_car_reserve() -> None:
    """At night V2H covers the house's draw from the car, down to the car's reserve only."""
    house = House("house", start=NIGHT, speed=1e-9, base_address="127.0.200.1")
    v2h = house.obj("v2h")
    assert v2h.write(0xDA, DISCHARGE)
    house.step(60)
    draw = house.load_w
    assert v2h.s(0xD3, 4) == -min(draw, 3000) and house.net_w == 0
    car = v2h.behaviour
    assert isinstance(car, b.EvCharger)
    car.leave(car.car_kwh - 0.3 * car.car_capacity_kwh)  # back with just the reserve
    car.arrive()
    house.step(60)
    assert v2h.s(0xD3, 4) == 0  # the reserve is the car's


def test_v2h_charges_from_surplus_and_stops_at_the_amount() -> None:
    """Automatic mode charges the car from the solar surplus only; the charge amount (0xE7)
    stops charging, a power limit (0xE0) does not restart it, a new charge does."""
    limit = (3000).to_bytes(4, "big")
    v2h = _device(0x027E01, b.EvCharger(), values={0xDA: STANDBY, 0xE0: bytes(4), 0xEB: limit})
    solar = _device(0x027901, b.Solar())
    house = _house(NOON, v2h, solar)
    car = v2h.behaviour
    assert isinstance(car, b.EvCharger)
    car.leave(20.0)
    car.arrive()
    assert v2h.write(0xDA, EV_AUTO)
    house.step(60)
    surplus = solar.u(0xE0, 2)
    assert surplus > 0 and v2h.s(0xD3, 4) == min(surplus, 3000)
    assert house.net_w == 0  # all of the surplus went into the car
    assert v2h.write(0xE7, (50).to_bytes(4, "big"))
    assert v2h.write(0xDA, CHARGE)
    for _ in range(3):
        house.step(60)
    assert v2h.s(0xD3, 4) == 0  # 50 Wh charged
    assert v2h.write(0xE0, (1000).to_bytes(4, "big"))  # a power limit: the amount still counts
    house.step(60)
    assert v2h.s(0xD3, 4) == 0
    assert v2h.write(0xDA, CHARGE)  # a new charge: at the 1 kW limit
    house.step(60)
    assert v2h.s(0xD3, 4) == 1000


def test_dry_mode_and_a_sensor_the_room_does_not_model() -> None:
    """Drying runs the compressor even in a cool room, fan-only mode only the fan; a sensor of
    a kind the room does not model (VOC) follows the time of day, in a room or not."""
    ac = _device(0x013001, b.AirConditioner(room_c=20.0), location=0x08)
    voc = b.Sensor(base=300.0, swing=100.0, size=2, scale=1, signed=False)
    sensor = _device(0x001D01, voc, location=0x08)
    outside = _device(0x001D02, b.Sensor(base=300.0, swing=100.0, size=2, scale=1, signed=False))
    house = _house(NOON, ac, sensor, outside)
    assert not ac.write(0xB3, bytes((33,)))  # the class allows it, the unit does not
    assert ac.write(0xB3, bytes((27,)))  # warmer than the room: no cooling wanted
    assert ac.write(0xB0, b"\x44")  # dry
    assert ac.write(0x80, b"\x30")
    house.step(60)
    assert isinstance(ac.behaviour, b.AirConditioner) and ac.behaviour.heat_w <= -300
    assert ac.u(0x84, 2) > 25  # the compressor, not just the fan
    assert ac.write(0xB0, b"\x45")  # fan only: 30 W, no heat moved
    assert ac.u(0x84, 2) == 30 and ac.behaviour.heat_w == 0
    assert voc.room is not None
    hour = 12 + 1 / 60
    expected = round(300 + 100 * math.sin(2 * math.pi * (hour - 9) / 24))
    assert sensor.u(0xE0, 2) == outside.u(0xE0, 2) == expected
