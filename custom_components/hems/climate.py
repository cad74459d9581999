"""Climate: air conditioners and floor heaters.

The entities live with their entry kind (:mod:`.kinds`).
"""

from homeassistant.const import Platform

from .kinds import platform_setup

# No platform-wide limit: the ECHONET Lite controller serialises requests per node (its
# priority lock), so a silent device never holds up commands to another one.
PARALLEL_UPDATES = 0

async_setup_entry = platform_setup(Platform.CLIMATE)
