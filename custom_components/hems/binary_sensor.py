"""Binary sensors: device faults and states, the meter's link, the home's alerts.

The entities live with their entry kind (:mod:`.kinds`).
"""

from homeassistant.const import Platform

from .kinds import platform_setup

PARALLEL_UPDATES = 0

async_setup_entry = platform_setup(Platform.BINARY_SENSOR)
