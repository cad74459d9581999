"""Dynamics of the simulated devices: what each does on a Set and as time passes.

Each kind of device has a *behaviour* (see :mod:`.base`): it keeps the device's physical state,
decides its power at every settle of the house and integrates it between settles.  The house's
physics (:mod:`simulator.physics`) settles and advances them all together, in one place.
"""

from __future__ import annotations

from .base import OFF, ON, Base, centi, location, wh
from .board import DistributionBoard
from .climate import AirConditioner, FloorHeater, Sensor
from .generation import FuelCell, Solar
from .meters import Meter
from .simple import AirCleaner, Cover, Light, Lock
from .storage import Battery, EvCharger
from .water import WaterHeater

__all__ = [
    "OFF",
    "ON",
    "AirCleaner",
    "AirConditioner",
    "Base",
    "Battery",
    "Cover",
    "DistributionBoard",
    "EvCharger",
    "FloorHeater",
    "FuelCell",
    "Light",
    "Lock",
    "Meter",
    "Sensor",
    "Solar",
    "WaterHeater",
    "centi",
    "location",
    "wh",
]
