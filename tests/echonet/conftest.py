"""Fixtures: a controller on 127.0.0.1 and simulated nodes on other loopback addresses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
import itertools
from typing import Any

import pytest

from custom_components.hems.echonet.controller import Controller
from simulator.house import House, NodeSpec

# Each test gets its own block of loopback addresses, so that a node left over by a failed
# test can never answer for another test's node.
_BLOCKS = itertools.count(0)


def next_base() -> str:
    """A fresh base address for a house (127.0.<n>.10)."""
    return f"127.0.{10 + next(_BLOCKS) % 200}.10"


@pytest.fixture
async def controller() -> AsyncIterator[Controller]:
    """A started controller with short timeouts and no periodic discovery."""
    ctrl = Controller("127.0.0.1", timeout=0.25, retries=1, discovery_interval=3600)
    await ctrl.start(discover=False)
    yield ctrl
    await ctrl.stop()


HouseFactory = Callable[..., Coroutine[Any, Any, House]]


@pytest.fixture
async def make_house() -> AsyncIterator[HouseFactory]:
    """Start houses (default scenario or given node specs); all are stopped afterwards."""
    houses: list[House] = []

    async def _make(
        scenario: str = "house", *, specs: list[NodeSpec] | None = None, **kwargs: Any
    ) -> House:
        announce = kwargs.pop("announce", False)
        kwargs.setdefault("tick_interval", 0)
        kwargs.setdefault("base_address", next_base())
        house = House(scenario, specs=specs, **kwargs)
        await house.start(announce=announce)
        houses.append(house)
        return house

    yield _make
    for house in houses:
        await house.stop()
