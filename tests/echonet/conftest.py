"""Fixtures: a controller on 127.0.0.1 and simulated nodes on other loopback addresses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import socket

import pytest

from custom_components.hems.echonet.controller import Controller
from tests.houses import HouseFactory, next_base

__all__ = ["HouseFactory", "next_base", "recv"]


@pytest.fixture
async def controller() -> AsyncIterator[Controller]:
    """A started controller with short timeouts and no periodic discovery."""
    ctrl = Controller("127.0.0.1", timeout=0.25, retries=1, discovery_interval=3600)
    await ctrl.start(discover=False)
    yield ctrl
    await ctrl.stop()


async def recv(sock: socket.socket) -> bytes:
    """Receive one datagram without blocking the event loop."""
    sock.setblocking(False)
    data, _ = await asyncio.wait_for(asyncio.get_running_loop().sock_recvfrom(sock, 1024), 2)
    return data
