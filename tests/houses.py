"""Virtual houses for tests: a fresh block of loopback addresses each, stopped afterwards."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
import itertools
from typing import Any

from simulator.house import House, NodeSpec

HouseFactory = Callable[..., Coroutine[Any, Any, House]]

# Each house gets its own block of loopback addresses, so that a node left over by a failed
# test can never answer for another test's node.
_BLOCKS = itertools.count(0)


def next_base() -> str:
    """A fresh base address for a house (127.0.<n>.10)."""
    return f"127.0.{10 + next(_BLOCKS) % 200}.10"


async def house_factory() -> AsyncIterator[HouseFactory]:
    """The ``make_house`` fixture: start houses (default scenario or given node specs)."""
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
