"""Quirks and faults a simulated node can show (all off by default).

Each one mirrors a behaviour seen on real devices or stacks (see the project's notes on
ECHONET Lite).  They can be switched at runtime: the node reads them on every request.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(slots=True)
class Quirks:
    """Switchable misbehaviour of one simulated node."""

    #: Silently drop any Get asking for more than this many EPCs.
    drop_gets_above: int | None = None
    #: Silently drop a Get that asks for all EPCs of any of these sets together.
    drop_together: list[frozenset[int]] = field(default_factory=list)
    #: Answer only the first N EPCs of a Get (the rest is simply missing).
    truncate_above: int | None = None
    #: Answer a partly failing Get with a Get_Res (readable EPCs) plus a separate Get_SNA.
    split_sna: bool = False
    #: Answer unsupported EPCs with PDC 0 inside a Get_Res instead of a Get_SNA.
    pdc0_in_res: bool = False
    #: EPCs answered with an EDT one byte too long (a device that lies about lengths).
    wrong_length: set[int] = field(default_factory=set)
    #: Send answers from this UDP source port instead of 3610 (e.g. 23610).
    reply_port: int | None = None
    #: Send the INF of a changed property before the Set_Res.
    inf_before_set_res: bool = False
    #: Echo the EDT in Set_Res (the spec says PDC 0).
    echo_set_edt: bool = False
    #: Seconds before any answer is sent.
    delay: float = 0.0
    #: Send every answer twice.
    duplicate_answers: bool = False
    #: Before the real answer, send one carrying a stale TID (TID - 1).
    stale_tid: bool = False
    #: EPCs whose Sets the device refuses (SetC_SNA), whatever the value.
    refuse_set: set[int] = field(default_factory=set)
    #: Do not answer anything at all (the device is gone or hung).
    silent: bool = False
    #: Do not send multicast (announcements lost, e.g. behind Wi-Fi or a VLAN).
    no_multicast: bool = False

    def set(self, **changes: Any) -> None:
        """Change several quirks at once (unknown names raise ValueError)."""
        names = {f.name for f in fields(self)}
        for key, value in changes.items():
            if key not in names:
                raise ValueError(f"unknown quirk {key!r}")
            setattr(self, key, value)

    def reset(self) -> None:
        """Switch every quirk off."""
        for f in fields(self):
            default = f.default_factory() if callable(f.default_factory) else f.default
            setattr(self, f.name, default)

    def active(self) -> dict[str, Any]:
        """The quirks that are switched on."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value not in (None, False, 0, 0.0) and value not in ([], set()):
                out[f.name] = value
        return out

    @classmethod
    def parse(cls, text: str) -> Quirks:
        """Parse ``name=value,name=value`` as given on the command line.

        Lists of EPC sets use ``+`` between EPCs and ``/`` between sets:
        ``drop_together=B3+B7``; EPC sets use ``+``: ``wrong_length=E0+E1``.
        """
        quirks = cls()
        if not text:
            return quirks
        for item in text.split(","):
            name, _, raw = item.partition("=")
            name = name.strip()
            raw = raw.strip()
            value: Any
            if name in ("drop_gets_above", "truncate_above", "reply_port"):
                value = int(raw, 0)
            elif name == "delay":
                value = float(raw)
            elif name == "drop_together":
                value = [frozenset(int(e, 16) for e in part.split("+")) for part in raw.split("/")]
            elif name in ("wrong_length", "refuse_set"):
                value = {int(e, 16) for e in raw.split("+")}
            else:
                value = raw.lower() not in ("0", "false", "no", "off")
            quirks.set(**{name: value})
        return quirks
