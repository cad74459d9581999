"""Simulated ECHONET Lite objects, driven by the generated MRA definitions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from custom_components.hems.echonet.definitions import (
    SUPER_CLASS,
    ClassDef,
    Invalid,
    PropertyDef,
    class_or_generic,
)
from custom_components.hems.echonet.frame import EOJ
from custom_components.hems.echonet.propmap import encode_property_map

#: Super-class properties a simulated device offers besides its class's own.
SUPER_EPCS = (0x80, 0x81, 0x82, 0x83, 0x88, 0x8A, 0x8C, 0x8D, 0x8E, 0x9D, 0x9E, 0x9F)
#: Super-class properties offered by devices that measure their own consumption.
POWER_EPCS = (0x84, 0x85)
#: Properties the simulator computes (property maps) or that have no meaningful sample.
_COMPUTED = frozenset({0x9D, 0x9E, 0x9F})


#: Status properties whose MRA sample (the first option) would mean an alarm or a fault.
_QUIET: dict[int, dict[int, bytes]] = {
    0x0029: {0xB1: b"\x42"},  # closed
    0x0135: {0xC0: b"\x42", 0xC1: b"\x42", 0xE1: b"\x42"},
    0x026F: {0xE5: b"\x40", 0xE7: b"\x40"},
    0x026B: {0xC2: b"\x42" * 4},
}


class Host(Protocol):
    """What an object knows of the node that serves it (a :class:`~.node.SimNode`)."""

    name: str
    address: str
    uid: bytes


class Behaviour(Protocol):
    """Dynamics of one kind of device (see :mod:`simulator.behaviours.base`)."""

    power: int
    circuit: int | None

    def on_set(self, obj: SimObject, epc: int, edt: bytes) -> bool:
        """Called before a Set is applied; False refuses it (SNA)."""

    def on_read(self, obj: SimObject, epc: int) -> bytes | None:
        """A value computed at read time (None: use the stored value)."""

    def power_w(self, obj: SimObject) -> float:
        """Power drawn from the house (negative when the device supplies the house)."""


class World(Protocol):
    """The house around an object: a command first brings the physics up to now, and once
    applied, settles it (so that turning a device off changes the house's power at once)."""

    def before_command(self) -> None:
        """Advance the physics to the present."""

    def after_command(self) -> None:
        """Settle the physics with the new settings and publish the values."""


class SimObject:
    """One simulated device object: its property values and maps."""

    def __init__(
        self,
        eoj: EOJ,
        *,
        class_def: ClassDef | None = None,
        name: str = "",
        measures_power: bool = False,
        extra_get: Iterable[int] = (),
        omit: Iterable[int] = (),
        values: Mapping[int, bytes] | None = None,
        inf: Iterable[int] | None = None,
    ) -> None:
        self.eoj = eoj
        self.class_def = class_def or class_or_generic(eoj.class_code)
        self.name = name or self.class_def.name_en
        self.node: Host | None = None
        self.behaviour: Behaviour | None = None
        self.world: World | None = None
        self.on_change: Callable[[SimObject, dict[int, bytes]], None] | None = None
        omitted = set(omit)
        props = self.class_def.properties
        super_epcs = set(SUPER_EPCS) | (set(POWER_EPCS) if measures_power else set())
        base = SUPER_CLASS.properties
        own = {epc for epc, p in props.items() if epc not in base or p != base[epc]}
        epcs = (own | super_epcs | set(extra_get)) - omitted
        self.get_map: set[int] = {
            epc for epc in epcs if epc in _COMPUTED or self.prop(epc).gettable
        }
        self.set_map: set[int] = {epc for epc in epcs if self.prop(epc).settable}
        if inf is None:
            self.inf_map: set[int] = {
                epc for epc in epcs if self.prop(epc).inf.name == "REQUIRED"
            } | {0x80, 0x88} & epcs
        else:
            self.inf_map = set(inf) & (epcs | {0x80})
        self.values: dict[int, bytes] = {}
        for epc in sorted(epcs):
            if epc in _COMPUTED:
                continue
            self.values[epc] = self.prop(epc).sample()
        # A healthy device: no fault, nothing detected, nothing to replace.
        for epc, edt in _QUIET.get(self.eoj.class_code, {}).items():
            if epc in self.values:
                self.values[epc] = edt
        if 0x88 in self.values:
            self.values[0x88] = b"\x42"
        self.values.update(values or {})
        self._refresh_maps()

    def prop(self, epc: int) -> PropertyDef:
        """The MRA definition of ``epc`` for this class."""
        return self.class_def.get(epc)

    def _refresh_maps(self) -> None:
        self.values[0x9D] = encode_property_map(e for e in self.inf_map if e <= 0xFF)
        self.values[0x9E] = encode_property_map(self.set_map)
        self.values[0x9F] = encode_property_map(self.get_map | _COMPUTED)
        self.get_map |= _COMPUTED

    # ------------------------------------------------------------------ access

    def read(self, epc: int) -> bytes | None:
        """The EDT of a readable property, or None."""
        if epc not in self.get_map:
            return None
        if self.behaviour is not None:
            computed = self.behaviour.on_read(self, epc)
            if computed is not None:
                return computed
        return self.values.get(epc)

    def validate(self, epc: int, edt: bytes) -> bool:
        """True when ``edt`` is a valid value for a settable property."""
        if epc not in self.set_map:
            return False
        value = self.prop(epc).decode(edt, self.values)
        return not isinstance(value, Invalid)

    def write(self, epc: int, edt: bytes) -> bool:
        """Apply a Set from the network (validation and the behaviour's veto included); the
        house's physics takes the change into account at once."""
        if self.world is not None:
            self.world.before_command()
        accepted = self.apply(epc, edt)
        if accepted and self.world is not None:
            self.world.after_command()
        return accepted

    def apply(self, epc: int, edt: bytes) -> bool:
        """Apply a setting as the device's own remote control does (validated, the behaviour
        may veto it); no physics step (the residents' routines run inside one)."""
        if not self.validate(epc, edt):
            return False
        if self.behaviour is not None and not self.behaviour.on_set(self, epc, edt):
            return False
        self.update({epc: edt})
        return True

    def update(self, values: Mapping[int, bytes]) -> dict[int, bytes]:
        """Change values (from the device itself); announce the announced ones."""
        changed = {epc: edt for epc, edt in values.items() if self.values.get(epc) != edt}
        if not changed:
            return changed
        self.values.update(changed)
        if self.on_change is not None:
            self.on_change(self, changed)
        return changed

    # ------------------------------------------------------------------ typed helpers

    def u(self, epc: int, size: int = 1) -> int:
        """Unsigned integer value of ``epc`` (0 when unknown)."""
        edt = self.values.get(epc, b"")
        return int.from_bytes(edt[:size], "big") if edt else 0

    def s(self, epc: int, size: int = 4) -> int:
        """Signed integer value of ``epc`` (0 when unknown)."""
        edt = self.values.get(epc, b"")
        return int.from_bytes(edt[:size], "big", signed=True) if edt else 0

    def set_u(self, epc: int, value: int, size: int = 1) -> None:
        """Update ``epc`` with an unsigned integer (clamped to the size)."""
        value = max(0, min(int(value), (1 << (8 * size)) - 3))
        self.update({epc: value.to_bytes(size, "big")})

    def set_s(self, epc: int, value: int, size: int = 4) -> None:
        """Update ``epc`` with a signed integer (clamped to the size)."""
        limit = (1 << (8 * size - 1)) - 3
        value = max(-limit, min(int(value), limit))
        self.update({epc: value.to_bytes(size, "big", signed=True)})

    @property
    def code(self) -> int:
        """The EOJ as one number (0x013001)."""
        return int.from_bytes(self.eoj.to_bytes(), "big")

    @property
    def is_on(self) -> bool:
        """Operation status 0x80 is ON (0x30)."""
        return self.values.get(0x80) == b"\x30"

    def power_w(self) -> float:
        """Power this device draws from the house (negative when it supplies)."""
        return 0.0 if self.behaviour is None else self.behaviour.power_w(self)
