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
        self._on_closed: Callable[[], None] | None = None
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

    def watch_close(self, on_closed: Callable[[], None]) -> None:
        """Call ``on_closed()`` once, when every client has closed the port (the next open
        comes after it).  Until then the port lets go of its own hold on the pty: the
        kernel then tells the master side when the last client closes it (EIO)."""
        if self._master is None or self._on_closed is not None:
            return
        self._on_closed = on_closed
        if self._slave is not None:
            os.close(self._slave)
            self._slave = None

    def _closed_by_clients(self) -> None:
        """Hold the pty again (the port stays usable) and report the close."""
        callback, self._on_closed = self._on_closed, None
        assert callback is not None and self.device is not None
        self._slave = os.open(self.device, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self._slave)
        callback()

    def unplug(self) -> None:
        """Remove the device: the symlink disappears and open clients see EIO."""
        master, slave = self._master, self._slave
        self._master = self._slave = None
        self._on_closed = None
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

    @property
    def pending(self) -> int:
        """Bytes written but not yet taken by the client (it reads slower than we write)."""
        return len(self._out)

    def write(self, data: bytes) -> None:
        """Send bytes to the client (buffered; never blocks)."""
        if self._master is None or not data:
            return
        self._out += data
        if not self._writer_registered:
            self._flush()

    def _flush(self) -> None:
        """Write what is pending; wait for the pty to be writable again when it is full."""
        master = self._master
        assert master is not None  # unplugging removes the writer
        try:
            written = os.write(master, self._out)
        except BlockingIOError:
            written = 0
        except OSError:  # pragma: no cover - EIO only without a slave fd; the port holds one
            self._out.clear()
            written = 0
        del self._out[:written]
        loop = asyncio.get_running_loop()
        if self._out and not self._writer_registered:
            loop.add_writer(master, self._flush)
            self._writer_registered = True
        elif not self._out and self._writer_registered:
            loop.remove_writer(master)
            self._writer_registered = False

    def _read(self) -> None:
        master = self._master
        assert master is not None  # unplugging removes the reader
        try:
            data = os.read(master, 65536)
        except BlockingIOError:  # pragma: no cover - woken without data
            return
        except OSError:  # EIO: no client holds the port, and neither do we (watch_close)
            if self._on_closed is not None:
                self._closed_by_clients()
            return
        self._on_data(data)
