"""Commands a running virtual dongle reads on its standard input, one per line.

Shared by ``python -m simulator.dongle`` and ``python -m simulator --dongle``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import sys
from typing import Final

from ..helptext import item
from .core import VirtualDongle

Handler = Callable[[VirtualDongle, list[str]], Awaitable[str | None]]


def _on(args: list[str]) -> bool:
    return bool(args) and args[0].lower() in ("on", "1", "true", "yes")


async def _unplug(dongle: VirtualDongle, args: list[str]) -> str | None:
    await dongle.unplug()
    return None


async def _replug(dongle: VirtualDongle, args: list[str]) -> str | None:
    return await dongle.replug()


async def _expire(dongle: VirtualDongle, args: list[str]) -> str | None:
    dongle.expire_session(reauth_ok=True)
    return None


async def _expire_fail(dongle: VirtualDongle, args: list[str]) -> str | None:
    dongle.expire_session(reauth_ok=False)
    return None


async def _terminate(dongle: VirtualDongle, args: list[str]) -> str | None:
    dongle.terminate_session()
    return None


async def _restart(dongle: VirtualDongle, args: list[str]) -> str | None:
    dongle.restart()
    return None


async def _limit(dongle: VirtualDongle, args: list[str]) -> str | None:
    dongle.start_tx_limit(float(args[0]) if args else None)
    return None


async def _release(dongle: VirtualDongle, args: list[str]) -> str | None:
    dongle.release_tx_limit()
    return None


async def _er10(dongle: VirtualDongle, args: list[str]) -> str | None:
    dongle.faults.fail_sends = int(args[0]) if args else 1
    return None


async def _lose(dongle: VirtualDongle, args: list[str]) -> str | None:
    dongle.faults.lose_sends = int(args[0]) if args else 1
    return None


def _fault(name: str) -> Handler:
    async def handler(dongle: VirtualDongle, args: list[str]) -> str | None:
        setattr(dongle.faults, name, _on(args))
        return None

    return handler


async def _push(dongle: VirtualDongle, args: list[str]) -> str | None:
    if dongle.session_up:
        dongle.emulator.deliver(dongle.responder.fixed_time_push())
    return None


async def _status(dongle: VirtualDongle, args: list[str]) -> str | None:
    return (
        f"session_up={dongle.session_up} tx_limited={dongle.tx_limited} "
        f"faults={dongle.faults} stats={dongle.stats}"
    )


#: name -> (arguments, what it does, handler); "quit" ends the program.
COMMANDS: Final[dict[str, tuple[str, str, Handler]]] = {
    "unplug": ("", "pull the dongle out (the pty and its link disappear)", _unplug),
    "replug": ("", "plug it in again (prints the path)", _replug),
    "expire": ("", "the PANA session expires; re-authentication succeeds", _expire),
    "expire-fail": ("", "the PANA session expires; re-authentication fails", _expire_fail),
    "terminate": ("", "the meter ends the session (EVENT 26, 27)", _terminate),
    "restart": ("", "the module restarts by itself (EVENT C0 / 0x6019): setup is lost", _restart),
    "limit": ("[SECONDS]", "the radio's transmission-time limit is reached (EVENT 32)", _limit),
    "release": ("", "the transmission-time limit is released (EVENT 33)", _release),
    "er10": ("[N]", "the next N sends fail with FAIL ER10", _er10),
    "lose": ("[N]", "the next N sends are not delivered (EVENT 21 01)", _lose),
    "hang": (
        "on|off",
        "the module's firmware hangs (answers nothing) until power-cycled: by a close and "
        "reopen of the port (see the fault hang_ends_on_reopen), or unplug/replug",
        _fault("hung"),
    ),
    "noise": ("on|off", "garbage between messages", _fault("noise")),
    "silent": ("on|off", "the meter stops answering", _fault("silent_meter")),
    "reject": ("on|off", "authentication fails", _fault("reject_auth")),
    "absent": ("on|off", "the meter is out of reach", _fault("meter_absent")),
    "weak": ("on|off", "the meter's beacon is heard, its PANA never", _fault("pana_unanswered")),
    "push": ("", "the meter pushes its last 30-minute values now", _push),
    "status": ("", "print the session state, faults and statistics", _status),
}


def describe() -> list[str]:
    """One line per command, for the command line's help."""
    lines = [item(f"{name} {args}".strip(), text) for name, (args, text, _h) in COMMANDS.items()]
    return [*lines, item("quit", "stop")]


async def read_commands(dongle: VirtualDongle, stop: asyncio.Event) -> None:
    """Obey the commands on standard input until ``quit`` (sets ``stop``) or its end."""
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
        name, args = words[0].lower(), words[1:]
        if name in ("quit", "exit"):
            stop.set()
            return
        command = COMMANDS.get(name)
        if command is None:
            print(f"unknown command: {name}", flush=True)
            continue
        try:
            answer = await command[2](dongle, args)
        except ValueError as err:
            answer = f"bad argument: {err}"
        if answer is not None:
            print(answer, flush=True)
