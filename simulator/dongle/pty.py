"""A pseudo-terminal that can be unplugged and plugged in again at a stable path."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
import logging
import os
import tty

_LOGGER = logging.getLogger(__name__)


class PtyPort:
    """The "USB" side of a virtual dongle.

    :meth:`plug` creates a new pty (the device a client opens is its slave side) and, when
    ``link`` is given, points the symlink ``link`` at it.  :meth:`unplug` closes the pty, so
    an open client gets EIO like with a real unplugged USB serial adapter, and removes the
    symlink.  Writes while unplugged are dropped.
    """

    def __init__(self, on_data: Callable[[bytes], None], link: str | None = None) -> None:
        self._on_data = on_data
        self.link = link
        self._master: int | None = None
        self._slave: int | None = None
        self._out = bytearray()
        self._writer_registered = False
        self.device: str | None = None

    @property
    def path(self) -> str | None:
        """What clients open: the link if any, else the pty device."""
        return self.link or self.device

    @property
    def plugged(self) -> bool:
        """True while the pty exists."""
        return self._master is not None

    def plug(self) -> str:
        """Create the pty (and the symlink); return :attr:`path`."""
        if self._master is not None:
            raise RuntimeError("already plugged")
        master, slave = os.openpty()
        tty.setraw(slave)
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        self.device = os.ttyname(slave)
        if self.link:
            tmp = f"{self.link}.{os.getpid()}.tmp"
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            os.symlink(self.device, tmp)
            os.replace(tmp, self.link)
        asyncio.get_running_loop().add_reader(master, self._read)
        _LOGGER.debug("virtual dongle plugged at %s (%s)", self.path, self.device)
        path = self.path
        assert path is not None
        return path

    def unplug(self) -> None:
        """Remove the device: the symlink disappears and open clients see EIO."""
        master, slave = self._master, self._slave
        self._master = self._slave = None
        self._out.clear()
        if self.link:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.link)
        if master is not None:
            loop = asyncio.get_running_loop()
            loop.remove_reader(master)
            if self._writer_registered:
                loop.remove_writer(master)
                self._writer_registered = False
            os.close(master)
        if slave is not None:
            os.close(slave)
        _LOGGER.debug("virtual dongle unplugged")

    def write(self, data: bytes) -> None:
        """Send bytes to the client (buffered; never blocks)."""
        if self._master is None or not data:
            return
        if self._out:
            self._out += data
            return
        try:
            written = os.write(self._master, data)
        except BlockingIOError:
            written = 0
        except OSError:
            return
        if written < len(data):
            self._out += data[written:]
            self._register_writer()

    def _register_writer(self) -> None:
        if not self._writer_registered and self._master is not None:
            asyncio.get_running_loop().add_writer(self._master, self._flush)
            self._writer_registered = True

    def _flush(self) -> None:
        if self._master is None:
            return
        try:
            written = os.write(self._master, self._out)
        except BlockingIOError:
            return
        except OSError:
            self._out.clear()
            written = 0
        del self._out[:written]
        if not self._out and self._writer_registered:
            asyncio.get_running_loop().remove_writer(self._master)
            self._writer_registered = False

    def _read(self) -> None:
        if self._master is None:
            return
        try:
            data = os.read(self._master, 65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            # EIO: no client has the slave open right now (we keep one, so rare)
            return
        if data:
            self._on_data(data)
