"""The planner is a library of its own: no Home Assistant, relative imports, importable alone."""

from __future__ import annotations

from pathlib import Path
import re
import shutil
import subprocess
import sys

ENERGY = Path(__file__).resolve().parents[2] / "custom_components" / "hems" / "energy"


def test_planner_imports_only_relatively_and_never_home_assistant() -> None:
    modules = sorted((ENERGY / "planner").glob("*.py"))
    assert len(modules) > 5
    for path in modules:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) (homeassistant|custom_components)", text, re.M)
    assert (ENERGY / "planner" / "py.typed").exists() or (ENERGY / "py.typed").exists()


def test_planner_plans_from_a_copy_of_the_energy_library(tmp_path: Path) -> None:
    """Copied out of the integration (as a package of another name, with Home Assistant made
    unimportable), the planner still plans."""
    shutil.copytree(ENERGY, tmp_path / "hems_energy", ignore=shutil.ignore_patterns("__pycache__"))
    script = """
import sys
sys.modules["homeassistant"] = None
from datetime import datetime
from zoneinfo import ZoneInfo
from hems_energy.planner import Battery, Forecast, PlanInputs, plan
start = datetime(2026, 6, 1, 22, tzinfo=ZoneInfo("Asia/Tokyo"))
result = plan(PlanInputs(start, Forecast([0.0] * 4, [0.3] * 4, [40.0, 40.0, 30.0, 30.0], [8.0] * 4),
                         battery=Battery(7, 3, 3, soc=0.5)))
print(result.source.value, sorted(m for m in sys.modules if m.startswith("custom_components")))
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("optimised []")
