"""Climate: air conditioners and floor heaters.

The entities live with their entry kind (:mod:`.kinds`).
"""

from homeassistant.const import Platform

from .kinds import platform_setup

PARALLEL_UPDATES = 1

async_setup_entry = platform_setup(Platform.CLIMATE)
