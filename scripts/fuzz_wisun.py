"""Fuzz the Wi-SUN dongle parsers: ``python scripts/fuzz_wisun.py [count] [seed]``.

Feeds random and mutated SKSTACK / ERXUDP / J11 streams to the driver's parsers and reports
any exception (the in-suite test runs 100 000 inputs with a fixed seed).
"""

from __future__ import annotations

from pathlib import Path
import sys
import time

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.wisun.fuzzing import run


def main() -> int:
    """Run and report; exit status 1 on any failure."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else int(time.time())
    start = time.perf_counter()
    result = run(count, seed, report=print)
    elapsed = time.perf_counter() - start
    print(
        f"{result.inputs} inputs, {result.feeds} feeds, {len(result.failures)} failures, "
        f"seed {seed}, {elapsed:.1f} s"
    )
    return 1 if result.failures else 0


if __name__ == "__main__":
    sys.exit(main())
