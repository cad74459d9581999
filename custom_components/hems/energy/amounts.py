"""Exact numbers for yen and kWh: conversion to :class:`~decimal.Decimal` and yen rounding.

Every amount in this library is a :class:`~decimal.Decimal`.  Inputs may be ``int``, ``float``,
``str`` or ``Decimal``; a ``float`` is converted through its shortest ``repr`` (``0.1`` becomes
``Decimal("0.1")``, not the binary expansion), so values typed into a form or read from a sensor
keep the digits the user sees.
"""

from __future__ import annotations

from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_UP,
    Decimal,
    InvalidOperation,
)
from enum import StrEnum

type Number = Decimal | int | float | str
"""Anything :func:`to_decimal` accepts."""

ZERO = Decimal(0)
ONE = Decimal(1)
YEN = Decimal(1)


class RoundingMode(StrEnum):
    """How an amount is rounded to whole yen (or a quantity to whole kWh).

    ``down`` is 切り捨て as written in Japanese supply terms (drop the fraction, towards zero);
    ``floor`` rounds towards minus infinity; both agree on non-negative amounts, which bills
    practically always are.  ``half_up`` is 四捨五入, ``ceiling`` is 切り上げ, ``none`` keeps the
    exact amount.
    """

    NONE = "none"
    DOWN = "down"
    FLOOR = "floor"
    HALF_UP = "half_up"
    CEILING = "ceiling"


_DECIMAL_ROUNDING = {
    RoundingMode.DOWN: ROUND_DOWN,
    RoundingMode.FLOOR: ROUND_FLOOR,
    RoundingMode.HALF_UP: ROUND_HALF_UP,
    RoundingMode.CEILING: ROUND_CEILING,
}


def to_decimal(value: Number) -> Decimal:
    """Convert ``value`` to a finite Decimal; raise ``ValueError`` on anything else.

    ``bool`` is refused (it is an ``int`` in Python, but never a meant amount).
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")  # noqa: TRY004
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip().replace(",", "").replace("_", ""))
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    else:
        raise ValueError(f"{value!r} is not a number")  # noqa: TRY004
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result


def round_amount(amount: Decimal, mode: RoundingMode, unit: Decimal = YEN) -> Decimal:
    """Round ``amount`` to a multiple of ``unit`` (whole yen by default) with ``mode``."""
    if mode is RoundingMode.NONE:
        return amount
    return amount.quantize(unit, rounding=_DECIMAL_ROUNDING[mode])


def decimal_str(value: Decimal) -> str:
    """The dict form of a Decimal: plain notation, no exponent (``"0.00001"``, ``"1200"``)."""
    if value.is_zero():
        value = abs(value)
    return format(value, "f")
