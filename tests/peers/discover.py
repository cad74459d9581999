"""Discover nodes by multicast from ADDRESS and print them as JSON (used inside namespaces).

python -m tests.peers.discover ADDRESS
"""

from __future__ import annotations

import asyncio
import json
import sys

from custom_components.hems.echonet import EOJ
from custom_components.hems.echonet.controller import Controller


async def main(address: str) -> None:
    controller = Controller(address, timeout=1.0, discovery_interval=3600)
    await controller.start(discover=False)
    try:
        nodes = await controller.async_discover(wait=2.0)
        out = []
        for node in nodes:
            entry = {
                "address": node.address,
                "uid": node.uid,
                "objects": [str(e) for e in node.objects],
            }
            light = node.objects.get(EOJ(0x02, 0x90, 0x01))
            if light is not None:
                await controller.set(light, {0x80: b"\x31"})
                entry["light_after_set"] = light.values[0x80].hex()
            out.append(entry)
        print(json.dumps(out))
    finally:
        await controller.stop()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
