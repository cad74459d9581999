"""Who holds UDP 3610: the program the "port in use" repair issue names."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
import socket
import sys
from typing import Any

import pytest

from custom_components.hems.hub.portinfo import describe_port_owner


def test_port_owner_unknown_when_nobody_holds_it() -> None:
    assert describe_port_owner(3999) == "unknown (not visible from here)"


def test_port_owner_is_this_process() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    try:
        port = sock.getsockname()[1]
        owner = describe_port_owner(port)
    finally:
        sock.close()
    assert ", this Home Assistant (pid" in owner


async def test_port_owner_is_another_program() -> None:
    script = (
        "import socket, sys; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
        "s.bind(('127.0.0.1', 0)); print(s.getsockname()[1], flush=True); sys.stdin.read()"
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        port = int((await proc.stdout.readline()).decode())
        owner = await asyncio.get_running_loop().run_in_executor(None, describe_port_owner, port)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        await proc.wait()
    assert owner.endswith(f" (pid {proc.pid})")
    assert "this Home Assistant" not in owner


def test_port_owner_without_ipv6_or_process_details(monkeypatch: pytest.MonkeyPatch) -> None:
    """No udp6 table (a kernel without IPv6), processes that vanish or hide their name."""
    real_read_text = Path.read_text

    def read_text(self: Path, *args: Any, **kw: Any) -> str:
        if str(self) == "/proc/net/udp6" or str(self).endswith("/comm"):
            raise OSError("not there")
        return real_read_text(self, *args, **kw)

    monkeypatch.setattr(Path, "read_text", read_text)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    try:
        owner = describe_port_owner(sock.getsockname()[1])
    finally:
        sock.close()
    assert owner.startswith("?, this Home Assistant (pid")


def test_port_owner_invisible(monkeypatch: pytest.MonkeyPatch) -> None:
    """The socket is listed, but no process's descriptors can be read (another container)."""
    real_listdir = os.listdir

    def listdir(path: str) -> list[str]:
        if path.endswith("/fd"):
            raise PermissionError(path)
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", listdir)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    try:
        owner = describe_port_owner(sock.getsockname()[1])
    finally:
        sock.close()
    assert owner == "another program (its process is not visible)"
