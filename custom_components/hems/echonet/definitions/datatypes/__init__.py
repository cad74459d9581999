"""Property value codecs built from the generated MRA data (``mra.json``).

Every data type has three operations:

- ``decode(edt, related)`` returns the value or raises :class:`DecodeError` (the
  :class:`~.model.PropertyDef` wrapper turns that into an ``Invalid`` and never raises);
- ``encode(value, related=None)`` returns the EDT or raises
  :class:`~custom_components.hems.echonet.errors.ValueCodecError`;
- ``sample()`` returns a deterministic, plausible, valid EDT.

Decoded values by MRA type:

=================  ==========================================================================
number             ``int`` (no scale, or an integral ``multiple``), ``float`` when scaled by a
                   fractional ``multiple``/``multipleOf`` or when the type has a ``coefficient``
                   (the values of the coefficient properties found in ``related`` are multiplied
                   in; a coefficient property missing from ``related``, or with an empty EDT,
                   counts as 1).  Raw values outside minimum..maximum are invalid, except the
                   overflow / underflow codes (unless the MRA disables them: unsigned 0xFF.. /
                   0xFF..FE, signed 0x7F.. / 0x80..), which decode to the strings
                   ``"overflow"`` / ``"underflow"``.
state              the option's ``key`` (snake_case of the MRA name; unique within the
                   property).  The MRA names boolean-like states "true"/"false", so their keys
                   are the strings ``"true"`` / ``"false"``.  Options covering an EDT range
                   (0x89 fault descriptions) decode every EDT of the range to the same key and
                   encode to the first EDT of the range.
numericValue       ``float`` (the option's value).
level              ``int`` 1..``levels`` (EDT = base + level - 1).
bitmap             ``dict`` field key -> value of the field's state / level.  ``index`` in the
                   MRA is taken as the byte offset from the first EDT byte.
date-time          naive ``datetime`` (4..7 bytes: year(2) month day [hour [minute [second]]]).
date               ``date``.
time               ``datetime.time``; ``timedelta`` for relative times whose hour may exceed 23.
raw                ``bytes``.
array              ``list`` (the count follows from the EDT length when not fixed).
object             ``dict`` field key -> value.
oneOf              the first alternative that accepts the EDT: special states first, then the
                   other alternatives in MRA order, then overflow/underflow codes.  When several
                   numeric alternatives share an EDT (washer levels 0x31.. and 0xA0..), the value
                   does not say which matched, so only the first alternative round-trips.
=================  ==========================================================================

Inside objects, arrays and bitmaps an element that cannot be decoded makes the whole value
invalid, with the element's reason.  Encoding accepts exactly the decoded forms (plus an
``int`` EDT for states, a ``date`` for date-time and a ``time`` for relative times); fields a
shorter date-time or time cannot carry are truncated.

Introspection (used by entities and the simulator):

- ``StateType.options`` / ``OneOfType.options``: tuple of :class:`StateOption`;
- ``NumberType.minimum`` / ``maximum`` / ``step`` (scaled units), ``number_range``;
- ``LevelType.levels``; ``NumericValueType.options`` (tuple of :class:`NumericOption`);
- ``BitmapType.fields`` / ``ObjectType.fields``; ``ArrayType.item``; ``OneOfType.alternatives``;
- ``unit`` on every type (the numeric unit as spelled in the MRA, or ``None``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import (
    BitmapField,
    BitType,
    Buffer,
    DataType,
    DecodeError,
    NumberRange,
    NumericOption,
    ObjectField,
    Related,
    StateOption,
)
from .choices import (
    BitmapType,
    LevelType,
    NumericValueType,
    StateType,
)
from .composite import (
    ArrayType,
    ObjectType,
    OneOfType,
    RawType,
)
from .number import NumberType
from .times import (
    DateTimeType,
    DateType,
    TimeType,
)

__all__ = [
    "ArrayType",
    "BitType",
    "BitmapField",
    "BitmapType",
    "Buffer",
    "DataType",
    "DateTimeType",
    "DateType",
    "DecodeError",
    "LevelType",
    "NumberRange",
    "NumberType",
    "NumericOption",
    "NumericValueType",
    "ObjectField",
    "ObjectType",
    "OneOfType",
    "RawType",
    "Related",
    "StateOption",
    "StateType",
    "TimeType",
    "build_type",
]


# -- building from mra.json -----------------------------------------------------------------


def _build_number(node: Mapping[str, Any]) -> NumberType:
    return NumberType(
        node["fmt"],
        node["min"],
        node["max"],
        multiple=node.get("mul", 1),
        unit=node.get("unit"),
        coefficient=node.get("coef", ()),
        overflow=node.get("ovf", True),
        underflow=node.get("unf", True),
        allowed=node.get("enum"),
    )


def _build_state(node: Mapping[str, Any]) -> StateType:
    return StateType(
        node["size"],
        [
            StateOption(
                o["edt"],
                o["key"],
                o["name"],
                o["en"],
                o["ja"],
                o.get("ro", False),
                o.get("to", o["edt"]),
            )
            for o in node["opts"]
        ],
    )


def _build_bitmap(node: Mapping[str, Any]) -> BitmapType:
    fields = []
    for b in node["bits"]:
        btype = build_type(b["type"])
        if not isinstance(btype, BitType):
            raise TypeError(f"bitmap field of type {b['type']['t']}")
        shift = (b["mask"] & -b["mask"]).bit_length() - 1
        fields.append(
            BitmapField(b["key"], b["name"], b["en"], b["ja"], b["index"], b["mask"], shift, btype)
        )
    return BitmapType(node["size"], fields)


def build_type(node: Mapping[str, Any]) -> DataType:
    """Instantiate the codec for one normalised type node of ``mra.json``."""
    kind = node["t"]
    if kind == "number":
        return _build_number(node)
    if kind == "state":
        return _build_state(node)
    if kind == "numericValue":
        return NumericValueType(
            node["size"], [NumericOption(edt, float(v)) for edt, v in node["opts"]]
        )
    if kind == "level":
        return LevelType(node["size"], node["base"], node["max"])
    if kind == "bitmap":
        return _build_bitmap(node)
    if kind == "date-time":
        return DateTimeType(node["size"])
    if kind == "date":
        return DateType(4)
    if kind == "time":
        return TimeType(node["size"], node.get("maxh", 23))
    if kind == "raw":
        return RawType(node["min"], node["max"])
    if kind == "array":
        return ArrayType(build_type(node["item"]), node["isz"], node["min"], node["max"])
    if kind == "object":
        return ObjectType(
            [
                ObjectField(f["key"], f["name"], f["en"], f["ja"], build_type(f["type"]))
                for f in node["fields"]
            ]
        )
    if kind == "oneOf":
        return OneOfType([build_type(a) for a in node["alts"]])
    raise ValueError(f"unknown data type {kind!r}")
