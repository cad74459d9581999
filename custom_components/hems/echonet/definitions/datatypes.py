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

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
import datetime as dt
import math
from typing import Any, ClassVar, NamedTuple

from ..errors import ValueCodecError

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


# -- number ---------------------------------------------------------------------------------

_FORMATS = {
    "uint8": (1, False),
    "int8": (1, True),
    "uint16": (2, False),
    "int16": (2, True),
    "uint32": (4, False),
    "int32": (4, True),
}

#: A plausible value per unit for samples (used when it is within the type's range).
_TYPICAL: dict[str, float] = {
    "Celsius": 22,
    "%": 50,
    "W": 500,
    "kW": 1,
    "Wh": 1000,
    "kWh": 100,
    "kvarh": 100,
    "A": 5,
    "mA": 500,
    "Ah": 10,
    "V": 100,
    "L": 100,
    "m3": 10,
    "m3/h": 1,
    "MJ": 10,
    "ppm": 400,
    "lux": 500,
    "klux": 1,
    "minute": 30,
    "minutes": 30,
    "second": 30,
    "ms": 1000,
    "days": 1,
    "degree": 90,
    "r/min": 800,
    "digit": 6,
}


class NumberType(DataType):
    """A signed or unsigned big-endian integer, optionally scaled."""

    __slots__ = (
        "_coef_memo",
        "_coef_types",
        "_div",
        "_mul",
        "_ndigits",
        "allowed",
        "coefficient",
        "format",
        "multiple",
        "overflow_code",
        "raw_maximum",
        "raw_minimum",
        "signed",
        "underflow_code",
        "unit_name",
    )
    kind = "number"

    def __init__(
        self,
        fmt: str,
        minimum: int,
        maximum: int,
        *,
        multiple: float = 1,
        unit: str | None = None,
        coefficient: Sequence[int] = (),
        overflow: bool = True,
        underflow: bool = True,
        allowed: Sequence[int] | None = None,
    ) -> None:
        size, signed = _FORMATS[fmt]
        super().__init__(size)
        self.format = fmt
        self.signed = signed
        self.raw_minimum = minimum
        self.raw_maximum = maximum
        self.multiple = multiple
        self.unit_name = unit
        self.coefficient = tuple(coefficient)
        self.allowed = frozenset(allowed) if allowed is not None else None
        bits = size * 8
        if signed:
            self.overflow_code = (1 << (bits - 1)) - 1 if overflow else None
            self.underflow_code = -(1 << (bits - 1)) if underflow else None
        else:
            self.overflow_code = (1 << bits) - 1 if overflow else None
            self.underflow_code = (1 << bits) - 2 if underflow else None
        # Scaling: _div for 10**-k multiples (exact decimal division), _mul for integral ones.
        self._div = 1
        self._mul: float = 1
        self._ndigits = 0
        if multiple != 1:
            k = round(-math.log10(multiple))
            if k > 0 and math.isclose(multiple, 10.0**-k, rel_tol=1e-12):
                self._div = 10**k
                self._ndigits = k
            elif float(multiple).is_integer():
                self._mul = int(multiple)
            else:
                self._mul = multiple
                self._ndigits = 9
        self._coef_types: tuple[tuple[int, DataType], ...] = ()
        self._coef_memo: tuple[tuple[Buffer | None, ...], tuple[float, int]] | None = None

    def bind(self, lookup: Mapping[int, DataType]) -> None:
        """Attach the codecs of the coefficient properties (same class)."""
        self._coef_types = tuple((epc, lookup[epc]) for epc in self.coefficient if epc in lookup)

    @property
    def unit(self) -> str | None:
        return self.unit_name

    def _scaled(self, raw: int) -> float:
        if self._div != 1:
            return raw / self._div
        return raw * self._mul

    @property
    def minimum(self) -> float:
        return self._scaled(self.raw_minimum)

    @property
    def maximum(self) -> float:
        return self._scaled(self.raw_maximum)

    @property
    def step(self) -> float:
        return 1 / self._div if self._div != 1 else self._mul

    @property
    def number_range(self) -> NumberRange:
        return NumberRange(self.minimum, self.maximum, self.step)

    def _factor(self, related: Related) -> tuple[float, int]:
        """Product of the coefficient values found in ``related`` and its decimal places."""
        if not related:
            return 1, 0
        # Array items share their type: remember the last coefficients (one tuple, replaced
        # atomically) so that a 48-item history decodes them once.
        key = tuple(related.get(epc) for epc, _ in self._coef_types)
        memo = self._coef_memo
        if memo is not None and memo[0] == key:
            return memo[1]
        result = self._compute_factor(related)
        self._coef_memo = (key, result)
        return result

    def _compute_factor(self, related: Mapping[int, Buffer]) -> tuple[float, int]:
        factor: float = 1
        places = 0
        for epc, ctype in self._coef_types:
            edt = related.get(epc)
            if not edt:  # absent, or PDC 0 (not available): factor 1
                continue
            try:
                value = ctype.decode(bytes(edt), None)
            except DecodeError as err:
                raise DecodeError(f"coefficient 0x{epc:02X}: {err.reason}") from None
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise DecodeError(f"coefficient 0x{epc:02X} is {value!r}, not a number")
            factor *= value
            places += _decimals(value)
        return factor, places

    def _value(self, raw: int, related: Related) -> int | float:
        if self._coef_types:
            factor, places = self._factor(related)
            value = raw * factor
            value = value / self._div if self._div != 1 else value * self._mul
            return round(float(value), self._ndigits + places)
        if self._div != 1:
            return raw / self._div
        if self._mul != 1:
            return round(raw * self._mul, self._ndigits) if self._ndigits else raw * self._mul
        return raw

    def _out_of_range(self, raw: int) -> DecodeError:
        if self.allowed is not None and self.raw_minimum <= raw <= self.raw_maximum:
            values = ", ".join(str(v) for v in sorted(self.allowed))
            return DecodeError(f"{raw} is not one of {values}")
        return DecodeError(f"{raw} is out of range {self.raw_minimum}..{self.raw_maximum}")

    def decode(self, edt: bytes, related: Related) -> Any:
        if len(edt) != self.size:
            raise _length_error(len(edt), self._n)
        raw = int.from_bytes(edt, "big", signed=self.signed)
        if (
            raw < self.raw_minimum
            or raw > self.raw_maximum
            or (self.allowed is not None and raw not in self.allowed)
        ):
            if raw == self.overflow_code:
                return "overflow"
            if raw == self.underflow_code:
                return "underflow"
            raise self._out_of_range(raw)
        return self._value(raw, related)

    def decode_strict(self, edt: bytes, related: Related) -> Any:
        if len(edt) != self.size:
            raise _length_error(len(edt), self._n)
        raw = int.from_bytes(edt, "big", signed=self.signed)
        if (
            raw < self.raw_minimum
            or raw > self.raw_maximum
            or (self.allowed is not None and raw not in self.allowed)
        ):
            raise self._out_of_range(raw)
        return self._value(raw, related)

    def special(self, edt: bytes) -> str | None:
        """``"overflow"`` / ``"underflow"`` when the EDT is one of those codes."""
        if len(edt) != self.size:
            return None
        raw = int.from_bytes(edt, "big", signed=self.signed)
        if raw == self.overflow_code:
            return "overflow"
        if raw == self.underflow_code:
            return "underflow"
        return None

    def _raw_bytes(self, raw: int) -> bytes:
        return raw.to_bytes(self._n, "big", signed=self.signed)

    def _to_raw(self, value: float, factor: float) -> float:
        if self._div != 1:
            return value * self._div / factor
        return value / (self._mul * factor)

    def encode(self, value: Any, related: Related = None) -> bytes:
        if isinstance(value, str):
            if value == "overflow" and self.overflow_code is not None:
                return self._raw_bytes(self.overflow_code)
            if value == "underflow" and self.underflow_code is not None:
                return self._raw_bytes(self.underflow_code)
            raise ValueCodecError(f"{_describe(value)} is not a number")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueCodecError(f"{_describe(value)} is not a number")
        if not math.isfinite(value):
            raise ValueCodecError(f"{value} is not a finite number")
        try:
            factor = self._factor(related)[0] if self._coef_types else 1
        except DecodeError as err:
            raise ValueCodecError(err.reason) from None
        if factor == 0:
            raise ValueCodecError("the coefficient is 0: no value can be encoded")
        if isinstance(value, int) and self._div == 1 and self._mul == 1 and factor == 1:
            raw = value
        else:
            exact = self._to_raw(value, factor)
            raw = round(exact)
            if abs(exact - raw) > 1e-6 + 1e-12 * abs(exact):
                raise ValueCodecError(f"{value} is not a multiple of {self.step * factor:g}")
        if raw < self.raw_minimum or raw > self.raw_maximum:
            low = self._value(self.raw_minimum, related)
            high = self._value(self.raw_maximum, related)
            raise ValueCodecError(f"{value} is out of range {low}..{high}")
        if self.allowed is not None and raw not in self.allowed:
            values = ", ".join(str(self._value(v, related)) for v in sorted(self.allowed))
            raise ValueCodecError(f"{value} is not one of {values}")
        return self._raw_bytes(raw)

    def sample(self) -> bytes:
        if self.allowed is not None:
            return self._raw_bytes(min(self.allowed))
        typical = _TYPICAL.get(self.unit_name or "")
        if typical is not None:
            raw = round(self._to_raw(typical, 1))
            if self.raw_minimum <= raw <= self.raw_maximum:
                return self._raw_bytes(raw)
        return self._raw_bytes((self.raw_minimum + self.raw_maximum) // 2)


# -- enumerations -------------------------------------------------------------------------


class StateType(BitType):
    """An enumeration; ``size`` 0 when it lives in the bits of a bitmap."""

    __slots__ = ("_by_edt", "_by_int", "_by_key", "_ranges", "_state_list", "_state_options")
    kind = "state"

    def __init__(self, size: int, options: Sequence[StateOption]) -> None:
        super().__init__(size)
        self._state_options = tuple(options)
        self._by_int: dict[int, str] = {o.edt: o.key for o in options}
        self._by_edt: dict[bytes, str] = (
            {o.edt.to_bytes(size, "big"): o.key for o in options} if size else {}
        )
        self._by_key: dict[str, int] = {o.key: o.edt for o in options}
        self._ranges = tuple((o.edt, o.edt_last, o.key) for o in options if o.edt_last != o.edt)
        self._state_list = ", ".join(o.key for o in options)

    @property
    def options(self) -> tuple[StateOption, ...]:
        return self._state_options

    def _lookup_int(self, raw: int) -> str | None:
        key = self._by_int.get(raw)
        if key is None:
            for first, last, range_key in self._ranges:
                if first <= raw <= last:
                    return range_key
        return key

    def decode(self, edt: bytes, related: Related) -> Any:
        key = self._by_edt.get(edt)
        if key is not None:
            return key
        if len(edt) != self.size:
            raise _length_error(len(edt), self._n)
        if self._ranges:
            key = self._lookup_int(int.from_bytes(edt, "big"))
            if key is not None:
                return key
        raise DecodeError(f"{_hex(edt)} is not a valid state")

    def decode_bits(self, bits: int) -> Any:
        key = self._lookup_int(bits)
        if key is None:
            raise DecodeError(f"{bits} is not a valid state")
        return key

    def _raw_of(self, value: Any) -> int:
        if isinstance(value, str):
            raw = self._by_key.get(value)
            if raw is not None:
                return raw
        elif (
            isinstance(value, int)
            and not isinstance(value, bool)
            and self._lookup_int(value) is not None
        ):
            return value
        raise ValueCodecError(
            f"{_describe(value)} is not a valid state (expected one of: {self._state_list})"
        )

    def encode(self, value: Any, related: Related = None) -> bytes:
        return self._raw_of(value).to_bytes(self._n, "big")

    def encode_bits(self, value: Any) -> int:
        return self._raw_of(value)

    def _sample_option(self) -> StateOption:
        for option in self._state_options:
            if not option.read_only:
                return option
        return self._state_options[0]

    def sample(self) -> bytes:
        return self._sample_option().edt.to_bytes(self._n, "big")

    def sample_bits(self) -> int:
        return self._sample_option().edt


class NumericValueType(DataType):
    """An enumeration of numbers (unit multipliers such as 0x01 -> 0.1)."""

    __slots__ = ("_by_edt", "numeric_options")
    kind = "numericValue"

    def __init__(self, size: int, options: Sequence[NumericOption]) -> None:
        super().__init__(size)
        self.numeric_options = tuple(options)
        self._by_edt = {o.edt.to_bytes(size, "big"): o.value for o in options}

    def decode(self, edt: bytes, related: Related) -> Any:
        value = self._by_edt.get(edt)
        if value is not None:
            return value
        if len(edt) != self.size:
            raise _length_error(len(edt), self._n)
        raise DecodeError(f"{_hex(edt)} is not a valid value")

    def encode(self, value: Any, related: Related = None) -> bytes:
        if isinstance(value, int | float) and not isinstance(value, bool):
            for option in self.numeric_options:
                if math.isclose(option.value, value, rel_tol=1e-9, abs_tol=1e-15):
                    return option.edt.to_bytes(self._n, "big")
        values = ", ".join(f"{o.value:g}" for o in self.numeric_options)
        raise ValueCodecError(f"{_describe(value)} is not one of {values}")

    def sample(self) -> bytes:
        return self.numeric_options[0].edt.to_bytes(self._n, "big")


class LevelType(BitType):
    """Levels 1..``levels`` stored as ``base + level - 1``."""

    __slots__ = ("base", "level_count")
    kind = "level"

    def __init__(self, size: int, base: int, levels: int) -> None:
        super().__init__(size)
        self.base = base
        self.level_count = levels

    @property
    def levels(self) -> int:
        return self.level_count

    def _level(self, raw: int) -> int:
        level = raw - self.base + 1
        if not 1 <= level <= self.level_count:
            last = self.base + self.level_count - 1
            width = max(2, 2 * (self.size or 1))
            raise DecodeError(
                f"0x{raw:0{width}X} is not a valid level "
                f"(0x{self.base:0{width}X}..0x{last:0{width}X})"
            )
        return level

    def decode(self, edt: bytes, related: Related) -> Any:
        if len(edt) != self.size:
            raise _length_error(len(edt), self._n)
        return self._level(int.from_bytes(edt, "big"))

    def decode_bits(self, bits: int) -> Any:
        return self._level(bits)

    def encode_bits(self, value: Any) -> int:
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 1 <= value <= self.level_count
        ):
            raise ValueCodecError(
                f"{_describe(value)} is not a level (expected 1..{self.level_count})"
            )
        return self.base + value - 1

    def encode(self, value: Any, related: Related = None) -> bytes:
        return self.encode_bits(value).to_bytes(self._n, "big")

    def sample_bits(self) -> int:
        return self.base + (self.level_count + 1) // 2 - 1

    def sample(self) -> bytes:
        return self.sample_bits().to_bytes(self._n, "big")


class BitmapType(DataType):
    """Fields packed into the bits of a fixed number of bytes."""

    __slots__ = ("_keys", "fields")
    kind = "bitmap"

    def __init__(self, size: int, fields: Sequence[BitmapField]) -> None:
        super().__init__(size)
        self.fields = tuple(fields)
        self._keys = frozenset(f.key for f in fields)

    def children(self) -> Iterator[DataType]:
        return (f.type for f in self.fields)

    def decode(self, edt: bytes, related: Related) -> Any:
        if len(edt) != self.size:
            raise _length_error(len(edt), self._n)
        out: dict[str, Any] = {}
        for field in self.fields:
            try:
                bits = (edt[field.index] & field.mask) >> field.shift
                out[field.key] = field.type.decode_bits(bits)
            except DecodeError as err:
                raise DecodeError(f"bit field {field.key!r}: {err.reason}") from None
        return out

    def encode(self, value: Any, related: Related = None) -> bytes:
        _check_keys(value, self._keys, "bitmap")
        buf = bytearray(self._n)
        for field in self.fields:
            try:
                bits = field.type.encode_bits(value[field.key])
            except ValueCodecError as err:
                raise ValueCodecError(f"bit field {field.key!r}: {err}") from None
            if bits << field.shift & ~field.mask & 0xFF:
                raise ValueCodecError(f"bit field {field.key!r}: value does not fit its bits")
            buf[field.index] |= bits << field.shift
        return bytes(buf)

    def sample(self) -> bytes:
        buf = bytearray(self._n)
        for field in self.fields:
            buf[field.index] |= (field.type.sample_bits() << field.shift) & field.mask
        return bytes(buf)


def _check_keys(value: Any, keys: frozenset[str], what: str) -> None:
    if not isinstance(value, Mapping):
        raise ValueCodecError(f"{_describe(value)} is not a mapping (a {what} needs one)")
    given = set(value)
    if given != keys:
        missing = ", ".join(sorted(keys - given))
        extra = ", ".join(sorted(str(k) for k in given - keys))
        parts = [f"missing {missing}" if missing else "", f"unknown {extra}" if extra else ""]
        raise ValueCodecError(f"{what} keys: " + "; ".join(p for p in parts if p))


# -- dates and times ------------------------------------------------------------------------

#: ECHONET Lite dates and times are local and naive.
_SAMPLE_DATETIME = dt.datetime(2024, 6, 1, 12, 30, 0)


class DateTimeType(DataType):
    """Year (2 bytes), month, day, then hour, minute, second as the size allows."""

    __slots__ = ()
    kind = "date-time"

    def decode(self, edt: bytes, related: Related) -> Any:
        if len(edt) != self.size:
            raise _length_error(len(edt), self._n)
        parts = [(edt[0] << 8) | edt[1], *edt[2:]]
        try:
            return dt.datetime(*parts)
        except ValueError:
            raise DecodeError(f"{_hex(edt)} is not a valid date and time") from None

    def encode(self, value: Any, related: Related = None) -> bytes:
        if isinstance(value, dt.datetime):
            parts = (value.month, value.day, value.hour, value.minute, value.second)
        elif isinstance(value, dt.date):
            parts = (value.month, value.day, 0, 0, 0)
        else:
            raise ValueCodecError(f"{_describe(value)} is not a datetime")
        year: int = value.year
        return year.to_bytes(2, "big") + bytes(parts[: self._n - 2])

    def sample(self) -> bytes:
        return self.encode(_SAMPLE_DATETIME)


class DateType(DataType):
    """Year (2 bytes), month, day."""

    __slots__ = ()
    kind = "date"

    def decode(self, edt: bytes, related: Related) -> Any:
        if len(edt) != 4:
            raise _length_error(len(edt), 4)
        try:
            return dt.date((edt[0] << 8) | edt[1], edt[2], edt[3])
        except ValueError:
            raise DecodeError(f"{_hex(edt)} is not a valid date") from None

    def encode(self, value: Any, related: Related = None) -> bytes:
        if not isinstance(value, dt.date):
            raise ValueCodecError(f"{_describe(value)} is not a date")
        return value.year.to_bytes(2, "big") + bytes((value.month, value.day))

    def sample(self) -> bytes:
        return self.encode(_SAMPLE_DATETIME.date())


class TimeType(DataType):
    """Hour, minute [, second]; a ``timedelta`` when hours may exceed 23 (relative times)."""

    __slots__ = ("max_hour",)
    kind = "time"

    def __init__(self, size: int, max_hour: int = 23) -> None:
        super().__init__(size)
        self.max_hour = max_hour

    @property
    def relative(self) -> bool:
        return self.max_hour > 23

    def decode(self, edt: bytes, related: Related) -> Any:
        if len(edt) != self.size:
            raise _length_error(len(edt), self._n)
        hour, minute = edt[0], edt[1]
        second = edt[2] if len(edt) > 2 else 0
        if hour > self.max_hour or minute > 59 or second > 59:
            raise DecodeError(f"{_hex(edt)} is not a valid time")
        if self.max_hour > 23:
            return dt.timedelta(hours=hour, minutes=minute, seconds=second)
        return dt.time(hour, minute, second)

    def encode(self, value: Any, related: Related = None) -> bytes:
        if isinstance(value, dt.time):
            hour, minute, second = value.hour, value.minute, value.second
        elif isinstance(value, dt.timedelta) and self.max_hour > 23:
            total = int(value.total_seconds())
            if total < 0:
                raise ValueCodecError(f"{value} is negative")
            hour, rest = divmod(total, 3600)
            minute, second = divmod(rest, 60)
            if hour > self.max_hour:
                raise ValueCodecError(f"{value} is longer than {self.max_hour}:59")
        else:
            expected = "a time or timedelta" if self.max_hour > 23 else "a time"
            raise ValueCodecError(f"{_describe(value)} is not {expected}")
        return bytes((hour, minute, second)[: self.size])

    def sample(self) -> bytes:
        if self.max_hour > 23:
            return self.encode(dt.timedelta(hours=1, minutes=30))
        return self.encode(_SAMPLE_DATETIME.time())


# -- bytes and composites -------------------------------------------------------------------


class RawType(DataType):
    """Opaque bytes (identification numbers, property maps, manufacturer codes...)."""

    __slots__ = ()
    kind = "raw"

    def __init__(self, min_size: int, max_size: int) -> None:
        super().__init__(min_size if min_size == max_size else None, min_size, max_size)

    def decode(self, edt: bytes, related: Related) -> Any:
        n = len(edt)
        if n < self.min_size or n > self.max_size:
            raise self._size_error(n)
        return edt

    def encode(self, value: Any, related: Related = None) -> bytes:
        if not isinstance(value, bytes | bytearray | memoryview):
            raise ValueCodecError(f"{_describe(value)} is not bytes")
        data = bytes(value)
        if not self.min_size <= len(data) <= self.max_size:
            expected = (
                str(self.min_size)
                if self.min_size == self.max_size
                else f"{self.min_size}..{self.max_size}"
            )
            raise ValueCodecError(f"{len(data)} bytes given, {expected} expected")
        return data

    def sample(self) -> bytes:
        return bytes(self.min_size)


class ArrayType(DataType):
    """A run of same-size items; the count follows from the EDT length when not fixed."""

    __slots__ = ("item", "item_size", "max_items", "min_items")
    kind = "array"

    def __init__(self, item: DataType, item_size: int, min_items: int, max_items: int) -> None:
        fixed = item_size * min_items if min_items == max_items else None
        super().__init__(fixed, item_size * min_items, item_size * max_items)
        self.item = item
        self.item_size = item_size
        self.min_items = min_items
        self.max_items = max_items

    def children(self) -> Iterator[DataType]:
        yield self.item

    def decode(self, edt: bytes, related: Related) -> Any:
        n = len(edt)
        step = self.item_size
        count, rest = divmod(n, step)
        if rest or not self.min_items <= count <= self.max_items:
            if self.size is not None:
                raise _length_error(n, self.size)
            unit = "1 byte" if step == 1 else f"{step} bytes"
            raise DecodeError(
                f"EDT of {n} bytes is not {self.min_items}..{self.max_items} items of {unit}"
            )
        decode = self.item.decode
        out = []
        for i in range(count):
            try:
                out.append(decode(edt[i * step : (i + 1) * step], related))
            except DecodeError as err:
                raise DecodeError(f"item {i}: {err.reason}") from None
        return out

    def encode(self, value: Any, related: Related = None) -> bytes:
        if not isinstance(value, list | tuple):
            raise ValueCodecError(f"{_describe(value)} is not a list")
        if not self.min_items <= len(value) <= self.max_items:
            raise ValueCodecError(
                f"{len(value)} items given, {self.min_items}..{self.max_items} expected"
            )
        parts = []
        for i, item in enumerate(value):
            try:
                parts.append(self.item.encode(item, related))
            except ValueCodecError as err:
                raise ValueCodecError(f"item {i}: {err}") from None
        return b"".join(parts)

    @property
    def sample_count(self) -> int:
        return max(self.min_items, min(1, self.max_items))

    def sample(self) -> bytes:
        return self.item.sample() * self.sample_count


class ObjectType(DataType):
    """Named fields one after the other; only the last may vary in size."""

    __slots__ = ("_keys", "_layout", "fields")
    kind = "object"

    def __init__(self, fields: Sequence[ObjectField]) -> None:
        known = [f.type.size for f in fields if f.type.size is not None]
        fixed = sum(known) if len(known) == len(fields) else None
        prefix = sum(f.type.min_size for f in fields[:-1]) if fields else 0
        last = fields[-1].type if fields else None
        super().__init__(
            fixed,
            prefix + (last.min_size if last else 0),
            prefix + (last.max_size if last else 0),
        )
        self.fields = tuple(fields)
        self._keys = frozenset(f.key for f in fields)
        layout = []
        offset = 0
        for i, field in enumerate(fields):
            end = offset + field.type.size if field.type.size is not None else None
            if end is None and i != len(fields) - 1:
                raise ValueError("only the last field of an object may vary in size")
            layout.append((field.key, field.type.decode, offset, end))
            offset = end or 0
        self._layout = tuple(layout)

    def children(self) -> Iterator[DataType]:
        return (f.type for f in self.fields)

    def decode(self, edt: bytes, related: Related) -> Any:
        n = len(edt)
        if n != self.size and (self.size is not None or not self.min_size <= n <= self.max_size):
            raise self._size_error(n)
        out: dict[str, Any] = {}
        for key, decode, start, end in self._layout:
            try:
                out[key] = decode(edt[start:end], related)
            except DecodeError as err:
                raise DecodeError(f"{key!r}: {err.reason}") from None
        return out

    def encode(self, value: Any, related: Related = None) -> bytes:
        _check_keys(value, self._keys, "object")
        parts = []
        for field in self.fields:
            try:
                parts.append(field.type.encode(value[field.key], related))
            except ValueCodecError as err:
                raise ValueCodecError(f"{field.key!r}: {err}") from None
        return b"".join(parts)

    def sample(self) -> bytes:
        parts = [f.type.sample() for f in self.fields]
        # A count followed by the list it counts (instance lists, history segments, channel
        # ranges, vehicle ID length): make the count agree with the sample list.
        if len(self.fields) >= 2:
            count_type, last = self.fields[-2].type, self.fields[-1].type
            if isinstance(count_type, OneOfType):
                count_type = next(
                    (a for a in count_type.alternatives if isinstance(a, NumberType)), count_type
                )
            if isinstance(count_type, NumberType) and last.size is None:
                count = last.sample_count if isinstance(last, ArrayType) else len(parts[-1])
                if count_type.raw_minimum <= count <= count_type.raw_maximum:
                    parts[-2] = count_type._raw_bytes(count)
        return b"".join(parts)


class OneOfType(DataType):
    """Alternatives sharing the EDT: special states, then values, then overflow codes."""

    __slots__ = (
        "_numbers",
        "_others",
        "_ranges",
        "_state_keys",
        "_state_list",
        "_states",
        "alternatives",
        "oneof_options",
    )
    kind = "oneOf"

    def __init__(self, alternatives: Sequence[DataType]) -> None:
        sizes = {a.size for a in alternatives}
        super().__init__(
            sizes.pop() if len(sizes) == 1 else None,
            min(a.min_size for a in alternatives),
            max(a.max_size for a in alternatives),
        )
        self.alternatives = tuple(alternatives)
        states = [a for a in alternatives if isinstance(a, StateType)]
        self._others = tuple(a for a in alternatives if not isinstance(a, StateType))
        self._numbers = tuple(a for a in self._others if isinstance(a, NumberType))
        self.oneof_options = tuple(o for s in states for o in s.options)
        self._states: dict[bytes, str] = {}
        self._state_keys: dict[str, bytes] = {}
        ranges = []
        for state in states:
            for o in state.options:
                edt = o.edt.to_bytes(state._n, "big")
                self._states.setdefault(edt, o.key)
                self._state_keys.setdefault(o.key, edt)
                if o.edt_last != o.edt:
                    ranges.append((state._n, o.edt, o.edt_last, o.key))
        self._ranges = tuple(ranges)
        self._state_list = ", ".join(self._state_keys)

    def children(self) -> Iterator[DataType]:
        return iter(self.alternatives)

    @property
    def unit(self) -> str | None:
        for alt in self.alternatives:
            if alt.unit is not None:
                return alt.unit
        return None

    @property
    def options(self) -> tuple[StateOption, ...]:
        return self.oneof_options

    @property
    def number_range(self) -> NumberRange | None:
        for alt in self._others:
            if isinstance(alt, NumberType):
                return alt.number_range
        return None

    @property
    def levels(self) -> int | None:
        for alt in self._others:
            if isinstance(alt, LevelType):
                return alt.levels
        return None

    def decode(self, edt: bytes, related: Related) -> Any:
        key = self._states.get(edt)
        if key is not None:
            return key
        n = len(edt)
        if self.size is not None and n != self.size:
            raise _length_error(n, self.size)
        if self._ranges:
            for size, first, last, range_key in self._ranges:
                if n == size and first <= int.from_bytes(edt, "big") <= last:
                    return range_key
        reasons = []
        for alt in self._others:
            if alt.min_size <= n <= alt.max_size:
                try:
                    return alt.decode_strict(edt, related)
                except DecodeError as err:
                    reasons.append(err.reason)
        for number in self._numbers:
            code = number.special(edt)
            if code is not None:
                return code
        if self._states:
            reasons.append(f"{_hex(edt)} is not a valid state")
        if not reasons:
            raise _length_error(n, f"{self.min_size}..{self.max_size}")
        raise DecodeError(" and ".join(dict.fromkeys(reasons)))

    def encode(self, value: Any, related: Related = None) -> bytes:
        if isinstance(value, str):
            edt = self._state_keys.get(value)
            if edt is not None:
                return edt
            for number in self._numbers:
                if value in ("overflow", "underflow"):
                    try:
                        return number.encode(value)
                    except ValueCodecError:
                        continue
            expected = self._state_list or "none"
            raise ValueCodecError(
                f"{_describe(value)} is not a valid state (expected one of: {expected})"
            )
        errors = []
        for alt in self._others:
            try:
                return alt.encode(value, related)
            except ValueCodecError as err:
                errors.append(str(err))
        if self._state_keys:
            errors.append(f"nor a state ({self._state_list})")
        raise ValueCodecError("; ".join(dict.fromkeys(errors)))

    def sample(self) -> bytes:
        if self._others:
            return self._others[0].sample()
        return self.alternatives[0].sample()


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
