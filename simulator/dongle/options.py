"""The virtual dongle's command-line options (``python -m simulator.dongle`` and
``python -m simulator --dongle``) and the dongle they describe."""

from __future__ import annotations

import argparse

from ..helptext import item
from ..meter_model import MeterModel
from .commands import describe as describe_commands
from .core import DEFAULT_PASSWORD, DEFAULT_RBID, DongleDialect, Faults, VirtualDongle
from .responder import MeterResponder

DIALECTS = {
    "a1": "SKSTACK IP A1, text (ROHM BP35A1, JORJIN WSR35A1-00, Tessera RL7023 Stick-D/IPS)",
    "c0": "SKSTACK IP C0 with binary ERXUDP payloads (ROHM BP35C0/BP35C2, RATOC RS-WSUHA-P)",
    "c0-ascii": "SKSTACK IP C0 with WOPT 01 already written (ASCII ERXUDP payloads)",
    "j11": "ROHM J11 binary protocol (RATOC RS-WSUHA-J11, ROHM BP35C1-J11)",
}


def add_arguments(parser: argparse.ArgumentParser, *, prefix: str = "") -> None:
    """The dongle's options (``prefix``: "dongle-" when they share a command line)."""
    group = parser.add_argument_group("virtual Wi-SUN dongle")
    if prefix:
        group.add_argument(
            "--dongle",
            dest="dialect",
            choices=list(DIALECTS),
            help="also serve the house's smart meter over a virtual Wi-SUN dongle on a pty, "
            "in this dialect (the same meter as over IP: one set of values)",
        )
    else:
        group.add_argument(
            "--dialect",
            choices=[d.value for d in DongleDialect],
            default="a1",
            help="the dongle family to imitate (default a1)",
        )
    group.add_argument(
        f"--{prefix}link",
        dest="link",
        metavar="PATH",
        help="a stable symlink to the pty (removed on unplug, made again on replug)",
    )
    group.add_argument(
        f"--{prefix}fast",
        dest="fast",
        type=float,
        default=1.0,
        metavar="FACTOR",
        help="radio delay factor: 1 is realistic (a scan takes about a minute), 0.01 fast",
    )
    group.add_argument(
        f"--{prefix}id",
        dest="rbid",
        default=DEFAULT_RBID,
        metavar="ID",
        help=f"the B-route ID the meter accepts (32 characters; default {DEFAULT_RBID})",
    )
    group.add_argument(
        f"--{prefix}password",
        dest="password",
        default=DEFAULT_PASSWORD,
        metavar="PASSWORD",
        help=f"the B-route password the meter accepts (12 characters; default {DEFAULT_PASSWORD})",
    )
    group.add_argument(
        f"--{prefix}infc",
        dest="infc",
        action="store_true",
        help="push the 30-minute values (0xEA/0xEB) as INFC, to be acknowledged (default: INF)",
    )
    group.add_argument(
        f"--{prefix}fault",
        dest="faults",
        action="append",
        default=[],
        metavar="NAME[=VALUE]",
        help="switch a dongle fault on from the start (see the list below; repeatable)",
    )


def epilog(fault_option: str = "--fault") -> list[str]:
    """The dialects, faults and stdin commands, a line each."""
    lines = ["dongle dialects:"]
    lines += [item(name, text) for name, text in DIALECTS.items()]
    lines.append(f"dongle faults ({fault_option} NAME or NAME=VALUE):")
    lines += [item(name, text) for name, text in Faults.describe()]
    lines.append("commands on standard input while the dongle runs (one per line):")
    lines += describe_commands()
    return lines


def make_dongle(args: argparse.Namespace, meter: MeterModel) -> VirtualDongle:
    """The dongle the options describe, in front of ``meter``."""
    responder = MeterResponder(meter, push_esv=0x74 if args.infc else 0x73)
    dongle = VirtualDongle(
        args.dialect,
        link=args.link,
        clock=meter.clock,
        meter=meter,
        responder=responder,
        rbid=args.rbid,
        password=args.password,
        delay_scale=args.fast,
    )
    for fault in args.faults:
        name, _, value = fault.partition("=")
        dongle.faults.switch(name.strip(), value.strip() or "1")
    return dongle
