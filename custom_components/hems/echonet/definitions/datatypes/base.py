"""What every value codec shares: the base types, options, fields and errors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

from ...errors import ValueCodecError

Buffer = bytes | bytearray | memoryview
"""What ``PropertyDef.decode`` accepts as an EDT (any bytes-like object)."""
Related = Mapping[int, Buffer] | None
"""Raw EDTs of the other properties of the same object, by EPC (for coefficients)."""


class DecodeError(Exception):
    """An EDT that the type cannot decode; ``reason`` says why in plain English."""

    @property
    def reason(self) -> str:
        return str(self.args[0])


class StateOption(NamedTuple):
    """One value of a state (enumeration) type."""

    edt: int
    """The EDT (first EDT of the range for range options)."""
    key: str
    """snake_case of the MRA name, unique within the property: the decoded value."""
    name: str
    """The MRA name (camelCase)."""
    en: str
    ja: str
    read_only: bool
    """Only ever sent by devices (special values such as "no data")."""
    edt_last: int
    """Last EDT of the range (== ``edt`` for a single value)."""


class NumericOption(NamedTuple):
    """One value of a numericValue type (e.g. a unit multiplier)."""

    edt: int
    value: float


class NumberRange(NamedTuple):
    """Range of a number in scaled units."""

    minimum: float
    maximum: float
    step: float


@dataclass(frozen=True, slots=True)
class BitmapField:
    """One field of a bitmap: ``(EDT[index] & mask) >> shift`` is the field's state / level."""

    key: str
    name: str
    en: str
    ja: str
    index: int
    mask: int
    shift: int
    type: BitType


@dataclass(frozen=True, slots=True)
class ObjectField:
    """One element of an object, in EDT order."""

    key: str
    name: str
    en: str
    ja: str
    type: DataType


def _hex(edt: bytes) -> str:
    return "0x" + edt.hex().upper() if edt else "an empty EDT"


def _length_error(got: int, expected: str | int) -> DecodeError:
    return DecodeError(f"EDT of {got} byte{'' if got == 1 else 's'}, {expected} expected")


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_DECIMALS: dict[float, int] = {}


def _decimals(value: float) -> int:
    """Number of decimal places of a multiplier (0.01 -> 2, 10 -> 0)."""
    if isinstance(value, int):
        return 0
    places = _DECIMALS.get(value)
    if places is None:
        mantissa, _, exponent = repr(float(value)).partition("e")
        fraction = mantissa.partition(".")[2].rstrip("0")
        places = max(0, len(fraction) - int(exponent or 0))
        _DECIMALS[value] = places
    return places


class DataType:
    """Base of every codec."""

    __slots__ = ("_n", "max_size", "min_size", "size")
    kind: ClassVar[str] = ""

    size: int | None
    """Fixed EDT size, or ``None`` when it varies (``min_size``..``max_size``)."""
    min_size: int
    max_size: int
    _n: int  # the fixed size (-1 when it varies)

    def __init__(self, size: int | None, min_size: int = 0, max_size: int = 0) -> None:
        self.size = size
        self._n = -1 if size is None else size
        self.min_size = min_size if size is None else size
        self.max_size = max_size if size is None else size

    def __repr__(self) -> str:
        return f"<{type(self).__name__} size={self.size}>"

    def decode(self, edt: bytes, related: Related) -> Any:
        raise NotImplementedError

    def decode_strict(self, edt: bytes, related: Related) -> Any:
        """Like :meth:`decode`, without the overflow/underflow codes (used by oneOf)."""
        return self.decode(edt, related)

    def encode(self, value: Any, related: Related = None) -> bytes:
        raise NotImplementedError

    def sample(self) -> bytes:
        raise NotImplementedError

    def children(self) -> Iterator[DataType]:
        return iter(())

    def walk(self) -> Iterator[DataType]:
        """This type and every type nested in it."""
        yield self
        for child in self.children():
            yield from child.walk()

    @property
    def unit(self) -> str | None:
        """The unit shared by every number inside (``None`` when none or several)."""
        units = {t.unit for t in self.children()} - {None}
        return units.pop() if len(units) == 1 else None

    @property
    def options(self) -> tuple[StateOption, ...]:
        return ()

    @property
    def number_range(self) -> NumberRange | None:
        return None

    @property
    def levels(self) -> int | None:
        return None

    def _size_error(self, n: int) -> DecodeError:
        """The error for an EDT of ``n`` bytes, which this type's size does not allow."""
        return _length_error(
            n, self.size if self.size is not None else f"{self.min_size}..{self.max_size}"
        )


class BitType(DataType):
    """A type that can also live in a few bits of a bitmap (state and level)."""

    __slots__ = ()

    def decode_bits(self, bits: int) -> Any:
        raise NotImplementedError

    def encode_bits(self, value: Any) -> int:
        raise NotImplementedError

    def sample_bits(self) -> int:
        raise NotImplementedError


def _check_keys(value: Any, keys: frozenset[str], what: str) -> None:
    if not isinstance(value, Mapping):
        raise ValueCodecError(f"{_describe(value)} is not a mapping (a {what} needs one)")
    given = set(value)
    if given != keys:
        missing = ", ".join(sorted(keys - given))
        extra = ", ".join(sorted(str(k) for k in given - keys))
        parts = [f"missing {missing}" if missing else "", f"unknown {extra}" if extra else ""]
        raise ValueCodecError(f"{what} keys: " + "; ".join(p for p in parts if p))
