"""Start-up discovery on several adapters, the owner of a busy port, and kind dispatch."""

from __future__ import annotations

import asyncio
from pathlib import Path
import socket
import sys
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest

from custom_components.hems.const import DOMAIN
from custom_components.hems.hub.portinfo import describe_port_owner

from .test_config_flow import adapter, adapters  # noqa: F401  (adapters: a fixture)


async def test_startup_discovery_skips_adapters_without_devices(
    hass: HomeAssistant,
    adapters: list[dict[str, Any]],  # noqa: F811
) -> None:
    """No IPv4, not the default route, port busy, nothing answering: no flow is offered."""
    adapters[0]["default"] = True
    adapters.insert(0, {**adapter("wlan0", "127.0.0.1", default=True), "ipv4": []})
    adapters.append(adapter("eth1", "127.0.0.5"))  # not the default route
    blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    blocker.bind(("127.0.0.1", 3610))
    try:
        assert await async_setup_component(hass, DOMAIN, {})
        await hass.async_block_till_done(wait_background_tasks=True)
    finally:
        blocker.close()
    assert not hass.config_entries.flow.async_progress()


async def test_startup_discovery_with_nothing_answering(
    hass: HomeAssistant,
    adapters: list[dict[str, Any]],  # noqa: F811
) -> None:
    adapters[0]["default"] = True
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not hass.config_entries.flow.async_progress()


# --------------------------------------------------------------------------- portinfo


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
    import os

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
