"""Run the virtual house: ``python -m simulator [options]``.

Examples::

    python -m simulator                         # the default house on 127.0.0.2...
    python -m simulator --speed 60              # one simulated minute per second
    python -m simulator --scenario scale --count 200
    python -m simulator --quirk board:silent=1 --quirk living-ac:delay=2.5
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import contextlib
import signal
import sys

from .house import House
from .quirks import Quirks


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", default="house", choices=["house", "full", "scale"])
    parser.add_argument("--count", type=int, default=200, help="nodes in the scale scenario")
    parser.add_argument(
        "--base-address", default="127.0.0.2", help="address of the first node (then +1 each)"
    )
    parser.add_argument("--port", type=int, default=3610)
    parser.add_argument("--speed", type=float, default=1.0, help="time acceleration")
    parser.add_argument(
        "--multicast-interface",
        default="127.0.0.1",
        help="interface address for multicast (default: loopback)",
    )
    parser.add_argument("--no-multicast", action="store_true", help="unicast only")
    parser.add_argument(
        "--quirk",
        action="append",
        default=[],
        metavar="NODE:NAME=VALUE[,NAME=VALUE]",
        help="switch a quirk on for one node (see simulator/quirks.py)",
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    return parser


def describe(house: House) -> str:
    """A table of what the house serves."""
    lines = [f"Virtual house ({house.scenario}, speed x{house.clock.speed:g}):"]
    for node in house.nodes.values():
        objs = ", ".join(f"{o.eoj} {o.name}" for o in node.objects.values())
        quirks = node.quirks.active()
        extra = f"  [quirks: {quirks}]" if quirks else ""
        lines.append(f"  {node.address:<15} {node.name:<14} {objs}{extra}")
    return "\n".join(lines)


async def _main(args: argparse.Namespace) -> int:
    house = House(
        args.scenario,
        base_address=args.base_address,
        speed=args.speed,
        multicast=not args.no_multicast,
        multicast_interface=args.multicast_interface,
        port=args.port,
        count=args.count,
    )
    for item in args.quirk:
        name, _, spec = item.partition(":")
        if name not in house.nodes:
            print(f"no node named {name!r}", file=sys.stderr)
            return 2
        parsed = Quirks.parse(spec)
        house.nodes[name].quirks.set(**parsed.active())
    await house.start()
    if not args.quiet:
        print(describe(house), flush=True)
        print("Serving; Ctrl-C to stop.", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await house.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = _parser().parse_args(argv)
    try:
        return asyncio.run(_main(args))
    except OSError as err:
        print(f"cannot start the virtual house: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
