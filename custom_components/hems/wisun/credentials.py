"""B-route credentials: kept out of logs, reprs and exception messages."""

from __future__ import annotations

import logging
import string
from typing import Final
import weakref

REDACTED: Final = "***"

_ID_LENGTH: Final = 32
_PASSWORD_LENGTH: Final = 12
_ID_CHARS: Final = frozenset(string.ascii_letters + string.digits)
_PASSWORD_CHARS: Final = frozenset(string.ascii_letters + string.digits + string.punctuation)


class InvalidCredentialsError(ValueError):
    """The B-route ID or password is not well-formed (the message never shows the value)."""


class BRouteCredentials:
    """The B-route ID (32 alphanumeric characters) and password (12 characters).

    ``repr()`` and ``str()`` never show the values.  The values are reachable only through the
    :attr:`rbid` and :attr:`password` attributes, which the driver uses to talk to the dongle.
    """

    __slots__ = ("__weakref__", "_password", "_rbid")

    def __init__(self, rbid: str, password: str) -> None:
        rbid = rbid.strip()
        password = password.strip()
        if len(rbid) != _ID_LENGTH or not set(rbid) <= _ID_CHARS:
            raise InvalidCredentialsError(f"the B-route ID must be {_ID_LENGTH} letters or digits")
        if len(password) != _PASSWORD_LENGTH or not set(password) <= _PASSWORD_CHARS:
            raise InvalidCredentialsError(
                f"the B-route password must be {_PASSWORD_LENGTH} printable characters"
            )
        self._rbid = rbid
        self._password = password

    @property
    def rbid(self) -> str:
        """The B-route ID (secret: never log it)."""
        return self._rbid

    @property
    def password(self) -> str:
        """The B-route password (secret: never log it)."""
        return self._password

    @property
    def pairing_id(self) -> str:
        """The pairing ID the dongle derives from the ID (its last 8 characters)."""
        return self._rbid[-8:]

    def _secrets(self) -> tuple[str, ...]:
        plain = (self._rbid, self._password, self._rbid[-8:])
        # as they appear inside the repr() of bytes (quotes and backslashes escaped)
        escaped = tuple(repr(s.encode("ascii"))[2:-1] for s in plain)
        return plain + tuple(e for e in escaped if e not in plain)

    def redact(self, text: str) -> str:
        """``text`` with every occurrence of the ID, the password and the pairing ID masked."""
        for secret in self._secrets():
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def __repr__(self) -> str:
        return "BRouteCredentials(rbid=<redacted>, password=<redacted>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BRouteCredentials):
            return NotImplemented
        return self._rbid == other._rbid and self._password == other._password

    def __hash__(self) -> int:
        return hash((self._rbid, self._password))

    def __reduce__(self) -> tuple[type[BRouteCredentials], tuple[str, str]]:
        return (BRouteCredentials, (self._rbid, self._password))


#: Loggers that may print what goes over the serial port (serialx logs every byte it
#: writes and reads at DEBUG level).
WATCHED_LOGGERS: Final = (
    "serialx",
    "serialx.descriptor_transport",
    "serialx.async_serial",
    *(
        f"{__package__}{module}"
        for module in (
            "",
            ".connection",
            ".j11",
            ".j11_modem",
            ".modem",
            ".requests",
            ".serial_link",
            ".session",
            ".skstack",
        )
    ),
)


class _SecretFilter(logging.Filter):
    """Masks the secrets of every live :class:`BRouteCredentials` in log records."""

    def __init__(self) -> None:
        super().__init__("hems-wisun-secrets")
        # by identity: equal credentials are distinct objects with their own lifetimes
        self.credentials: weakref.WeakValueDictionary[int, BRouteCredentials] = (
            weakref.WeakValueDictionary()
        )

    def filter(self, record: logging.LogRecord) -> bool:
        creds = list(self.credentials.values())
        if not creds:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken record is not ours to fix
            return True
        redacted = message
        for credentials in creds:
            redacted = credentials.redact(redacted)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True


_FILTER: Final = _SecretFilter()


def protect_logs(credentials: BRouteCredentials) -> None:
    """Mask ``credentials`` in the records of :data:`WATCHED_LOGGERS` (while it is alive)."""
    _FILTER.credentials[id(credentials)] = credentials
    for name in WATCHED_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
