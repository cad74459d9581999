"""What the ECHONET benchmarks share: the quiet house and the clients set up on it.

``bench/echonet.py`` (one full refresh) and ``bench/polling.py`` (ten minutes of steady
polling) measure hems against pychonet on the same virtual house: the house without quirks,
our controller after discovery, and pychonet after its own discovery and property maps (the
way its Home Assistant integration starts), counting the frames it sends.  ``bench/push.py``
and ``bench/security.py`` run the integration itself: the hub entry in a real Home Assistant
core (the harness the tests use).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
import tempfile
from typing import Any

from custom_components.hems.echonet.controller import Controller
from custom_components.hems.echonet.frame import EOJ
from simulator.device import SimObject
from simulator.house import House

#: pychonet's Home Assistant integration asks for this many EPCs in one Get (its
#: MAX_UPDATE_BATCH_SIZE).
PYCHONET_BATCH = 10

#: Per host, the objects and the EPCs a client reads from each.
Work = dict[str, list[tuple[EOJ, list[int]]]]


def quiet_house(**kwargs: Any) -> House:
    """The virtual house with every device's quirks off, so both clients see well-behaved ones."""
    house = House(tick_interval=0, **kwargs)
    for node in house.nodes.values():
        node.quirks.reset()
    return house


@asynccontextmanager
async def discovered_controller(house: House) -> AsyncIterator[Controller]:
    """Our controller on loopback once it has found every object of ``house``."""
    controller = Controller("127.0.0.1", timeout=2.0, discovery_interval=3600)
    await controller.start(discover=False)
    try:
        await controller.async_discover(wait=1.0)
        objects = sum(len(n.objects) for n in controller.nodes.values())
        expected = sum(len(n.objects) for n in house.nodes.values())
        assert objects == expected, f"hems found {objects} of {expected} objects"
        yield controller
    finally:
        await controller.stop()


class Pychonet:
    """pychonet's client on loopback, counting the frames it sends."""

    def __init__(self) -> None:
        from pychonet import ECHONETAPIClient
        from pychonet.lib.udpserver import UDPServer

        self._loop = asyncio.get_running_loop()
        self.server = UDPServer(local_ip="127.0.0.1")
        self.server.run("127.0.0.1", 3610, loop=self._loop)
        self.api = ECHONETAPIClient(self.server)
        self.api.configure(message_timeout=30, logger=lambda *_a, **_k: None)  # 3 s, as ours
        self.sent = 0
        original_send = self.server.send

        def counting_send(data: bytes, addr: tuple[str, int]) -> None:
            self.sent += 1
            original_send(data, addr)

        self.server.send = counting_send

    async def discover(self, house: House, epcs: Callable[[SimObject], list[int]]) -> Work:
        """Discovery and property maps as pychonet does them; ``epcs`` picks what to read."""
        work: Work = {}
        for node in house.nodes.values():
            await self.api.discover(node.address)
            for eoj, obj in node.objects.items():
                await self.api.getAllPropertyMaps(node.address, eoj.group, eoj.code, eoj.instance)
                work.setdefault(node.address, []).append((eoj, epcs(obj)))
        return work

    async def read_host(self, host: str, items: list[tuple[EOJ, list[int]]]) -> bool:
        """``EchonetInstance.update()`` minus its decoding, in batches of ``PYCHONET_BATCH``, as
        the integration sends them: one host's requests wait for each other in pychonet.
        True when every Get was answered."""
        from pychonet.lib.const import GET

        answered = True
        for eoj, flags in items:
            for i in range(0, len(flags), PYCHONET_BATCH):
                opc = [{"EPC": e} for e in flags[i : i + PYCHONET_BATCH]]
                ok = await self.api.echonetMessage(
                    host, eoj.group, eoj.code, eoj.instance, GET, opc
                )
                answered = answered and bool(ok)
        return answered

    async def close(self) -> None:
        """Close the socket for good.

        pychonet's UDPServer.close() leaves its reader registered on the socket's file
        descriptor; the next socket that gets the same number (a simulated node of the next
        benchmark) would have its datagrams swallowed.  Unregister it first.
        """
        fd = self.server._sock.fileno()
        self._loop.remove_reader(fd)
        self._loop.remove_writer(fd)
        self.server.close()
        await asyncio.sleep(0.05)


@asynccontextmanager
async def pychonet_client() -> AsyncIterator[Pychonet]:
    """A :class:`Pychonet` client, closed properly at the end."""
    client = Pychonet()
    try:
        yield client
    finally:
        await client.close()


@asynccontextmanager
async def hub_in_home_assistant(address: str = "127.0.0.1") -> AsyncIterator[tuple[Any, Any]]:
    """Home Assistant (the tests' harness, in a folder of its own) with the ECHONET hub entry
    set up on loopback at ``address``: ``(hass, entry)``; unloaded and stopped at the end."""
    from homeassistant import loader
    from pytest_homeassistant_custom_component.common import (
        MockConfigEntry,
        async_test_home_assistant,
    )

    from custom_components.hems.const import (
        CONF_ADDRESS,
        CONF_HOSTS,
        CONF_INTERFACE,
        CONF_KIND,
        DOMAIN,
        KIND_ECHONET,
    )

    with tempfile.TemporaryDirectory() as config_dir:
        await asyncio.to_thread(Path(config_dir, "custom_components").mkdir)
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
            entry = MockConfigEntry(
                domain=DOMAIN,
                unique_id=f"{KIND_ECHONET}_lo",
                data={
                    CONF_KIND: KIND_ECHONET,
                    CONF_INTERFACE: "lo",
                    CONF_ADDRESS: address,
                    CONF_HOSTS: [],
                },
            )
            entry.add_to_hass(hass)
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
            try:
                yield hass, entry
            finally:
                await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_block_till_done()
            await hass.async_stop(force=True)
