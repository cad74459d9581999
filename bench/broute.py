"""Wi-SUN B-route benchmarks on the virtual dongle with realistic (unaccelerated) radio timing.

* ``broute.reconnect_seconds``: the dongle is unplugged, then plugged in again; seconds from
  the replug to the first valid reading.

  - ``hems_cached``: a connected :class:`BRouteSession` recovers by itself (it polls the port,
    re-detects the dongle and joins the PAN it already knows: no scan).
  - ``hems_scan``: a new session without a cached PAN, started at the replug (scan + join).
  - ``momonga``: the momonga library (``Momonga.open()`` + ``get_instantaneous_power()``, its
    defaults), started at the replug, in a thread.

  Goal: hems_cached <= momonga / 3.
* ``broute.frames_per_cycle``: ECHONET Lite Get frames the meter receives per reading cycle
  (power, currents, both cumulative energies).  Goal: 1.  momonga's figure is for the same four
  values read with its getters.

Run: ``python -m bench.broute`` (about two minutes).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import logging
import os
import tempfile
import time
from typing import Any

from custom_components.hems.wisun import (
    BRouteCredentials,
    BRouteSession,
    DongleUnavailableError,
    PanDescriptor,
)
from simulator.clock import SimClock
from simulator.dongle import DEFAULT_PASSWORD, DEFAULT_RBID, VirtualDongle

UNPLUGGED_SECONDS = 3.0
CYCLES = 3


def _credentials() -> BRouteCredentials:
    return BRouteCredentials(DEFAULT_RBID, DEFAULT_PASSWORD)


async def _replugged(dongle: VirtualDongle, then: Callable[[], Awaitable[None]]) -> float:
    """Unplug, wait, replug; seconds from the replug until ``then()`` is done."""
    await dongle.unplug()
    await asyncio.sleep(UNPLUGGED_SECONDS)
    await dongle.replug()
    start = time.perf_counter()
    await then()
    return time.perf_counter() - start


async def _first_reading(session: BRouteSession) -> None:
    while True:
        try:
            reading = await session.read()
        except DongleUnavailableError:
            await asyncio.sleep(0.05)
            continue
        if reading.power_w is not None and reading.import_raw is not None:
            return


async def _hems(dongle: VirtualDongle, pan: PanDescriptor | None) -> dict[str, Any]:
    """hems_cached (self-recovery of a connected session) and frames per cycle."""
    assert dongle.path is not None
    session = BRouteSession(dongle.path, _credentials(), pan=pan)
    try:
        found = await session.connect()
        await session.read()
        gets_session = session.stats.get_frames
        gets_meter = dongle.responder.stats.gets
        for _ in range(CYCLES):
            await session.read()
        frames_session = (session.stats.get_frames - gets_session) / CYCLES
        frames_meter = (dongle.responder.stats.gets - gets_meter) / CYCLES
        cached = await _replugged(dongle, lambda: _first_reading(session))
        assert session.stats.scans == (0 if pan else 1), "the recovery must not scan"
    finally:
        await session.close()
    return {
        "pan": found,
        "cached": cached,
        "frames_session": frames_session,
        "frames_meter": frames_meter,
    }


async def _hems_scan(dongle: VirtualDongle) -> float:
    assert dongle.path is not None
    session = BRouteSession(dongle.path, _credentials())

    async def connect_and_read() -> None:
        await session.connect()
        await _first_reading(session)

    try:
        return await _replugged(dongle, connect_and_read)
    finally:
        await session.close()


def _momonga_reconnect(path: str) -> None:
    import momonga

    client = momonga.Momonga(DEFAULT_RBID, DEFAULT_PASSWORD, path)
    client.open()
    try:
        power = client.get_instantaneous_power()
        assert power is not None
    finally:
        client.close()


def _momonga_cycle(path: str) -> None:
    import momonga

    client = momonga.Momonga(DEFAULT_RBID, DEFAULT_PASSWORD, path)
    client.internal_xmit_interval = 0
    with client:
        client.get_instantaneous_power()
        client.get_instantaneous_current()
        client.get_measured_cumulative_energy()
        client.get_measured_cumulative_energy(reverse=True)


async def _momonga(dongle: VirtualDongle) -> dict[str, float]:
    assert dongle.path is not None
    path = dongle.path
    # one reading cycle with its getters (after open, which reads E1 and D3)
    gets: list[int] = []
    original = dongle.responder.handle

    def counting(data: bytes) -> list[bytes]:
        gets.append(data[10] if len(data) > 10 else 0)
        return original(data)

    dongle.responder.handle = counting  # type: ignore[method-assign]
    try:
        await asyncio.to_thread(_momonga_cycle, path)
    finally:
        dongle.responder.handle = original  # type: ignore[method-assign]
    frames = sum(1 for esv in gets if esv == 0x62) - 2  # minus open()'s E1 and D3
    seconds = await _replugged(dongle, lambda: asyncio.to_thread(_momonga_reconnect, path))
    return {"seconds": seconds, "frames": float(frames)}


async def run() -> dict[str, object]:
    """Run the B-route benchmarks (realistic timing: about two minutes)."""
    logging.getLogger("momonga").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="hems-bench-") as tmp:
        clock = SimClock(speed=1.0)
        dongle = VirtualDongle("a1", link=os.path.join(tmp, "dongle"), clock=clock)
        await dongle.start()
        try:
            pan = PanDescriptor.from_dict(
                {
                    "dialect": "a1",
                    "channel": dongle.channel,
                    "pan_id": dongle.pan_id,
                    "mac": dongle.meter_mac,
                }
            )
            hems = await _hems(dongle, pan)
            hems_scan = await _hems_scan(dongle)
            momonga = await _momonga(dongle)
        finally:
            await dongle.stop()
    cached = round(hems["cached"], 2)
    return {
        "broute.reconnect_seconds": {
            "hems_cached": cached,
            "hems_scan": round(hems_scan, 2),
            "momonga": round(momonga["seconds"], 2),
            "hems_cached_vs_momonga": round(hems["cached"] / momonga["seconds"], 3),
            "goal": "hems_cached <= momonga / 3",
            "goal_met": hems["cached"] <= momonga["seconds"] / 3,
            "dialect": "a1",
            "timing": "realistic: scan 9.6 ms x (2^D+1) x 28 channels, join 9.6 s, Get 1.2 s",
        },
        "broute.frames_per_cycle": {
            "hems": hems["frames_meter"],
            "hems_session_count": hems["frames_session"],
            "momonga": momonga["frames"],
            "goal": 1,
            "goal_met": hems["frames_meter"] == 1,
        },
    }


def main() -> None:
    """Print the figures."""
    logging.basicConfig(level=logging.WARNING)
    results = asyncio.run(run())
    for name, value in results.items():
        print(name)
        assert isinstance(value, dict)
        for key, item in value.items():
            print(f"  {key}: {item}")


if __name__ == "__main__":
    main()
