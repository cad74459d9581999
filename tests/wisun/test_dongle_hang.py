"""A dongle whose firmware hangs (the port stays open, the dongle answers nothing): the session
takes it for hung after ``Timing.hang_timeouts`` timeouts in a row without a byte from it,
closes and reopens the port, probes the dongle and rejoins the cached PAN; a dongle that stays
dead is retried with backoff.  A meter out of reach (the dongle answers) is no hung dongle.
Virtual dongles on a real pty."""

from __future__ import annotations

from dataclasses import replace
import logging

import pytest

from custom_components.hems.wisun import (
    BRouteSession,
    DongleError,
    DongleNotRespondingError,
    MeterTimeoutError,
    SessionState,
)
from simulator.dongle import VirtualDongle

from ..waiting import wait_for
from .conftest import FAST, DongleFactory, SessionFactory, wait_state

#: Short command timeouts: every try against the hung dongle waits for one.
HANG = replace(FAST, send_timeout=0.3, command_timeout=1.0)
#: The probe command of each family.
PROBE = {"a1": "SKVER", "c0": "SKVER", "j11": "006B"}


async def _connected(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> tuple[VirtualDongle, BRouteSession]:
    dongle = await make_dongle(dialect)
    assert dongle.path is not None
    session = make_session(dongle.path, timing=HANG)
    await session.connect()
    assert (await session.read()).import_raw is not None
    return dongle, session


def _driver_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What the driver logged (not asyncio's slow-callback notes on a loaded machine)."""
    return [r for r in caplog.records if r.name.startswith("custom_components.hems.wisun")]


async def _reads_until_hung(session: BRouteSession) -> int:
    """Read until the session takes the dongle for hung; every read fails meanwhile."""
    failed = 0
    while session.stats.hangs == 0 and failed < 10:
        with pytest.raises(DongleError):  # never a number
            await session.read()
        failed += 1
    return failed


@pytest.mark.parametrize("dialect", ["a1", "c0", "j11"])
async def test_a_hung_dongle_is_reopened_and_rejoins(
    dialect: str,
    make_dongle: DongleFactory,
    make_session: SessionFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The firmware hangs while connected: after ``hang_timeouts`` failed reads the session
    closes the port (which power-cycles this dongle), reopens it, probes the dongle and
    rejoins the cached PAN without a scan; readings come back.  One WARNING says so."""
    dongle, session = await _connected(dialect, make_dongle, make_session)
    probes = dongle.stats.commands.count(PROBE[dialect])
    dongle.faults.hung = True
    caplog.set_level(logging.INFO, logger="custom_components.hems.wisun")
    assert await _reads_until_hung(session) == HANG.hang_timeouts
    await wait_for(lambda: dongle.stats.power_cycles == 1, what="the reopen")
    await wait_state(session, SessionState.CONNECTED, limit=10.0)
    assert dongle.stats.commands.count(PROBE[dialect]) > probes  # probed again
    assert dongle.stats.scans == [6]  # rejoined with the cached PAN
    assert session.stats.hangs == 1
    assert (await session.read()).import_raw is not None
    warnings = [r for r in _driver_records(caplog) if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        f"B-route: the dongle on {dongle.path} stopped answering (3 timeouts in a row); "
        "closing and reopening its port until it answers again"
    ]


@pytest.mark.parametrize("dialect", ["a1", "j11"])
async def test_a_dongle_that_stays_dead_is_retried_with_backoff(
    dialect: str,
    make_dongle: DongleFactory,
    make_session: SessionFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A hang that a reopen does not end: the session stays DONGLE_NOT_RESPONDING (reads fail
    at once, with DongleNotRespondingError), reopens and probes again and again with backoff,
    warns once; unplugged and plugged in again (a power cycle) the dongle is joined again."""
    dongle, session = await _connected(dialect, make_dongle, make_session)
    dongle.faults.hang_ends_on_reopen = False
    dongle.faults.hung = True
    caplog.set_level(logging.DEBUG, logger="custom_components.hems.wisun")
    await _reads_until_hung(session)
    probes = dongle.stats.commands.count(PROBE[dialect])
    await wait_for(
        lambda: dongle.stats.commands.count(PROBE[dialect]) >= probes + 3,
        what="probes of the silent dongle",
    )
    assert session.state is SessionState.DONGLE_NOT_RESPONDING
    with pytest.raises(DongleNotRespondingError, match="does not answer"):
        await session.read()
    assert dongle.stats.power_cycles == 0
    warnings = [r for r in _driver_records(caplog) if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    retries = [r for r in _driver_records(caplog) if "retrying in" in r.getMessage()]
    assert [r.levelno for r in retries[:2]] == [logging.INFO, logging.DEBUG]
    await dongle.replug()
    await wait_state(session, SessionState.CONNECTED)
    assert (await session.read()).import_raw is not None


@pytest.mark.parametrize("dialect", ["a1", "c0", "j11"])
async def test_a_dongle_that_hangs_while_rejoining_is_reopened(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """The meter ends the session and the module hangs right after: the rejoin's first
    command gets no answer, so the port is reopened (not the join retried for ever)."""
    dongle, session = await _connected(dialect, make_dongle, make_session)
    dongle.terminate_session()
    dongle.faults.hung = True
    await wait_for(lambda: dongle.stats.power_cycles == 1, what="the reopen")
    await wait_state(session, SessionState.CONNECTED)
    assert session.stats.hangs == 1
    assert (await session.read()).import_raw is not None


@pytest.mark.parametrize("dialect", ["a1", "c0", "j11"])
async def test_a_meter_out_of_reach_is_no_hung_dongle(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """The dongle answers every command but the meter is silent: requests time out as many
    times as they like, and the port is never reopened."""
    dongle, session = await _connected(dialect, make_dongle, make_session)
    probes = dongle.stats.commands.count(PROBE[dialect])
    dongle.faults.silent_meter = True
    for _ in range(2 * HANG.hang_timeouts):
        with pytest.raises(MeterTimeoutError):
            await session.read()
    assert session.state is SessionState.CONNECTED
    assert session.stats.hangs == 0
    assert dongle.stats.commands.count(PROBE[dialect]) == probes
    dongle.faults.silent_meter = False
    assert (await session.read()).import_raw is not None


async def test_connecting_again_to_a_silent_dongle_says_it_does_not_answer(
    make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """A session whose dongle answered before, connected again while the dongle hangs (a setup
    retry in Home Assistant), fails with DongleNotRespondingError, not "no Wi-SUN module"."""
    dongle, session = await _connected("a1", make_dongle, make_session)
    await session.close()
    dongle.faults.hang_ends_on_reopen = False
    dongle.faults.hung = True
    with pytest.raises(DongleNotRespondingError, match="does not answer"):
        await session.connect()
    assert session.state is SessionState.CLOSED
