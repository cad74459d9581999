"""The command lines: help that explains everything, the wrappers, the house with its dongle."""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import fields
import hashlib
import json
import os
from pathlib import Path
import signal
import subprocess
import sys

import pytest

from simulator import cli
from simulator.dongle import __main__ as dongle_main
from simulator.dongle.commands import COMMANDS
from simulator.dongle.module import Faults
from simulator.house import SCENARIOS
from simulator.quirks import Quirks
from simulator.specs import house_specs
from tests.houses import next_base

ROOT = Path(__file__).resolve().parents[2]
MARKUP = ("``", ":class:", ":mod:", ":meth:", "quirks.py", "see simulator/")


def _help(module: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"},
        timeout=60,
    )
    return result.stdout


def _undocumented(parser: argparse.ArgumentParser) -> list[str]:
    return [
        "/".join(a.option_strings)
        for a in parser._actions
        if a.option_strings and not (a.help and len(a.help) > 10)
    ]


def test_the_simulator_help_explains_every_option_and_lists_everything() -> None:
    assert _undocumented(cli._parser()) == []
    text = _help("simulator")
    for name in SCENARIOS:
        assert f"\n  {name} " in text
    for spec in house_specs():
        assert f"\n  {spec.name} " in text
    for quirk in fields(Quirks):
        assert f"\n  {quirk.name}=" in text
    for fault in fields(Faults):
        assert f"\n  {fault.name} " in text
    for command in COMMANDS:
        assert f"\n  {command}" in text
    assert not [m for m in MARKUP if m in text]
    assert "usage: scripts/simulator" in text


def test_the_dongle_help_explains_every_option() -> None:
    assert _undocumented(dongle_main._parser()) == []
    text = _help("simulator.dongle")
    for name in ("a1", "c0", "c0-ascii", "j11", *SCENARIOS, *COMMANDS):
        assert f"\n  {name}" in text
    for fault in fields(Faults):
        assert f"\n  {fault.name} " in text
    assert not [m for m in MARKUP if m in text]


def _fake_venv(tmp_path: Path, requirements: str) -> Path:
    """A venv for the wrapper whose requirements are already in (its python is ours)."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    python.chmod(0o755)
    files = [requirements, "requirements_test.txt", "requirements_common.txt"]
    digest = hashlib.sha256(b"".join((ROOT / f).read_bytes() for f in files)).hexdigest()
    stem = Path(requirements).stem
    (venv / f".hems-{stem}").write_text(digest[:16] + "\n", encoding="utf-8")
    return venv


@pytest.mark.parametrize("script", ["simulator", "dongle"])
def test_the_wrappers_work_from_anywhere(script: str, tmp_path: Path) -> None:
    """``scripts/simulator --help`` runs with the project's venv, from any directory."""
    venv = _fake_venv(tmp_path, "requirements_test.txt")
    result = subprocess.run(
        [str(ROOT / "scripts" / script), "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HEMS_VENV": str(venv), "HOME": str(tmp_path)},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert f"usage: scripts/{script}" in result.stdout
    assert "installing" not in result.stderr  # nothing was installed


async def test_the_house_with_its_dongle_serves_one_meter(tmp_path: Path) -> None:
    """One process: the house, the dongle on its meter, the hourly history; Ctrl-C ends it."""
    link = tmp_path / "dongle"
    history = tmp_path / "history.json"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        "--base-address",
        next_base(),
        "--history-days",
        "2",
        "--start",
        "2026-02-03T10:00",
        "--dongle",
        "c0",
        "--dongle-link",
        str(link),
        "--dongle-fast",
        "0.01",
        "--history-file",
        str(history),
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None and proc.stdin is not None
    lines: list[str] = []
    try:
        while not lines or "Serving" not in lines[-1]:
            line = await asyncio.wait_for(proc.stdout.readline(), 60)
            assert line, (await proc.stderr.read()).decode() if proc.stderr else ""
            lines.append(line.decode())
        assert f"with the same meter at {link}" in "".join(lines)
        assert link.is_symlink()
        proc.stdin.write(b"status\n")
        await proc.stdin.drain()
        status = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        assert status.startswith("session_up=False")
        data = json.loads(history.read_text(encoding="utf-8"))
        assert data["now"].startswith("2026-02-03T10:00")
        solar = next(c for c in data["counters"] if c["node"] == "solar" and c["epc"] == "0xE1")
        assert len(solar["values"]) == 2 * 24 + 10
    finally:
        proc.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(proc.wait(), 30)
    assert code == 0
    assert not link.exists()  # the dongle was unplugged on the way out
