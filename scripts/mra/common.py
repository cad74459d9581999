"""Shared pieces of the MRA generator: its error, the JSON alias, keys and hex numbers."""

from __future__ import annotations

from collections.abc import Iterable
import re
from typing import Any

#: The MRA is JSON of many shapes; the generator checks each part as it reads it.
Json = Any


class MRAError(Exception):
    """The MRA data is not what this generator understands."""


def snake(name: str) -> str:
    """``homeAirConditioner`` -> ``home_air_conditioner``, ``multipleInputPCS`` -> ``..._pcs``."""
    s = re.sub(r"[^0-9A-Za-z]+", "_", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = re.sub(r"_+", "_", s).strip("_").lower()
    if not s:
        raise MRAError(f"cannot make a key of {name!r}")
    return s


def unique_keys(names: Iterable[str]) -> list[str]:
    """Snake-case keys, made unique with ``_2``, ``_3``... in order of appearance."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for name in names:
        key = snake(name)
        if key in seen:
            n = seen[key] + 1
            while f"{key}_{n}" in seen:
                n += 1
            seen[key] = n
            key = f"{key}_{n}"
        seen[key] = 1
        out.append(key)
    return out


def hexint(text: str) -> int:
    if not re.fullmatch(r"0x[0-9A-Fa-f]+", text):
        raise MRAError(f"not a hex number: {text!r}")
    return int(text, 16)


def coefficients(node: Json) -> Iterable[int]:
    """Every coefficient EPC that a data type (MRA or normalised) refers to."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("coefficient", "coef"):
                yield from (hexint(v) if isinstance(v, str) else v for v in value)
            else:
                yield from coefficients(value)
    elif isinstance(node, list):
        for value in node:
            yield from coefficients(value)
