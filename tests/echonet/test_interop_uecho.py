"""Interoperability with an independent ECHONET Lite stack: uecho (PyPI) playing devices.

Loopback: real UDP, multicast on lo.  Network namespaces (root only): uecho unmodified on its
own host of an isolated test LAN, our controller on another, discovery by real multicast.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
import json
import os
from pathlib import Path
import shutil
import subprocess
import sys

import pytest

from custom_components.hems.echonet import EOJ, DeviceRejectedError
from custom_components.hems.echonet.controller import Controller

ROOT = Path(__file__).resolve().parents[2]
AC, LIGHT, METER = EOJ(0x01, 0x30, 0x01), EOJ(0x02, 0x90, 0x01), EOJ(0x02, 0x88, 0x01)
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


async def _start_peer(*args: str) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        *args,
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env=ENV,
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 30)
    assert line.strip() == b"ready", line
    return proc


async def _stop_peer(proc: asyncio.subprocess.Process) -> str:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.close()
    out = await asyncio.wait_for(proc.stdout.read(), 15)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
    await proc.wait()
    return out.decode()


@pytest.fixture
async def uecho_peer() -> AsyncIterator[tuple[str, asyncio.subprocess.Process]]:
    address = "127.0.77.70"
    proc = await _start_peer(sys.executable, "-m", "tests.peers.uecho_node", address, "--loopback")
    yield address, proc
    if proc.returncode is None:
        await _stop_peer(proc)


async def test_discover_read_and_set_uecho_devices(
    uecho_peer: tuple[str, asyncio.subprocess.Process],
) -> None:
    address, proc = uecho_peer
    controller = Controller("127.0.0.1", timeout=1.0, retries=1, discovery_interval=3600)
    await controller.start(discover=False)
    try:
        nodes = await controller.async_discover(wait=1.5)  # multicast Get 0xD6
        assert [n.address for n in nodes] == [address]
        node = nodes[0]
        assert node.identified and node.uid.startswith("fe")
        assert set(node.objects) == {AC, LIGHT, METER}
        ac, light, meter = (node.objects[e] for e in (AC, LIGHT, METER))
        assert ac.value(0x80) == "false" and ac.value(0xB0) == "cooling" and ac.value(0xB3) == 26
        assert ac.value(0xBB) == 24
        assert light.value(0x80) == "true"
        assert meter.value(0xE7) == 1234
        assert meter.value(0xE0) == pytest.approx(12345.6)  # 0.1 kWh unit (0xE1 = 0x01)
        # uecho answers the properties it lists without data with Get_SNA: unsupported.
        assert ac.unsupported
        # Set with confirmation on a third-party stack.
        assert await controller.set(light, {0x80: b"\x31"}) == {0x80: b"\x31"}
        assert await controller.set(ac, {0xB3: bytes((22,))}) == {0xB3: bytes((22,))}
        with pytest.raises(DeviceRejectedError):
            await controller.set(ac, {0xB3: bytes((40,))})
        assert (await controller.get(ac, [0xB3])) == {0xB3: bytes((22,))}
        # Unicast probe of the same node (networks without multicast): same identity.
        other = Controller(
            "127.0.0.1", timeout=1.0, multicast=False, port=3610, discovery_interval=3600
        )
        await controller.stop()
        await other.start(discover=False)
        try:
            probed = await other.probe(address)
            assert probed.uid == node.uid
            assert set(probed.objects) == {AC, LIGHT, METER}
        finally:
            await other.stop()
    finally:
        await controller.stop()
    writes = await _stop_peer(proc)
    assert "write 80 31" in writes and "write B3 16" in writes


# --------------------------------------------------------------------------- namespaces

LAB = ROOT / ".." / "shared" / "tools" / "netns-lab.sh"


def _netns_ready() -> str | None:
    if os.geteuid() != 0:
        return "needs root to create network namespaces"
    if shutil.which("ip") is None:
        return "iproute2 (ip) is not installed"
    if not LAB.exists():
        return f"{LAB} not found"
    probe = subprocess.run(["ip", "netns", "list"], capture_output=True, check=False)
    if probe.returncode != 0:
        return "ip netns is not usable here: " + probe.stderr.decode().strip()
    return None


async def _run(*args: str, env: dict[str, str]) -> None:
    proc = await asyncio.create_subprocess_exec(*args, env=env)
    await asyncio.wait_for(proc.wait(), 60)


@pytest.mark.netns
@pytest.mark.skipif(_netns_ready() is not None, reason=str(_netns_ready()))
async def test_multicast_discovery_of_uecho_across_namespaces() -> None:
    prefix = f"hems{os.getpid() % 10000}"
    env = {**ENV, "NETNS_LAB_PREFIX": prefix}
    await _run("bash", str(LAB), "up", "1", env=env)
    try:
        peer = await _start_peer(
            "ip",
            "netns",
            "exec",
            f"{prefix}-dev1",
            sys.executable,
            "-m",
            "tests.peers.uecho_node",
            "10.231.0.11",
        )
        try:
            result = await asyncio.create_subprocess_exec(
                "ip",
                "netns",
                "exec",
                f"{prefix}-ctl",
                sys.executable,
                "-m",
                "tests.peers.discover",
                "10.231.0.1",
                cwd=ROOT,
                env=ENV,
                stdout=asyncio.subprocess.PIPE,
            )
            out, _ = await asyncio.wait_for(result.communicate(), 60)
        finally:
            await _stop_peer(peer)
        found = json.loads(out)
        assert [n["address"] for n in found] == ["10.231.0.11"]
        assert sorted(found[0]["objects"]) == ["0x013001", "0x028801", "0x029001"]
        assert found[0]["light_after_set"] == "31"
    finally:
        await _run("bash", str(LAB), "down", env=env)
