"""Wi-SUN B-route driver: USB dongles (SKSTACK IP A1/C0, J11) and the smart meter.

No Home Assistant imports; asyncio-native; typed.  Entry point: :class:`BRouteSession`.
"""

from __future__ import annotations

from .credentials import BRouteCredentials, InvalidCredentialsError
from .errors import (
    CommandFailedError,
    CredentialsRejectedError,
    DongleError,
    DongleNotRespondingError,
    DongleUnavailableError,
    JoinFailedError,
    MeterNotFoundError,
    MeterRejectedError,
    MeterTimeoutError,
    NotConnectedError,
    SendFailedError,
    SessionClosedError,
    TransmissionLimitedError,
    UnsupportedDongleError,
    WisunError,
)
from .models import (
    Dialect,
    DongleInfo,
    FixedTimeReading,
    HistoryDay,
    HistorySlot,
    MeterInfo,
    MeterReading,
    PanDescriptor,
    SessionState,
    Timing,
)
from .session import BRouteSession, SessionStats

__all__ = [
    "BRouteCredentials",
    "BRouteSession",
    "CommandFailedError",
    "CredentialsRejectedError",
    "Dialect",
    "DongleError",
    "DongleInfo",
    "DongleNotRespondingError",
    "DongleUnavailableError",
    "FixedTimeReading",
    "HistoryDay",
    "HistorySlot",
    "InvalidCredentialsError",
    "JoinFailedError",
    "MeterInfo",
    "MeterNotFoundError",
    "MeterReading",
    "MeterRejectedError",
    "MeterTimeoutError",
    "NotConnectedError",
    "PanDescriptor",
    "SendFailedError",
    "SessionClosedError",
    "SessionState",
    "SessionStats",
    "Timing",
    "TransmissionLimitedError",
    "UnsupportedDongleError",
    "WisunError",
]
