"""The Wi-SUN library's errors and their translation keys (see :mod:`..errors`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from homeassistant.exceptions import ConfigEntryAuthFailed

from ..errors import ErrorKey, ErrorTable
from ..wisun import (
    CredentialsRejectedError,
    DongleError,
    DongleNotRespondingError,
    DongleUnavailableError,
    JoinFailedError,
    MeterNotFoundError,
    MeterTimeoutError,
    NotConnectedError,
    UnsupportedDongleError,
    WisunError,
)


class Operation(StrEnum):
    """What the meter entry was doing when the driver raised."""

    CONNECT = "connect"  # the first connection at setup
    READ = "read"  # a poll
    PROBE = "probe"  # the connection test of a config flow (form errors)


#: Rejected credentials need new ones from the user, whatever the operation.
_REJECTED: Final = ErrorKey(
    CredentialsRejectedError, "broute_auth_failed", raise_as=ConfigEntryAuthFailed
)

#: The dongle's port is open but it answers nothing (the session reopens it).
_NOT_RESPONDING: Final = ErrorKey(
    DongleNotRespondingError, "broute_dongle_not_responding", ("port",)
)

WISUN_ERRORS: Final = ErrorTable[Operation](
    {
        Operation.CONNECT: (
            _REJECTED,
            ErrorKey(UnsupportedDongleError, "broute_not_a_dongle", ("port",)),
            _NOT_RESPONDING,
            ErrorKey(DongleError, "broute_dongle_missing", ("port",)),
            ErrorKey(TimeoutError, "broute_connect_timeout"),
            ErrorKey(WisunError, "broute_meter_unreachable", ("error",)),
        ),
        Operation.READ: (
            _REJECTED,
            ErrorKey(DongleUnavailableError, "broute_dongle_missing", ("port",)),
            _NOT_RESPONDING,
            ErrorKey(MeterTimeoutError, "broute_meter_timeout"),
            ErrorKey(NotConnectedError, "broute_not_connected", ("state",)),
            ErrorKey(WisunError, "broute_read_failed", ("error",)),
        ),
        Operation.PROBE: (
            ErrorKey(CredentialsRejectedError, "invalid_auth"),
            ErrorKey(UnsupportedDongleError, "not_a_dongle"),
            ErrorKey(DongleError, "dongle_missing"),
            ErrorKey(MeterNotFoundError, "meter_not_found"),
            ErrorKey(JoinFailedError, "no_response"),
            ErrorKey(TimeoutError, "timeout"),
            ErrorKey(WisunError, "cannot_read"),
            ErrorKey(Exception, "unknown"),
        ),
    }
)
