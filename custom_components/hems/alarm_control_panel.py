"""Alarm control panel: the energy home's alarm mode (報知モード).

The entities live with their entry kind (:mod:`.kinds`).
"""

from homeassistant.const import Platform

from .kinds import platform_setup

PARALLEL_UPDATES = 0

async_setup_entry = platform_setup(Platform.ALARM_CONTROL_PANEL)
