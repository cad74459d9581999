"""Enumerations: states, numeric values, levels and bitmaps of them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
import math
from typing import Any

from ...errors import ValueCodecError
from .base import (
    BitmapField,
    BitType,
    DataType,
    DecodeError,
    NumericOption,
    Related,
    StateOption,
    _check_keys,
    _describe,
    _hex,
    _length_error,
)

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
