"""ECHONET Lite library: codec, definitions, transport and controller.

This package does not import Home Assistant; it is asyncio-native and typed.
"""

from __future__ import annotations

from .const import ECHONET_PORT, ESV, MULTICAST_GROUP_V4
from .errors import (
    AddressInUseError,
    DeviceRejectedError,
    EchonetError,
    FrameError,
    RequestTimeoutError,
    TransportError,
    UnknownNodeError,
    ValueCodecError,
)
from .frame import CONTROLLER, EOJ, NODE_PROFILE, Frame, Property, decode_frame, encode_frame

__all__ = [
    "CONTROLLER",
    "ECHONET_PORT",
    "EOJ",
    "ESV",
    "MULTICAST_GROUP_V4",
    "NODE_PROFILE",
    "AddressInUseError",
    "DeviceRejectedError",
    "EchonetError",
    "Frame",
    "FrameError",
    "Property",
    "RequestTimeoutError",
    "TransportError",
    "UnknownNodeError",
    "ValueCodecError",
    "decode_frame",
    "encode_frame",
]
