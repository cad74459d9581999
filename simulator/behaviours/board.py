"""The distribution board's metering (0x0287): the house's power, circuit by circuit.

The physics wires every load to a simplex circuit (one direction: consumption) and every source
or storage (solar, fuel cell, battery, vehicle) to a duplex channel (signed: + consumption,
- generation).  The main measures the service entrance: the sum of all of them, which is the
grid's power (+ bought, - sold).  Every cumulative value integrates its power exactly.
B3/B7 (simplex) and BA/BE (duplex) answer the channel range set in B2/B6 and B9/BD.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .base import Base, centi

if TYPE_CHECKING:
    from ..device import SimObject
    from ..env import Env


@dataclass
class DistributionBoard(Base):
    """0x0287 with ``circuits`` simplex circuits and ``duplex`` duplex channels."""

    circuits: int = 40
    duplex: int = 4
    circuit_w: list[int] = field(default_factory=list)
    circuit_kwh: list[float] = field(default_factory=list)
    duplex_w: list[int] = field(default_factory=list)
    #: Per duplex channel: (consumed, generated) kWh.
    duplex_kwh: list[list[float]] = field(default_factory=list)
    import_kwh: float = 15000.0
    export_kwh: float = 4000.0
    #: The main (the grid): the sum of every channel, W.
    net_w: int = 0

    def __post_init__(self) -> None:
        self.circuit_w = [0] * self.circuits
        self.circuit_kwh = [50.0 + 7 * i for i in range(self.circuits)]
        self.duplex_w = [0] * self.duplex
        self.duplex_kwh = [[20.0 + 3 * i, 900.0 + 100 * i] for i in range(self.duplex)]

    def wire(self, circuit_w: list[int], duplex_w: list[int]) -> None:
        """The channels' power for this interval (from the physics); the main is their sum."""
        self.circuit_w = circuit_w
        self.duplex_w = duplex_w
        self.net_w = sum(circuit_w) + sum(duplex_w)

    def on_set(self, obj: SimObject, epc: int, edt: bytes) -> bool:
        if epc in (0xB2, 0xB4, 0xB6) and len(edt) == 2:
            start, count = edt
            return 1 <= start <= self.circuits and 1 <= count <= 60
        if epc in (0xB9, 0xBB, 0xBD) and len(edt) == 2:
            start, count = edt
            return 1 <= start <= max(1, self.duplex) and 1 <= count <= 30
        return True

    def _range(self, obj: SimObject, epc: int, size: int) -> range:
        rng = obj.values.get(epc, b"\x01\x20")
        start, count = rng[0], rng[1]
        end = min(size, start + count - 1)
        return range(start - 1, end)

    def on_read(self, obj: SimObject, epc: int) -> bytes | None:
        if epc in (0xB3, 0xB7):
            items = self._range(obj, 0xB2 if epc == 0xB3 else 0xB6, self.circuits)
            if epc == 0xB3:
                body = b"".join(centi(self.circuit_kwh[i]).to_bytes(4, "big") for i in items)
            else:
                body = b"".join(self.circuit_w[i].to_bytes(4, "big", signed=True) for i in items)
            return bytes((items.start + 1, len(items))) + body
        if epc in (0xBA, 0xBE) and self.duplex:
            items = self._range(obj, 0xB9 if epc == 0xBA else 0xBD, self.duplex)
            if epc == 0xBA:
                body = b"".join(
                    centi(self.duplex_kwh[i][0]).to_bytes(4, "big")
                    + centi(self.duplex_kwh[i][1]).to_bytes(4, "big")
                    for i in items
                )
            else:
                body = b"".join(self.duplex_w[i].to_bytes(4, "big", signed=True) for i in items)
            return bytes((items.start + 1, len(items))) + body
        if 0xD0 <= epc <= 0xEF:
            index = epc - 0xD0
            if index >= self.circuits:
                return None
            amps = round(self.circuit_w[index] / 100 * 10)  # 100 V, in 0.1 A
            return (
                centi(self.circuit_kwh[index]).to_bytes(4, "big")
                + amps.to_bytes(2, "big", signed=True)
                + (0x7FFE).to_bytes(2, "big")
            )
        return None

    def advance(self, obj: SimObject, env: Env, seconds: float) -> None:
        hours = seconds / 3_600_000
        for i, watts in enumerate(self.circuit_w):
            self.circuit_kwh[i] += watts * hours
        for i, watts in enumerate(self.duplex_w):
            self.duplex_kwh[i][0 if watts > 0 else 1] += abs(watts) * hours
        if self.net_w >= 0:
            self.import_kwh += self.net_w * hours
        else:
            self.export_kwh -= self.net_w * hours

    def publish(self, obj: SimObject, env: Env) -> None:
        obj.update({0xC2: b"\x02"})  # 0.01 kWh
        obj.set_u(0xC0, centi(self.import_kwh), 4)
        obj.set_u(0xC1, centi(self.export_kwh), 4)
        obj.set_s(0xC6, self.net_w, 4)
        amps = round(self.net_w / 200 * 10)
        obj.update(
            {0xC7: amps.to_bytes(2, "big", signed=True) + amps.to_bytes(2, "big", signed=True)}
        )
        obj.update({0xB1: bytes((self.circuits,))})
        if 0xB8 in obj.values:
            obj.update({0xB8: bytes((self.duplex,))})
