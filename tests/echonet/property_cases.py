"""Every property of the definitions, and value equality for round trips (shared by tests)."""

from __future__ import annotations

from collections.abc import Iterator
import math
from typing import Any

from custom_components.hems.echonet.definitions import (
    NODE_PROFILE,
    SUPER_CLASS,
    ClassDef,
    PropertyDef,
    all_classes,
    get_class,
)


def class_def(code: int) -> ClassDef:
    """A class of the definitions (it must exist)."""
    found = get_class(code)
    assert found is not None
    return found


def _every_property() -> Iterator[tuple[str, PropertyDef]]:
    for cls in [*all_classes().values(), NODE_PROFILE, SUPER_CLASS]:
        for prop in cls.properties.values():
            yield f"{cls.class_code:04X}-{prop.epc:02X}", prop


ALL = dict(_every_property())
ALL_PROPS = list(ALL.values())


def same_value(a: Any, b: Any) -> bool:
    """Value equality that tolerates float noise (and compares nested values)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b
