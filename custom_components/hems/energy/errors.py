"""Errors raised by the energy library."""

from __future__ import annotations


class EnergyError(Exception):
    """Base class of every error this library raises."""


class TariffError(EnergyError, ValueError):
    """Tariff data that is not valid.

    ``path`` locates the bad value in the dict form (``"seasons[0].periods[1].tiers"``), and
    ``code`` is a short stable identifier (``"tou_overlap"``) that a user interface can map to a
    translated message; ``str(error)`` is a complete English message that includes the path.
    """

    def __init__(self, message: str, *, path: str = "", code: str = "invalid") -> None:
        self.path = path
        self.code = code
        self.detail = message
        super().__init__(f"{path}: {message}" if path else message)


class LedgerError(EnergyError, ValueError):
    """Slot or ledger data that is not valid (misaligned slot, unreadable stored data)."""
