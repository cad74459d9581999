"""A B-route entry whose dongle hangs (the port stays open, the dongle answers nothing): the
values go unavailable, the connection state says "dongle not responding" while the session
reopens the port, and the values come back once the dongle answers again.  Home Assistant, the
driver and a virtual dongle on a pty, for real."""

from __future__ import annotations

from datetime import timedelta
import logging

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.hems.const import DOMAIN
from custom_components.hems.meter import const as broute_const
from custom_components.hems.wisun import SessionState
from tests.waiting import wait_for

from .test_broute_support import (
    DongleFactory,
    _fast_broute,
    fast_timing,
    make_dongle,
    setup_broute,
    sim_clock,
)

#: Fixtures of the support module that this module's tests use.
FIXTURES = (_fast_broute, make_dongle, sim_clock)

POWER = "sensor.smart_meter_grid_power"
IMPORT = "sensor.smart_meter_grid_import_energy"
STATE = "sensor.smart_meter_connection_state"
CONNECTED = "binary_sensor.smart_meter_connected"


async def _poll(hass: HomeAssistant) -> None:
    """The next polling time: the coordinator reads in a background task."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.mark.parametrize("dialect", ["c0", "j11"])
async def test_a_hung_dongle_makes_values_unavailable_until_it_answers(
    hass: HomeAssistant,
    make_dongle: DongleFactory,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    dialect: str,
) -> None:
    """Polls against a hung dongle fail (unavailable, never a number); after
    ``hang_timeouts`` of them the state is "dongle_not_responding" while the session keeps
    reopening the port (a hang that a reopen does not end), with no "dongle missing" repair
    (the dongle is there); plugged in again, the values come back."""
    timing = fast_timing(send_timeout=0.3, command_timeout=1.0)
    monkeypatch.setattr(broute_const, "SESSION_TIMING", timing)
    dongle = await make_dongle(dialect)
    entry = await setup_broute(hass, dongle)
    session = entry.runtime_data.coordinator.session
    assert hass.states.get(POWER).state != STATE_UNAVAILABLE
    dongle.faults.hang_ends_on_reopen = False
    dongle.faults.hung = True
    polls = 0
    while session.stats.hangs == 0 and polls < 10:
        await _poll(hass)
        polls += 1
        assert hass.states.get(POWER).state == STATE_UNAVAILABLE
        assert hass.states.get(IMPORT).state == STATE_UNAVAILABLE
    assert polls == timing.hang_timeouts
    await wait_for(lambda: session.state is SessionState.DONGLE_NOT_RESPONDING)
    await _poll(hass)
    assert hass.states.get(STATE).state == "dongle_not_responding"
    assert hass.states.get(CONNECTED).state == "off"
    assert hass.states.get(POWER).state == STATE_UNAVAILABLE
    missing = f"broute_dongle_missing_{entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, missing) is None
    silent = f"The Wi-SUN dongle at {dongle.path} does not respond; reconnecting it"
    assert str(entry.runtime_data.coordinator.last_exception) == silent
    warned = [r for r in caplog.records if "stopped answering" in r.getMessage()]
    assert [r.levelno for r in warned] == [logging.WARNING]
    await dongle.replug()
    await wait_for(lambda: session.state is SessionState.CONNECTED)
    await wait_for(lambda: entry.runtime_data.coordinator.last_update_success)
    await hass.async_block_till_done()
    assert hass.states.get(IMPORT).state != STATE_UNAVAILABLE
    assert hass.states.get(STATE).state == "connected"
