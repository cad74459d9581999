"""Typed runtime data of the integration's config entries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .coordinator import EchonetHub

# Type aliases are evaluated lazily: the runtime classes are only imported for type checking.
type HemsRuntime = EchonetHub
type HemsConfigEntry = ConfigEntry[HemsRuntime]
