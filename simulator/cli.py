"""The virtual house on the command line (``scripts/simulator``, or ``python -m simulator``).

Serves the house's ECHONET Lite nodes on consecutive loopback addresses, optionally the same
smart meter over a virtual Wi-SUN dongle, and runs the house's physics until Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import contextlib
from datetime import datetime
import json
import os
from pathlib import Path
import signal
import sys
from typing import Any

from .clock import JST
from .dongle import options as dongle_options
from .dongle.commands import read_commands
from .helptext import item
from .house import SCENARIOS, House
from .quirks import Quirks
from .specs import house_specs

PROG = "scripts/simulator"


def _unit(class_code: int, epc: int) -> str:
    """The unit a counter shows: m³ for water and gas, kWh for the rest."""
    return "m³" if class_code in (0x0281, 0x0282) or (class_code, epc) == (0x027C, 0xC8) else "kWh"


def add_house_arguments(parser: argparse.ArgumentParser) -> None:
    """What decides the house and its time (shared with the dongle's command line)."""
    group = parser.add_argument_group("the house")
    group.add_argument(
        "--scenario",
        default="house",
        choices=list(SCENARIOS),
        help="which house (see the list below; default house)",
    )
    group.add_argument(
        "--count", type=int, default=200, help="nodes in the scale scenario (default 200)"
    )
    group.add_argument(
        "--seed", type=int, default=1, help="picks the weather and the family's rhythm (default 1)"
    )
    group.add_argument(
        "--start",
        type=parse_start,
        metavar="YYYY-MM-DDTHH:MM",
        help="simulated start time, Japan time (default: now), e.g. 2026-08-01T12:00 for summer",
    )
    group.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="time acceleration: 60 runs one simulated minute per second (default 1)",
    )
    group.add_argument(
        "--history-days",
        type=int,
        metavar="DAYS",
        help="days of past the house lives through before it starts, kept by the smart meter "
        "(default 45 for the house scenario, else 0)",
    )
    group.add_argument(
        "--full-feed-in",
        action="store_true",
        help="全量買取: the solar sells all it generates through its own meter; the smart meter "
        "counts everything the house uses (default: surplus sale, 余剰買取)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Run the virtual house: simulated ECHONET Lite devices on loopback "
        "addresses, one physical model behind them (and optionally the smart meter on a "
        "virtual Wi-SUN dongle). Ctrl-C stops it.",
        epilog="\n".join(_epilog()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_house_arguments(parser)
    net = parser.add_argument_group("the network")
    net.add_argument(
        "--base-address",
        default="127.0.0.2",
        help="address of the first node, the others follow (default 127.0.0.2)",
    )
    net.add_argument("--port", type=int, default=3610, help="UDP port (default 3610)")
    net.add_argument(
        "--multicast-interface",
        default="127.0.0.1",
        help="address of the interface for multicast (default 127.0.0.1, loopback)",
    )
    net.add_argument(
        "--no-multicast", action="store_true", help="unicast only: no announcements, no discovery"
    )
    net.add_argument(
        "--quirk",
        action="append",
        default=[],
        metavar="NODE:NAME=VALUE[,NAME=VALUE]",
        help="make one node misbehave like some real devices (quirks and nodes listed below; "
        "repeatable)",
    )
    dongle_options.add_arguments(parser, prefix="dongle-")
    run = parser.add_argument_group("running")
    run.add_argument(
        "--history-file",
        metavar="PATH",
        help="write every device counter (solar, battery, fuel cell, gas, water, devices) at "
        "every past hour as JSON, rewritten each hour (the demo imports it into Home "
        "Assistant's statistics)",
    )
    run.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="stop when the program that started this one ends (the demo's safety net)",
    )
    run.add_argument("--quiet", action="store_true", help="print nothing but errors")
    return parser


def scenario_lines() -> list[str]:
    """The scenarios, a line each."""
    return ["scenarios:", *(item(name, text) for name, text in SCENARIOS.items())]


def _epilog() -> list[str]:
    lines = scenario_lines()
    lines.append("nodes of the house scenario (NODE in --quirk):")
    for spec in house_specs():
        names = ", ".join(o.name for o in spec.objects)
        lines.append(item(spec.name, names))
    lines.append("  (full: full-1, full-2, ...; scale: node-1 ... node-COUNT)")
    lines.append("quirks (NAME=VALUE in --quirk; EPCs in hex, several joined by +):")
    for name, example, text in Quirks.describe():
        lines.append(item(f"{name}={example}", text))
    lines += dongle_options.epilog("--dongle-fault")
    lines += [
        "examples:",
        f"  {PROG}                               the default house on 127.0.0.2 and up",
        f"  {PROG} --speed 60 --start 2026-08-01T06:00   a summer day, a minute a second",
        f"  {PROG} --quirk board:silent=1 --quirk living-ac:delay=2.5",
        f"  {PROG} --dongle a1 --dongle-link /tmp/hems-dongle   with the meter on Wi-SUN too",
    ]
    return lines


def parse_start(text: str) -> datetime:
    """``--start``: an ISO date and time, Japan time unless it says otherwise."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not a date and time: {text!r}") from err
    return when if when.tzinfo is not None else when.replace(tzinfo=JST)


def build_house(args: argparse.Namespace, **kwargs: Any) -> House:
    """The house the options describe."""
    return House(
        args.scenario,
        speed=args.speed,
        start=args.start,
        count=args.count,
        seed=args.seed,
        history_days=args.history_days,
        full_feed_in=args.full_feed_in,
        **kwargs,
    )


def describe(house: House) -> str:
    """A table of what the house serves."""
    lines = [f"Virtual house ({house.scenario}, speed x{house.clock.speed:g}):"]
    for node in house.nodes.values():
        objs = ", ".join(f"{o.eoj} {o.name}" for o in node.objects.values())
        quirks = node.quirks.active()
        extra = f"  [quirks: {quirks}]" if quirks else ""
        lines.append(f"  {node.address:<15} {node.name:<14} {objs}{extra}")
    return "\n".join(lines)


def write_history(house: House, path: str) -> None:
    """The hourly counters as JSON (written to a temporary file, then moved in place)."""
    counters = []
    for ((node, code), epc), rows in sorted(house.hours.series.items()):
        counters.append(
            {
                "node": node,
                "uid": house.node(node).uid.hex(),
                "eoj": f"0x{code:06X}",
                "epc": f"0x{epc:02X}",
                "unit": _unit(code >> 8, epc),
                "values": [[datetime.fromtimestamp(t, JST).isoformat(), v] for t, v in rows],
            }
        )
    data = {
        "scenario": house.scenario,
        "seed": house.seed,
        "speed": house.clock.speed,
        "now": house.clock.now().isoformat(),
        "counters": counters,
    }
    tmp = f"{path}.tmp"
    Path(tmp).write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


async def _watch_parent(stop: asyncio.Event) -> None:
    parent = os.getppid()
    while not stop.is_set():
        await asyncio.sleep(1.0)
        if os.getppid() != parent:
            stop.set()


async def _main(args: argparse.Namespace) -> int:
    house = build_house(
        args,
        base_address=args.base_address,
        multicast=not args.no_multicast,
        multicast_interface=args.multicast_interface,
        port=args.port,
    )
    try:
        for item in args.quirk:
            name, _, spec = item.partition(":")
            if name not in house.nodes:
                raise ValueError(f"no node named {name!r} (see --help)")
            house.nodes[name].quirks.set(**Quirks.parse(spec).active())
        if args.dialect and house.meter is None:
            raise ValueError("this scenario has no smart meter for the dongle")
        dongle = (
            dongle_options.make_dongle(args, house.meter) if args.dialect and house.meter else None
        )
    except ValueError as err:
        print(err, file=sys.stderr)
        return 2
    await house.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    tasks = []
    try:
        if dongle is not None:
            path = await dongle.start()
            tasks.append(asyncio.create_task(read_commands(dongle, stop)))
        if args.history_file:
            write_history(house, args.history_file)
            house.physics.on_hour.append(lambda _p: write_history(house, args.history_file))
        if args.exit_with_parent:
            tasks.append(asyncio.create_task(_watch_parent(stop)))
        if not args.quiet:
            print(describe(house), flush=True)
            if dongle is not None:
                print(f"Wi-SUN dongle ({args.dialect}) with the same meter at {path}", flush=True)
            print("Serving; Ctrl-C to stop.", flush=True)
        await stop.wait()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if dongle is not None:
            await dongle.stop()
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
