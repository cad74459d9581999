"""Run an independent ECHONET Lite node with `uecho` (PyPI): an air conditioner, a light and a
smart meter.  Used by the interop tests as a third-party peer.

    python -m tests.peers.uecho_node ADDRESS [--loopback]

``--loopback`` adapts uecho to share loopback with our controller: uecho's multicast socket
normally binds 0.0.0.0:3610, which would take port 3610 of every loopback address; here it
binds the group address instead and joins it on 127.0.0.1.  The protocol handling is uecho's
own in both modes.  uecho's LocalNode.start() ignores the addresses it is given and binds every
interface, so its manager is started with the one address explicitly (never a real network).
Prints "ready" when serving; stops when stdin closes.
"""

from __future__ import annotations

import socket
import sys

import uecho
from uecho.frame.multicast_server import MulticastServer
from uecho.frame.server import Server


def _bind_group(self: MulticastServer, ifaddr: str) -> bool:
    if not Server.bind(self, ifaddr):
        return False
    self.sock = self.create_udp_socket()
    self.sock.bind((MulticastServer.ADDRESS, self.port))
    mreq = socket.inet_aton(MulticastServer.ADDRESS) + socket.inet_aton("127.0.0.1")
    self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    return True


class Handler(uecho.ObjectRequestHandler):  # type: ignore[misc]
    """Accept reads; accept writes of valid one-byte operation states and temperatures."""

    def property_read_requested(self, prop: uecho.Property) -> bool:
        return True

    def property_write_requested(self, prop: uecho.Property, data: bytes) -> bool:
        if prop.code == 0x80 and data not in (b"\x30", b"\x31"):
            return False
        if prop.code == 0xB3 and not 16 <= data[0] <= 30:
            return False
        prop.data = data
        print(f"write {prop.code:02X} {data.hex()}", flush=True)
        return True


def _readable(device: uecho.Device, code: int, data: bytes) -> None:
    prop = device.get_property(code)
    if prop is None:
        prop = uecho.Property(code, data)
        device.add_property(prop)
    prop.set_attribute(uecho.Property.GET, uecho.Property.REQUIRED)
    device.set_property_data(code, data)
    device._update_property_map_properties()


def build_node() -> uecho.LocalNode:
    node = uecho.LocalNode()
    handler = Handler()
    ac = uecho.Device(0x013001)
    for code, data in {
        0x80: b"\x31",
        0xB0: b"\x42",
        0xB3: bytes((26,)),
        0xBB: bytes((24,)),
    }.items():
        ac.set_property_data(code, data)
    light = uecho.Device(0x029001)
    light.set_property_data(0x80, b"\x30")
    meter = uecho.Device(0x028801)
    # uecho 1.0.3 drops EPCs 0xC0-0xFF from bitmap-form property maps (it masks the bit with
    # 0x0F), so keep the meter's Get map under 16 properties: the list form is exact.
    keep = {0x80, 0x82, 0x83, 0x88, 0x8A, 0x9D, 0x9E, 0x9F}
    for prop in meter.properties:
        if prop.code not in keep:
            prop.set_attribute(uecho.Property.GET, uecho.Property.PROHIBITED)
    _readable(meter, 0xD3, (1).to_bytes(4, "big"))
    _readable(meter, 0xE1, b"\x01")
    _readable(meter, 0xE0, (123456).to_bytes(4, "big"))
    _readable(meter, 0xE7, (1234).to_bytes(4, "big", signed=True))
    for device in (ac, light, meter):
        device.set_property_data(0x8A, b"\x00\x00\x0b")
        device.set_request_handler(handler)
        node.add_object(device)
    return node


def main() -> int:
    address = sys.argv[1]
    if "--loopback" in sys.argv:
        MulticastServer.bind = _bind_group
    node = build_node()
    manager = node._LocalNode__manager
    if not manager.start([address]):
        print("cannot start", flush=True)
        return 1
    node.set_address((manager.ifaddr, manager.port))
    manager.add_observer(node)
    print("ready", flush=True)
    try:
        sys.stdin.read()
    finally:
        node.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
