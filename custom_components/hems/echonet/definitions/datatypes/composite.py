"""Raw bytes, arrays, objects and the alternatives of a oneOf."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ...errors import ValueCodecError
from .base import (
    DataType,
    DecodeError,
    NumberRange,
    ObjectField,
    Related,
    StateOption,
    _check_keys,
    _describe,
    _hex,
    _length_error,
)
from .choices import (
    LevelType,
    StateType,
)
from .number import NumberType

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
