"""scripts/coverage_check.py on real coverage data: it lists every module under 95 %."""

from __future__ import annotations

from pathlib import Path
import subprocess
import sys

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, check=False, cwd=ROOT
    )


def test_modules_under_the_threshold_are_listed_and_fail(tmp_path: Path) -> None:
    data = tmp_path / ".coverage"
    # Measure one real library module run as a script: its definitions execute, its function
    # bodies do not; every other module of the package is never imported (0 %).
    measured = _run(
        "-m",
        "coverage",
        "run",
        f"--data-file={data}",
        f"--rcfile={ROOT / 'pyproject.toml'}",
        str(ROOT / "custom_components" / "hems" / "energy" / "amounts.py"),
    )
    assert measured.returncode == 0, measured.stderr
    result = _run("scripts/coverage_check.py", "--data", str(data))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "modules under 95 %" in lines[0]
    listed = {line.split()[0]: line for line in lines[2:]}
    assert "custom_components/hems/energy/amounts.py" in listed
    simulator = [path for path in listed if path.startswith("simulator/")]
    assert simulator, "the simulator's modules are checked"
    assert all(listed[path].split()[1] == "0.0%" for path in simulator)  # never imported
    assert not any(path.endswith("__main__.py") for path in listed)  # entry points: exempt
    assert "simulator/cli.py" not in listed  # the command lines: exempt, with their reason
    assert _run("scripts/coverage_check.py", "--data", str(data), "--report-only").returncode == 0


def test_missing_data_is_an_error(tmp_path: Path) -> None:
    result = _run("scripts/coverage_check.py", "--data", str(tmp_path / "none"))
    assert result.returncode == 2
    assert "run ./scripts/test first" in result.stderr


def test_the_flows_must_be_covered_completely() -> None:
    """The config and options flows need 100 % (the quality scale's Bronze rule
    config-flow-test-coverage); any other module 95 %."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import coverage_check
    finally:
        sys.path.remove(str(ROOT / "scripts"))

    def module(path: str, percent: float) -> coverage_check.Module:
        return coverage_check.Module(path, percent, 100, 0, 0, 0)

    flows = [
        module("custom_components/hems/config_flow.py", 99.5),
        module("custom_components/hems/meter/flow.py", 99.0),
        module("custom_components/hems/home/options/sale.py", 98.0),
    ]
    others = [module("custom_components/hems/energy/bill.py", 96.0)]
    assert [m.required for m in flows + others] == [100, 100, 100, 95]
    assert coverage_check.failing_modules(flows + others) == flows
    assert coverage_check.failing_modules([module(m.path, 100.0) for m in flows]) == []
