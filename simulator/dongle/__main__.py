"""Run a virtual dongle: ``python -m simulator.dongle --dialect a1 --link /tmp/hems-dongle``.

Prints the device path, then reads fault commands from stdin (one per line):
``unplug``, ``replug``, ``expire``, ``expire-fail``, ``terminate``, ``limit [seconds]``,
``release``, ``er10 [n]``, ``noise on|off``, ``silent on|off``, ``reject on|off``,
``absent on|off``, ``push``, ``status``, ``quit``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys

from ..clock import SimClock
from ..meter_model import MeterModel
from .core import DEFAULT_PASSWORD, DEFAULT_RBID, DongleDialect, VirtualDongle
from .responder import MeterResponder


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m simulator.dongle", description=__doc__)
    parser.add_argument("--dialect", choices=[d.value for d in DongleDialect], default="a1")
    parser.add_argument("--link", default=None, help="stable symlink to the pty")
    parser.add_argument("--speed", type=float, default=1.0, help="simulated time acceleration")
    parser.add_argument("--fast", type=float, default=1.0, help="radio delay factor (0.01: fast)")
    parser.add_argument("--id", dest="rbid", default=DEFAULT_RBID, help="B-route ID")
    parser.add_argument("--password", default=DEFAULT_PASSWORD, help="B-route password")
    parser.add_argument("--history-days", type=int, default=45)
    parser.add_argument("--infc", action="store_true", help="push 0xEA/0xEB as INFC")
    parser.add_argument("--verbose", "-v", action="store_true")
    return parser


async def _commands(dongle: VirtualDongle, stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    try:
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    except (ValueError, OSError):
        return  # no usable stdin: run until interrupted
    while not stop.is_set():
        raw = await reader.readline()
        if not raw:
            return
        words = raw.decode(errors="replace").split()
        if not words:
            continue
        cmd, args = words[0].lower(), words[1:]
        on = bool(args) and args[0].lower() in ("on", "1", "true", "yes")
        if cmd == "unplug":
            await dongle.unplug()
        elif cmd == "replug":
            print(await dongle.replug(), flush=True)
        elif cmd == "expire":
            dongle.expire_session(reauth_ok=True)
        elif cmd == "expire-fail":
            dongle.expire_session(reauth_ok=False)
        elif cmd == "terminate":
            dongle.terminate_session()
        elif cmd == "limit":
            dongle.start_tx_limit(float(args[0]) if args else None)
        elif cmd == "release":
            dongle.release_tx_limit()
        elif cmd == "er10":
            dongle.faults.fail_sends = int(args[0]) if args else 1
        elif cmd == "noise":
            dongle.faults.noise = on
        elif cmd == "silent":
            dongle.faults.silent_meter = on
        elif cmd == "reject":
            dongle.faults.reject_auth = on
        elif cmd == "absent":
            dongle.faults.meter_absent = on
        elif cmd == "push":
            if dongle.session_up:
                dongle.emulator.deliver(dongle.responder.fixed_time_push())
        elif cmd == "status":
            print(
                f"session_up={dongle.session_up} tx_limited={dongle.tx_limited} "
                f"faults={dongle.faults} stats={dongle.stats}",
                flush=True,
            )
        elif cmd in ("quit", "exit"):
            stop.set()
        else:
            print(f"unknown command: {cmd}", flush=True)


async def main(argv: list[str] | None = None) -> None:
    """Run until interrupted (or ``quit`` on stdin)."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)
    clock = SimClock(speed=args.speed)
    meter = MeterModel(clock, history_days=args.history_days)
    responder = MeterResponder(meter, push_esv=0x74 if args.infc else 0x73)
    dongle = VirtualDongle(
        args.dialect,
        link=args.link,
        clock=clock,
        meter=meter,
        responder=responder,
        rbid=args.rbid,
        password=args.password,
        delay_scale=args.fast,
    )
    print(await dongle.start(), flush=True)
    stop = asyncio.Event()
    commands = asyncio.create_task(_commands(dongle, stop))
    try:
        await stop.wait()
    finally:
        commands.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await commands
        await dongle.stop()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
