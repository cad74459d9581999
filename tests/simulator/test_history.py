"""The smart meter's 45 days of history are what the house's physics measured.

The house at START keeps 45 days of 30-minute values (0xE2/0xE4 by day, selected with 0xE5),
over IP and behind the Wi-SUN dongle alike.  A second house, started at the first one's origin
without history and run live over the same 45 days, records its grid power step by step: the
history must be exactly its integral per 30 minutes (and the registers to their 0.1 kWh).
"""

from __future__ import annotations

from datetime import datetime, timedelta
import json
from pathlib import Path

import pytest

from custom_components.hems.echonet.const import ESV
from custom_components.hems.echonet.frame import EOJ, build, decode_frame
from simulator import history
from simulator.cli import write_history
from simulator.clock import JST
from simulator.dongle import MeterResponder
from simulator.house import METER_EXPORT_KWH, METER_IMPORT_KWH, House
from simulator.meter_model import SLOT_SECONDS
from simulator.physics import Physics

START = datetime(2026, 3, 10, 12, 0, tzinfo=JST)
DAYS = 45
METER = EOJ(0x02, 0x88, 0x01)
CONTROLLER = EOJ(0x05, 0xFF, 0x01)


@pytest.fixture(scope="module")
def house() -> House:
    return House("house", start=START, speed=1e-9, base_address="127.0.200.1")


@pytest.fixture(scope="module")
def replay() -> list[tuple[float, float, int]]:
    """(start, seconds, grid W) of every physics step of a live run over the same days."""
    origin = history.history_origin(START, DAYS)
    steps: list[tuple[float, float, int]] = []
    live = House(
        "house",
        start=origin,
        history_days=0,
        speed=1e-9,
        max_step=history.WARM_UP_STEP,
        base_address="127.0.201.1",
    )

    def probe(physics: Physics, t: float, seconds: float) -> None:
        steps.append((t, seconds, physics.grid_w))

    live.physics.probes.append(probe)
    live.step((START - origin).total_seconds())
    return steps


def _slot_integrals(steps: list[tuple[float, float, int]]) -> dict[float, tuple[float, float]]:
    """(import, export) kWh per 30-minute slot, by the slot's start."""
    slots: dict[float, tuple[float, float]] = {}
    for t, seconds, watts in steps:
        slot = t - (t % SLOT_SECONDS)
        imp, exp = slots.get(slot, (0.0, 0.0))
        energy = abs(watts) * seconds / 3_600_000
        slots[slot] = (imp + energy, exp) if watts >= 0 else (imp, exp + energy)
    return slots


def _ip_day(house: House, days_ago: int) -> tuple[bytes, bytes]:
    meter = house.obj("smart-meter")
    assert meter.write(0xE5, bytes((days_ago,)))
    e2, e4 = meter.read(0xE2), meter.read(0xE4)
    assert e2 is not None and e4 is not None
    return e2, e4


def _registers(edt: bytes) -> list[int | None]:
    values = [int.from_bytes(edt[2 + 4 * i : 6 + 4 * i], "big") for i in range(48)]
    return [None if v == 0xFFFFFFFE else v for v in values]


def test_45_days_of_history_are_the_integral_of_the_grid_power(
    house: House, replay: list[tuple[float, float, int]]
) -> None:
    slots = _slot_integrals(replay)
    model = house.meter
    assert model is not None
    origin = history.history_origin(START, DAYS)
    imp, exp = METER_IMPORT_KWH, METER_EXPORT_KWH
    checked = 0
    worst = 0.0
    for days_ago in range(DAYS, -1, -1):
        day, values = model.history_day(days_ago)
        e2, e4 = _ip_day(house, days_ago)
        assert int.from_bytes(e2[:2], "big") == days_ago
        registers = list(zip(_registers(e2), _registers(e4), strict=True))
        for index, value in enumerate(values):
            when = datetime(day.year, day.month, day.day, tzinfo=JST) + timedelta(
                minutes=30 * index
            )
            if when > START:
                assert value is None and registers[index] == (None, None)
                continue
            assert value is not None
            # the model's value is the start plus every slot's integral so far
            assert value[0] == pytest.approx(imp, abs=1e-6)
            assert value[1] == pytest.approx(exp, abs=1e-6)
            worst = max(worst, abs(value[0] - imp), abs(value[1] - exp))
            # and the registers show it in 0.1 kWh, truncated
            assert registers[index] == (int(value[0] * 10 + 1e-9), int(value[1] * 10 + 1e-9))
            step_imp, step_exp = slots.get(when.timestamp(), (0.0, 0.0))
            imp, exp = imp + step_imp, exp + step_exp
            checked += 1
    assert checked == DAYS * 48 + 25  # 45 whole days and today up to 12:00
    assert origin == datetime(2026, 1, 24, tzinfo=JST)
    assert worst < 1e-6
    # a month and a half of a lived-in house: the meter bought and sold
    final = model.cumulative_kwh()
    assert final[0] - METER_IMPORT_KWH > 50 and final[1] - METER_EXPORT_KWH > 20


def test_the_dongle_shows_the_same_history_and_values(house: House) -> None:
    """The Wi-SUN side (the dongle's meter) is the same meter: the same bytes."""
    assert house.meter is not None
    responder = MeterResponder(house.meter)
    for days_ago in (0, 1, 17, DAYS):
        (set_res,) = responder.handle(
            build(1, CONTROLLER, METER, ESV.SETC, [(0xE5, bytes((days_ago,)))])
        )
        assert decode_frame(set_res).esv == ESV.SET_RES
        (answer,) = responder.handle(
            build(
                2, CONTROLLER, METER, ESV.GET, [(0xE2, b""), (0xE4, b""), (0xE0, b""), (0xE7, b"")]
            )
        )
        frame = decode_frame(answer)
        assert frame.esv == ESV.GET_RES
        got = dict(frame.props)
        e2, e4 = _ip_day(house, days_ago)
        ip = house.obj("smart-meter")
        assert (got[0xE2], got[0xE4]) == (e2, e4)
        assert (got[0xE0], got[0xE7]) == (ip.read(0xE0), ip.read(0xE7))


def test_a_cached_past_continues_like_a_computed_one() -> None:
    """The warm-up cache changes nothing: a house from it equals one computed afresh."""
    start = datetime(2026, 5, 2, 9, 30, tzinfo=JST)
    history._CACHE.clear()
    first = House("house", start=start, speed=1e-9, base_address="127.0.202.1")
    second = House("house", start=start, speed=1e-9, base_address="127.0.203.1")
    for house in (first, second):
        house.step(3 * 3600)
    assert first.meter is not None and second.meter is not None
    assert first.meter.state() == second.meter.state()
    assert first.hours.series == second.hours.series
    for a, b in zip(first.objects(), second.objects(), strict=True):
        skip = {0x83, 0x8D}  # who they are
        assert {e: v for e, v in a.values.items() if e not in skip} == {
            e: v for e, v in b.values.items() if e not in skip
        }, a.eoj


def test_the_hourly_counters_for_the_demo(house: House, tmp_path: Path) -> None:
    """Every past hour of every counter the Energy dashboard uses, ending at the live values."""
    path = tmp_path / "history.json"
    write_history(house, str(path))
    data = json.loads(path.read_text(encoding="utf-8"))
    counters = {(c["node"], c["epc"]): c for c in data["counters"]}
    wanted = {
        ("solar", "0xE1"),
        ("battery", "0xD8"),
        ("battery", "0xD6"),
        ("meters", "0xE0"),
        ("fuel-cell", "0xC5"),
        ("living-ac", "0x85"),
        ("ecocute", "0x85"),
    }
    assert wanted <= set(counters)
    solar = counters[("solar", "0xE1")]
    assert solar["unit"] == "kWh" and solar["eoj"] == "0x027901"
    assert solar["uid"] == house.node("solar").uid.hex()
    hours = [datetime.fromisoformat(t) for t, _v in solar["values"]]
    assert hours[0] == datetime(2026, 1, 24, 1, tzinfo=JST)
    assert hours[-1] == START
    assert len(hours) == DAYS * 24 + 12
    values = [v for _t, v in solar["values"]]
    assert values == sorted(values)
    assert values[-1] == house.obj("solar").u(0xE1, 4) / 1000
    water = next(c for c in data["counters"] if c["eoj"] == "0x028101")
    assert water["unit"] == "m³"


def test_history2_over_ip_follows_0xED_like_the_dongle(house: House) -> None:
    """0xED picks the newest slot and count of 0xEC (the same bytes as the dongle's meter);
    a day beyond the 45 kept (0xE5) and an impossible 0xED (the MRA's checks) are refused."""
    meter = house.obj("smart-meter")
    model = house.meter
    assert model is not None
    before = meter.read(0xE5)
    assert not meter.write(0xE5, bytes((DAYS + 1,)))
    assert meter.read(0xE5) == before
    end = START - timedelta(hours=2)
    setting = bytes.fromhex(f"{end.year:04X}") + bytes((end.month, end.day, end.hour, 0, 3))
    assert meter.write(0xED, setting)
    ec = meter.read(0xEC)
    assert ec is not None and ec[:7] == setting and len(ec) == 7 + 3 * 8
    slots = model.history_slots(end, 3)
    assert [ec[7 + 8 * i : 11 + 8 * i] for i in range(3)] == [
        model.register(values[0]).to_bytes(4, "big") for _t, values in slots if values
    ]
    responder = MeterResponder(house.meter)
    for esv, props in ((ESV.SETC, [(0xED, setting)]), (ESV.GET, [(0xEC, b"")])):
        (answer,) = responder.handle(build(3, CONTROLLER, METER, esv, props))
    assert decode_frame(answer).edt(0xEC) == ec
    for bad in (
        bytes.fromhex("07EA") + bytes((2, 30, 12, 0, 3)),  # 30 February
        setting[:6] + b"\x00",  # no slots
        setting[:6] + b"\x0d",  # 13 slots: at most 12
    ):
        assert not meter.write(0xED, bad), bad
    assert meter.read(0xEC) == ec
    assert meter.write(0x81, b"\x08")  # other settings do not touch the histories
    assert meter.read(0x81) == b"\x08" and meter.read(0xEC) == ec
