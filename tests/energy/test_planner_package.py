"""The planner is a library of its own: no Home Assistant, relative imports, importable alone."""

from __future__ import annotations

from pathlib import Path
import re
import textwrap

from ..child import run_python
from ..test_standalone import BLOCKER, LIBRARIES, ROOT

PLANNER = LIBRARIES / "energy" / "planner"


def test_planner_imports_only_relatively_and_never_home_assistant() -> None:
    modules = sorted(PLANNER.glob("*.py"))
    assert len(modules) > 5
    for path in modules:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) (homeassistant|custom_components)", text, re.M)


def test_planner_plans_from_the_energy_library_alone(tmp_path: Path) -> None:
    """Linked out of the integration under another name, with Home Assistant and the
    integration made unimportable (the blocker of test_standalone), the planner plans."""
    (tmp_path / "hems_energy").symlink_to(LIBRARIES / "energy", target_is_directory=True)
    smoke = """
        from datetime import datetime
        from zoneinfo import ZoneInfo

        from hems_energy.planner import Battery, Forecast, PlanInputs, plan

        start = datetime(2026, 6, 1, 22, tzinfo=ZoneInfo("Asia/Tokyo"))
        forecast = Forecast([0.0] * 4, [0.3] * 4, [40.0, 40.0, 30.0, 30.0], [8.0] * 4)
        result = plan(PlanInputs(start, forecast, battery=Battery(7, 3, 3, soc=0.5)))
        assert result.source.value == "optimised", result.fallback
        assert result.slots[0].battery_discharge_kwh > 0
        """
    code = (
        BLOCKER
        + f"sys.path = [p for p in sys.path if p not in ('', {str(ROOT)!r})]\n"
        + f"sys.path.insert(0, {str(tmp_path)!r})\n"
        + textwrap.dedent(smoke)
    )
    result = run_python(code, cwd=tmp_path, isolated=True)
    assert result.returncode == 0, result.stderr
