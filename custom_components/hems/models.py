"""Typed runtime data of the integration's config entries."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry


class KindRuntime:
    """Base class of the runtime data of every entry kind (hub, meter, home)."""


type HemsConfigEntry = ConfigEntry[KindRuntime]
