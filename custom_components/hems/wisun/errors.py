"""Errors raised by the Wi-SUN B-route driver.

Messages never contain the B-route ID or password.
"""

from __future__ import annotations

from ..echonet.errors import DeviceRejectedError, RequestTimeoutError


class WisunError(Exception):
    """Base class of every error the Wi-SUN driver raises."""


class DongleError(WisunError):
    """The serial dongle cannot be opened, disappeared, or does not answer."""


class UnsupportedDongleError(DongleError):
    """Something answers on the port, but it is no dongle this driver knows."""


class CommandFailedError(WisunError):
    """The module answered a command with ``FAIL ERxx`` (or a J11 error result)."""

    def __init__(self, command: str, code: str) -> None:
        super().__init__(f"{command} failed: {code}")
        self.command = command
        self.code = code


class MeterNotFoundError(WisunError):
    """No smart meter answered the active scans (check the B-route ID and the dongle's place)."""


class JoinFailedError(WisunError):
    """The PANA session could not be established this time (retrying later may work)."""

    def __init__(self, message: str, *, auth_rejected: bool) -> None:
        super().__init__(message)
        self.auth_rejected = auth_rejected


class CredentialsRejectedError(WisunError):
    """The meter repeatedly refused the B-route ID / password; the driver stopped retrying.

    This is terminal for the session: retrying could get the account locked by the
    distribution company.  Ask the user for new credentials (re-authentication) and build a new
    session with them.
    """


class NotConnectedError(WisunError):
    """The session is not (or no longer) connected to the meter."""


class DongleUnavailableError(NotConnectedError, DongleError):
    """The dongle is unplugged or its port cannot be opened; the session keeps trying."""


class DongleNotRespondingError(NotConnectedError, DongleError):
    """The dongle's port is open but the dongle answers nothing (its firmware hangs); the
    session reopens the port and probes it again with backoff."""


class TransmissionLimitedError(NotConnectedError):
    """The module reported the ARIB transmission-time limit (EVENT 32) and has not released it."""


class SendFailedError(WisunError):
    """A frame could not be handed to the radio (FAIL ER10 or a failed transmission)."""


class MeterTimeoutError(WisunError, RequestTimeoutError):
    """The meter did not answer a request in time (after the retries)."""


class MeterRejectedError(WisunError, DeviceRejectedError):
    """The meter refused a request (an SNA answer)."""


class SessionClosedError(NotConnectedError):
    """The session was closed by its owner."""
