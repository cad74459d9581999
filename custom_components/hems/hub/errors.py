"""The ECHONET Lite library's errors and their translation keys (see :mod:`..errors`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from ..echonet import (
    AddressInUseError,
    DeviceRejectedError,
    EchonetError,
    RequestTimeoutError,
    TransportError,
)
from ..errors import ErrorKey, ErrorTable


class Operation(StrEnum):
    """What the hub was doing when the library raised."""

    OPEN = "open"  # opening UDP 3610 (setup, config flow probe)
    POLL = "poll"  # a coordinator's poll
    GET = "get"  # the get_property action
    SET = "set"  # a command or the set_property action
    ENCODE = "encode"  # a value given by the user


_SET: Final = ("device", "property")

ECHONET_ERRORS: Final = ErrorTable[Operation](
    {
        Operation.OPEN: (
            ErrorKey(AddressInUseError, "port_in_use", ("address", "owner")),
            ErrorKey(TransportError, "cannot_open_interface", ("address", "error")),
        ),
        Operation.POLL: (ErrorKey(EchonetError, "device_not_answering", ("address", "error")),),
        Operation.GET: (
            ErrorKey(RequestTimeoutError, "get_timeout", ("address",)),
            ErrorKey(EchonetError, "get_failed", ("error",)),
        ),
        Operation.SET: (
            ErrorKey(DeviceRejectedError, "set_rejected", _SET),
            ErrorKey(RequestTimeoutError, "set_timeout", _SET),
            ErrorKey(EchonetError, "set_failed", (*_SET, "error")),
        ),
        Operation.ENCODE: (ErrorKey(EchonetError, "invalid_value", ("value", "error")),),
    }
)
