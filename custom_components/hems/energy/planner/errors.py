"""Errors raised by the planner."""

from __future__ import annotations

from ..errors import EnergyError


class PlannerInputError(EnergyError, ValueError):
    """Planner inputs that are not valid; ``field`` names the offending input."""

    def __init__(self, message: str, *, field: str = "") -> None:
        self.field = field
        super().__init__(message)
