"""The connection against the virtual dongle over a real pty: finding the meter, joining,
re-authenticating, rejoining, ER10, the transmission limit and unplugging, per dialect."""

from __future__ import annotations

import asyncio
from dataclasses import replace
import gc
import os

import pytest

from custom_components.hems.wisun import (
    CredentialsRejectedError,
    Dialect,
    DongleError,
    DongleUnavailableError,
    JoinFailedError,
    MeterNotFoundError,
    NotConnectedError,
    PanDescriptor,
    SendFailedError,
    SessionClosedError,
    SessionState,
    TransmissionLimitedError,
    UnsupportedDongleError,
)
from custom_components.hems.wisun.serial_link import SerialLink
from simulator.dongle import VirtualDongle

from ..waiting import wait_for
from .conftest import (
    DIALECTS,
    FAST,
    DongleFactory,
    SessionFactory,
    connected,
    creds,
    wait_state,
)

WRONG_PASSWORD = "WRONGPASS999"


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_cached_pan_skips_the_scan(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """A PAN kept from an earlier connection is joined directly; the dialect hint orders probes."""
    dongle = await make_dongle(dialect)
    assert dongle.path is not None
    first = make_session(dongle.path)
    pan = await first.connect()
    await first.close()
    stored = pan.as_dict()

    second = make_session(dongle.path, pan=PanDescriptor.from_dict(stored))
    assert await second.connect() == pan
    assert dongle.stats.scans == [6]  # only the first session scanned
    assert (await second.read()).import_raw is not None


async def test_stale_cached_pan_falls_back_to_a_scan(
    make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """The meter moved to another channel: the cached join fails, a scan finds it again."""
    dongle = await make_dongle("a1")
    assert dongle.path is not None
    stale = PanDescriptor(Dialect.A1, 0x21, dongle.pan_id, dongle.meter_mac)
    session = make_session(dongle.path, pan=stale)
    found: list[PanDescriptor] = []
    session.on_pan(found.append)
    pan = await session.connect()
    assert pan.channel == dongle.channel
    assert found == [pan]
    assert session.pan == pan
    assert session.auth_failures == 0
    assert dongle.stats.join_attempts == 2


async def test_scan_duration_grows(
    make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """A meter that only answers long scans is found by growing the duration."""
    dongle = await make_dongle("c0", scan_min_duration=8)
    assert dongle.path is not None
    session = make_session(dongle.path)
    await session.connect()
    assert dongle.stats.scans == [6, 7, 8]


async def test_meter_not_found(make_dongle: DongleFactory, make_session: SessionFactory) -> None:
    """No beacon at any duration: MeterNotFoundError, and the session stops."""
    dongle = await make_dongle("a1")
    dongle.faults.meter_absent = True
    assert dongle.path is not None
    session = make_session(dongle.path)
    with pytest.raises(MeterNotFoundError):
        await session.connect()
    assert dongle.stats.scans == [6, 7, 8]
    assert dongle.stats.join_attempts == 0
    assert session.state is SessionState.CLOSED


async def test_cancelled_connect_leaves_nothing_behind(
    make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """Cancelling connect() mid-scan (a config flow closed by the user) closes the session
    and leaves no task and no unretrieved error behind."""
    dongle = await make_dongle("a1")
    dongle.faults.meter_absent = True  # the scans go on
    assert dongle.path is not None
    session = make_session(dongle.path)
    loop = asyncio.get_running_loop()
    problems: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _loop, context: problems.append(context))
    try:
        task = asyncio.create_task(session.connect())
        await wait_for(lambda: bool(dongle.stats.scans))
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert session.state is SessionState.CLOSED
        del task
        gc.collect()
        await asyncio.sleep(0)
        assert problems == []
        assert not [t for t in asyncio.all_tasks() if t.get_name() == "hems-broute"]
    finally:
        loop.set_exception_handler(None)


async def test_wrong_id_finds_no_meter(
    make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """The pairing ID (end of the B-route ID) selects the meter in the scan."""
    dongle = await make_dongle("a1")
    assert dongle.path is not None
    session = make_session(dongle.path, creds(rbid="F" * 32))
    with pytest.raises(MeterNotFoundError):
        await session.connect()


async def test_no_dongle(tmp_path: os.PathLike[str], make_session: SessionFactory) -> None:
    """Nothing at the path."""
    missing = os.path.join(tmp_path, "missing")
    session = make_session(missing)
    with pytest.raises(DongleError):
        await session.connect()
    # the port itself: an open that failed leaves nothing to close and nothing to write to
    link = SerialLink(missing, lambda _data: None, lambda _exc: None)
    with pytest.raises(DongleError, match="cannot open"):
        await link.open()
    assert not link.is_open
    await link.close()
    with pytest.raises(DongleError, match="closed"):
        link.write(b"SKVER\r\n")


async def test_not_a_dongle(make_session: SessionFactory) -> None:
    """A serial port where nothing answers: neither SKSTACK nor J11."""
    master, slave = os.openpty()
    try:
        session = make_session(os.ttyname(slave))
        with pytest.raises(UnsupportedDongleError):
            await session.connect()
    finally:
        os.close(master)
        os.close(slave)


@pytest.mark.parametrize("dialect", ["a1", "j11"])
async def test_meter_that_does_not_finish_authentication(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """PANA without an answer in time: JoinFailedError that is no credentials problem."""
    dongle = await make_dongle(dialect, join_seconds=400)
    assert dongle.path is not None
    session = make_session(dongle.path, timing=replace(FAST, join_timeout=0.3))
    with pytest.raises(JoinFailedError) as err:
        await session.connect()
    assert not err.value.auth_rejected
    assert session.auth_failures == 0
    assert session.state is SessionState.CLOSED


@pytest.mark.parametrize("dialect", ["a1", "j11"])
async def test_unplugged_during_the_first_scan(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """The dongle pulled out while it scans: connect() fails at once (not after the scan's
    timeout) and the port is closed."""
    dongle = await make_dongle(dialect, delay_scale=0.5)  # a scan takes seconds
    assert dongle.path is not None
    session = make_session(dongle.path, timing=replace(FAST, scan_margin=30.0))
    task = asyncio.create_task(session.connect())
    await wait_for(lambda: bool(dongle.stats.scans), what="the first scan")
    await dongle.unplug()
    with pytest.raises(DongleError, match="gone"):  # not the scan's timeout
        await task
    assert not session.connection.port_open
    assert session.state is SessionState.CLOSED


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_credentials_rejected_without_retry_storm(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """A wrong password: a few joins with backoff, then CredentialsRejectedError, then nothing."""
    dongle = await make_dongle(dialect)
    assert dongle.path is not None
    session = make_session(dongle.path, creds(password=WRONG_PASSWORD))
    with pytest.raises(CredentialsRejectedError):
        await session.connect()
    assert dongle.stats.join_attempts == FAST.max_auth_failures
    assert session.state is SessionState.CREDENTIALS_REJECTED
    # The supervisor has ended: nothing can try again.
    await wait_for(lambda: not session.connection.supervising)
    assert dongle.stats.join_attempts == FAST.max_auth_failures
    with pytest.raises(CredentialsRejectedError):
        await session.read()
    with pytest.raises(CredentialsRejectedError):
        await session.connect()


async def test_one_rejection_is_enough_when_asked(
    make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """A config flow can stop at the first rejection (max_auth_failures=1)."""
    dongle = await make_dongle("a1")
    assert dongle.path is not None
    session = make_session(
        dongle.path, creds(password=WRONG_PASSWORD), timing=replace(FAST, max_auth_failures=1)
    )
    with pytest.raises(CredentialsRejectedError):
        await session.connect()
    assert dongle.stats.join_attempts == 1


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_session_expiry_reauthenticates(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """EVENT 29: requests wait while the module re-authenticates (EVENT 25); no new join."""
    dongle, session = await connected(dialect, make_dongle, make_session, reauth_seconds=60)
    joins = dongle.stats.join_attempts
    dongle.expire_session(reauth_ok=True)
    await wait_state(session, SessionState.REAUTHENTICATING)
    sends = dongle.stats.sends
    task = asyncio.create_task(session.read())
    await asyncio.sleep(0.1)
    assert not task.done()
    assert dongle.stats.sends == sends  # nothing sent while re-authenticating
    reading = await asyncio.wait_for(task, 3)
    assert reading.import_raw is not None
    assert session.state is SessionState.CONNECTED
    assert dongle.stats.join_attempts == joins


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_failed_reauthentication_rejoins(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """EVENT 29 then 24: the session rejoins after a backoff."""
    dongle, session = await connected(dialect, make_dongle, make_session)
    joins = dongle.stats.join_attempts
    dongle.expire_session(reauth_ok=False)
    await wait_for(lambda: dongle.stats.join_attempts > joins)
    await wait_state(session, SessionState.CONNECTED)
    assert (await session.read()).import_raw is not None
    assert session.auth_failures == 0


async def test_failed_reauthentication_with_revoked_credentials_stops(
    make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """The distribution company revoked the credentials: stop after max_auth_failures."""
    dongle, session = await connected("c0", make_dongle, make_session)
    joins = dongle.stats.join_attempts
    dongle.faults.reject_auth = True
    dongle.expire_session(reauth_ok=False)
    await wait_state(session, SessionState.CREDENTIALS_REJECTED)
    # the module's own re-authentication failed once; the session tried the rest
    assert dongle.stats.join_attempts - joins == FAST.max_auth_failures - 1
    await wait_for(lambda: not session.connection.supervising)  # nothing can try again
    assert dongle.stats.join_attempts - joins == FAST.max_auth_failures - 1
    with pytest.raises(CredentialsRejectedError):
        await session.read()


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_termination_rejoins(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """The meter ends the session (EVENT 26/27): the session joins again."""
    dongle, session = await connected(dialect, make_dongle, make_session)
    joins = dongle.stats.join_attempts
    dongle.terminate_session()
    await wait_for(lambda: dongle.stats.join_attempts > joins)
    await wait_state(session, SessionState.CONNECTED)
    assert (await session.read()).power_w is not None
    assert dongle.stats.scans == [6]  # rejoined with the known PAN


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_module_restart_sets_it_up_again(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """The module restarted by itself (EVENT C0 / J11 0x6019): its settings and the session
    are gone, the port is not: the driver gives it the credentials again (no new probe) and
    rejoins the known PAN; a request in flight fails at once."""
    dongle, session = await connected(dialect, make_dongle, make_session)
    setup = "SKSETRBID" if dialect != "j11" else "0054"
    probe = "SKVER" if dialect != "j11" else "006B"
    before = dongle.stats.commands.copy()
    states: list[SessionState] = []
    session.on_state(states.append)
    dongle.answer_seconds = 1000  # the meter will not answer before the restart
    sends = dongle.stats.sends
    task = asyncio.create_task(session.read())
    await wait_for(lambda: dongle.stats.sends > sends, what="the request sent")
    dongle.restart()
    with pytest.raises(NotConnectedError, match=r"lost \(restarted\)"):  # not a timeout
        await task
    await wait_for(lambda: SessionState.JOINING in states)
    await wait_state(session, SessionState.CONNECTED)
    dongle.answer_seconds = 1.2
    assert (await session.read()).import_raw is not None
    assert dongle.stats.commands.count(setup) == before.count(setup) + 1
    assert dongle.stats.commands.count(probe) == before.count(probe)  # the port stayed open
    assert dongle.stats.scans == [6]  # rejoined with the known PAN
    assert session.stats.reconnects == 1


@pytest.mark.parametrize(("dialect", "after_ok"), [("a1", False), ("c0", True), ("j11", False)])
async def test_frames_the_radio_loses_are_sent_again(
    dialect: str, after_ok: bool, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """A frame accepted but not delivered (EVENT 21 01, before or after the OK as firmware
    differ; J11: an error result) is sent again, like after ER10."""
    dongle, session = await connected(
        dialect, make_dongle, make_session, tx_event_after_ok=after_ok
    )
    dongle.faults.lose_sends = 2
    assert (await session.read()).import_raw == dongle.meter.registers()[0]
    assert dongle.stats.send_failures == 2
    assert session.stats.send_failures == 2


@pytest.mark.parametrize(("dialect", "send"), [("a1", "SKSENDTO"), ("j11", "0008")])
async def test_hung_module(
    dialect: str, send: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """The module's firmware hangs (reads commands, answers none): a request fails with
    DongleError after the send timeout, the port stays open; pulled out while a request
    waits, the request fails at once with DongleUnavailableError; plugged in again, it works."""
    dongle = await make_dongle(dialect)
    assert dongle.path is not None
    session = make_session(dongle.path, timing=replace(FAST, send_timeout=0.3))
    await session.connect()
    dongle.faults.hung = True
    with pytest.raises(DongleError, match="no answer") as err:
        await session.read()
    assert not isinstance(err.value, DongleUnavailableError)
    assert session.connection.port_open
    sends = dongle.stats.commands.count(send)
    task = asyncio.create_task(session.read())
    await wait_for(lambda: dongle.stats.commands.count(send) > sends)
    await dongle.unplug()
    with pytest.raises(DongleUnavailableError, match="gone"):
        await task
    dongle.faults.hung = False
    await dongle.replug()
    await wait_state(session, SessionState.CONNECTED)
    assert (await session.read()).import_raw is not None


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_er10_is_retried(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """A couple of FAIL ER10 are retried with a delay; the reading comes through."""
    dongle, session = await connected(dialect, make_dongle, make_session)
    dongle.faults.fail_sends = 2
    reading = await session.read()
    assert reading.import_raw is not None
    assert dongle.stats.send_failures == 2
    assert session.stats.send_failures == 2


async def test_persistent_er10_rejoins(
    make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """ER10 that does not go away: give up the request and rejoin."""
    dongle, session = await connected("a1", make_dongle, make_session)
    joins = dongle.stats.join_attempts
    dongle.faults.fail_sends = 100
    with pytest.raises(SendFailedError):
        await session.read()
    assert dongle.stats.send_failures == FAST.er10_retries + 1
    dongle.faults.fail_sends = 0
    await wait_for(lambda: dongle.stats.join_attempts > joins)
    await wait_state(session, SessionState.CONNECTED)
    assert (await session.read()).import_raw is not None


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_transmission_limit_is_respected(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """EVENT 32: nothing is sent until EVENT 33; the request then goes through."""
    dongle, session = await connected(dialect, make_dongle, make_session)
    dongle.start_tx_limit()
    await wait_state(session, SessionState.TRANSMISSION_LIMITED)
    commands = len(dongle.stats.commands)
    task = asyncio.create_task(session.read())
    await asyncio.sleep(0.2)
    assert not task.done()
    assert len(dongle.stats.commands) == commands  # not even an attempt
    dongle.release_tx_limit()
    assert (await asyncio.wait_for(task, 3)).import_raw is not None
    assert dongle.stats.send_failures == 0


async def test_transmission_limit_times_out(
    make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """A limit that outlasts ready_timeout fails the request with TransmissionLimitedError."""
    dongle = await make_dongle("a1")
    assert dongle.path is not None
    session = make_session(dongle.path, timing=replace(FAST, ready_timeout=0.2))
    await session.connect()
    dongle.start_tx_limit()
    await wait_state(session, SessionState.TRANSMISSION_LIMITED)
    with pytest.raises(TransmissionLimitedError):
        await session.read()
    dongle.release_tx_limit()
    await wait_state(session, SessionState.CONNECTED)


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_unplug_and_replug(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """The dongle disappears and comes back at the same path: the session recovers by itself,
    with the known PAN (no scan)."""
    dongle, session = await connected(dialect, make_dongle, make_session)
    await dongle.unplug()
    await wait_state(session, SessionState.DONGLE_UNAVAILABLE)
    with pytest.raises(DongleUnavailableError):
        await session.read()
    await asyncio.sleep(0.15)  # a few reopen attempts fail
    await dongle.replug()
    await wait_state(session, SessionState.CONNECTED)
    assert (await session.read()).import_raw is not None
    assert dongle.stats.scans == [6]
    assert session.stats.reconnects == 1


async def test_unplug_during_a_request(
    make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """A request in flight when the port vanishes fails at once, not after the timeout."""
    dongle, session = await connected("a1", make_dongle, make_session)
    dongle.answer_seconds = 1000  # the meter will not answer in time
    task = asyncio.create_task(session.read())
    await wait_for(lambda: dongle.stats.sends >= 2)
    await dongle.unplug()
    with pytest.raises(DongleError):
        await asyncio.wait_for(task, FAST.response_timeout * 0.9)
    await dongle.replug()
    await wait_state(session, SessionState.CONNECTED)


@pytest.mark.parametrize("dialect", ["a1", "c0", "j11"])
async def test_replaced_meter_is_found_and_learned_afresh(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """The distribution company swapped the meter (same B-route ID, new MAC): SKSTACK's join
    of the cached PAN fails and a scan finds the new meter; a J11 module finds it itself and
    names it in its start-B-route answer.  Either way the new MAC is learned (and persisted
    through ``on_pan``), and what was learned about the old meter is forgotten."""
    dongle, session = await connected(dialect, make_dongle, make_session)
    await session.read_properties([0xF0])  # the meter has no 0xF0: not asked again
    assert session.unsupported == {0xF0}
    found: list[PanDescriptor] = []
    session.on_pan(found.append)
    info_gets = _info_gets(dongle)
    dongle.meter_mac = "C0F94500CAFEF00D"
    dongle.terminate_session()
    await wait_for(lambda: bool(found), what="the new meter's PAN")
    await wait_state(session, SessionState.CONNECTED)
    assert [pan.mac for pan in found] == [dongle.meter_mac]
    assert session.pan == found[0]
    assert session.auth_failures == 0  # the old meter's silence is forgiven once joined
    assert session.unsupported == frozenset()
    assert (await session.read()).import_raw is not None
    assert _info_gets(dongle) == info_gets + 1  # unit and coefficient read again


def _info_gets(dongle: VirtualDongle) -> int:
    """How often the meter was asked for its unit (0xE1)."""
    return sum(0xE1 in epcs for _esv, epcs in dongle.responder.stats.requests)


async def test_revoked_credentials_at_reauthentication_stop_at_once_when_asked(
    make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """With max_auth_failures=1 a failed re-authentication ends the session for good: no
    rejoin at all."""
    dongle = await make_dongle("c0")
    assert dongle.path is not None
    session = make_session(dongle.path, timing=replace(FAST, max_auth_failures=1))
    await session.connect()
    joins = dongle.stats.join_attempts
    dongle.faults.reject_auth = True
    dongle.expire_session(reauth_ok=False)
    await wait_state(session, SessionState.CREDENTIALS_REJECTED)
    await wait_for(lambda: not session.connection.supervising)
    assert dongle.stats.join_attempts == joins
    with pytest.raises(CredentialsRejectedError):
        await session.read()


@pytest.mark.parametrize("dialect", ["c0", "j11"])
async def test_transmission_limit_during_reauthentication(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """EVENT 32 while the module re-authenticates still holds requests once it is done."""
    dongle, session = await connected(dialect, make_dongle, make_session, reauth_seconds=200)
    dongle.expire_session(reauth_ok=True)
    await wait_state(session, SessionState.REAUTHENTICATING)
    dongle.start_tx_limit()
    await wait_state(session, SessionState.TRANSMISSION_LIMITED)  # after the re-authentication
    assert not dongle.reauthenticating
    dongle.release_tx_limit()
    await wait_state(session, SessionState.CONNECTED)
    assert (await session.read()).import_raw is not None


async def test_connect_again_and_listeners_that_fail(
    make_dongle: DongleFactory, make_session: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """connect() on a connected session returns its PAN without a new join; a listener that
    raises is logged and does not keep the others from hearing; a closed session refuses."""
    dongle, session = await connected("a1", make_dongle, make_session)
    joins = dongle.stats.join_attempts
    assert await session.connect() == session.pan
    assert dongle.stats.join_attempts == joins
    states: list[SessionState] = []
    session.on_state(_broken_listener)
    session.on_state(states.append)
    dongle.terminate_session()
    await wait_for(lambda: SessionState.CONNECTED in states, what="the rejoin")
    assert "B-route listener failed" in caplog.text
    await session.close()
    assert states[-1] is SessionState.CLOSED
    with pytest.raises(SessionClosedError):
        await session.read()


def _broken_listener(state: SessionState) -> None:
    raise RuntimeError(f"listener bug at {state.value}")
