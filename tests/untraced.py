"""Run a long fuzzing loop in a fresh interpreter, outside the coverage tracer.

The 100 000-input fuzz runs test robustness (no exception, bounded buffers), not coverage:
the other parser and codec tests measure that.  Under the tracer they take five times as long,
so they run in a child interpreter (pytest-cov does not follow subprocesses) and hand back
their result as JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
import subprocess
import sys
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def call_untraced(module: str, function: str, *args: Any) -> Any:
    """``module.function(*args)`` in a child interpreter; its JSON-able result."""
    code = (
        "import dataclasses, json, sys, importlib\n"
        f"result = getattr(importlib.import_module({module!r}), {function!r})(*{args!r})\n"
        "if dataclasses.is_dataclass(result):\n"
        "    result = dataclasses.asdict(result)\n"
        "print(json.dumps(result))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])
