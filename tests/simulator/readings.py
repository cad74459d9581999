"""What the virtual house's devices report, decoded with the MRA definitions (as a controller
reads them): powers in W and counters in kWh or m³."""

from __future__ import annotations

from typing import Any

from simulator.device import SimObject
from simulator.house import House


def decoded(obj: SimObject, epc: int) -> Any:
    """An EPC's value as the generated definitions decode it."""
    edt = obj.read(epc)
    assert edt is not None, f"{obj.eoj} 0x{epc:02X}"
    return obj.prop(epc).decode(edt, obj.values)


def _ranged(obj: SimObject, range_epc: int, list_epc: int, total: int, key: str) -> list[Any]:
    """Every channel of a board list property, range by range (the range is restored)."""
    saved = obj.values[range_epc]
    out: list[Any] = []
    try:
        for start in range(1, total + 1, 30):
            obj.values[range_epc] = bytes((start, min(30, total - start + 1)))
            out += decoded(obj, list_epc)[key]
    finally:
        obj.values[range_epc] = saved
    return out


def board_circuits_w(house: House) -> list[int]:
    """Every simplex circuit's power (B7)."""
    board = house.obj("board")
    return _ranged(board, 0xB6, 0xB7, board.u(0xB1), "instantaneous_electric_power")


def board_duplex_w(house: House) -> list[int]:
    """Every duplex channel's power (BE): + consumption, - generation."""
    board = house.obj("board")
    return _ranged(board, 0xBD, 0xBE, board.u(0xB8), "instantaneous_electric_power")


def board_circuits_kwh(house: House) -> list[float]:
    """Every simplex circuit's cumulative energy (B3)."""
    board = house.obj("board")
    return _ranged(board, 0xB2, 0xB3, board.u(0xB1), "electric_energy")


def board_duplex_kwh(house: House) -> list[tuple[float, float]]:
    """Every duplex channel's (consumed, generated) energy (BA)."""
    board = house.obj("board")
    rows = _ranged(board, 0xB9, 0xBA, board.u(0xB8), "electric_energy")
    return [
        (r["normal_direction_electric_energy"], r["reverse_direction_electric_energy"])
        for r in rows
    ]


def powers(house: House) -> dict[str, int]:
    """The instantaneous powers the devices publish (ECHONET Lite signs)."""
    return {
        "grid": decoded(house.obj("smart-meter"), 0xE7),
        "main": decoded(house.obj("board"), 0xC6),
        "solar": decoded(house.obj("solar"), 0xE0),
        "battery": decoded(house.obj("battery"), 0xD3),  # + charging
        "v2h": decoded(house.obj("v2h"), 0xD3),  # + charging
        "fuel_cell": decoded(house.obj("fuel-cell"), 0xC4),
    }


def balance_errors(house: House) -> dict[str, float]:
    """How far each balance of the house is off (W); all should be 0 (at most 1)."""
    p = powers(house)
    circuits = board_circuits_w(house)
    duplex = board_duplex_w(house)
    load = sum(circuits)
    expected_grid = load - p["solar"] + p["battery"] + p["v2h"] - p["fuel_cell"]
    return {
        "grid = load - solar - discharges - fuel cell": p["grid"] - expected_grid,
        "board main = grid": p["main"] - p["grid"],
        "board main = sum of channels": p["main"] - (load + sum(duplex)),
        "load on the circuits = the house's load": load - house.load_w,
        "duplex = sources": sum(duplex) - (-p["solar"] + p["battery"] + p["v2h"] - p["fuel_cell"]),
    }
