"""A meter out of reach is no rejection of the credentials: neither when the session joins nor
when the module re-authenticates (J11 reports it apart; SKSTACK prints EVENT 24 without any PANA
message from the meter).  Virtual dongles on a real pty."""

from __future__ import annotations

from dataclasses import replace

import pytest

from custom_components.hems.wisun import JoinFailedError, NotConnectedError, SessionState

from ..waiting import wait_for
from .conftest import FAST, DongleFactory, SessionFactory, wait_state


@pytest.mark.parametrize("dialect", ["j11", "a1", "c0"])
async def test_meter_out_of_reach_then_back(
    make_dongle: DongleFactory, make_session: SessionFactory, dialect: str
) -> None:
    """An unreachable meter is no rejection: the re-authentication gets no answer (J11 says
    0x6028 03; SKSTACK prints EVENT 24 without any PANA message from the meter), the session
    scans with backoff (requests fail with NotConnectedError meanwhile) until the meter is
    heard again, and no authentication failure is counted."""
    dongle = await make_dongle(dialect)
    assert dongle.path is not None
    session = make_session(dongle.path, timing=replace(FAST, ready_timeout=0.2))
    await session.connect()
    scans = len(dongle.stats.scans)
    dongle.faults.meter_absent = True
    dongle.expire_session()
    await wait_for(  # a whole round of scans found nothing: a second one begins
        lambda: len(dongle.stats.scans) > scans + len(FAST.scan_durations),
        what="scans with backoff",
    )
    with pytest.raises(NotConnectedError):
        await session.read()
    assert session.auth_failures == 0  # out of reach is no rejection
    dongle.faults.meter_absent = False
    await wait_state(session, SessionState.CONNECTED)
    assert (await session.read()).import_raw is not None


@pytest.mark.parametrize("dialect", ["a1", "c0", "j11"])
async def test_joining_a_meter_out_of_reach_is_no_rejection(
    make_dongle: DongleFactory, make_session: SessionFactory, dialect: str
) -> None:
    """The meter is seen in the scan but does not answer the PANA authentication (SKSTACK:
    EVENT 24 with no PANA message from it): however often that happens, the credentials are
    never taken for rejected (no reauth flow, no lock-out count at the utility); with the
    meter back the session connects.  Wrong credentials still count
    (test_credentials_rejected_without_retry_storm)."""
    dongle = await make_dongle(dialect)
    assert dongle.path is not None
    session = make_session(dongle.path)
    dongle.faults.pana_unanswered = True
    for _ in range(FAST.max_auth_failures + 1):
        with pytest.raises(JoinFailedError) as failed:
            await session.connect()
        assert not failed.value.auth_rejected
    assert dongle.stats.join_attempts > FAST.max_auth_failures
    assert session.auth_failures == 0
    assert session.state is not SessionState.CREDENTIALS_REJECTED
    dongle.faults.pana_unanswered = False
    await session.connect()
    assert session.state is SessionState.CONNECTED
