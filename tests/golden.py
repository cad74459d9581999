"""Golden files: expected data kept as JSON next to the tests, the same on every Home
Assistant version (syrupy's files differ between the versions the two CI lanes use).

A missing or changed golden file fails the test; ``HEMS_UPDATE_GOLDEN=1 ./scripts/test ...``
writes them (review the diff before committing).
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).parent / "golden"


def _plain(data: Any) -> Any:
    if isinstance(data, dict):
        return {str(key): _plain(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_plain(value) for value in data]
    if isinstance(data, bool) or data is None:
        return data
    if isinstance(data, int):
        return int(data)  # IntEnum / IntFlag members as numbers
    if isinstance(data, float):
        return float(data)
    if isinstance(data, str):
        return str(data)  # StrEnum members as their values
    return repr(data)


def assert_golden(name: str, data: Any) -> None:
    """Compare ``data`` with ``golden/<name>.json``."""
    path = GOLDEN / f"{name}.json"
    text = json.dumps(_plain(data), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("HEMS_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run with HEMS_UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                text.splitlines(keepends=True),
                f"golden/{path.name}",
                "now",
            )
        )
        raise AssertionError(f"{path.name} differs (HEMS_UPDATE_GOLDEN=1 rewrites it):\n{diff}")
