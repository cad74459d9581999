"""Fixtures: a virtual dongle on a real pty and fast driver timing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from custom_components.hems.wisun import BRouteCredentials, BRouteSession, SessionState, Timing
from simulator.clock import JST, SimClock
from simulator.dongle import DEFAULT_PASSWORD, DEFAULT_RBID, VirtualDongle

DIALECTS = ["a1", "c0", "c0-ascii", "j11"]

#: Radio delays of the virtual dongle in tests (1.0 is realistic).
DELAY_SCALE = 0.005

#: The driver's timers for tests: 2% of the guideline values, with a floor for commands so a
#: loaded machine does not fail them.
FAST = replace(
    Timing().scaled(0.02),
    probe_timeout=0.25,
    command_timeout=2.0,
    send_timeout=2.0,
    tx_event_timeout=0.2,
    scan_margin=1.0,
    join_timeout=3.0,
    response_timeout=0.25,
    ready_timeout=3.0,
    auth_retry_delays=(0.05, 0.1),
    rejoin_delays=(0.05,),
    scan_retry_delays=(0.1,),
    reopen_delays=(0.05, 0.1, 0.2),
    er10_delay=0.02,
)

START = datetime(2026, 5, 10, 13, 17, 0, tzinfo=JST)


def creds(rbid: str = DEFAULT_RBID, password: str = DEFAULT_PASSWORD) -> BRouteCredentials:
    """Credentials (the simulator's by default)."""
    return BRouteCredentials(rbid, password)


async def wait_state(session: BRouteSession, state: SessionState, limit: float = 5.0) -> None:
    """Wait until the session reaches ``state``."""
    if session.state is state:
        return
    reached = asyncio.Event()
    unsubscribe = session.on_state(lambda new: reached.set() if new is state else None)
    try:
        async with asyncio.timeout(limit):
            await reached.wait()
    finally:
        unsubscribe()


DongleFactory = Callable[..., Awaitable[VirtualDongle]]
SessionFactory = Callable[..., BRouteSession]


@pytest.fixture
def clock() -> SimClock:
    """A real-time clock starting at a fixed afternoon."""
    return SimClock(speed=1.0, start=START)


@pytest.fixture
async def make_dongle(tmp_path: Path, clock: SimClock) -> AsyncIterator[DongleFactory]:
    """Start virtual dongles (stopped at the end of the test)."""
    dongles: list[VirtualDongle] = []

    async def factory(dialect: str = "a1", **kwargs: Any) -> VirtualDongle:
        kwargs.setdefault("clock", clock)
        kwargs.setdefault("delay_scale", DELAY_SCALE)
        kwargs.setdefault("link", str(tmp_path / f"dongle-{len(dongles)}"))
        dongle = VirtualDongle(dialect, **kwargs)
        await dongle.start()
        dongles.append(dongle)
        return dongle

    yield factory
    for dongle in dongles:
        await dongle.stop()


@pytest.fixture
async def make_session() -> AsyncIterator[SessionFactory]:
    """Build sessions (closed at the end of the test)."""
    sessions: list[BRouteSession] = []

    def factory(
        path: str, credentials: BRouteCredentials | None = None, **kwargs: Any
    ) -> BRouteSession:
        kwargs.setdefault("timing", FAST)
        session = BRouteSession(path, credentials or creds(), **kwargs)
        sessions.append(session)
        return session

    yield factory
    for session in sessions:
        await session.close()


async def connected(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory, **dongle_kwargs: object
) -> tuple[VirtualDongle, BRouteSession]:
    """A dongle and a session connected to its meter, after a first reading."""
    dongle = await make_dongle(dialect, **dongle_kwargs)
    assert dongle.path is not None
    session = make_session(dongle.path)
    await session.connect()
    await session.read()
    return dongle, session
