"""A bare serial client for protocol checks against the virtual dongle's pty."""

from __future__ import annotations

import asyncio

import serialx


class RawClient:
    """A bare serialx client for protocol checks."""

    def __init__(self, port: serialx.AsyncSerial) -> None:
        self.port = port
        self.buf = b""

    @classmethod
    async def open(cls, path: str) -> RawClient:
        port = serialx.async_serial_for_url(path, baudrate=115200)
        await port.open()
        return cls(port)

    async def send(self, data: bytes) -> None:
        await self.port.write(data)

    async def expect(self, needle: bytes, limit: float = 2.0) -> bytes:
        """Read until ``needle`` shows up; return everything up to and including it."""
        async with asyncio.timeout(limit):
            while needle not in self.buf:
                self.buf += await self.port.read(4096)
        idx = self.buf.index(needle) + len(needle)
        out, self.buf = self.buf[:idx], self.buf[idx:]
        return out

    async def quiet(self, seconds: float = 0.2) -> bytes:
        """Whatever arrives within ``seconds``."""
        try:
            async with asyncio.timeout(seconds):
                while True:
                    self.buf += await self.port.read(4096)
        except TimeoutError:
            pass
        out, self.buf = self.buf, b""
        return out

    async def close(self) -> None:
        await self.port.close()
