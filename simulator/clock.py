"""Simulated time: a wall clock that can run faster than real time."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
import time
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


class SimClock:
    """Simulated clock.

    ``speed`` is the time acceleration: 60 means one simulated minute per real second.  The
    simulated time starts at ``start`` (default: now, in Japan time) and advances with the
    real monotonic clock multiplied by ``speed``.  Tests can also move it by hand with
    :meth:`advance`.
    """

    def __init__(self, speed: float = 1.0, start: datetime | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._start = (start or datetime.now(JST)).astimezone(JST)
        self._t0 = time.monotonic()
        self._offset = 0.0

    def now(self) -> datetime:
        """Current simulated time (aware, Asia/Tokyo)."""
        elapsed = (time.monotonic() - self._t0) * self.speed + self._offset
        return self._start + timedelta(seconds=elapsed)

    def advance(self, seconds: float) -> None:
        """Jump the simulated clock forward."""
        self._offset += seconds

    def real_seconds(self, sim_seconds: float) -> float:
        """How long ``sim_seconds`` of simulated time takes in real time."""
        return sim_seconds / self.speed

    async def sleep(self, sim_seconds: float) -> None:
        """Sleep for ``sim_seconds`` of simulated time."""
        await asyncio.sleep(max(0.0, sim_seconds / self.speed))
