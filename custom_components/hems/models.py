"""Typed runtime data of the integration's config entries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .coordinator import EchonetHub


class KindRuntime:
    """Base class of the runtime data of entries other than ECHONET Lite hubs."""


# Type aliases are evaluated lazily: the hub class is only imported for type checking.
type HemsRuntime = EchonetHub | KindRuntime
type HemsConfigEntry = ConfigEntry[HemsRuntime]
