"""ECHONET Lite benchmarks: hems against pychonet on the same simulated house.

* ``echonet.frames_per_refresh`` / ``echonet.refresh_seconds``: one full refresh of every
  readable property of every object of the house (after discovery, which is not counted).
  pychonet is driven the way its Home Assistant integration (echonetlite_homeassistant)
  drives it: ``EchonetInstance.update()`` in batches of 10 EPCs (its MAX_UPDATE_BATCH_SIZE),
  the instances of all nodes concurrently.  hems refreshes every node concurrently with its
  adaptive batching.  The house runs without quirks so that both see well-behaved devices.
* ``codec.decode_per_s``: frames decoded per second (the house's real traffic), steady state
  (layouts learned) and cold (learning them on every pass).
* ``echonet.scale_200_nodes_seconds``: discovery plus the first full read of 200 nodes.
* ``definitions.decode_per_s``: property values decoded per second (an air conditioner's set
  temperature; a smart meter's power with its coefficient and unit).
* ``definitions.import_seconds``: importing the device definitions in a fresh interpreter
  (the data is read on first use, not at import; tests/echonet checks that, this the time).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
import subprocess
import sys
import tempfile
import time
from typing import Any

from custom_components.hems.echonet.controller import Controller
from custom_components.hems.echonet.frame import EOJ, decode_frame
from custom_components.hems.echonet.node import STATIC_EPCS
from simulator.device import SimObject
from simulator.house import House

from .lan import discovered_controller, pychonet_client, quiet_house

BASE = "127.0.100.10"


async def _hems_refresh(house: House) -> dict[str, float]:
    async with discovered_controller(house) as controller:
        objects = sum(len(n.objects) for n in controller.nodes.values())
        sent = controller.transport.frames_sent
        start = time.perf_counter()
        await asyncio.gather(*(controller.refresh_node(n) for n in controller.nodes.values()))
        seconds = time.perf_counter() - start
        frames = controller.transport.frames_sent - sent
        epcs = sum(len(o.pollable_epcs) for o in controller.objects())
    return {"frames": frames, "seconds": seconds, "epcs": epcs, "objects": objects}


def _refreshed_epcs(obj: SimObject) -> list[int]:
    """The same properties hems refreshes: readable ones, maps and identity aside."""
    return sorted(e for e in obj.get_map if e not in STATIC_EPCS)


async def _pychonet_refresh(house: House) -> dict[str, float]:
    async with pychonet_client() as client:
        # Discovery and property maps as pychonet does them (not counted).
        work = await client.discover(house, _refreshed_epcs)
        epcs = sum(len(f) for items in work.values() for _e, f in items)

        async def refresh_host(host: str, items: list[tuple[EOJ, list[int]]]) -> None:
            assert await client.read_host(host, items), f"pychonet got no answer from {host}"

        before = client.sent
        start = time.perf_counter()
        await asyncio.gather(*(refresh_host(h, items) for h, items in work.items()))
        seconds = time.perf_counter() - start
        frames = client.sent - before
    return {
        "frames": frames,
        "seconds": seconds,
        "epcs": epcs,
        "objects": sum(len(i) for i in work.values()),
    }


async def refresh_benchmark() -> dict[str, Any]:
    """Frames and seconds for one full refresh of the house, hems and pychonet."""
    house = quiet_house(base_address=BASE)
    await house.start(announce=False)
    try:
        hems = await _hems_refresh(house)
        pychonet = await _pychonet_refresh(house)
    finally:
        await house.stop()
    return {
        "echonet.frames_per_refresh": {
            "hems": hems["frames"],
            "pychonet": pychonet["frames"],
            "ratio": round(hems["frames"] / pychonet["frames"], 3),
            "objects": hems["objects"],
            "properties": {"hems": hems["epcs"], "pychonet": pychonet["epcs"]},
        },
        "echonet.refresh_seconds": {
            "hems": round(hems["seconds"], 4),
            "pychonet": round(pychonet["seconds"], 4),
            "ratio": round(hems["seconds"] / pychonet["seconds"], 4),
        },
    }


async def capture_traffic() -> list[bytes]:
    """Every frame our controller receives while it discovers the house, refreshes it once
    and follows it for ten simulated minutes (INF pushes included): a real traffic mix."""
    house = quiet_house(base_address=BASE, speed=60)
    await house.start(announce=False)
    frames: list[bytes] = []
    controller = Controller("127.0.0.1", timeout=2.0, discovery_interval=3600)
    receive = controller.transport.datagram_received

    def tap(data: bytes, addr: tuple[str, int]) -> None:
        frames.append(bytes(data))
        receive(data, addr)

    controller.transport.datagram_received = tap  # type: ignore[method-assign]
    await controller.start(discover=False)
    try:
        await controller.async_discover(wait=1.0)
        await asyncio.gather(*(controller.refresh_node(n) for n in controller.nodes.values()))
        for _ in range(10):
            house.step(60)
            # Devices change state: an AC turned on, lights, the battery mode...
            house.obj("living-ac").update({0xB3: bytes((20 + _ % 6,))})
            house.obj("lighting").update({0x80: b"\x30" if _ % 2 else b"\x31"})
            await asyncio.sleep(0.01)
    finally:
        await controller.stop()
        await house.stop()
    return frames


def decode_benchmark(corpus: list[bytes], seconds: float = 3.0) -> dict[str, Any]:
    """Frames decoded per second by each codec on the same real traffic.

    ``hems`` is the steady state of a running controller: the layouts of the house's answers
    are learned (after their second sighting), as they are after two polls.  ``hems_cold``
    empties the learned layouts before every pass through the corpus, so each pass pays for
    learning them again.  The decoders run in alternating rounds (ABCABC...) so that load on
    the machine affects them alike; the ratios are taken over the whole run.
    """
    from pychonet.lib.functions import decodeEchonetMsg

    from custom_components.hems.echonet import frame as frame_module

    # Same answers from both decoders on the whole corpus (checked, not assumed), cold and warm.
    frame_module._LAYOUTS.clear()
    for _ in range(3):
        for frame in corpus:
            ours = decode_frame(frame)
            theirs = decodeEchonetMsg(frame)
            assert [(p["EPC"], bytes(p["EDT"])) for p in theirs["OPC"]] == list(ours.props)

    learned = dict(frame_module._LAYOUTS)
    spent = {"hems": 0.0, "hems_cold": 0.0, "pychonet": 0.0}
    count = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for name, fn in (
            ("hems", decode_frame),
            ("hems_cold", decode_frame),
            ("pychonet", decodeEchonetMsg),
        ):
            frame_module._LAYOUTS.clear()
            if name == "hems":
                frame_module._LAYOUTS.update(learned)
            start = time.perf_counter()
            for frame in corpus:
                fn(frame)
            spent[name] += time.perf_counter() - start
        count += len(corpus)
    rates = {name: count / value for name, value in spent.items()}
    sizes = sorted(len(f) for f in corpus)
    return {
        "codec.decode_per_s": {
            "hems": round(rates["hems"]),
            "pychonet": round(rates["pychonet"]),
            "ratio": round(rates["hems"] / rates["pychonet"], 2),
            "hems_cold": round(rates["hems_cold"]),
            "ratio_cold": round(rates["hems_cold"] / rates["pychonet"], 2),
            "corpus_frames": len(corpus),
            "layouts": sum(1 for v in learned.values() if v),
            "median_frame_bytes": sizes[len(sizes) // 2],
        }
    }


def value_decode_benchmark(number: int = 20000) -> dict[str, Any]:
    """Property values decoded per second, plain and with related properties."""
    import timeit

    from custom_components.hems.echonet.definitions import get_class

    aircon, meter = get_class(0x0130), get_class(0x0288)
    assert aircon is not None and meter is not None
    b3, e0 = aircon.properties[0xB3], meter.properties[0xE0]
    related = {0xD3: b"\x00\x00\x00\x01", 0xE1: b"\x01"}
    plain = number / timeit.timeit(lambda: b3.decode(b"\x1a"), number=number)
    scaled = number / timeit.timeit(lambda: e0.decode(b"\x00\x00\x30\x39", related), number=number)
    return {
        "definitions.decode_per_s": {
            "plain": round(plain),
            "with_coefficient": round(scaled),
            "goal_plain": 100_000,
            "goal_with_coefficient": 30_000,
        }
    }


def import_benchmark(runs: int = 3) -> dict[str, Any]:
    """Seconds to import the definitions in a fresh interpreter (best of ``runs``).

    The library is imported on its own (linked as a top-level ``echonet`` package), so the
    figure is the library's, not Home Assistant's that the integration package imports.
    """
    code = (
        "import time; t = time.perf_counter();"
        "import echonet.definitions;"
        "print(time.perf_counter() - t)"
    )
    library = Path(__file__).resolve().parents[1] / "custom_components" / "hems" / "echonet"
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "echonet").symlink_to(library, target_is_directory=True)
        times = [
            float(
                subprocess.run(
                    [sys.executable, "-c", code],
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=folder,
                ).stdout
            )
            for _ in range(runs)
        ]
    return {"definitions.import_seconds": {"hems": round(min(times), 4), "goal": 1.0}}


async def scale_benchmark(count: int = 200) -> dict[str, Any]:
    """Discovery and first full read of ``count`` nodes."""
    house = House("scale", count=count, base_address="127.0.101.10", tick_interval=0)
    await house.start(announce=False)
    # A hub takes at most 64 nodes unless the user raises its "most devices" option: the
    # library's capacity is measured with the limit raised to the house's size.
    controller = Controller("127.0.0.1", timeout=2.0, discovery_interval=3600, max_nodes=count)
    try:
        start = time.perf_counter()
        await controller.start()  # discovery as in production: multicast, repeated at start
        while True:
            await asyncio.sleep(0.01)
            ready = sum(
                1 for n in controller.nodes.values() if all(o.ready for o in n.objects.values())
            )
            if ready >= count and not controller.discovery.setting_up:
                break
            if time.perf_counter() - start > 60:
                break
        seconds = time.perf_counter() - start
        found = len(controller.nodes)
        frames = controller.transport.frames_sent
    finally:
        await controller.stop()
        await house.stop()
    return {
        "echonet.scale_200_nodes_seconds": {
            "hems": round(seconds, 3),
            "nodes_found": found,
            "frames": frames,
            "goal": 5.0,
        }
    }
