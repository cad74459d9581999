"""Helpers of the climate/light/lock/cover/water_heater/fan platform tests.

``start`` sets up a hub against a house whose simulated time only moves with ``house.step``,
with discovery that waits for the house's nodes instead of a fixed two seconds, and with short
request timeouts (silent devices fail fast).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hems.echonet.controller import Controller, ControllerEvent
from custom_components.hems.echonet.node import Node
from custom_components.hems.echonet.propmap import encode_property_map
from custom_components.hems.hub import KIND as HUB
from custom_components.hems.kinds import runtime_of
from simulator.device import SimObject
from simulator.house import House, NodeSpec
from tests.waiting import wait_for

from .conftest import HouseFactory, setup_hub

#: A fixed start, so that the simulated dynamics (outdoor temperature...) are reproducible.
START = datetime.fromisoformat("2026-01-15T12:00:00+09:00")


def discovery_of(count: int) -> Callable[..., Coroutine[Any, Any, list[Node]]]:
    async def discover(self: Controller, wait: float = 2.0) -> list[Node]:
        found = asyncio.Event()

        def added(_event: ControllerEvent) -> None:
            if len(self.nodes) >= count:
                found.set()

        unsubscribe = self.subscribe(added)
        try:
            self.discover()
            async with asyncio.timeout(5):
                await found.wait()
        finally:
            unsubscribe()
        # The last setup task has just ended: let its done-callback run first, or
        # wait_for_setups() would spin on the finished task without ever yielding.
        await asyncio.sleep(0)
        await self.wait_for_setups()
        return list(self.nodes.values())

    return discover


async def start(
    hass: HomeAssistant,
    make_house: HouseFactory,
    specs: list[NodeSpec] | None = None,
) -> tuple[House, MockConfigEntry]:
    """Start a house (the default one, or ``specs``) and set up a hub for it."""
    # Simulated time stands still but for house.step(): the dynamics are reproducible.
    house = await make_house(specs=specs, start=START, speed=1e-9)
    with patch.object(Controller, "async_discover", discovery_of(len(house.nodes))):
        entry = await setup_hub(hass)
    hub = runtime_of(entry, HUB)
    assert len(hub.controller.nodes) == len(house.nodes)
    hub.controller.timeout = 0.2
    return house, entry


def entity_id(hass: HomeAssistant, domain: str, obj: SimObject, key: str) -> str:
    """The entity id of an object's entity (by unique id: node uid, EOJ, description key)."""
    assert obj.node is not None
    uid = obj.node.uid.hex()
    registry = er.async_get(hass)
    found = registry.async_get_entity_id(domain, "hems", f"{uid}-{obj.eoj}-{key}")
    assert found is not None, f"no {domain} {key} for {obj.eoj}"
    return found


def state_of(hass: HomeAssistant, entity: str) -> State:
    """The current state (asserted to exist)."""
    state = hass.states.get(entity)
    assert state is not None, entity
    return state


async def wait_for_state(hass: HomeAssistant, entity: str, check: Callable[[State], bool]) -> State:
    """Wait until the entity's state passes ``check`` (a push takes a moment)."""

    async def passes() -> bool:
        await hass.async_block_till_done()
        return check(state_of(hass, entity))

    def stayed() -> str:
        state = state_of(hass, entity)
        return f"{entity} to change (it stayed {state.state} {dict(state.attributes)})"

    await wait_for(passes, what=stayed)
    return state_of(hass, entity)


def obj_spec(
    name: str,
    eoj: int,
    behaviour: Any = None,
    *,
    values: dict[int, bytes] | None = None,
    omit: tuple[int, ...] = (),
    inf: tuple[int, ...] | None = None,
) -> NodeSpec:
    """A node with one object (for a device the default house does not have)."""
    from simulator.house import _obj

    return NodeSpec(name, [_obj(eoj, behaviour, values=values, omit=omit, inf=inf)])


def read_only(obj: SimObject, *epcs: int) -> SimObject:
    """``obj`` with ``epcs`` left out of its Set property map (and of what 0x9E says)."""
    obj.set_map.difference_update(epcs)
    obj.values[0x9E] = encode_property_map(obj.set_map)
    return obj


#: Attributes whose presence depends on the Home Assistant version, not on us: the friendly
#: name (naming scheme), the mired colour temperatures (dropped in 2026.x), cover is_closed
#: (added in 2026.x).
_VERSIONED = frozenset({"friendly_name", "color_temp", "min_mireds", "max_mireds", "is_closed"})


def snapshot_view(
    hass: HomeAssistant, states: list[State]
) -> list[tuple[str, str, dict[str, Any]]]:
    """States as snapshots hold them: keyed by EOJ and description key (not by entity id,
    which depends on the Home Assistant version's naming and on the house's addresses), and
    without the friendly name (likewise version dependent)."""
    from homeassistant.helpers import device_registry as dr

    registry = er.async_get(hass)
    devices = dr.async_get(hass)
    out = []
    for state in states:
        entry = registry.async_get(state.entity_id)
        assert entry is not None and entry.device_id is not None
        device = devices.async_get(entry.device_id)
        assert device is not None
        # The model (product code) tells apart objects with the same EOJ on different nodes.
        key = f"{device.model} {entry.unique_id.split('-', 1)[1]}"
        attrs = {str(k): v for k, v in state.attributes.items() if k not in _VERSIONED}
        out.append((key, state.state, attrs))
    return sorted(out, key=lambda item: (item[0], item[1], repr(sorted(item[2].items()))))


def device_name(hass: HomeAssistant, entity: str) -> str | None:
    """The name of the device an entity belongs to."""
    from homeassistant.helpers import device_registry as dr

    entry = er.async_get(hass).async_get(entity)
    assert entry is not None and entry.device_id is not None
    device = dr.async_get(hass).async_get(entry.device_id)
    assert device is not None
    return device.name
