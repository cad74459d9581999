"""Full feed-in (全量買取) wiring: the solar sells everything through its own meter."""

from __future__ import annotations

from datetime import datetime

import pytest

from simulator.behaviours import Solar
from simulator.clock import JST
from simulator.house import House

from .readings import board_circuits_w, board_duplex_w, decoded, powers


def test_the_solar_bypasses_the_house_meter_and_board() -> None:
    """At noon the solar generates, all of it is sold, the house's meter exports nothing and
    buys the whole load (less the fuel cell and the battery); the board carries no solar."""
    start = datetime(2026, 5, 22, 11, 0, tzinfo=JST)
    house = House("house", start=start, tick_interval=0, history_days=0, full_feed_in=True)
    meter = house.meter
    assert meter is not None
    _, exported_before = meter.registers()
    solar = house.obj("solar")
    behaviour = solar.behaviour
    assert isinstance(behaviour, Solar) and behaviour.full_feed_in
    generated, sold = decoded(solar, 0xE1), decoded(solar, 0xE3)
    for _ in range(12):
        house.step(300)
        p = powers(house)
        assert p["solar"] > 500  # a sunny May noon
        load = sum(board_circuits_w(house))
        assert p["grid"] == load + p["battery"] + p["v2h"] - p["fuel_cell"]
        assert p["grid"] >= 0  # never exporting: no solar reaches the house
        assert p["main"] == p["grid"]
        assert sum(board_duplex_w(house)) == p["battery"] + p["v2h"] - p["fuel_cell"]
    assert meter.registers()[1] == exported_before
    assert decoded(solar, 0xE1) - generated > 1  # kWh over the hour
    assert decoded(solar, 0xE3) - sold == pytest.approx(decoded(solar, 0xE1) - generated, abs=0.002)
