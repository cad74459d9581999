"""The driver against the virtual dongle over a real pty, per dialect, with every fault."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
import gc
import itertools
import logging
import os

import pytest

from custom_components.hems.echonet.const import ESV
from custom_components.hems.wisun import (
    BRouteSession,
    CredentialsRejectedError,
    Dialect,
    DongleError,
    DongleUnavailableError,
    FixedTimeReading,
    MeterNotFoundError,
    MeterTimeoutError,
    PanDescriptor,
    SendFailedError,
    SessionState,
    TransmissionLimitedError,
    UnsupportedDongleError,
)
from simulator.clock import SimClock
from simulator.dongle import DEFAULT_PASSWORD, DEFAULT_RBID, MeterResponder, VirtualDongle
from simulator.meter_model import MeterModel

from ..waiting import wait_for
from .conftest import (
    DIALECTS,
    FAST,
    START,
    DongleFactory,
    SessionFactory,
    creds,
    wait_state,
)

WRONG_PASSWORD = "WRONGPASS999"


def _expected_dialect(name: str) -> Dialect:
    return {"a1": Dialect.A1, "c0": Dialect.C0, "c0-ascii": Dialect.C0, "j11": Dialect.J11}[name]


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_connect_read_history(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """Detect the dialect, scan, join, read one cycle in one Get, read both histories."""
    dongle = await make_dongle(dialect)
    assert dongle.path is not None
    session = make_session(dongle.path)
    states: list[SessionState] = []
    session.on_state(states.append)
    pan = await session.connect()

    assert session.dongle_info is not None
    assert session.dongle_info.dialect is _expected_dialect(dialect)
    assert pan.mac == dongle.meter_mac
    assert pan.pan_id == dongle.pan_id
    assert pan.dialect is _expected_dialect(dialect)
    assert states[:4] == [
        SessionState.CONNECTING,
        SessionState.SCANNING,
        SessionState.JOINING,
        SessionState.CONNECTED,
    ]
    if dialect.startswith("c0"):
        assert session.dongle_info.ascii_payload is (dialect == "c0-ascii")
    assert dongle.stats.wopt_writes == 0  # the flash setting is read, never written

    reading = await session.read()
    imp_raw, exp_raw = dongle.meter.registers()
    assert reading.import_raw == imp_raw
    assert reading.export_raw == exp_raw
    assert reading.energy_import_kwh == pytest.approx(imp_raw * 0.1)
    assert reading.energy_export_kwh == pytest.approx(exp_raw * 0.1)
    assert reading.power_w == pytest.approx(dongle.meter.instantaneous_power_w(), abs=2)
    r, t = dongle.meter.currents_a()
    assert reading.current_r_a == pytest.approx(r, abs=0.2)
    assert reading.current_t_a == pytest.approx(t, abs=0.2)
    assert (reading.unit_kwh, reading.coefficient, reading.digits) == (0.1, 1, 6)

    gets = session.stats.get_frames
    await session.read()
    assert session.stats.get_frames == gets + 1  # one multi-property Get per cycle
    assert dongle.responder.stats.requests[-1] == (ESV.GET, (0xE7, 0xE8, 0xE0, 0xE3))

    day = await session.read_history_day(1)
    assert day.day == (START - timedelta(days=1)).date()
    assert len(day.slots) == 48
    _, expected = dongle.meter.history_day(1)
    for slot, values in zip(day.slots, expected, strict=True):
        assert values is not None
        assert slot.import_raw == dongle.meter.register(values[0])
        assert slot.export_raw == dongle.meter.register(values[1])
    assert day.slots[0].time.hour == 0 and day.slots[-1].time.minute == 30
    today = await session.read_history_day(0)
    assert today.slots[-1].import_kwh is None  # later today: no data yet

    recent = await session.read_history_recent(count=6)
    assert len(recent) == 6
    assert recent[-1].time == dongle.meter.last_boundary()
    assert [b.time - a.time for a, b in itertools.pairwise(recent)] == [timedelta(minutes=30)] * 5
    fixed = await session.read_fixed_time()
    assert fixed.timestamp == dongle.meter.last_boundary()
    assert fixed.import_kwh == recent[-1].import_kwh
    assert (await session.read_meter_time()).replace(second=0) == dongle.meter.now().replace(
        second=0, microsecond=0
    )


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
    session = make_session(os.path.join(tmp_path, "missing"))
    with pytest.raises(DongleError):
        await session.connect()


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


async def _connected(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory, **dongle_kwargs: object
) -> tuple[VirtualDongle, BRouteSession]:
    dongle = await make_dongle(dialect, **dongle_kwargs)
    assert dongle.path is not None
    session = make_session(dongle.path)
    await session.connect()
    await session.read()
    return dongle, session


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_session_expiry_reauthenticates(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """EVENT 29: requests wait while the module re-authenticates (EVENT 25); no new join."""
    dongle, session = await _connected(dialect, make_dongle, make_session, reauth_seconds=60)
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
    dongle, session = await _connected(dialect, make_dongle, make_session)
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
    dongle, session = await _connected("c0", make_dongle, make_session)
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
    dongle, session = await _connected(dialect, make_dongle, make_session)
    joins = dongle.stats.join_attempts
    dongle.terminate_session()
    await wait_for(lambda: dongle.stats.join_attempts > joins)
    await wait_state(session, SessionState.CONNECTED)
    assert (await session.read()).power_w is not None
    assert dongle.stats.scans == [6]  # rejoined with the known PAN


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_er10_is_retried(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """A couple of FAIL ER10 are retried with a delay; the reading comes through."""
    dongle, session = await _connected(dialect, make_dongle, make_session)
    dongle.faults.fail_sends = 2
    reading = await session.read()
    assert reading.import_raw is not None
    assert dongle.stats.send_failures == 2
    assert session.stats.send_failures == 2


async def test_persistent_er10_rejoins(
    make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """ER10 that does not go away: give up the request and rejoin."""
    dongle, session = await _connected("a1", make_dongle, make_session)
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
    dongle, session = await _connected(dialect, make_dongle, make_session)
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
async def test_silent_meter(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """No answer: MeterTimeoutError after the retries; the next cycle works again."""
    dongle, session = await _connected(dialect, make_dongle, make_session)
    dongle.faults.silent_meter = True
    gets = session.stats.get_frames
    with pytest.raises(MeterTimeoutError) as err:
        await session.read()
    assert set(err.value.missing) == {0xE7, 0xE8, 0xE0, 0xE3}
    assert session.stats.get_frames - gets == FAST.request_attempts
    dongle.faults.silent_meter = False
    assert (await session.read()).import_raw is not None
    assert session.state is SessionState.CONNECTED


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_line_noise(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """Garbage between the dongle's messages does not disturb the session."""
    dongle = await make_dongle(dialect)
    dongle.faults.noise = True
    assert dongle.path is not None
    session = make_session(dongle.path)
    await session.connect()
    for _ in range(5):
        reading = await session.read()
        assert reading.import_raw == dongle.meter.registers()[0]
    day = await session.read_history_day(2)
    assert all(slot.import_raw is not None for slot in day.slots)
    dongle.inject_noise(b"\x00\xff\xfe garbage ERXUDP 1 2\r\nEVENT ZZ\r\nFAIL\x01\r\n")
    assert (await session.read()).import_raw is not None
    assert dongle.stats.noise_bytes > 0


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_only_the_meters_answers_count(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """Answers from another node, with another TID or from/to another object are dropped."""
    dongle, session = await _connected(dialect, make_dongle, make_session)
    dongle.faults.spoof = True
    reading = await session.read()
    # the spoofed copies carry zeros; the real answer does not
    assert reading.import_raw == dongle.meter.registers()[0] != 0
    assert reading.power_w == pytest.approx(dongle.meter.instantaneous_power_w(), abs=2)
    assert session.stats.foreign_frames >= 1


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_unplug_and_replug(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """The dongle disappears and comes back at the same path: the session recovers by itself,
    with the known PAN (no scan)."""
    dongle, session = await _connected(dialect, make_dongle, make_session)
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
    dongle, session = await _connected("a1", make_dongle, make_session)
    dongle.answer_seconds = 1000  # the meter will not answer in time
    task = asyncio.create_task(session.read())
    await wait_for(lambda: dongle.stats.sends >= 2)
    await dongle.unplug()
    with pytest.raises(DongleError):
        await asyncio.wait_for(task, FAST.response_timeout * 0.9)
    await dongle.replug()
    await wait_state(session, SessionState.CONNECTED)


async def test_batches_shrink_when_the_meter_ignores_big_gets(
    clock: SimClock, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """A meter that silently drops Gets of more than 2 properties: the session learns it."""
    meter = MeterModel(clock)
    responder = MeterResponder(meter, max_get_props=2)
    dongle = await make_dongle("c0", meter=meter, responder=responder)
    assert dongle.path is not None
    session = make_session(dongle.path)
    await session.connect()
    reading = await session.read()
    assert reading.import_raw == meter.registers()[0]
    assert reading.unit_kwh == 0.1
    gets = session.stats.get_frames
    await session.read()
    assert session.stats.get_frames - gets == 2  # 4 properties, 2 at a time


async def test_no_coefficient_and_wrapping_counters(
    clock: SimClock, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """D3 absent -> 1; a counter that wraps at 10**D7 still gives a monotonic total."""
    meter = MeterModel(clock, digits=5, unit_code=0x01, coefficient=None, initial_import_kwh=9999.8)
    meter.set_net_power(3000.0)
    dongle = await make_dongle("a1", meter=meter)
    assert dongle.path is not None
    session = make_session(dongle.path)
    await session.connect()
    first = await session.read()
    assert first.coefficient == 1
    assert first.digits == 5
    assert first.import_raw == 99998
    assert first.energy_import_kwh == pytest.approx(9999.8)
    clock.advance(600)  # 0.5 kWh later: past 9999.9 -> 0.0
    second = await session.read()
    assert second.import_raw is not None and second.import_raw < 100
    assert second.energy_import_kwh == pytest.approx(10000.3, abs=0.11)
    assert 0xD3 in session.unsupported  # not asked again


async def test_coefficient_and_unit(
    clock: SimClock, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """kWh = raw x unit x coefficient."""
    meter = MeterModel(clock, unit_code=0x02, coefficient=10, initial_import_kwh=4321.0)
    dongle = await make_dongle("j11", meter=meter)
    assert dongle.path is not None
    session = make_session(dongle.path)
    await session.connect()
    reading = await session.read()
    assert reading.import_raw == 43210
    assert reading.energy_import_kwh == pytest.approx(4321.0)
    info = await session.read_meter_info()
    assert (info.unit_kwh, info.coefficient) == (0.01, 10)


@pytest.mark.parametrize("dialect", ["a1", "j11"])
async def test_fixed_time_pushes(
    dialect: str, tmp_path: os.PathLike[str], make_session: SessionFactory
) -> None:
    """The meter pushes 0xEA/0xEB after :00/:30 (INF), and INFC is answered with INFC_Res."""
    clock = SimClock(speed=1800.0, start=START.replace(minute=20, second=0))
    meter = MeterModel(clock)
    responder = MeterResponder(meter, push_esv=ESV.INFC, push_delay=60)
    dongle = VirtualDongle(
        dialect,
        clock=clock,
        meter=meter,
        responder=responder,
        delay_scale=1.0,
        link=os.path.join(tmp_path, "push"),
    )
    await dongle.start()
    try:
        session = make_session(dongle.path or "")
        pushes: list[FixedTimeReading] = []
        session.on_fixed_time(pushes.append)
        await session.connect()
        await wait_for(lambda: len(pushes) >= 1, limit=10)
        push = pushes[0]
        assert push.timestamp is not None and push.timestamp.minute in (0, 30)
        values = meter.boundary_kwh(push.timestamp)
        assert values is not None
        assert push.import_kwh == pytest.approx(meter.register(values[0]) * 0.1)
        await wait_for(lambda: responder.stats.infc_res >= 1)
    finally:
        await dongle.stop()


async def test_secrets_never_logged(
    caplog: pytest.LogCaptureFixture, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """Neither the ID nor the password (nor the pairing ID) appear in any log line, repr or
    error, through a full connect/read and a rejection."""
    caplog.set_level(logging.DEBUG)
    for dialect in ("a1", "j11"):
        dongle = await make_dongle(dialect)
        dongle.faults.noise = True
        assert dongle.path is not None
        credentials = creds()
        session = make_session(dongle.path, credentials)
        await session.connect()
        await session.read()
        await session.read_history_day(1)
        await session.close()
        bad = make_session(dongle.path, creds(password=WRONG_PASSWORD))
        with pytest.raises(CredentialsRejectedError) as err:
            await bad.connect()
        texts = [caplog.text, repr(credentials), str(credentials), str(err.value), repr(session)]
        for text in texts:
            assert DEFAULT_RBID not in text
            assert DEFAULT_PASSWORD not in text
            assert WRONG_PASSWORD not in text
            assert DEFAULT_RBID[-8:] not in text
    assert "SKSETPWD ****" in caplog.text  # the commands are logged, masked
