"""Push latency: a simulated device announces a change (INF) -> Home Assistant state written.

A real Home Assistant core (the same harness the tests use) runs the integration against the
virtual house on loopback; the storage battery's operation mode (0xDA, announced) is changed
``count`` times on the simulated device and the time until the select entity's new state is
written to the state machine is measured.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from homeassistant.core import Event, EventStateChangedData, callback

from simulator.house import House

from .lan import hub_in_home_assistant

ENTITY = "select.storage_battery_operation_mode"
MODES = [(b"\x42", "charging"), (b"\x43", "discharging")]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


async def push_benchmark(count: int = 1000) -> dict[str, Any]:
    """INF -> state written latency over ``count`` changes."""
    house = House("house", base_address="127.0.102.10", tick_interval=0)
    await house.start(announce=False)
    latencies: list[float] = []
    async with hub_in_home_assistant() as (hass, _entry):
        assert hass.states.get(ENTITY) is not None, "battery select entity missing"
        battery = house.obj("battery")
        written: asyncio.Queue[float] = asyncio.Queue()

        @callback
        def _changed(event: Event[EventStateChangedData]) -> None:
            if event.data["entity_id"] == ENTITY:
                written.put_nowait(time.perf_counter())

        unsub = hass.bus.async_listen("state_changed", _changed)
        try:
            for i in range(count):
                edt, state = MODES[i % 2]
                start = time.perf_counter()
                battery.update({0xDA: edt})  # the device sends INF 0xDA
                done = await asyncio.wait_for(written.get(), 5)
                latencies.append((done - start) * 1000)
                current = hass.states.get(ENTITY)
                assert current is not None and current.state == state
        finally:
            unsub()
    await house.stop()
    return {
        "push.latency_ms_p99": {
            "hems": round(_percentile(latencies, 0.99), 3),
            "p50": round(_percentile(latencies, 0.50), 3),
            "max": round(max(latencies), 3),
            "changes": len(latencies),
            "goal": 50.0,
        }
    }
