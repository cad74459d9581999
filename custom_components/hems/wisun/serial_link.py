"""The serial port, through serialx (asyncio, non-blocking)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import logging
from typing import Final

import serialx

from .errors import DongleError

_LOGGER = logging.getLogger(__name__)

BAUDRATE: Final = 115200


class SerialLink(asyncio.Protocol):
    """One open serial port.  ``on_data`` gets every chunk read; ``on_lost`` is called once
    when the port goes away (unplugged) or is closed."""

    def __init__(
        self,
        path: str,
        on_data: Callable[[bytes], None],
        on_lost: Callable[[Exception | None], None],
    ) -> None:
        self.path = path
        self._on_data = on_data
        self._on_lost = on_lost
        self._transport: asyncio.WriteTransport | None = None
        self._closed = asyncio.get_running_loop().create_future()

    async def open(self) -> None:
        """Open the port (115200 8N1).  Raises :class:`DongleError`."""
        loop = asyncio.get_running_loop()
        try:
            transport, _ = await serialx.create_serial_connection(
                loop, lambda: self, self.path, baudrate=BAUDRATE
            )
        except (OSError, serialx.SerialException) as err:
            raise DongleError(f"cannot open {self.path}: {err.__class__.__name__}") from err
        self._transport = transport

    @property
    def is_open(self) -> bool:
        """True until the port is lost or closed."""
        return self._transport is not None and not self._transport.is_closing()

    def write(self, data: bytes) -> None:
        """Queue ``data`` for the port.  Raises :class:`DongleError` when it is gone."""
        if self._transport is None or self._transport.is_closing():
            raise DongleError("the dongle's port is closed")
        self._transport.write(data)

    async def close(self) -> None:
        """Close the port and wait until it is closed."""
        transport = self._transport
        if transport is None:
            return
        if not transport.is_closing():
            transport.close()
        try:
            await asyncio.wait_for(asyncio.shield(self._closed), 5)
        except TimeoutError:
            _LOGGER.debug("%s did not report its close in time", self.path)

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        pass

    def data_received(self, data: bytes) -> None:
        self._on_data(data)

    def connection_lost(self, exc: Exception | None) -> None:
        # serialx calls this exactly once per transport (its dispatch is idempotent)
        self._closed.set_result(None)
        self._on_lost(exc)
