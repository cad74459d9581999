"""A flood of INF frames from random unknown addresses against a real Home Assistant.

``security.unknown_flood`` (issue 15): the integration runs in a real Home Assistant core (the
harness the tests use) against the virtual house, all inside a network namespace of its own
(``unshare --net``: root or user namespaces).  A separate process sends ECHONET Lite INF frames
(operation status and instance list notifications) from random source addresses in 127.64/10
to the hub's port 3610 through a raw socket (IP_HDRINCL; the traffic never leaves the
namespace), at ``rate`` frames a second until ``count`` are sent.  Measured before, during and
after the flood:

* the event loop's lag (a 20 ms timer's lateness) and the API latency (the ``hems.get_property``
  action reading a real device), p95 during the flood;
* the real entities made unavailable (the most at one time, sampled every 0.5 s);
* the memory (RSS) before, its peak during, and after the flood (garbage collected), and the
  growth after in per cent;
* the frames the hub sent to the strangers (all frames sent minus the requests to real nodes)
  per INF received: the amplification.

Goals: p95 <= 100 ms, 0 unavailable, memory back within 10 %.
"""

from __future__ import annotations

import argparse
import asyncio
from contextlib import suppress
from dataclasses import dataclass
import gc
import json
import os
from pathlib import Path
import random
import shutil
import socket
import struct
import sys
import time
from typing import Any

GOAL_P95_MS = 100.0
GOAL_MEMORY_PCT = 10.0
HUB_ADDRESS = "127.0.0.1"
HOUSE_BASE = "127.0.102.10"
#: Settle time after the flood before the memory is measured again (backoffs end, caches drop).
AFTER_SECONDS = 20.0


# --------------------------------------------------------------------------- the flood


def _inf_payloads() -> list[bytes]:
    """INF frames a stranger might send: operation status of assorted objects, instance lists."""
    from custom_components.hems.echonet import ESV
    from custom_components.hems.echonet.frame import EOJ, NODE_PROFILE, build

    out = []
    for i, cls in enumerate((0x0130, 0x0287, 0x027D, 0x0279, 0x0290, 0x026B, 0x0011)):
        eoj = EOJ(cls >> 8, cls & 0xFF, 1)
        out.append(build(i + 1, eoj, NODE_PROFILE, ESV.INF, [(0x80, b"\x30")]))
        listing = b"\x01" + eoj.to_bytes()
        out.append(build(i + 100, NODE_PROFILE, NODE_PROFILE, ESV.INF, [(0xD5, listing)]))
    return out


def _udp_packet(src: str, payload: bytes) -> bytes:
    """IPv4 + UDP header (checksums: the kernel fills the IP one; UDP's 0 means none)."""
    udp = struct.pack("!HHHH", 3610, 3610, 8 + len(payload), 0) + payload
    ip = struct.pack(
        "!BBHHHBBH4s4s",
        0x45,
        0,
        20 + len(udp),
        0,
        0,
        64,
        socket.IPPROTO_UDP,
        0,
        socket.inet_aton(src),
        socket.inet_aton(HUB_ADDRESS),
    )
    return ip + udp


def flood(rate: float, count: int) -> None:
    """Send ``count`` INFs at ``rate``/s from random addresses in 127.64.0.0/10 (raw socket)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    payloads = _inf_payloads()
    rng = random.Random(15)
    start = time.perf_counter()
    batch = max(1, int(rate / 200))  # one batch every 5 ms
    sent = 0
    while sent < count:
        for _ in range(min(batch, count - sent)):
            src = f"127.{rng.randint(64, 127)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
            with suppress(BlockingIOError, OSError):
                sock.sendto(_udp_packet(src, rng.choice(payloads)), (HUB_ADDRESS, 0))
            sent += 1
        ahead = start + sent / rate - time.perf_counter()
        if ahead > 0:
            time.sleep(ahead)
    sock.close()
    elapsed = time.perf_counter() - start
    print(json.dumps({"sent": sent, "seconds": round(elapsed, 2)}), flush=True)


# --------------------------------------------------------------------------- measuring


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def _p(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class _Probes:
    """Loop lag, API latency, unavailable entities and memory, sampled while running."""

    def __init__(self, hass: Any, entity_ids: list[str], device_id: str) -> None:
        self.hass = hass
        self.entity_ids = entity_ids
        self.device_id = device_id
        self.lag: list[float] = []
        self.api: list[float] = []
        self.unavailable = 0
        self.unavailable_names: set[str] = set()
        self.peak_rss = 0.0
        self.api_errors = 0
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._lag()),
            asyncio.create_task(self._api()),
            asyncio.create_task(self._states()),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _lag(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + 0.02
            await asyncio.sleep(0.02)
            self.lag.append((loop.time() - due) * 1000)

    async def _api(self) -> None:
        from custom_components.hems.const import DOMAIN

        while True:
            start = time.perf_counter()
            try:
                await self.hass.services.async_call(
                    DOMAIN,
                    "get_property",
                    {"device_id": self.device_id, "epc": "0x80"},
                    blocking=True,
                    return_response=True,
                )
            except Exception:  # counted: api_errors
                self.api_errors += 1
            self.api.append((time.perf_counter() - start) * 1000)
            await asyncio.sleep(0.2)

    async def _states(self) -> None:
        while True:
            down = [
                e
                for e in self.entity_ids
                if (state := self.hass.states.get(e)) is not None and state.state == "unavailable"
            ]
            self.unavailable = max(self.unavailable, len(down))
            self.unavailable_names.update(down)
            self.peak_rss = max(self.peak_rss, _rss_mb())
            await asyncio.sleep(0.5)


@dataclass(frozen=True)
class _Hub:
    """The hub entry set up in Home Assistant, with what the probes watch."""

    hass: Any
    controller: Any
    entity_ids: list[str]
    device_id: str
    down_before: list[str]


@dataclass(frozen=True)
class _Counters:
    """The controller's frame and request counters and the memory at one moment."""

    rss_mb: float
    sent: int
    received: int
    requests: int
    nodes: int

    @classmethod
    def now(cls, controller: Any) -> _Counters:
        return cls(
            rss_mb=_rss_mb(),
            sent=controller.transport.frames_sent,
            received=controller.transport.frames_received,
            requests=sum(n.stats.requests for n in controller.nodes.values()),
            nodes=len(controller.nodes),
        )


async def _hub_of(hass: Any, entry: Any) -> _Hub:
    """The hub entry once its devices are set up; its real entities and the battery."""
    from homeassistant.helpers import device_registry as dr, entity_registry as er

    from custom_components.hems.const import DOMAIN

    controller = entry.runtime_data.controller
    await controller.wait_for_setups()
    await hass.async_block_till_done()
    entity_ids = [
        e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if e.disabled_by is None
    ]
    battery = next(o for o in controller.objects() if o.class_code == 0x027D)
    device = next(
        d
        for d in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
        if (DOMAIN, f"{battery.node.uid}-{battery.eoj}") in d.identifiers
    )
    down_before = [
        e for e in entity_ids if (s := hass.states.get(e)) is not None and s.state == "unavailable"
    ]
    return _Hub(hass, controller, entity_ids, device.id, down_before)


async def _probe_for(hub: _Hub, seconds: float) -> _Probes:
    """The probes over ``seconds`` of whatever the hub is doing (a quiet or settling spell)."""
    probes = _Probes(hub.hass, hub.entity_ids, hub.device_id)
    probes.start()
    await asyncio.sleep(seconds)
    await probes.stop()
    return probes


async def _probe_flood(hub: _Hub, rate: float, count: int) -> tuple[_Probes, dict[str, Any]]:
    """The probes while a child process floods the hub; with the flooder's own count."""
    probes = _Probes(hub.hass, hub.entity_ids, hub.device_id)
    probes.start()
    flooder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.security",
        "--flood",
        str(rate),
        str(count),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await flooder.communicate()
    await probes.stop()
    return probes, json.loads(out.decode().strip().splitlines()[-1])


def _responsiveness(
    flood_info: dict[str, Any], received: int, probes: _Probes, quiet: _Probes
) -> dict[str, Any]:
    """The flood as the hub received it; loop lag and API latency during it and before."""
    return {
        "flood_frames": flood_info["sent"],
        "flood_seconds": flood_info["seconds"],
        "flood_rate_per_s": round(flood_info["sent"] / flood_info["seconds"]),
        "frames_received_by_hub": received,
        "loop_lag_ms_p95": round(_p(probes.lag, 0.95), 1),
        "loop_lag_ms_max": round(max(probes.lag, default=0.0), 1),
        "api_ms_p95": round(_p(probes.api, 0.95), 1),
        "api_ms_p50": round(_p(probes.api, 0.5), 1),
        "api_calls": len(probes.api),
        "api_errors": probes.api_errors,
        "quiet_loop_lag_ms_p95": round(_p(quiet.lag, 0.95), 1),
        "quiet_api_ms_p95": round(_p(quiet.api, 0.95), 1),
    }


def _availability(hub: _Hub, probes: _Probes, after: _Probes) -> dict[str, Any]:
    """Real entities made unavailable during and after the flood (beyond those already so)."""
    down = len(hub.down_before)
    return {
        "real_entities": len(hub.entity_ids),
        "unavailable_before": down,
        "unavailable_max": max(0, probes.unavailable - down),
        "unavailable_after": max(0, after.unavailable - down),
        "unavailable_entities": sorted(probes.unavailable_names - set(hub.down_before))[:10],
    }


def _discovery_tables(controller: Any) -> Any:
    """The discovery's table sizes (None from code before these counters: it is benched too)."""
    tables_of = getattr(controller.discovery, "tables", None)
    return tables_of() if tables_of is not None else None


def _amplification(
    hub: _Hub, before: _Counters, during: _Counters, flood_info: dict[str, Any], tables: Any
) -> dict[str, Any]:
    """Nodes and frames the strangers cost: what the hub sent beyond its requests to nodes."""
    to_strangers = max(0, (during.sent - before.sent) - (during.requests - before.requests))
    return {
        "nodes_before": before.nodes,
        "nodes_after": len(hub.controller.nodes),
        "frames_to_strangers": to_strangers,
        "amplification": round(to_strangers / max(1, flood_info["sent"]), 5),
        "setups_refused": getattr(hub.controller.discovery, "refused_setups", None),
        "tables_after_flood": tables,
    }


def _memory(probes: _Probes, rss_before: float, rss_after: float) -> dict[str, Any]:
    """Memory before, at its peak during and after the flood, and the growth in per cent."""
    return {
        "rss_mb_before": round(rss_before, 1),
        "rss_mb_peak": round(max(probes.peak_rss, rss_before), 1),
        "rss_mb_after": round(rss_after, 1),
        "memory_growth_pct": round((rss_after - rss_before) / rss_before * 100, 1),
    }


def _verdict(result: dict[str, Any]) -> dict[str, Any]:
    """The goals and whether the figures meet them."""
    return {
        "goal": {"p95_ms": GOAL_P95_MS, "unavailable": 0, "memory_growth_pct": GOAL_MEMORY_PCT},
        "met": bool(
            result["loop_lag_ms_p95"] <= GOAL_P95_MS
            and result["api_ms_p95"] <= GOAL_P95_MS
            and result["unavailable_max"] == 0
            and result["memory_growth_pct"] <= GOAL_MEMORY_PCT
        ),
    }


async def _measure_hub(hub: _Hub, rate: float, count: int) -> dict[str, Any]:
    """Quiet spell, flood, settling spell: the figures of the three."""
    # Before: a quiet spell of polls, measured the same way.
    quiet = await _probe_for(hub, 10)
    gc.collect()
    before = _Counters.now(hub.controller)
    probes, flood_info = await _probe_flood(hub, rate, count)
    during = _Counters.now(hub.controller)
    tables = _discovery_tables(hub.controller)
    after = await _probe_for(hub, AFTER_SECONDS)
    gc.collect()
    received = during.received - before.received
    return (
        _responsiveness(flood_info, received, probes, quiet)
        | _availability(hub, probes, after)
        | _amplification(hub, before, during, flood_info, tables)
        | _memory(probes, before.rss_mb, _rss_mb())
    )


async def _measure(rate: float, count: int) -> dict[str, Any]:
    """The whole benchmark: the house, Home Assistant with the hub, the measured flood."""
    from simulator.house import House

    from .lan import hub_in_home_assistant

    house = House("house", base_address=HOUSE_BASE, tick_interval=0)
    await house.start(announce=False)
    async with hub_in_home_assistant(HUB_ADDRESS) as (hass, entry):
        result = await _measure_hub(await _hub_of(hass, entry), rate, count)
    await house.stop()
    return result | _verdict(result)


# --------------------------------------------------------------------------- running


def _isolated_command(args: list[str]) -> list[str]:
    """The command that runs ``args`` in a network namespace of its own (loopback up)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        raise RuntimeError("unshare (util-linux) is needed for the flood benchmark")
    flags = [] if os.geteuid() == 0 else ["--map-root-user"]
    script = 'ip link set lo up && exec "$@"'
    return [unshare, "--net", *flags, "--", "bash", "-c", script, "hems-flood", *args]


_ROOT = Path(__file__).resolve().parents[1]


async def run(quick: bool) -> dict[str, Any]:
    """``security.unknown_flood``: the flood in a fresh network namespace (a child process)."""
    rate, count = (1000.0, 10_000) if quick else (5000.0, 150_000)
    command = _isolated_command(
        [sys.executable, "-m", "bench.security", "--measure", str(rate), str(count)]
    )
    proc = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE, cwd=_ROOT)
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"the flood benchmark failed ({proc.returncode})")
    return {"security.unknown_flood": json.loads(out.decode().strip().splitlines()[-1])}


def main() -> int:
    """``--flood RATE COUNT`` (the flooding process) or ``--measure RATE COUNT``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--flood", nargs=2, metavar=("RATE", "COUNT"))
    group.add_argument("--measure", nargs=2, metavar=("RATE", "COUNT"))
    args = parser.parse_args()
    if args.flood:
        flood(float(args.flood[0]), int(args.flood[1]))
        return 0
    import logging

    logging.basicConfig(level=logging.ERROR)
    result = asyncio.run(_measure(float(args.measure[0]), int(args.measure[1])))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
