"""Dynamics of the simulated devices: what each does on a Set and as time passes.

Values are written as raw EDTs in the formats of the MRA (checked by the simulator's tests,
which decode every value with the generated definitions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
import math

from . import profiles
from .device import SimObject

ON = b"\x30"
OFF = b"\x31"


def _wh(kwh: float) -> int:
    """kWh as a 0.001 kWh counter."""
    return round(kwh * 1000)


def _centi(kwh: float) -> int:
    """kWh as a 0.01 kWh counter (the board's unit, 0xC2 = 0x02)."""
    return round(kwh * 100)


@dataclass
class Base:
    """A device with no dynamics beyond accepting valid Sets."""

    energy_kwh: float = 0.0

    def on_set(self, obj: SimObject, epc: int, edt: bytes) -> bool:
        return True

    def on_read(self, obj: SimObject, epc: int) -> bytes | None:
        return None

    def tick(self, obj: SimObject, now: datetime, seconds: float) -> None:
        power = self.power_w(obj)
        if power > 0:
            self.energy_kwh += power * seconds / 3_600_000
        if 0x84 in obj.values:
            obj.set_u(0x84, max(0, round(power)), 2)
        if 0x85 in obj.values:
            obj.set_u(0x85, _wh(self.energy_kwh), 4)

    def power_w(self, obj: SimObject) -> float:
        return 0.0


@dataclass
class AirConditioner(Base):
    """0x0130: power follows mode and the distance to the target; the room drifts."""

    room_c: float = 24.0
    outdoor_c: float = 12.0
    humidity: float = 50.0

    def on_set(self, obj: SimObject, epc: int, edt: bytes) -> bool:
        if epc == 0xB3 and not 16 <= edt[0] <= 32:
            return False  # the unit's own range is narrower than the class's
        return True

    def power_w(self, obj: SimObject) -> float:
        if not obj.is_on:
            return 0.0
        target = obj.u(0xB3) if obj.u(0xB3) <= 50 else 24
        gap = abs(target - self.room_c)
        mode = obj.values.get(0xB0, b"\x41")
        if mode == b"\x45":  # fan only
            return 35.0
        return 180.0 + min(gap, 8.0) * 140.0

    def tick(self, obj: SimObject, now: datetime, seconds: float) -> None:
        day = now.timetuple().tm_yday
        self.outdoor_c = (
            15
            - 10 * math.cos(2 * math.pi * (day - 20) / 365)
            + 4 * math.sin(2 * math.pi * (now.hour - 9) / 24)
        )
        rate = min(1.0, seconds / 1800.0)
        if obj.is_on and obj.values.get(0xB0) != b"\x45":
            target = obj.u(0xB3) if obj.u(0xB3) <= 50 else 24
            self.room_c += (target - self.room_c) * rate * 3
            self.humidity += (45 - self.humidity) * rate
        else:
            self.room_c += (self.outdoor_c + 6 - self.room_c) * rate * 0.5
            self.humidity += (60 - self.humidity) * rate * 0.3
        obj.set_s(0xBB, round(self.room_c), 1)
        obj.set_u(0xBA, round(self.humidity), 1)
        if 0xBE in obj.values:
            obj.set_s(0xBE, round(self.outdoor_c), 1)
        super().tick(obj, now, seconds)


@dataclass
class Light(Base):
    """0x0290/0x0291/0x02A3: power from on/off and light level."""

    watts: float = 40.0

    def power_w(self, obj: SimObject) -> float:
        if not obj.is_on:
            return 0.0
        level = obj.u(0xB0) if 0xB0 in obj.get_map else 100
        return self.watts * max(level, 5) / 100


@dataclass
class Cover(Base):
    """0x0260/0x0263 and friends: E0 open/close/stop moves E1 and EA over time."""

    speed_pct_s: float = 10.0
    position: float = 100.0
    target: float | None = None

    def on_set(self, obj: SimObject, epc: int, edt: bytes) -> bool:
        if epc == 0xE0:
            self.target = {0x41: 100.0, 0x42: 0.0}.get(edt[0])
            if self.target is None:  # stop
                obj.update({0xEA: b"\x45" if 0 < self.position < 100 else obj.values[0xEA]})
            else:
                obj.update({0xEA: b"\x43" if self.target > self.position else b"\x44"})
        elif epc == 0xE1:
            self.target = float(edt[0])
        return True

    def tick(self, obj: SimObject, now: datetime, seconds: float) -> None:
        if self.target is not None:
            step = self.speed_pct_s * seconds
            if abs(self.target - self.position) <= step:
                self.position = self.target
                self.target = None
            else:
                self.position += step if self.target > self.position else -step
        pos = round(self.position)
        if 0xE1 in obj.values:
            obj.set_u(0xE1, pos, 1)
        if self.target is None:
            status = b"\x41" if pos >= 100 else b"\x42" if pos <= 0 else b"\x45"
            obj.update({0xEA: status})
        super().tick(obj, now, seconds)

    def power_w(self, obj: SimObject) -> float:
        return 60.0 if self.target is not None else 0.0


@dataclass
class Lock(Base):
    """0x026F: main/sub lock, door guard and door open state."""

    def on_set(self, obj: SimObject, epc: int, edt: bytes) -> bool:
        if epc == 0xE0 and edt == b"\x41" and obj.values.get(0xE3) == b"\x41":
            return False  # cannot lock while the door is open
        return True


@dataclass
class WaterHeater(Base):
    """0x026B EcoCute: boils at night (or on manual heating), hot water is used at dinner."""

    tank_l: int = 460
    remaining_l: float = 300.0
    tank_c: float = 65.0

    def power_w(self, obj: SimObject) -> float:
        return 1200.0 if obj.values.get(0xB2) == b"\x41" else 8.0

    def tick(self, obj: SimObject, now: datetime, seconds: float) -> None:
        mode = obj.values.get(0xB0, b"\x41")
        night = now.hour >= 23 or now.hour < 7
        heating = (mode == b"\x42") or (
            mode == b"\x41" and night and self.remaining_l < self.tank_l
        )
        if mode == b"\x42" and self.remaining_l >= self.tank_l:
            obj.update({0xB0: b"\x41"})  # manual boiling finished
            heating = False
        hours = seconds / 3600
        if heating:
            self.remaining_l = min(self.tank_l, self.remaining_l + 60 * hours)
            self.tank_c = min(90.0, self.tank_c + 4 * hours)
        if 18 <= now.hour < 22:
            self.remaining_l = max(0.0, self.remaining_l - 50 * hours)
        self.tank_c = max(40.0, self.tank_c - 0.3 * hours)
        obj.update({0xB2: b"\x41" if heating else b"\x42"})
        obj.set_u(0xE1, round(self.remaining_l), 2)
        obj.set_u(0xE2, self.tank_l, 2)
        if 0xC1 in obj.values:
            obj.set_u(0xC1, round(self.tank_c), 1)
        super().tick(obj, now, seconds)


@dataclass
class Battery(Base):
    """0x027D: charges from solar surplus (auto) or on command; SOC moves accordingly."""

    capacity_wh: float = 9800.0
    soc: float = 55.0
    flow_w: float = 0.0  # + charging, - discharging
    charged_kwh: float = 120.0
    discharged_kwh: float = 110.0
    house_surplus_w: float = 0.0

    def tick(self, obj: SimObject, now: datetime, seconds: float) -> None:
        mode = obj.values.get(0xDA, b"\x46")
        max_w = 3000.0
        if mode in (b"\x41", b"\x42"):
            flow = max_w
        elif mode == b"\x43":
            flow = -max_w
        elif mode == b"\x46":  # automatic: soak up surplus, cover the deficit
            flow = max(-max_w, min(max_w, self.house_surplus_w))
        else:
            flow = 0.0
        if (flow > 0 and self.soc >= 100) or (flow < 0 and self.soc <= 10):
            flow = 0.0
        self.flow_w = flow
        energy_wh = flow * seconds / 3600
        self.soc = max(0.0, min(100.0, self.soc + 100 * energy_wh / self.capacity_wh))
        if energy_wh > 0:
            self.charged_kwh += energy_wh / 1000
        else:
            self.discharged_kwh -= energy_wh / 1000
        actual = b"\x42" if flow > 0 else b"\x43" if flow < 0 else b"\x44"
        obj.update({0xCF: actual})
        obj.set_s(0xD3, round(flow), 4)
        obj.set_u(0xE4, round(self.soc), 1)
        obj.set_u(0xE2, round(self.soc * self.capacity_wh / 100), 4)
        obj.set_u(0xD0, round(self.capacity_wh), 4)
        obj.set_u(0xD8, _wh(self.charged_kwh), 4)
        obj.set_u(0xD6, _wh(self.discharged_kwh), 4)
        if 0xA8 in obj.values:
            obj.set_u(0xA8, _wh(self.charged_kwh), 4)
        if 0xA9 in obj.values:
            obj.set_u(0xA9, _wh(self.discharged_kwh), 4)

    def power_w(self, obj: SimObject) -> float:
        return self.flow_w


@dataclass
class Solar(Base):
    """0x0279: generation from the day curve; cumulative generated and sold energy."""

    peak_w: float = 4500.0
    generated_kwh: float = 8000.0
    sold_kwh: float = 5000.0
    output_w: float = 0.0
    selling_w: float = 0.0

    def tick(self, obj: SimObject, now: datetime, seconds: float) -> None:
        self.output_w = profiles.solar_power_w(now, peak_w=self.peak_w) if obj.is_on else 0.0
        self.generated_kwh += self.output_w * seconds / 3_600_000
        self.sold_kwh += max(0.0, self.selling_w) * seconds / 3_600_000
        obj.set_u(0xE0, round(self.output_w), 2)
        obj.set_u(0xE1, _wh(self.generated_kwh), 4)
        if 0xE3 in obj.values:
            obj.set_u(0xE3, _wh(self.sold_kwh), 4)

    def power_w(self, obj: SimObject) -> float:
        return -self.output_w


@dataclass
class FuelCell(Base):
    """0x027C Ene-Farm: generates 700 W while on (morning and evening)."""

    generated_kwh: float = 3000.0
    gas_m3: float = 800.0
    output_w: float = 0.0

    def on_set(self, obj: SimObject, epc: int, edt: bytes) -> bool:
        if epc == 0xCA:
            obj.update({0xCB: b"\x43" if edt == b"\x41" else b"\x44"})
        return True

    def tick(self, obj: SimObject, now: datetime, seconds: float) -> None:
        enabled = obj.values.get(0xCA, b"\x41") == b"\x41"
        active = enabled and (6 <= now.hour < 10 or 16 <= now.hour < 23)
        self.output_w = 700.0 if active else 0.0
        self.generated_kwh += self.output_w * seconds / 3_600_000
        self.gas_m3 += (0.25 if active else 0.0) * seconds / 3600
        obj.update({0xCB: b"\x41" if active else b"\x42"})
        obj.set_u(0xC4, round(self.output_w), 2)
        obj.set_u(0xC5, _wh(self.generated_kwh), 4)
        if 0xC7 in obj.values:
            obj.set_u(0xC7, 250 if active else 0, 2)
        if 0xC8 in obj.values:
            obj.set_u(0xC8, _wh(self.gas_m3), 4)

    def power_w(self, obj: SimObject) -> float:
        return -self.output_w


@dataclass
class EvCharger(Base):
    """0x027E V2H / 0x02A1 EV charger: charges the car in charge mode, powers the house in
    discharge mode."""

    car_kwh: float = 40.0
    car_capacity_kwh: float = 60.0
    flow_w: float = 0.0
    charged_kwh: float = 900.0
    discharged_kwh: float = 300.0

    def tick(self, obj: SimObject, now: datetime, seconds: float) -> None:
        mode = obj.values.get(0xDA, b"\x44")
        if mode == b"\x42" and self.car_kwh < self.car_capacity_kwh:
            flow = 3000.0
        elif mode == b"\x43" and self.car_kwh > 5:
            flow = -3000.0
        else:
            flow = 0.0
        self.flow_w = flow
        kwh = flow * seconds / 3_600_000
        self.car_kwh += kwh
        if kwh > 0:
            self.charged_kwh += kwh
        else:
            self.discharged_kwh -= kwh
        if 0xD3 in obj.values:
            obj.set_s(0xD3, round(flow), 4)
        if 0xD8 in obj.values:
            obj.set_u(0xD8, _wh(self.charged_kwh), 4)
        if 0xD6 in obj.values:
            obj.set_u(0xD6, _wh(self.discharged_kwh), 4)
        if 0xE4 in obj.values:
            obj.set_u(0xE4, round(100 * self.car_kwh / self.car_capacity_kwh), 1)
        if 0xE2 in obj.values:
            obj.set_u(0xE2, round(self.car_kwh * 1000), 4)
        if 0xC7 in obj.values:
            obj.update({0xC7: b"\x43"})  # connected, chargeable and dischargeable
        if 0xE1 in obj.values:
            obj.update({0xE1: {3000.0: b"\x42", -3000.0: b"\x43"}.get(flow, b"\x44")})

    def power_w(self, obj: SimObject) -> float:
        return self.flow_w


@dataclass
class FloorHeater(Base):
    """0x027B: 1.2 kW while on; the floor warms up."""

    floor_c: float = 18.0

    def power_w(self, obj: SimObject) -> float:
        return 1200.0 if obj.is_on else 0.0

    def tick(self, obj: SimObject, now: datetime, seconds: float) -> None:
        rate = min(1.0, seconds / 1800)
        goal = 30.0 if obj.is_on else 17.0
        self.floor_c += (goal - self.floor_c) * rate
        if 0xE3 in obj.values:
            obj.set_s(0xE3, round(self.floor_c), 1)
        if 0xE2 in obj.values:
            obj.set_s(0xE2, round(self.floor_c - 2), 1)
        super().tick(obj, now, seconds)


@dataclass
class AirCleaner(Base):
    """0x0135: 30 W while on."""

    def power_w(self, obj: SimObject) -> float:
        return 30.0 if obj.is_on else 0.0


@dataclass
class Sensor(Base):
    """0x0011/0x0012/0x001B...: a value following the time of day."""

    base: float = 21.0
    swing: float = 3.0
    size: int = 2
    scale: float = 10.0
    signed: bool = True

    def tick(self, obj: SimObject, now: datetime, seconds: float) -> None:
        value = self.base + self.swing * math.sin(
            2 * math.pi * (now.hour + now.minute / 60 - 9) / 24
        )
        raw = round(value * self.scale)
        if self.signed:
            obj.set_s(0xE0, raw, self.size)
        else:
            obj.set_u(0xE0, raw, self.size)


@dataclass
class Meter(Base):
    """0x0281 water / 0x0282 gas: a counter that advances with use in the evening."""

    total: float = 1234.567
    per_hour: float = 0.05
    epc_unit: int | None = None

    def tick(self, obj: SimObject, now: datetime, seconds: float) -> None:
        factor = 3.0 if 18 <= now.hour < 22 else 1.0 if 6 <= now.hour < 23 else 0.1
        self.total += self.per_hour * factor * seconds / 3600
        obj.set_u(0xE0, _wh(self.total), 4)


@dataclass
class DistributionBoard(Base):
    """0x0287: main and per-circuit metering for ``circuits`` circuits.

    Per-circuit power comes from the devices wired to each circuit plus a base load;
    cumulative values integrate it.  B3/B7 answer the channel range set in B2/B6.
    """

    circuits: int = 40
    circuit_w: list[float] = field(default_factory=list)
    circuit_kwh: list[float] = field(default_factory=list)
    import_kwh: float = 15000.0
    export_kwh: float = 4000.0
    net_w: float = 0.0

    def __post_init__(self) -> None:
        self.circuit_w = [0.0] * self.circuits
        self.circuit_kwh = [50.0 + 7 * i for i in range(self.circuits)]

    def on_set(self, obj: SimObject, epc: int, edt: bytes) -> bool:
        if epc in (0xB2, 0xB4, 0xB6) and len(edt) == 2:
            start, count = edt
            return 1 <= start <= self.circuits and 1 <= count <= 60
        return True

    def on_read(self, obj: SimObject, epc: int) -> bytes | None:
        if epc in (0xB3, 0xB7):
            rng = obj.values.get(0xB2 if epc == 0xB3 else 0xB6, b"\x01\x20")
            start, count = rng[0], rng[1]
            end = min(self.circuits, start + count - 1)
            items = range(start - 1, end)
            if epc == 0xB3:
                body = b"".join(_centi(self.circuit_kwh[i]).to_bytes(4, "big") for i in items)
            else:
                body = b"".join(
                    round(self.circuit_w[i]).to_bytes(4, "big", signed=True) for i in items
                )
            return bytes((start, len(items))) + body
        if 0xD0 <= epc <= 0xEF:
            index = epc - 0xD0
            if index >= self.circuits:
                return None
            amps = round(self.circuit_w[index] / 100 * 10)  # 100 V, in 0.1 A
            return (
                _centi(self.circuit_kwh[index]).to_bytes(4, "big")
                + amps.to_bytes(2, "big", signed=True)
                + (0x7FFE).to_bytes(2, "big")
            )
        return None

    def tick(self, obj: SimObject, now: datetime, seconds: float) -> None:
        for i, watts in enumerate(self.circuit_w):
            self.circuit_kwh[i] += watts * seconds / 3_600_000
        if self.net_w >= 0:
            self.import_kwh += self.net_w * seconds / 3_600_000
        else:
            self.export_kwh -= self.net_w * seconds / 3_600_000
        obj.update({0xC2: b"\x02"})  # 0.01 kWh
        obj.set_u(0xC0, _centi(self.import_kwh), 4)
        obj.set_u(0xC1, _centi(self.export_kwh), 4)
        obj.set_s(0xC6, round(self.net_w), 4)
        amps = round(self.net_w / 200 * 10)
        obj.update(
            {0xC7: amps.to_bytes(2, "big", signed=True) + amps.to_bytes(2, "big", signed=True)}
        )
        obj.update({0xB1: bytes((self.circuits,))})
