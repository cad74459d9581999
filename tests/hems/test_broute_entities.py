"""B-route entries at run time: entities and their values against the meter model, pushes,
polling, unplug/replug with the repair issue, setup failures, diagnostics without secrets."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
import json
import logging
import os
from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components import hems
from custom_components.hems import diagnostics as hems_diagnostics
from custom_components.hems.const import DOMAIN
from custom_components.hems.echonet.const import ESV
from custom_components.hems.meter import const as broute_const
from custom_components.hems.meter.session import async_connect, rssi_dbm
from custom_components.hems.wisun import (
    BRouteCredentials,
    BRouteSession,
    Dialect,
    PanDescriptor,
    SessionState,
)
from simulator.clock import JST, SimClock
from simulator.dongle import DEFAULT_PASSWORD, DEFAULT_RBID, MeterResponder, VirtualDongle
from simulator.meter_model import MeterModel
from tests.waiting import wait_for
from tests.wisun.conftest import FAST

from .test_broute_support import (
    UID,
    WRONG_PASSWORD,
    DongleFactory,
    _fast_broute,
    broute_entry,
    fast_timing,
    make_dongle,
    setup_broute,
    sim_clock,
)

#: Fixtures of the support module that this module's tests use.
FIXTURES = (_fast_broute, make_dongle, sim_clock)

P = "sensor.smart_meter_"
POWER = f"{P}grid_power"
IMPORT_POWER = f"{P}grid_import_power"
EXPORT_POWER = f"{P}grid_export_power"
CURRENT_R = f"{P}current_r_phase"
CURRENT_T = f"{P}current_t_phase"
IMPORT = f"{P}grid_import_energy"
EXPORT = f"{P}grid_export_energy"
FIXED_IMPORT = f"{P}import_energy_at_the_last_half_hour"
FIXED_EXPORT = f"{P}export_energy_at_the_last_half_hour"
LINK = f"{P}link_quality"
STATE = f"{P}connection_state"
CONNECTED = "binary_sensor.smart_meter_connected"


def _value(hass: HomeAssistant, entity_id: str) -> float:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return float(state.state)


def _meter_device(hass: HomeAssistant, entry_id: str) -> dr.DeviceEntry:
    """The meter's device (looked up in a way every supported version offers)."""
    devices = [
        d
        for d in dr.async_entries_for_config_entry(dr.async_get(hass), entry_id)
        if (DOMAIN, UID) in d.identifiers
    ]
    assert len(devices) == 1
    return devices[0]


async def _poll(hass: HomeAssistant) -> None:
    """The next polling time: the coordinator reads in a background task."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.mark.parametrize("dialect", ["a1", "c0", "j11"])
async def test_entities_and_values(
    hass: HomeAssistant, make_dongle: DongleFactory, dialect: str
) -> None:
    """Every sensor against the meter model; the device from the meter's identity."""
    dongle = await make_dongle(dialect)
    meter = dongle.meter
    meter.set_net_power(1234.0)
    entry = await setup_broute(hass, dongle)
    assert entry.state is ConfigEntryState.LOADED
    imp, exp = meter.registers()
    assert _value(hass, POWER) == 1234
    assert _value(hass, IMPORT_POWER) == 1234
    assert _value(hass, EXPORT_POWER) == 0
    assert _value(hass, CURRENT_R) == 6.2
    assert _value(hass, CURRENT_T) == 6.2
    assert _value(hass, IMPORT) == pytest.approx(imp * 0.1)
    assert _value(hass, EXPORT) == pytest.approx(exp * 0.1)
    assert hass.states.get(STATE).state == "connected"
    assert hass.states.get(CONNECTED).state == "on"
    import_state = hass.states.get(IMPORT)
    assert import_state.attributes["state_class"] == "total_increasing"
    assert import_state.attributes["device_class"] == "energy"
    assert import_state.attributes["unit_of_measurement"] == "kWh"

    registry = er.async_get(hass)
    # The half-hour values are on (the energy entry uses them); the link quality is not.
    for entity_id, key, disabled in (
        (FIXED_IMPORT, "fixed_time_import_energy", None),
        (LINK, "link_quality", er.RegistryEntryDisabler.INTEGRATION),
    ):
        registered = registry.async_get(entity_id)
        assert registered is not None
        assert registered.unique_id == f"{UID}-{key}"
        assert registered.disabled_by is disabled
    assert registry.async_get(STATE).entity_category == "diagnostic"
    device = _meter_device(hass, entry.entry_id)
    assert device.manufacturer == "Toshiba"
    assert device.serial_number == "HEMS00000001"
    assert device.name == "Smart meter"
    assert entry.data["pan"]["mac"] == dongle.meter_mac
    assert entry.data["meter"]["serial"] == "HEMS00000001"

    meter.set_net_power(-1500.0)
    await _poll(hass)
    assert _value(hass, POWER) == -1500
    assert _value(hass, IMPORT_POWER) == 0
    assert _value(hass, EXPORT_POWER) == 1500
    assert _value(hass, CURRENT_R) == -7.5


async def test_two_wire_meter_has_no_t_phase(
    hass: HomeAssistant, make_dongle: DongleFactory, sim_clock: SimClock
) -> None:
    dongle = await make_dongle(meter=MeterModel(sim_clock, history_days=2, two_wire=True))
    await setup_broute(hass, dongle)
    assert hass.states.get(CURRENT_R) is not None
    assert hass.states.get(CURRENT_T) is None
    assert er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{UID}-current_t") is None


async def test_diagnostic_entities_and_link_quality(
    hass: HomeAssistant, make_dongle: DongleFactory
) -> None:
    dongle = await make_dongle()
    entry = await setup_broute(hass, dongle)
    registry = er.async_get(hass)
    registry.async_update_entity(LINK, disabled_by=None)
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    # LQI 0x9C from the scan: 0.275 x 156 - 104.27 dBm
    assert _value(hass, LINK) == -61
    assert hass.states.get(LINK).attributes["unit_of_measurement"] == "dBm"
    assert rssi_dbm(PanDescriptor(Dialect.J11, 4, 1, "00" * 8, lqi=0xC4)) == -60
    assert rssi_dbm(PanDescriptor(Dialect.J11, 4, 1, "00" * 8, lqi=20)) == 20
    assert rssi_dbm(PanDescriptor(Dialect.A1, 33, 1, "00" * 8)) is None
    assert rssi_dbm(None) is None


async def test_fixed_time_pushes_are_applied_at_once(
    hass: HomeAssistant, make_dongle: DongleFactory
) -> None:
    """The meter's 0xEA/0xEB push after a :00/:30 updates the half-hour sensors (and the
    counters) without a poll.  The meter's clock starts just before a half hour."""
    start = datetime.now(JST).replace(minute=29, second=56, microsecond=0)
    clock = SimClock(speed=4.0, start=start)
    meter = MeterModel(clock, history_days=2)
    meter.set_net_power(3600.0)
    responder = MeterResponder(meter, push_delay=2.0, push_esv=ESV.INFC)
    dongle = await make_dongle(clock=clock, meter=meter, responder=responder)
    await setup_broute(hass, dongle)
    first = hass.states.get(FIXED_IMPORT)
    assert first is not None
    assert first.attributes["measured_at"] == start.replace(minute=0, second=0).isoformat()
    gets = responder.stats.gets
    await wait_for(lambda: responder.stats.pushes >= 1, limit=5)
    await wait_for(
        lambda: (
            hass.states.get(FIXED_IMPORT).attributes.get("measured_at")
            == start.replace(minute=30, second=0).isoformat()
        ),
        limit=3,
    )
    values = meter.boundary_kwh(start.replace(minute=30, second=0))
    assert values is not None
    assert _value(hass, FIXED_IMPORT) == pytest.approx(meter.register(values[0]) * 0.1)
    assert _value(hass, FIXED_EXPORT) == pytest.approx(meter.register(values[1]) * 0.1)
    assert hass.states.get(FIXED_EXPORT).attributes["measured_at"] == (
        start.replace(minute=30, second=0).isoformat()
    )
    assert _value(hass, IMPORT) >= _value(hass, FIXED_IMPORT)
    assert responder.stats.gets == gets  # no poll was needed
    await wait_for(lambda: responder.stats.infc_res >= 1)
    # an older push (e.g. repeated) changes nothing
    dongle.emulator.deliver(responder.fixed_time_push(start.replace(minute=0, second=0)))
    await hass.async_block_till_done()
    assert hass.states.get(FIXED_IMPORT).attributes["measured_at"].endswith("30:00+09:00")


async def test_unplug_and_replug(
    hass: HomeAssistant, make_dongle: DongleFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """Dongle out: meter values unavailable at once, a repair issue; back in: the session
    reconnects by itself, the values return, the issue goes away."""
    dongle = await make_dongle("c0")
    entry = await setup_broute(hass, dongle)
    coordinator = entry.runtime_data.coordinator
    issue_id = f"broute_dongle_missing_{entry.entry_id}"
    issues = ir.async_get(hass)
    await dongle.unplug()
    await wait_for(lambda: coordinator.session.state is SessionState.DONGLE_UNAVAILABLE)
    await hass.async_block_till_done()
    for entity_id in (POWER, IMPORT, EXPORT, CURRENT_R):
        assert hass.states.get(entity_id).state == STATE_UNAVAILABLE
    assert hass.states.get(STATE).state == "dongle_unavailable"
    assert hass.states.get(CONNECTED).state == "off"
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "broute_dongle_missing"
    assert issue.translation_placeholders == {"port": dongle.path, "title": entry.title}
    await _poll(hass)
    await _poll(hass)
    missing = f"The Wi-SUN dongle at {dongle.path} is missing"
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and missing in r.getMessage()]
    assert len(errors) == 1  # logged once while unavailable
    await dongle.replug()
    await wait_for(lambda: coordinator.session.state is SessionState.CONNECTED)
    await wait_for(lambda: coordinator.last_update_success)
    await hass.async_block_till_done()
    assert hass.states.get(IMPORT).state != STATE_UNAVAILABLE
    assert hass.states.get(CONNECTED).state == "on"
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    assert dongle.stats.scans == [6]  # rejoined with the known PAN
    assert "data recovered" in caplog.text  # and once when back


async def test_silent_meter_makes_values_unavailable(
    hass: HomeAssistant, make_dongle: DongleFactory
) -> None:
    dongle = await make_dongle()
    await setup_broute(hass, dongle)
    dongle.faults.silent_meter = True
    await _poll(hass)
    assert hass.states.get(POWER).state == STATE_UNAVAILABLE
    assert hass.states.get(CONNECTED).state == "on"  # the session itself is fine
    dongle.faults.silent_meter = False
    await _poll(hass)
    assert hass.states.get(POWER).state != STATE_UNAVAILABLE


@pytest.mark.parametrize("problem", ["transmission_limit", "send_failures"])
async def test_reading_problems(
    hass: HomeAssistant,
    make_dongle: DongleFactory,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    problem: str,
) -> None:
    """The radio's transmission-time limit outlasting the wait, or sends that keep failing:
    the values are unavailable until a reading works again."""
    monkeypatch.setattr(
        broute_const, "SESSION_TIMING", fast_timing(ready_timeout=0.2, rejoin_delays=(0.05,))
    )
    dongle = await make_dongle()
    entry = await setup_broute(hass, dongle)
    session = entry.runtime_data.coordinator.session
    if problem == "transmission_limit":
        dongle.start_tx_limit()
        await wait_for(lambda: session.state is SessionState.TRANSMISSION_LIMITED)
    else:
        dongle.faults.fail_sends = 100
    joins = dongle.stats.join_attempts
    await _poll(hass)
    assert hass.states.get(POWER).state == STATE_UNAVAILABLE
    expected = {
        "transmission_limit": "The smart meter is not connected (transmission_limited)",
        "send_failures": "Reading the smart meter failed:",
    }[problem]
    assert expected in caplog.text
    dongle.release_tx_limit()
    dongle.faults.fail_sends = 0
    if problem == "send_failures":  # the session gives the request up and joins again
        await wait_for(lambda: dongle.stats.join_attempts > joins)
    await wait_for(lambda: session.state is SessionState.CONNECTED)

    async def reading_works() -> bool:
        # Connected again, the coordinator asks for a reading itself (no polling time needed:
        # firing the clock here would also fire wait_for's own time limit).
        await hass.async_block_till_done(wait_background_tasks=True)
        return hass.states.get(POWER).state != STATE_UNAVAILABLE

    await wait_for(reading_works, what="a reading that works")


async def test_new_pan_is_kept(hass: HomeAssistant, make_dongle: DongleFactory) -> None:
    """The meter moved to another channel: the session scans again and the entry keeps the
    new PAN (no reload)."""
    dongle = await make_dongle()
    entry = await setup_broute(hass, dongle)
    assert entry.data["pan"]["channel"] == dongle.channel
    dongle.channel = 0x2A
    dongle.terminate_session()
    await wait_for(lambda: entry.data["pan"]["channel"] == 0x2A)
    assert entry.state is ConfigEntryState.LOADED
    assert dongle.stats.scans == [6, 6]


async def test_unreadable_stored_pan_means_a_scan(
    hass: HomeAssistant, make_dongle: DongleFactory
) -> None:
    dongle = await make_dongle()
    entry = await setup_broute(hass, dongle, pan={"mac": "not a MAC"})
    assert entry.data["pan"]["mac"] == dongle.meter_mac
    assert dongle.stats.scans == [6]


async def test_setup_without_the_dongle(
    hass: HomeAssistant, make_dongle: DongleFactory, tmp_path: Path
) -> None:
    """No dongle at setup: retried, with a repair issue; plugged in: set up, issue gone."""
    path = str(tmp_path / "later")
    entry = broute_entry(path)
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    issue_id = f"broute_dongle_missing_{entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    await make_dongle(link=path)
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_setup_with_rejected_credentials(
    hass: HomeAssistant, make_dongle: DongleFactory
) -> None:
    """Rejected at setup: a few attempts with backoff, then reauth; retries (reloads) make no
    more attempts: the rejection count lives in the entry's session."""
    dongle = await make_dongle()
    entry = broute_entry(dongle.path or "", password=WRONG_PASSWORD)
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    attempts = dongle.stats.join_attempts
    assert attempts == broute_const.SESSION_TIMING.max_auth_failures
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == ["reauth"]
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert dongle.stats.join_attempts == attempts


@pytest.mark.parametrize(
    ("fault", "limit"),
    [("not_a_dongle", None), ("meter_absent", None), (None, 0.001)],
)
async def test_setup_retries(
    hass: HomeAssistant,
    make_dongle: DongleFactory,
    monkeypatch: pytest.MonkeyPatch,
    fault: str | None,
    limit: float | None,
) -> None:
    """Something else than a dongle, a meter out of reach, a slow connection: retry later."""
    if limit is not None:
        monkeypatch.setattr(broute_const, "SETUP_TIMEOUT", limit)
    if fault == "not_a_dongle":
        master, slave = os.openpty()
        path = os.ttyname(slave)
    else:
        dongle = await make_dongle()
        dongle.faults.meter_absent = fault == "meter_absent"
        path = dongle.path or ""
    entry = broute_entry(path)
    entry.add_to_hass(hass)
    try:
        assert not await hass.config_entries.async_setup(entry.entry_id)
        assert entry.state is ConfigEntryState.SETUP_RETRY
    finally:
        if fault == "not_a_dongle":
            os.close(master)
            os.close(slave)


async def test_first_reading_fails(hass: HomeAssistant, make_dongle: DongleFactory) -> None:
    """Connected but the meter does not answer: retry later, the port is released."""
    dongle = await make_dongle()
    dongle.faults.silent_meter = True
    entry = broute_entry(dongle.path or "")
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert "manufacturer" not in entry.data["meter"]  # identity not readable either


async def test_diagnostics_and_logs_never_show_the_secrets(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    make_dongle: DongleFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Through setup, readings, a rejected attempt and diagnostics: no ID, no password."""
    caplog.set_level(logging.DEBUG)
    assert await async_setup_component(hass, "diagnostics", {})
    dongle = await make_dongle("j11")
    dongle.faults.noise = True
    entry = await setup_broute(hass, dongle)
    await _poll(hass)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = json.dumps(diagnostics)
    assert diagnostics["entry"]["data"]["rbid"] == "**REDACTED**"
    assert diagnostics["entry"]["data"]["password"] == "**REDACTED**"
    assert diagnostics["session"]["state"] == "connected"
    assert diagnostics["session"]["pan"]["mac"] == dongle.meter_mac
    assert diagnostics["reading"]["import_raw"] == dongle.meter.registers()[0]
    assert diagnostics["coordinator"]["last_update_success"] is True
    await dongle.unplug()
    dongle.password = "ROTATED12345"
    await dongle.replug()
    await wait_for(
        lambda: entry.runtime_data.coordinator.session.state is SessionState.CREDENTIALS_REJECTED,
        limit=5,
    )
    await _poll(hass)  # the next reading reports the rejection too (reauth)
    assert entry.runtime_data.coordinator.last_update_success is False
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == ["reauth"]
    for secret in (DEFAULT_RBID, DEFAULT_PASSWORD, DEFAULT_RBID[-8:]):
        assert secret not in caplog.text
        assert secret not in text
    assert "SKSETRBID" in caplog.text or "0x0054" in caplog.text or "J11" in caplog.text


async def test_device_removal(hass: HomeAssistant, make_dongle: DongleFactory) -> None:
    dongle = await make_dongle()
    entry = await setup_broute(hass, dongle)
    registry = dr.async_get(hass)
    meter = _meter_device(hass, entry.entry_id)
    assert not await hems.async_remove_config_entry_device(hass, entry, meter)
    stray = registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, "broute_0000000000000000")}
    )
    assert await hems.async_remove_config_entry_device(hass, entry, stray)


async def test_stop_and_unload_close_the_session(
    hass: HomeAssistant, make_dongle: DongleFactory, hass_storage: dict[str, Any]
) -> None:
    """Home Assistant stopping ends the PANA session politely and keeps the time of the last
    reading; unloading closes the port."""
    dongle = await make_dongle()
    entry = await setup_broute(hass, dongle)
    coordinator = entry.runtime_data.coordinator
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert coordinator.session.state is SessionState.CLOSED
    assert not dongle.session_up
    stored = hass_storage[f"hems.broute.{entry.entry_id}"]["data"]
    assert stored["last_live"] == coordinator.last_live.isoformat()
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED
    diagnostics = await hems_diagnostics.async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["loaded"] is False


async def test_connect_cancelled(make_dongle: DongleFactory) -> None:
    """Setup cancelled while connecting (Home Assistant stopping): the session is closed and
    the cancellation goes on."""
    dongle = await make_dongle(scan_min_duration=8)
    session = BRouteSession(
        dongle.path or "", BRouteCredentials(DEFAULT_RBID, DEFAULT_PASSWORD), timing=FAST
    )
    task = asyncio.ensure_future(async_connect(session, 10))
    await wait_for(lambda: session.state is SessionState.SCANNING)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert session.state is SessionState.CLOSED


async def test_entry_from_code_without_pan(
    hass: HomeAssistant, tmp_path: Path, sim_clock: SimClock
) -> None:
    """How a demo adds an entry for a virtual dongle: data only (the setup scans)."""
    dongle = VirtualDongle("a1", link=str(tmp_path / "demo"), delay_scale=0.005, clock=sim_clock)
    await dongle.start()
    try:
        entry = broute_entry(str(tmp_path / "demo"), rbid=DEFAULT_RBID, password=DEFAULT_PASSWORD)
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.data["pan"]["mac"] == dongle.meter_mac
        assert hass.states.get(IMPORT) is not None
        assert await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await dongle.stop()
