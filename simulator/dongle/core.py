"""The virtual dongle: a pty that behaves like a Wi-SUN USB dongle with a smart meter behind it.

:class:`VirtualDongle` is a :class:`~.module.DongleModule` that speaks one dialect: SKSTACK IP
A1 or C0 (:mod:`.skstack`) or J11 (:mod:`.j11`).
"""

from __future__ import annotations

from .j11 import J11Emulator
from .module import (
    DEFAULT_PASSWORD,
    DEFAULT_RBID,
    DongleDialect,
    DongleModule,
    DongleStats,
    Emulator,
    Faults,
    mac_to_ipv6,
    spoofs,
)
from .skstack import SkstackEmulator

__all__ = [
    "DEFAULT_PASSWORD",
    "DEFAULT_RBID",
    "DongleDialect",
    "DongleStats",
    "Emulator",
    "Faults",
    "VirtualDongle",
    "mac_to_ipv6",
    "spoofs",
]


class VirtualDongle(DongleModule):
    """A Wi-SUN dongle on a pty, a smart meter behind it.

    ``delay_scale`` multiplies every radio delay (1.0: realistic; tests use 0.001-0.01); delays
    are simulated seconds, so the clock's speed shortens them too.  ``link``: a stable symlink
    path that always points at the current pty (unplug removes it, replug recreates it).
    """

    def _make_emulator(self) -> Emulator:
        if self.dialect is DongleDialect.J11:
            return J11Emulator(self)
        return SkstackEmulator(self, c0=self.dialect is not DongleDialect.A1)
