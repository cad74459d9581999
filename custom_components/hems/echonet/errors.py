"""Errors raised by the ECHONET Lite library."""

from __future__ import annotations


class EchonetError(Exception):
    """Base class of every error this library raises."""


class FrameError(EchonetError):
    """Bytes that are not a valid ECHONET Lite frame (or values that cannot be encoded)."""


class ValueCodecError(EchonetError):
    """A property value that cannot be encoded for the device."""


class TransportError(EchonetError):
    """The UDP endpoint could not be opened or used."""


class AddressInUseError(TransportError):
    """UDP port 3610 is already bound on the chosen address."""


class RequestTimeoutError(EchonetError):
    """A device did not answer a request in time (after the retries)."""

    def __init__(self, message: str, *, missing: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        self.missing = missing


class DeviceRejectedError(EchonetError):
    """A device refused a request (an SNA answer)."""

    def __init__(self, message: str, *, rejected: dict[int, bytes] | None = None) -> None:
        super().__init__(message)
        self.rejected = rejected or {}


class UnknownNodeError(EchonetError):
    """No node or object with that identity is known."""
