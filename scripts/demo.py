#!/usr/bin/env python3
"""The demo: the virtual house (with its smart meter on a virtual Wi-SUN dongle) and Home
Assistant with hems, live.

Started by ``./scripts/demo``.  Everything runs on loopback only (the house on 127.0.0.2...,
Home Assistant on 127.0.0.1:8123); Home Assistant is configured without any integration that
talks to the Internet or to the real network (no default_config, no onboarding integrations).

The plan (a fresh start; ``--keep`` reuses the last configuration and skips the setup):
1. the virtual house and its dongle (one process: the smart meter over IP and over Wi-SUN is
   one meter); it has lived through the last 45 days and writes their hours to history.json;
2. Home Assistant; onboarding; the ECHONET Lite hub, the smart meter (B-route), the energy
   entry and the Energy dashboard, through Home Assistant's own API;
3. the past 45 days of solar, battery, fuel cell, gas, water and the devices' consumption into
   Home Assistant's statistics (demo_history.py), so the Energy dashboard is full at once;
4. the grid's past days: see GRID_HISTORY.

Ctrl-C (SIGINT), SIGTERM or SIGHUP stops every process it started, also when its output goes
through a pipe that is gone (``./scripts/demo | tee log``); the children also stop by
themselves if this program dies without stopping them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
import json
import os
from pathlib import Path
import signal
import sys
import textwrap
import time
from typing import Any

from demo_check import Milestones, dashboard_problems, log_problems
from demo_hass import PASSWORD, ROOT, USER, Api, Socket, configure_energy_dashboard, prepare_config
from demo_history import grid_history_days, grid_recent, import_history

# A B-route ID and password of the virtual meter (never a real one).
BROUTE_ID = "00112233445566778899AABBCCDDEEFF"
BROUTE_PASSWORD = "0123456789AB"
#: The smart meter's own 45 days of 30-minute history (0xE2/0xE4, which the virtual meter
#: holds, consistent with the rest) are imported into the grid sensors' statistics by the
#: integration itself at the meter's first setup (a notice shows the progress); the demo
#: imports no grid statistics, it waits for the integration's import (demo_history.py).
GRID_HISTORY = "imported by the integration at the meter's first setup"


class Say:
    """Printing that survives a closed pipe (``./scripts/demo | tee log`` after Ctrl-C)."""

    closed = False

    def __call__(self, text: str = "") -> None:
        if self.closed:
            return
        try:
            print(text, flush=True)
        except OSError:  # EPIPE: nobody reads any more; keep stopping the children quietly
            self.closed = True
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


say = Say()


class Children:
    """The processes the demo started, each in a session of its own (Ctrl-C in the terminal
    reaches only the demo, which stops them in order)."""

    def __init__(self) -> None:
        self.procs: list[tuple[str, asyncio.subprocess.Process]] = []

    async def spawn(
        self, name: str, *args: str, log: Path | None = None
    ) -> asyncio.subprocess.Process:
        out = log.open("ab") if log else asyncio.subprocess.PIPE
        proc = await asyncio.create_subprocess_exec(
            *args,
            cwd=ROOT,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
            stdin=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT), "HEMS_EXIT_WITH_PARENT": "1"},
            start_new_session=True,
        )
        self.procs.append((name, proc))
        return proc

    async def stop_all(self) -> None:
        """Stop every child, last started first; one that resists is killed."""
        for name, proc in reversed(self.procs):
            try:
                await _stop(proc)
            except Exception as err:
                say(f"could not stop {name}: {err}")
            else:
                say(f"stopped {name}")
        self.procs.clear()


async def _stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)
    try:
        await asyncio.wait_for(proc.wait(), 30)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        await proc.wait()


async def _read_until(proc: asyncio.subprocess.Process, marker: str, echo: bool) -> list[str]:
    assert proc.stdout is not None
    lines: list[str] = []
    while True:
        raw = await asyncio.wait_for(proc.stdout.readline(), 120)
        if not raw:
            raise RuntimeError("the virtual house exited while starting:\n" + "".join(lines))
        line = raw.decode()
        lines.append(line)
        if echo:
            say(line.rstrip("\n"))
        if marker in line:
            return lines


async def _drain(proc: asyncio.subprocess.Process) -> None:
    if proc.stdout is None:
        return
    with contextlib.suppress(Exception):
        while await proc.stdout.readline():
            pass


def _outcome(result: dict[str, Any]) -> str:
    return f"{result.get('type')} {result.get('title', result.get('reason', ''))}"


async def start_house(
    children: Children, args: argparse.Namespace, demo: Path
) -> asyncio.Task[None]:
    """The virtual house with its dongle; returns the task that reads its output."""
    say("Starting the virtual house (it first lives through its last 45 days) ...")
    command = [sys.executable, "-m", "simulator", "--speed", str(args.speed)]
    command += ["--history-file", str(demo / "history.json"), "--exit-with-parent"]
    if not args.no_meter:
        command += ["--dongle", "a1", "--dongle-link", str(demo / "wisun-dongle")]
        command += ["--dongle-fast", "0.05", "--dongle-id", BROUTE_ID]
        command += ["--dongle-password", BROUTE_PASSWORD]
    house = await children.spawn("the virtual house and its dongle", *command)
    await _read_until(house, "Serving", echo=not args.check)
    return asyncio.create_task(_drain(house))


async def set_up(api: Api, args: argparse.Namespace, demo: Path) -> None:
    """Onboarding, the three hems entries and the Energy dashboard."""
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, api.onboard, args.port, args.language)
    hub = await loop.run_in_executor(
        None,
        api.flow,
        [{"next_step_id": "echonet"}, {"interface": "lo"}, {"next_step_id": "finish"}],
    )
    say(f"  ECHONET Lite hub: {_outcome(hub)}")
    if not args.no_meter:
        meter = await loop.run_in_executor(
            None,
            api.flow,
            [
                {"next_step_id": "broute"},
                {
                    "port": str(demo / "wisun-dongle"),
                    "rbid": BROUTE_ID,
                    "password": BROUTE_PASSWORD,
                },
            ],
        )
        say(f"  smart meter: {_outcome(meter)}")
    await asyncio.sleep(3)  # let the hub's entities register before detection
    energy = await loop.run_in_executor(
        None,
        api.flow,
        [
            {"next_step_id": "energy"},
            {
                "preset": "smart_life",
                "sale_price": 16,
                "water_price": 250,
                "gas_price": 180,
                "contract_amperes": 40,
            },
        ],
    )
    say(f"  energy management: {_outcome(energy)}")
    await asyncio.sleep(3)
    async with Socket(api) as ws:
        say(f"  Energy dashboard: {await configure_energy_dashboard(ws)}")


async def load_history(api: Api, args: argparse.Namespace, demo: Path, since: datetime) -> None:
    """The house's past hours into the statistics (at speed 1 only: they are real hours)."""
    if args.speed != 1:
        say("  history: not imported (its hours are real hours: only at --speed 1)")
        return
    text = await asyncio.to_thread((demo / "history.json").read_text, encoding="utf-8")
    history = json.loads(text)
    async with Socket(api) as ws:
        registry = await ws.command("config/entity_registry/list")

        async def _grid_first() -> None:  # the recorder writes the meter's recent days first
            if not args.no_meter:
                await grid_recent(ws, since)

        done = await import_history(ws, history, registry, since, _grid_first)
    rows = sum(d.rows for d in done)
    missing = [d.entity_id for d in done if not d.rows]
    say(f"  history: {rows} hours of {len(done) - len(missing)} sensors imported (45 days)")
    if missing:
        say(f"    (no state to start from yet: {', '.join(missing)})")
    if args.no_meter:
        return
    async with Socket(api) as ws:
        days = await grid_history_days(ws)
    say(f"  grid history: {days} days {GRID_HISTORY}")


def _banner(args: argparse.Namespace, log: Path) -> str:
    return textwrap.dedent(
        f"""
        The house is live in Home Assistant:  http://127.0.0.1:{args.port}/
          user: {USER}    password: {PASSWORD}
          (language: {args.language}; ./scripts/demo --language ja for Japanese)
        Home Assistant's log: {log}
        Ctrl-C stops everything.
        """
    )


def prepare(args: argparse.Namespace) -> tuple[Path, Path, bool]:
    """The demo's directory, Home Assistant's configuration in it (fresh unless kept) and its
    log (emptied): (directory, configuration, fresh)."""
    demo = Path(args.dir).resolve()
    demo.mkdir(parents=True, exist_ok=True)
    config = demo / "config"
    fresh = prepare_config(config, args.port, args.language, args.keep and not args.check)
    (demo / "home-assistant.log").write_bytes(b"")
    return demo, config, fresh


async def run(args: argparse.Namespace, children: Children, stop: asyncio.Event) -> int:
    """Start everything; wait for Ctrl-C (or the check's time); the check's verdict."""
    started = time.monotonic()
    milestones = Milestones(started, datetime.now(UTC))
    demo, config, fresh = await asyncio.to_thread(prepare, args)
    drains = [await start_house(children, args, demo)]
    say("Starting Home Assistant (the first start takes a minute) ...")
    log = demo / "home-assistant.log"
    launcher = str(ROOT / "scripts" / "hass_launcher.py")
    hass = await children.spawn(
        "Home Assistant", sys.executable, launcher, "-c", str(config), log=log
    )
    api = Api(args.port)
    since = datetime.now(UTC) - timedelta(minutes=1)
    await asyncio.get_running_loop().run_in_executor(None, api.wait_until_up, hass)
    watcher: asyncio.Task[None] | None = None
    if fresh:
        await set_up(api, args, demo)
        if args.check:
            watcher = asyncio.create_task(_watch(api, milestones))
        await load_history(api, args, demo, since)
    else:
        await asyncio.get_running_loop().run_in_executor(None, api.login, args.port)
    say(f"  ready after {time.monotonic() - started:.0f} s")
    if args.check:
        try:
            return await check(args, api, log, milestones, stop, watcher)
        finally:
            if watcher is not None:
                watcher.cancel()
    say(_banner(args, log))
    watched = [asyncio.create_task(proc.wait()) for _name, proc in children.procs]
    waiter = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait([waiter, *watched], return_when=asyncio.FIRST_COMPLETED)
    if waiter not in done:
        say("a demo process exited; stopping the others")
    for task in (waiter, *watched, *drains):
        task.cancel()
    return 0


async def _watch(api: Api, milestones: Milestones) -> None:
    """Record when the Energy dashboard is full (see :class:`Milestones`)."""
    async with Socket(api) as ws:
        await milestones.watch(ws)


async def check(
    args: argparse.Namespace,
    api: Api,
    log: Path,
    milestones: Milestones,
    stop: asyncio.Event,
    watcher: asyncio.Task[None] | None,
) -> int:
    """``--check``: run until SECONDS after the start, then judge the dashboard (and when it
    was full) and the log."""
    remaining = args.check - (time.monotonic() - milestones.started)
    if remaining > 0:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), remaining)
    async with Socket(api) as ws:
        problems, days = await dashboard_problems(ws)
    say(f"  days with data: {days}")
    say(f"  {milestones.report()}")
    if watcher is not None and watcher.done() and watcher.exception() is not None:
        problems.append(f"watching the dashboard failed: {watcher.exception()!r}")
    problems += milestones.problems()
    problems += [f"log: {line}" for line in log_problems(log)]
    took = time.monotonic() - milestones.started
    if problems:
        say(f"demo check FAILED after {took:.0f} s:")
        for problem in problems:
            say(f"  {problem}")
        return 1
    say(f"demo check passed after {took:.0f} s: no ERROR and no traceback in {log.name}")
    return 0


async def main(args: argparse.Namespace) -> int:
    children = Children()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    runner = asyncio.create_task(run(args, children, stop))
    waiter = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait([runner, waiter], return_when=asyncio.FIRST_COMPLETED)
        if not runner.done():
            say("stopping ...")
            await asyncio.wait([runner], timeout=1)  # a running demo ends by itself
            runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            return await runner
        return 130
    except Exception as err:
        say(f"the demo failed: {err}")
        return 1
    finally:
        waiter.cancel()
        await children.stop_all()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="./scripts/demo",
        description="The virtual house, its smart meter on a virtual Wi-SUN dongle and Home "
        "Assistant with hems, live on loopback (web UI at http://127.0.0.1:8123, user demo, "
        "password demo-hems). Ctrl-C stops everything.",
    )
    parser.add_argument("--port", type=int, default=8123, help="Home Assistant's port (8123)")
    parser.add_argument(
        "--language", choices=["en", "ja"], default="en", help="Home Assistant's language (en)"
    )
    parser.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="time acceleration of the house: 60 runs a simulated minute per second (1); the "
        "past days are imported only at 1, since Home Assistant's hours are real hours",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the configuration of the last run (no new onboarding, entries or history)",
    )
    parser.add_argument(
        "--no-meter", action="store_true", help="without the smart meter on a Wi-SUN dongle"
    )
    parser.add_argument(
        "--dir",
        default=None,
        metavar="PATH",
        help="where the configuration and logs go (.demo; .demo-check with --check)",
    )
    parser.add_argument(
        "--check",
        type=float,
        metavar="SECONDS",
        help="run headless for SECONDS from the start (in a network namespace of its own), "
        "then fail if Home Assistant's log has an ERROR line or a traceback, or the Energy "
        "dashboard lacks a source or its past days; for CI",
    )
    return parser


if __name__ == "__main__":
    arguments = _parser().parse_args()
    if arguments.dir is None:
        arguments.dir = str(ROOT / (".demo-check" if arguments.check else ".demo"))
    sys.exit(asyncio.run(main(arguments)))
