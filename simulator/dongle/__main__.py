"""A virtual Wi-SUN dongle on a pty (``scripts/dongle``, or ``python -m simulator.dongle``).

Behind it, the smart meter of the virtual house: the house's physics runs (without serving
ECHONET Lite on the network), so the meter's values and its 45-day history are those of the
house.  Prints the device path first, then obeys commands on standard input.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys

from ..cli import add_house_arguments, build_house, scenario_lines
from . import options
from .commands import read_commands

PROG = "scripts/dongle"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A virtual Wi-SUN B-route dongle on a pty with the virtual house's smart "
        "meter behind it. Prints the device path, then reads commands on standard input. "
        "Ctrl-C (or quit) stops it.",
        epilog="\n".join(
            [
                *scenario_lines(),
                *options.epilog(),
                "examples:",
                f"  {PROG} --dialect c0 --link /tmp/hems-dongle",
                f"  {PROG} --dialect j11 --fast 0.01 --fault noise",
            ]
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    options.add_arguments(parser)
    add_house_arguments(parser)
    parser.add_argument("--verbose", "-v", action="store_true", help="log every exchange")
    return parser


async def main(argv: list[str] | None = None) -> int:
    """Run until interrupted (or ``quit`` on stdin)."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)
    house = build_house(args)
    if house.meter is None:
        print("this scenario has no smart meter", file=sys.stderr)
        return 2
    try:
        dongle = options.make_dongle(args, house.meter)
    except ValueError as err:
        print(err, file=sys.stderr)
        return 2
    await house.start(serve=False)
    print(await dongle.start(), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    commands = asyncio.create_task(read_commands(dongle, stop))
    try:
        await stop.wait()
    finally:
        commands.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await commands
        await dongle.stop()
        await house.stop()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
