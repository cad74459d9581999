"""Class and property definitions: :class:`ClassDef`, :class:`PropertyDef`, :class:`Invalid`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
import functools
from types import MappingProxyType
from typing import Any

from .datatypes import (
    Buffer,
    DataType,
    DecodeError,
    NumberRange,
    NumberType,
    NumericOption,
    NumericValueType,
    RawType,
    StateOption,
)


class Access(Enum):
    """Access rule of a property for one of Get, Set and INF (announcement)."""

    REQUIRED = "required"
    OPTIONAL = "optional"
    CONDITIONAL = "conditional"
    """MRA "required_c" / "required_o": required under a condition the Appendix states."""
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True, slots=True)
class Invalid:
    """An EDT that could not be decoded (wrong length, unknown state, out of range...)."""

    reason: str
    edt: bytes

    def __str__(self) -> str:
        return f"invalid ({self.reason})"


@dataclass(frozen=True, slots=True, eq=False)
class PropertyDef:
    """One property (EPC) of a class, with its codec."""

    epc: int
    name_en: str
    name_ja: str
    short_name: str
    """MRA shortName (camelCase)."""
    key: str
    """snake_case of ``short_name``, unique within the class."""
    get: Access
    set: Access
    inf: Access
    data: DataType
    atomic: int | None = None
    """EPC that the MRA says is used atomically with this one (e.g. the day to read for a
    history property: Set that EPC, then Get this one)."""
    unit: str | None = field(init=False)
    """The numeric unit as spelled in the MRA ("W", "kWh", "Celsius", "%"...), or ``None``."""
    coefficient_epcs: tuple[int, ...] = field(init=False)
    """EPCs whose values multiply this property's numbers (pass their EDTs as ``related``)."""
    _decode: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", self.data.unit)
        coefficients: list[int] = []
        for node in self.data.walk():
            if isinstance(node, NumberType):
                coefficients.extend(e for e in node.coefficient if e not in coefficients)
        object.__setattr__(self, "coefficient_epcs", tuple(coefficients))
        object.__setattr__(self, "_decode", self.data.decode)

    @property
    def gettable(self) -> bool:
        return self.get is not Access.NOT_APPLICABLE

    @property
    def settable(self) -> bool:
        return self.set is not Access.NOT_APPLICABLE

    @property
    def announced(self) -> bool:
        return self.inf is not Access.NOT_APPLICABLE

    @property
    def options(self) -> tuple[StateOption, ...]:
        """State options (of a state type, or the special states of a oneOf)."""
        return self.data.options

    @property
    def number_range(self) -> NumberRange | None:
        """(minimum, maximum, step) in scaled units of the (first) number type, if any."""
        return self.data.number_range

    @property
    def levels(self) -> int | None:
        """Number of levels of the (first) level type, if any."""
        return self.data.levels

    @property
    def numeric_options(self) -> tuple[NumericOption, ...]:
        data = self.data
        return data.numeric_options if isinstance(data, NumericValueType) else ()

    def decode(self, edt: Buffer, related: Mapping[int, Buffer] | None = None) -> Any:
        """The decoded value, or an :class:`Invalid`; never raises.

        ``related`` holds the raw EDTs of other properties of the same object, used for the
        MRA coefficients (smart meter 0xE0 is multiplied by 0xD3 and 0xE1).
        """
        if type(edt) is not bytes:
            try:
                edt = bytes(edt)
            except Exception:  # anything that is not bytes-like
                return Invalid(f"EDT is {type(edt).__name__}, not bytes", b"")
        try:
            return self._decode(edt, related)
        except DecodeError as err:
            return Invalid(err.reason, edt)
        except Exception as err:  # a codec bug must not break a poll
            return Invalid(f"cannot decode: {err!r}", edt)

    def encode(self, value: Any, related: Mapping[int, Buffer] | None = None) -> bytes:
        """The EDT for ``value``; raises ``ValueCodecError`` when it cannot be encoded.

        With coefficients, ``related`` gives the coefficient EDTs to divide by (default 1).
        """
        return self.data.encode(value, related)

    def sample(self) -> bytes:
        """A deterministic, plausible, valid EDT (for simulators)."""
        return self.data.sample()


@functools.cache
def generic_property(epc: int) -> PropertyDef:
    """A raw property for an EPC the MRA does not define."""
    return PropertyDef(
        epc=epc,
        name_en=f"Unknown property 0x{epc:02X}",
        name_ja=f"不明なプロパティ 0x{epc:02X}",
        short_name=f"unknown0x{epc:02X}",
        key=f"unknown_0x{epc:02x}",
        get=Access.OPTIONAL,
        set=Access.OPTIONAL,
        inf=Access.OPTIONAL,
        data=RawType(0, 255),
    )


@dataclass(frozen=True, slots=True, eq=False)
class ClassDef:
    """A device class (or the node profile) with its properties."""

    class_code: int
    """Class group code and class code: 0x0130 for a home air conditioner."""
    name_en: str
    name_ja: str
    short_name: str
    """MRA shortName (camelCase)."""
    key: str
    """snake_case of ``short_name``."""
    properties: Mapping[int, PropertyDef]
    """Every property by EPC: the super class's merged in, the class's own override them."""
    coefficient_epcs: frozenset[int] = frozenset()
    """EPCs used as coefficients of other properties (units, multipliers: 0x0288 0xD3/0xE1).
    A controller reads them with the values they scale and need not show them."""
    mcrules_deleted_epcs: frozenset[int] = frozenset()
    """EPCs the MRA's MCRules drop from the ECHONET Web API view of this class: coefficients
    folded into values, range/day selectors of history and channel lists, properties merged
    into others.  Informational (they stay readable and decodable)."""
    _by_key: Mapping[str, PropertyDef] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_by_key", MappingProxyType({p.key: p for p in self.properties.values()})
        )

    @property
    def group_code(self) -> int:
        return self.class_code >> 8

    def get(self, epc: int) -> PropertyDef:
        """The property, or a raw "Unknown property 0xEE" definition; never raises."""
        prop = self.properties.get(epc)
        return prop if prop is not None else generic_property(epc)

    def by_key(self, key: str) -> PropertyDef | None:
        """The property whose ``key`` is ``key``."""
        return self._by_key.get(key)
