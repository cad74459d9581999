"""The meter client against the virtual dongle over a real pty: readings, history, batches,
counters, pushes, a silent or noisy meter, secrets kept out of logs."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
import itertools
import logging
import os

import pytest

from custom_components.hems.echonet.const import ESV
from custom_components.hems.echonet.frame import CONTROLLER, EOJ, build
from custom_components.hems.wisun import (
    BRouteSession,
    CredentialsRejectedError,
    Dialect,
    FixedTimeReading,
    MeterRejectedError,
    MeterTimeoutError,
    SessionState,
    meter as m,
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
    connected,
    creds,
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

    await _assert_reads_the_meter_in_one_get(session, dongle)
    await _assert_histories_are_the_meters(session, dongle)


async def _assert_reads_the_meter_in_one_get(session: BRouteSession, dongle: VirtualDongle) -> None:
    """A reading is the meter's registers, power and currents, in one multi-property Get."""
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


async def _assert_histories_are_the_meters(session: BRouteSession, dongle: VirtualDongle) -> None:
    """Yesterday's and today's 48 slots, the recent half hours, the fixed-time reading and the
    meter's clock, as the meter has them."""
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


@pytest.mark.parametrize("dialect", ["a1", "c0"])
async def test_firmware_without_ropt(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """Old SKSTACK firmware has no ROPT: the payload form (hex or binary) is told apart per
    datagram, and readings and history come through either way."""
    dongle, session = await connected(dialect, make_dongle, make_session, ropt=False)
    assert "ROPT" in dongle.stats.commands
    assert session.dongle_info is not None and session.dongle_info.ascii_payload is None
    reading = await session.read()
    assert reading.import_raw == dongle.meter.registers()[0]
    day = await session.read_history_day(1)
    assert all(slot.import_raw is not None for slot in day.slots)
    assert session.stats.foreign_frames == 0  # the PANA datagrams (port 716) were not ours


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_silent_meter(
    dialect: str, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """No answer: MeterTimeoutError after the retries; the next cycle works again."""
    dongle, session = await connected(dialect, make_dongle, make_session)
    dongle.faults.silent_meter = True
    gets = session.stats.get_frames
    with pytest.raises(MeterTimeoutError) as err:
        await session.read()
    assert set(err.value.missing) == {0xE7, 0xE8, 0xE0, 0xE3}
    assert session.stats.get_frames - gets == FAST.request_attempts
    dongle.faults.silent_meter = False
    assert (await session.read()).import_raw is not None
    assert session.state is SessionState.CONNECTED


async def test_only_the_meters_answer_resolves_a_request(
    make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """Only a frame from the meter's address, from its object, to our controller, with the
    request's TID and an answering service resolves the request."""
    dongle, session = await connected("a1", make_dongle, make_session)
    dongle.faults.silent_meter = True  # the answers come from this test only
    task = asyncio.create_task(session.read_properties([0xE7]))
    await wait_for(lambda: bool(session.requests.in_flight))
    ((tid, pending),) = session.requests.in_flight.items()
    meter = session.connection.meter_address
    assert meter is not None
    good = build(tid, m.METER, CONTROLLER, ESV.GET_RES, [(0xE7, b"\x00\x00\x00\x05")])
    for sender, payload in [
        ("FE80:0000:0000:0000:0000:0000:0000:0001", good),
        (meter, build(tid + 1, m.METER, CONTROLLER, ESV.GET_RES, [(0xE7, b"\x01")])),
        (meter, build(tid, EOJ(2, 0x88, 2), CONTROLLER, ESV.GET_RES, [(0xE7, b"\x01")])),
        (meter, build(tid, m.METER, EOJ(5, 0xFF, 2), ESV.GET_RES, [(0xE7, b"\x01")])),
        (meter, build(tid, m.METER, CONTROLLER, ESV.SET_RES, [(0xE7, b"")])),
        (meter, b"\x10\x81garbage"),
    ]:
        session.receive(sender, payload)
        assert not pending.future.done()
    session.receive(meter, good)
    assert await task == {0xE7: b"\x00\x00\x00\x05"}


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
    dongle, session = await connected(dialect, make_dongle, make_session)
    dongle.faults.spoof = True
    reading = await session.read()
    # the spoofed copies carry zeros; the real answer does not
    assert reading.import_raw == dongle.meter.registers()[0] != 0
    assert reading.power_w == pytest.approx(dongle.meter.instantaneous_power_w(), abs=2)
    assert session.stats.foreign_frames >= 1


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
    """D3 absent -> 1; the registers wrap at 10**D7 (the reading says where, in kWh: the
    counter policy of the entities turns them into a total)."""
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
    assert second.energy_import_kwh == pytest.approx(0.3, abs=0.11)
    assert second.modulus_kwh == 10000.0
    assert second.count_kwh == 0.1
    assert 0xD3 in session.unsupported  # not asked again


async def test_coefficient_zero_is_no_reading(
    clock: SimClock, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """A meter answering 0xD3 = 0 (not configured yet): no energy value at all (never 0 kWh),
    history refused, one warning; once it answers its coefficient the readings come."""
    meter = MeterModel(clock, unit_code=0x01, coefficient=10, initial_import_kwh=4321.0)
    meter.fault_coefficient_zero = True
    dongle = await make_dongle("a1", meter=meter)
    assert dongle.path is not None
    session = make_session(dongle.path)
    await session.connect()
    for _ in range(2):
        reading = await session.read()
        assert reading.import_raw == 4321
        assert reading.energy_import_kwh is None
        assert reading.energy_export_kwh is None
        assert reading.unit_kwh is None and reading.modulus_kwh is None
        assert reading.count_kwh is None
    with pytest.raises(MeterRejectedError, match="0xD3"):
        await session.read_meter_info()
    with pytest.raises(MeterRejectedError):
        await session.read_history_day(1)
    meter.fault_coefficient_zero = False
    reading = await session.read()
    assert reading.energy_import_kwh == pytest.approx(4321.0)
    assert (await session.read_meter_info()).coefficient == 10


async def test_no_unit_is_no_reading(
    clock: SimClock, make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """A meter that refuses its unit (0xE1): its counters are never read as kWh."""
    meter = MeterModel(clock)
    meter.fault_no_unit = True
    dongle = await make_dongle("a1", meter=meter)
    assert dongle.path is not None
    session = make_session(dongle.path)
    await session.connect()
    reading = await session.read()
    assert reading.import_raw is not None
    assert reading.energy_import_kwh is None
    with pytest.raises(MeterRejectedError, match="0xE1"):
        await session.read_meter_info()


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


async def test_inf_pushes_and_other_notices(
    make_dongle: DongleFactory, make_session: SessionFactory
) -> None:
    """An INF push of 0xEA/0xEB is delivered and not acknowledged (only INFC is); another
    notice of the meter (its operation status) is no fixed-time reading."""
    dongle, session = await connected("a1", make_dongle, make_session)
    pushes: list[FixedTimeReading] = []
    session.on_fixed_time(pushes.append)
    status = build(7, dongle.responder.eoj, CONTROLLER, ESV.INF, [(m.EPC_OPERATION_STATUS, b"0")])
    dongle.emulator.deliver(status)
    dongle.emulator.deliver(dongle.responder.fixed_time_push())  # INF by default
    await wait_for(lambda: session.stats.pushes == 2, what="both notices")
    assert len(pushes) == 1
    assert pushes[0].timestamp is not None
    values = dongle.meter.boundary_kwh(pushes[0].timestamp)
    assert values is not None
    assert pushes[0].import_kwh == pytest.approx(dongle.meter.register(values[0]) * 0.1)
    assert (await session.read()).import_raw is not None
    assert dongle.responder.stats.infc_res == 0


async def test_truncated_values_are_no_numbers(
    make_dongle: DongleFactory, make_session: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """A meter that answers values one byte short (faulty firmware): those values are shown
    as nothing (and logged), never as a wrong number; without the meter's date its history is
    placed by today's date; without its clock or history 1 the calls fail clearly."""
    dongle, session = await connected("c0", make_dongle, make_session)
    dongle.responder.truncated = {m.EPC_POWER, m.EPC_DATE}
    reading = await session.read()
    assert reading.power_w is None
    assert reading.import_raw == dongle.meter.registers()[0]
    assert "undecodable meter value: instantaneous power" in caplog.text
    day = await session.read_history_day(1)
    assert day.day == datetime.now(m.JST).date() - timedelta(days=1)
    with pytest.raises(MeterRejectedError, match="clock"):
        await session.read_meter_time()
    dongle.responder.truncated = {m.EPC_HISTORY1_IMPORT}
    with pytest.raises(MeterRejectedError, match="history 1"):
        await session.read_history_day(1)


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
