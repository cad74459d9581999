"""The layouts of the virtual house's scenarios: which nodes, which objects, which settings.

``house_specs()`` is the default house (the demo's); ``full_specs()`` offers one object of every
class the definitions know (for mapping tests); ``scale_specs(count)`` has ``count`` small nodes
(for the 200-node benchmark).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
import ipaddress

from custom_components.hems.echonet.definitions import all_classes, get_class
from custom_components.hems.echonet.frame import EOJ

from . import behaviours as b
from .device import SimObject
from .quirks import Quirks

PANASONIC = 0x00000B
DAIKIN = 0x000008
MITSUBISHI = 0x000006
SHARP = 0x000005
LIXIL = 0x000025
NICHICON = 0x00006C
AISIN = 0x000068
RINNAI = 0x000059


@dataclass
class NodeSpec:
    """How to build one node of a scenario."""

    name: str
    objects: list[SimObject]
    manufacturer: int = PANASONIC
    product: str = "HEMS-SIM"
    quirks: Quirks = field(default_factory=Quirks)


def _obj(
    eoj: int,
    behaviour: b.Base | None = None,
    *,
    name: str = "",
    power: bool = False,
    omit: tuple[int, ...] = (),
    values: dict[int, bytes] | None = None,
    inf: tuple[int, ...] | None = None,
    location: int | None = None,
    circuit: int | None = None,
) -> SimObject:
    if behaviour is not None and circuit is not None:
        behaviour.circuit = circuit
    if location is not None:
        values = {0x81: bytes((location,)), **(values or {})}
    obj = SimObject(
        EOJ.from_int(eoj), name=name, measures_power=power, omit=omit, values=values, inf=inf
    )
    obj.behaviour = behaviour
    return obj


#: Announced properties per class in the default house (besides 0x80 and 0x88).
_AC_INF = (0x80, 0x88, 0x8F, 0xA0, 0xA3, 0xB0, 0xB3)


def _rooms() -> list[NodeSpec]:
    """The air conditioners of the living room and the bedroom."""
    return [
        NodeSpec(
            "living-ac",
            [
                _obj(
                    0x013001,
                    b.AirConditioner(room_c=22.0),
                    name="Living room air conditioner",
                    location=0x08,
                    power=True,
                    inf=_AC_INF,
                    values={0x80: b.OFF, 0xB0: b"\x41", 0xB3: bytes((22,)), 0xA0: b"\x41"},
                )
            ],
            DAIKIN,
            "AN40ZRP",
        ),
        NodeSpec(
            "bedroom-ac",
            [
                _obj(
                    0x013001,
                    b.AirConditioner(room_c=19.0),
                    name="Bedroom air conditioner",
                    location=0x41,
                    power=True,
                    inf=_AC_INF,
                    values={0x80: b.OFF, 0xB0: b"\x43", 0xB3: bytes((22,)), 0xA0: b"\x33"},
                )
            ],
            MITSUBISHI,
            "MSZ-ZW2224",
        ),
    ]


def _lights_and_locks() -> list[NodeSpec]:
    """The lights and the front door's lock."""
    return [
        NodeSpec(
            "lighting",
            [
                _obj(
                    0x029001,
                    b.Light(watts=60),
                    name="Living room light",
                    location=0x08,
                    values={0x80: b.ON, 0xB0: bytes((80,)), 0xB1: b"\x42"},
                    inf=(0x80, 0xB0, 0xB1),
                ),
                _obj(
                    0x029101,
                    b.Light(watts=12),
                    name="Entrance light",
                    location=0x50,
                    omit=(0xB0,),
                    values={0x80: b.OFF},
                    inf=(0x80,),
                ),
                _obj(
                    0x029102,
                    b.Light(watts=20),
                    name="Kitchen light",
                    location=0x18,
                    omit=(0xB0,),
                    values={0x80: b.ON},
                    inf=(0x80,),
                ),
            ],
            PANASONIC,
            "HF-JA1",
        ),
        NodeSpec(
            "entrance-lock",
            [
                _obj(
                    0x026F01,
                    b.Lock(),
                    name="Front door lock",
                    location=0x50,
                    values={0xE0: b"\x41", 0xE1: b"\x41", 0xE2: b"\x42", 0xE3: b"\x42"},
                    inf=(0x80, 0x88, 0xE0, 0xE1, 0xE2, 0xE3, 0xE5),
                )
            ],
            LIXIL,
            "DOOR-LOCK",
        ),
    ]


def _openings_and_hot_water() -> list[NodeSpec]:
    """The shutter and window, and the EcoCute."""
    return [
        NodeSpec(
            "shutter",
            [
                _obj(
                    0x026301,
                    b.Cover(position=100.0),
                    name="Living room shutter",
                    location=0x08,
                    values={0xE0: b"\x43", 0xE1: bytes((100,)), 0xEA: b"\x41"},
                    inf=(0x80, 0xE0, 0xEA),
                ),
                *_optional(
                    0x026501,
                    lambda: _obj(
                        0x026501,
                        b.Cover(position=0.0),
                        name="Bathroom window",
                        location=0x20,
                        values={0xE0: b"\x43", 0xEA: b"\x42"},
                        inf=(0x80, 0xE0, 0xEA),
                    ),
                ),
            ],
            LIXIL,
            "SHUTTER",
        ),
        NodeSpec(
            "ecocute",
            [
                _obj(
                    0x026B01,
                    b.WaterHeater(),
                    name="EcoCute",
                    power=True,
                    values={
                        0xB0: b"\x41",  # automatic boiling (at night)
                        0xE3: b"\x42",  # bath auto off
                        0xB3: bytes((65,)),
                        0xC0: b"\x41",  # daytime top-up permitted
                        0xC7: b"\x00",  # no daytime shift
                        0xCA: b"\x00",
                    },
                    # 給湯中 (0xC3) and the bath (0xEA) are announced, as the MRA requires
                    inf=(0x80, 0x88, 0xB0, 0xB2, 0xC3, 0xE3, 0xEA),
                )
            ],
            PANASONIC,
            "HE-JPU37LQS",
        ),
    ]


def _storage() -> list[NodeSpec]:
    """The storage battery and the solar panels."""
    return [
        NodeSpec(
            "battery",
            [
                _obj(
                    0x027D01,
                    b.Battery(),
                    name="Storage battery",
                    values={
                        0xDA: b"\x46",  # automatic (self-consumption)
                        0xA6: bytes((100,)),
                        0xA7: bytes((10,)),
                        0xE7: bytes(4),  # no charge or discharge amounts
                        0xE8: bytes(4),
                        0xAA: bytes(4),
                        0xAB: bytes(4),
                        0xEB: (3000).to_bytes(4, "big"),
                        0xEC: (3000).to_bytes(4, "big"),
                    },
                    inf=(0x80, 0x88, 0xCF, 0xDA),
                )
            ],
            NICHICON,
            "ESS-U4M1",
        ),
        NodeSpec(
            "solar",
            [_obj(0x027901, b.Solar(), name="Solar power", inf=(0x80, 0x88))],
            PANASONIC,
            "VBPC259B3",
        ),
    ]


def _vehicle_and_fuel_cell() -> list[NodeSpec]:
    """The V2H charger and the fuel cell."""
    return [
        NodeSpec(
            "v2h",
            [
                _obj(
                    0x027E01,
                    b.EvCharger(),
                    name="V2H charger",
                    values={
                        0xDA: b"\x44",  # standby
                        0xE7: bytes(4),  # charge until full
                        0xEB: (3000).to_bytes(4, "big"),
                        0xE0: bytes(4),
                    },
                    inf=(0x80, 0x88, 0xC7, 0xDA),
                )
            ],
            NICHICON,
            "ES-V2H",
        ),
        NodeSpec(
            "fuel-cell",
            [
                _obj(
                    0x027C01,
                    b.FuelCell(),
                    name="Ene-Farm",
                    values={0xCA: b"\x41"},
                    inf=(0x80, 0x88, 0xCA, 0xCB),
                )
            ],
            AISIN,
            "ENEFARM",
        ),
    ]


def _comfort() -> list[NodeSpec]:
    """The floor heating and the air cleaner."""
    return [
        NodeSpec(
            "floor-heater",
            [
                _obj(
                    0x027B01,
                    b.FloorHeater(),
                    name="Floor heating",
                    location=0x08,
                    power=True,
                    values={0x80: b.OFF},
                    inf=(0x80, 0x88, 0xE0, 0xE1),
                )
            ],
            PANASONIC,
            "FLOOR",
        ),
        NodeSpec(
            "air-cleaner",
            [
                _obj(
                    0x013501,
                    b.AirCleaner(),
                    name="Air cleaner",
                    location=0x08,
                    power=True,
                    values={0x80: b.ON},
                    inf=(0x80, 0x88, 0xA0),
                )
            ],
            SHARP,
            "KI-RX75",
        ),
    ]


def _board() -> list[NodeSpec]:
    """The distribution board (its behaviour adds up the house's circuits)."""
    board = b.DistributionBoard(circuits=40, duplex=4)
    return [
        NodeSpec(
            "board",
            [
                _obj(
                    0x028701,
                    board,
                    name="Distribution board",
                    inf=(0x80, 0x88),
                    # The board starts with the first 32 circuits (and all 4 duplex
                    # channels: solar, battery, V2H, fuel cell) selected.
                    values={
                        0xB2: b"\x01\x20",
                        0xB4: b"\x01\x20",
                        0xB6: b"\x01\x20",
                        0xB9: b"\x01\x04",
                        0xBB: b"\x01\x04",
                        0xBD: b"\x01\x04",
                    },
                )
            ],
            PANASONIC,
            "BHN87",
            # Panasonic boards drop the whole Get when 0xB3 and 0xB7 are asked together.
            Quirks(drop_together=[frozenset({0xB3, 0xB7})]),
        ),
    ]


def _sensors() -> list[NodeSpec]:
    """The room sensors."""
    return [
        NodeSpec(
            "sensors",
            [
                _obj(
                    0x001101,
                    b.Sensor(base=21.5, swing=2.5),
                    name="Living room temperature",
                    location=0x08,
                ),
                _obj(
                    0x001102,
                    b.Sensor(base=18.0, swing=4.0),
                    name="Bedroom temperature",
                    location=0x41,
                ),
                _obj(
                    0x001201,
                    b.Sensor(base=48.0, swing=6.0, size=1, scale=1, signed=False),
                    name="Living room humidity",
                    location=0x08,
                ),
                _obj(
                    0x001B01,
                    b.Sensor(base=650.0, swing=200.0, size=2, scale=1, signed=False),
                    name="Living room CO2",
                    location=0x08,
                ),
                *_optional(
                    0x002901,
                    lambda: _obj(0x002901, b.Base(), name="Living room window sensor"),
                ),
            ],
            PANASONIC,
            "SENSORS",
        ),
    ]


def _meters() -> list[NodeSpec]:
    """The gas and water meters and the smart meter."""
    return [
        NodeSpec(
            "meters",
            [
                _obj(
                    0x028201,
                    b.Meter(total=2345.678),
                    name="Gas meter",
                ),
                _obj(
                    0x028101,
                    b.Meter(total=456.789),
                    name="Water meter",
                    values={0xE1: b"\x03"},
                ),
            ],
            PANASONIC,
            "METERS",
        ),
        NodeSpec(
            "smart-meter",
            [_obj(0x028801, None, name="Smart meter", inf=(0x80, 0x88, 0xEA, 0xEB))],
            0x000016,
            "SMARTMETER",
        ),
    ]


def house_specs() -> list[NodeSpec]:
    """The default house."""
    return [
        *_rooms(),
        *_lights_and_locks(),
        *_openings_and_hot_water(),
        *_storage(),
        *_vehicle_and_fuel_cell(),
        *_comfort(),
        *_board(),
        *_sensors(),
        *_meters(),
    ]


def _optional(class_code_eoj: int, make: Callable[[], SimObject]) -> list[SimObject]:
    """An object of a class the definitions may not know (outside the MRA)."""
    return [make()] if get_class(class_code_eoj >> 8) is not None else []


def full_specs() -> list[NodeSpec]:
    """One object of every class the definitions know, eight objects per node."""
    objs = [
        _obj(((code << 8) | 1), b.Base(), power=True)
        for code in sorted(all_classes())
        if code not in (0x0EF0, 0x05FF)
    ]
    return [NodeSpec(f"full-{i // 8 + 1}", objs[i : i + 8]) for i in range(0, len(objs), 8)]


def scale_specs(count: int) -> list[NodeSpec]:
    """``count`` small nodes (an air conditioner, a light or a sensor each)."""
    makers: list[Callable[[], SimObject]] = [
        lambda: _obj(0x013001, b.AirConditioner(), power=True),
        lambda: _obj(0x029001, b.Light()),
        lambda: _obj(0x001101, b.Sensor()),
    ]
    return [NodeSpec(f"node-{i + 1}", [makers[i % 3]()]) for i in range(count)]


def addresses(base: str, count: int) -> Iterator[str]:
    """``count`` consecutive IPv4 addresses from ``base``."""
    start = ipaddress.IPv4Address(base)
    for i in range(count):
        yield str(start + i)
