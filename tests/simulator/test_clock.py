"""The simulated clock: faster than real time, moved by hand, sleeping in simulated seconds."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from simulator.clock import JST, SimClock

START = datetime(2026, 7, 1, 23, 59, tzinfo=JST)


def test_speed_and_advance() -> None:
    """60x: a simulated minute per real second; advance jumps on; the speed must be positive."""
    clock = SimClock(speed=60, start=START.astimezone(datetime.now().astimezone().tzinfo))
    assert clock.now().tzinfo is JST  # given in any zone, kept in Japan time
    assert clock.real_seconds(60) == 1.0
    assert clock.real_seconds(3600) == 60.0
    before = clock.now()
    clock.advance(3600)
    assert clock.now() - before >= timedelta(hours=1)
    for speed in (0, -1):
        with pytest.raises(ValueError, match="positive"):
            SimClock(speed=speed)


async def test_sleep_lasts_simulated_seconds() -> None:
    """At a very high speed an hour of simulated sleep passes at once, and the clock moved."""
    clock = SimClock(speed=1e9, start=START)
    await clock.sleep(3600)
    assert clock.now() >= START + timedelta(minutes=59)  # (the timer resolution aside)
    await clock.sleep(-5)  # the past: no wait at all
