"""Fixtures: a controller on 127.0.0.1 and simulated nodes on other loopback addresses."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from custom_components.hems.echonet.controller import Controller
from tests.houses import HouseFactory, next_base

__all__ = ["HouseFactory", "next_base"]


@pytest.fixture
async def controller() -> AsyncIterator[Controller]:
    """A started controller with short timeouts and no periodic discovery."""
    ctrl = Controller("127.0.0.1", timeout=0.25, retries=1, discovery_interval=3600)
    await ctrl.start(discover=False)
    yield ctrl
    await ctrl.stop()
