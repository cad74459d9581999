"""Run every benchmark, print the table and merge the figures into bench/results.json.

./scripts/bench                    (or: python -m bench.run [--quick])
./scripts/bench --only planner     only some groups (echonet, push, broute, planner, security);
                                   the figures of the others stay in results.json
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
import importlib.util
import json
import logging
from pathlib import Path
import platform
import sys
from typing import Any

from . import echonet, push

RESULTS = Path(__file__).with_name("results.json")


GROUPS = ("echonet", "push", "broute", "planner", "security")


async def _run(quick: bool, only: set[str]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    if "echonet" in only:
        traffic = await echonet.capture_traffic()
        results.update(echonet.decode_benchmark(traffic, seconds=1.0 if quick else 3.0))
        results.update(await echonet.refresh_benchmark())
        results.update(await echonet.scale_benchmark(200))
        results.update(echonet.import_benchmark())
        results.update(echonet.value_decode_benchmark())
        from . import polling

        # Its own event loop (a virtual clock), in a thread of its own.
        results.update(await asyncio.to_thread(polling.run))
    if "push" in only:
        results.update(await push.push_benchmark(200 if quick else 1000))
    if "broute" in only and importlib.util.find_spec("bench.broute") is not None:
        from . import broute

        results.update(await broute.run())
    if "security" in only:
        from . import security

        results.update(await security.run(quick))
    if "planner" in only:
        from . import planner

        results.update(await asyncio.to_thread(planner.run, quick))
    return results


def _row(name: str, value: Any) -> str:
    if isinstance(value, dict):
        parts = [f"{k}={v}" for k, v in value.items() if not isinstance(v, dict)]
        return f"{name:<36} " + "  ".join(parts)
    return f"{name:<36} {value}"


def _merge(meta: dict[str, Any], results: dict[str, Any]) -> None:
    """Write ``results`` into results.json, keeping the figures of groups not run now; each
    group's figures say which run measured them (``meta`` keeps the latest run, ``runs``
    every group's)."""
    previous: dict[str, Any] = {}
    if RESULTS.exists():
        previous = json.loads(RESULTS.read_text(encoding="utf-8"))
    runs = dict(previous.get("runs", {}))
    if not runs and "meta" in previous:  # figures written before groups were recorded
        for name in previous:
            if name not in {"meta", "runs"}:
                runs.setdefault(name.split(".", 1)[0], previous["meta"])
    for group in {name.split(".", 1)[0] for name in results}:
        runs[group] = meta
    merged = {**previous, **results, "meta": meta, "runs": runs}
    ordered = {
        "meta": meta,
        "runs": runs,
        **{k: v for k, v in merged.items() if k not in {"meta", "runs"}},
    }
    RESULTS.write_text(json.dumps(ordered, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (for smoke tests)")
    parser.add_argument("--no-write", action="store_true", help="do not write results.json")
    parser.add_argument(
        "--only", action="append", choices=GROUPS, help="run only this group (repeatable)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    only = set(args.only or GROUPS)
    results = asyncio.run(_run(args.quick, only))
    command = "./scripts/bench" + (" --quick" if args.quick else "")
    command += "".join(f" --only {group}" for group in args.only or ())
    meta = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "command": command,
    }
    for name, value in results.items():
        print(_row(name, value))
    if not args.no_write:
        _merge(meta, results)
        print(f"written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
