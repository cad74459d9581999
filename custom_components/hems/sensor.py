"""Sensors: ECHONET Lite devices, the smart meter and the energy home.

The entities live with their entry kind (:mod:`.kinds`).
"""

from homeassistant.const import Platform

from .kinds import platform_setup

PARALLEL_UPDATES = 0

async_setup_entry = platform_setup(Platform.SENSOR)
