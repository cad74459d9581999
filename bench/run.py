"""Run every benchmark, print the table and write bench/results.json.

./scripts/bench            (or: python -m bench.run [--quick])
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


async def _run(quick: bool) -> dict[str, Any]:
    results: dict[str, Any] = {}
    traffic = await echonet.capture_traffic()
    results.update(echonet.decode_benchmark(traffic, seconds=1.0 if quick else 3.0))
    results.update(await echonet.refresh_benchmark())
    results.update(await echonet.scale_benchmark(200))
    results.update(echonet.import_benchmark())
    results.update(echonet.value_decode_benchmark())
    results.update(await push.push_benchmark(200 if quick else 1000))
    if importlib.util.find_spec("bench.broute") is not None:
        from . import broute

        results.update(await broute.run())
    return results


def _row(name: str, value: Any) -> str:
    if isinstance(value, dict):
        parts = [f"{k}={v}" for k, v in value.items() if not isinstance(v, dict)]
        return f"{name:<36} " + "  ".join(parts)
    return f"{name:<36} {value}"


def main() -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (for smoke tests)")
    parser.add_argument("--no-write", action="store_true", help="do not write results.json")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    results = asyncio.run(_run(args.quick))
    meta = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "command": "./scripts/bench" + (" --quick" if args.quick else ""),
    }
    for name, value in results.items():
        print(_row(name, value))
    if not args.no_write:
        RESULTS.write_text(json.dumps({"meta": meta, **results}, indent=2) + "\n", encoding="utf-8")
        print(f"written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
