"""Quirks and faults a simulated node can show (all off by default).

Each one mirrors a behaviour seen on real devices or stacks (see the project's notes on
ECHONET Lite).  They can be switched at runtime: the node reads them on every request.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


def _doc(example: str, text: str) -> dict[str, str]:
    """A quirk's help: an example value and what it does."""
    return {"example": example, "help": text}


@dataclass(slots=True)
class Quirks:
    """Switchable misbehaviour of one simulated node."""

    drop_gets_above: int | None = field(
        default=None,
        metadata=_doc("5", "silently drop any Get asking for more than this many EPCs"),
    )
    drop_together: list[frozenset[int]] = field(
        default_factory=list,
        metadata=_doc(
            "B3+B7",
            "silently drop a Get that asks for all EPCs of a set together ('/' between sets)",
        ),
    )
    truncate_above: int | None = field(
        default=None,
        metadata=_doc("3", "answer only the first N EPCs of a Get (the rest is simply missing)"),
    )
    split_sna: bool = field(
        default=False,
        metadata=_doc(
            "1", "answer a partly failing Get with a Get_Res (readable EPCs) plus a Get_SNA"
        ),
    )
    pdc0_in_res: bool = field(
        default=False,
        metadata=_doc(
            "1", "answer unsupported EPCs with PDC 0 inside a Get_Res instead of a Get_SNA"
        ),
    )
    wrong_length: set[int] = field(
        default_factory=set,
        metadata=_doc("E0+E1", "answer these EPCs with a value one byte too long"),
    )
    reply_port: int | None = field(
        default=None,
        metadata=_doc("23610", "send answers from this UDP source port instead of 3610"),
    )
    inf_before_set_res: bool = field(
        default=False, metadata=_doc("1", "send the INF of a changed property before the Set_Res")
    )
    echo_set_edt: bool = field(
        default=False, metadata=_doc("1", "echo the EDT in Set_Res (the spec says PDC 0)")
    )
    delay: float = field(default=0.0, metadata=_doc("2.5", "seconds before any answer is sent"))
    duplicate_answers: bool = field(default=False, metadata=_doc("1", "send every answer twice"))
    stale_tid: bool = field(
        default=False,
        metadata=_doc("1", "before the real answer, send one carrying a stale TID (TID - 1)"),
    )
    sna_without_edt: bool = field(
        default=False,
        metadata=_doc("1", "SetC_SNA with PDC 0 everywhere: the refused EPCs are not told apart"),
    )
    refuse_set: set[int] = field(
        default_factory=set,
        metadata=_doc("B0", "refuse Sets of these EPCs (SetC_SNA), whatever the value"),
    )
    ignore_set: set[int] = field(
        default_factory=set,
        metadata=_doc("DA", "accept Sets of these EPCs (Set_Res) but keep the old value"),
    )
    map_count_off: bool = field(
        default=False,
        metadata=_doc(
            "1", "property maps in list form carry a count one higher than the EPCs listed"
        ),
    )
    map_trailing_bytes: bool = field(
        default=False,
        metadata=_doc("1", "property maps in list form end with two stray 00 bytes"),
    )
    map_bitmap_short: bool = field(
        default=False,
        metadata=_doc("1", "property maps in bitmap form lack their last byte (16 bytes, not 17)"),
    )
    map_bitmap_long: bool = field(
        default=False,
        metadata=_doc("1", "property maps in bitmap form carry an extra 00 byte (18 bytes)"),
    )
    busy: bool = field(
        default=False,
        metadata=_doc(
            "1", "refuse every Get with a Get_SNA of all its EPCs (busy or still booting)"
        ),
    )
    refuse_get: set[int] = field(
        default_factory=set,
        metadata=_doc("E4", "refuse Gets of these EPCs (Get_SNA) although the get map lists them"),
    )
    silent: bool = field(
        default=False, metadata=_doc("1", "answer nothing at all (the device is gone or hung)")
    )
    no_multicast: bool = field(
        default=False,
        metadata=_doc("1", "send no multicast (announcements lost, e.g. behind Wi-Fi or a VLAN)"),
    )

    deaf_to_multicast: bool = field(
        default=False,
        metadata=_doc(
            "1", "ignore requests sent to the multicast group (reachable by unicast only)"
        ),
    )

    no_identification: bool = field(
        default=False,
        metadata=_doc("1", "have no identification number (0x83 is refused, as by old stacks)"),
    )

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
    def describe(cls) -> list[tuple[str, str, str]]:
        """(name, example value, what it does) of every quirk, for the command line's help."""
        out = []
        for f in fields(cls):
            meta: Any = f.metadata
            out.append((f.name, str(meta["example"]), str(meta["help"])))
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
            elif name in ("wrong_length", "refuse_set", "ignore_set", "refuse_get"):
                value = {int(e, 16) for e in raw.split("+")}
            else:
                value = raw.lower() not in ("0", "false", "no", "off")
            quirks.set(**{name: value})
        return quirks
