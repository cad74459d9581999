"""Virtual Wi-SUN B-route dongle: a pty that speaks A1 / C0 (SKSTACK IP) or J11, with a smart
meter (:class:`~simulator.meter_model.MeterModel` + :class:`MeterResponder`) behind it.

    dongle = VirtualDongle("c0", link="/tmp/hems-dongle", delay_scale=0.01)
    path = await dongle.start()
    dongle.faults.reject_auth = True       # switch faults at any time
    dongle.expire_session()                # EVENT 29 then 25
    await dongle.unplug(); await dongle.replug()
    await dongle.stop()
"""

from __future__ import annotations

from .core import (
    DEFAULT_PASSWORD,
    DEFAULT_RBID,
    DongleDialect,
    DongleStats,
    Faults,
    VirtualDongle,
    mac_to_ipv6,
)
from .responder import MeterResponder, ResponderStats, encode_property_map

__all__ = [
    "DEFAULT_PASSWORD",
    "DEFAULT_RBID",
    "DongleDialect",
    "DongleStats",
    "Faults",
    "MeterResponder",
    "ResponderStats",
    "VirtualDongle",
    "encode_property_map",
    "mac_to_ipv6",
]
