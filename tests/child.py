"""Python code run in a child interpreter: the one way tests start one.

:func:`run_python` runs code (the import checks: nothing else loaded, Home Assistant blocked).
:func:`call_untraced` runs a long fuzzing loop outside the coverage tracer: the 100 000-input
fuzz runs test robustness (no exception, bounded buffers), not coverage:
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


def run_python(
    code: str, *, cwd: Path = ROOT, isolated: bool = False, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` with this interpreter (``isolated``: ``-I``, no environment, no cwd)."""
    flags = ["-I"] if isolated else []
    return subprocess.run(
        [sys.executable, *flags, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        timeout=timeout,
    )


def call_untraced(module: str, function: str, *args: Any) -> Any:
    """``module.function(*args)`` in a child interpreter; its JSON-able result."""
    code = (
        "import dataclasses, json, sys, importlib\n"
        f"result = getattr(importlib.import_module({module!r}), {function!r})(*{args!r})\n"
        "if dataclasses.is_dataclass(result):\n"
        "    result = dataclasses.asdict(result)\n"
        "print(json.dumps(result))\n"
    )
    done = run_python(code, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])
