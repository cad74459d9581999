"""What the planner uses of its home (:class:`..runtime.HomeRuntime` implements it; the
runtime makes the planner, so the planner does not import it)."""

from __future__ import annotations

from typing import Any, Protocol

from homeassistant.core import HomeAssistant

from ...energy import Ledger, Tariff
from ...models import HemsConfigEntry
from ..settings import HomeSettings


class PlannerHome(Protocol):
    """The energy entry's runtime as its planner sees it."""

    @property
    def hass(self) -> HomeAssistant:
        """Home Assistant."""

    @property
    def entry(self) -> HemsConfigEntry:
        """The energy entry (its tasks belong to it)."""

    @property
    def settings(self) -> HomeSettings:
        """The energy entry's settings (the planner's among them)."""

    @property
    def tariff(self) -> Tariff:
        """The home's tariff."""

    @property
    def ledger(self) -> Ledger:
        """The home's half-hour ledger (the learned load and solar)."""

    def fire(self, key: str, event_type: str, data: dict[str, Any]) -> None:
        """Fire an event of the home (the planner's decisions)."""
