"""Numbers: formats, ranges, scale, coefficients, overflow and underflow codes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
import math
from typing import Any

from ...errors import ValueCodecError
from .base import (
    Buffer,
    DataType,
    DecodeError,
    NumberRange,
    Related,
    _decimals,
    _describe,
    _length_error,
)

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
