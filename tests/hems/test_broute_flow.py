"""Config, USB discovery, reauth, reconfigure and options flows of B-route entries, against a
virtual dongle on a real pty (every step and error)."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Any

from homeassistant.config_entries import (
    SOURCE_IGNORE,
    SOURCE_RECONFIGURE,
    SOURCE_USB,
    SOURCE_USER,
    ConfigEntryState,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.service_info.usb import UsbServiceInfo
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import serialx

from custom_components.hems.const import DOMAIN
from custom_components.hems.meter import const as broute_const
from custom_components.hems.meter.flow import port_label, stable_path
from simulator.dongle import DEFAULT_PASSWORD, DEFAULT_RBID
from tests.waiting import wait_for

from .test_broute_support import (
    UID,
    WRONG_PASSWORD,
    DongleFactory,
    _fast_broute,
    broute_entry,
    fast_timing,
    finish_progress,
    make_dongle,
    setup_broute,
    sim_clock,
)

#: Fixtures of the support module that this module's tests use.
FIXTURES = (_fast_broute, make_dongle, sim_clock)

CREDENTIALS = {"rbid": DEFAULT_RBID, "password": DEFAULT_PASSWORD}
NEW_PASSWORD = "NEWPASS12345"
OTHER_MAC = "C0F9450012345678"


async def _user_form(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert "broute" in result["menu_options"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "broute"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "broute"
    return result["flow_id"]


async def _submit(hass: HomeAssistant, flow_id: str, port: str | None, **creds: str):
    data = {**CREDENTIALS, **creds}
    if port is not None:
        data["port"] = port
    result = await hass.config_entries.flow.async_configure(flow_id, data)
    if result["type"] is FlowResultType.SHOW_PROGRESS:
        assert result["progress_action"] == "broute_connect"
        result = await finish_progress(hass, result)
    return result


@pytest.mark.parametrize("dialect", ["a1", "c0", "j11"])
async def test_user_flow_creates_the_entry(
    hass: HomeAssistant, make_dongle: DongleFactory, dialect: str
) -> None:
    """Port, ID, password -> progress while connecting -> the entry, with the PAN and the
    meter's identity; the port is free again afterwards and the entry sets up."""
    dongle = await make_dongle(dialect)
    flow_id = await _user_form(hass)
    result = await _submit(hass, flow_id, dongle.path)
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    entry = result["result"]
    assert entry.unique_id == UID
    assert entry.title == "Smart meter"
    assert entry.data["port"] == dongle.path
    assert entry.data["rbid"] == DEFAULT_RBID
    assert entry.data["pan"]["mac"] == dongle.meter_mac
    assert entry.data["meter"] == {
        "mac": dongle.meter_mac,
        "manufacturer": 0x16,
        "serial": "HEMS00000001",
    }
    assert entry.options == {"poll_interval": 60}
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert dongle.stats.scans == [6]  # the entry joined with the flow's PAN: no second scan


async def test_japanese_title_and_maker(hass: HomeAssistant, make_dongle: DongleFactory) -> None:
    hass.config.language = "ja"
    dongle = await make_dongle()
    result = await _submit(hass, await _user_form(hass), dongle.path)
    assert result["title"] == "スマートメーター"
    await hass.async_block_till_done()
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), result["result"].entry_id)
    assert [d.manufacturer for d in devices] == ["東芝"]


async def test_the_flow_never_logs_the_secrets(
    hass: HomeAssistant, make_dongle: DongleFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    dongle = await make_dongle("c0")
    flow_id = await _user_form(hass)
    await _submit(hass, flow_id, dongle.path, password=WRONG_PASSWORD)
    result = await _submit(hass, flow_id, dongle.path)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert "SKSETPWD" in caplog.text  # the commands are logged, masked
    for secret in (DEFAULT_RBID, DEFAULT_PASSWORD, WRONG_PASSWORD, DEFAULT_RBID[-8:]):
        assert secret not in caplog.text


async def test_format_errors(hass: HomeAssistant, make_dongle: DongleFactory) -> None:
    """The ID has 32 letters or digits, the password 12 characters; a port is needed.  Nothing
    touches the dongle until the input is well-formed."""
    dongle = await make_dongle()
    flow_id = await _user_form(hass)
    result = await _submit(hass, flow_id, dongle.path, rbid="0123", password="short")
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"rbid": "invalid_rbid", "password": "invalid_password"}
    result = await _submit(hass, flow_id, dongle.path, rbid="あ" * 32, password="x" * 13)
    assert result["errors"] == {"rbid": "invalid_rbid", "password": "invalid_password"}
    result = await _submit(hass, flow_id, "  ")
    assert result["errors"] == {"port": "invalid_port"}
    assert dongle.stats.commands == []
    result = await _submit(hass, flow_id, dongle.path)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_wrong_credentials_one_attempt_only(
    hass: HomeAssistant, make_dongle: DongleFactory
) -> None:
    """A rejected password: a translated error after a single PANA attempt, then the corrected
    password works in the same flow."""
    dongle = await make_dongle()
    flow_id = await _user_form(hass)
    result = await _submit(hass, flow_id, dongle.path, password=WRONG_PASSWORD)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "broute"
    assert result["errors"] == {"base": "invalid_auth"}
    assert dongle.stats.join_attempts == 1
    result = await _submit(hass, flow_id, dongle.path)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    # one rejected attempt in all: the flow's second test and the entry's join succeeded
    assert dongle.stats.join_attempts - dongle.stats.joins_ok == 1


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("meter_absent", "meter_not_found"),
        ("silent_meter", "cannot_read"),
    ],
)
async def test_meter_errors(
    hass: HomeAssistant, make_dongle: DongleFactory, fault: str, error: str
) -> None:
    dongle = await make_dongle()
    setattr(dongle.faults, fault, True)
    result = await _submit(hass, await _user_form(hass), dongle.path)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}


async def test_meter_does_not_answer_the_authentication(
    hass: HomeAssistant, make_dongle: DongleFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(broute_const, "SESSION_TIMING", fast_timing(join_timeout=0.3))
    dongle = await make_dongle(join_seconds=1000)
    result = await _submit(hass, await _user_form(hass), dongle.path)
    assert result["errors"] == {"base": "no_response"}


async def test_timeout(
    hass: HomeAssistant, make_dongle: DongleFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(broute_const, "FLOW_TIMEOUT", 0.01)
    dongle = await make_dongle()
    result = await _submit(hass, await _user_form(hass), dongle.path)
    assert result["errors"] == {"base": "timeout"}


async def test_no_dongle(hass: HomeAssistant, tmp_path: Path) -> None:
    result = await _submit(hass, await _user_form(hass), str(tmp_path / "ttyUSB9"))
    assert result["errors"] == {"base": "dongle_missing"}


async def test_not_a_dongle(hass: HomeAssistant) -> None:
    """Something on a serial port that answers neither SKSTACK IP nor J11."""
    master, slave = os.openpty()
    try:
        result = await _submit(hass, await _user_form(hass), os.ttyname(slave))
    finally:
        os.close(master)
        os.close(slave)
    assert result["errors"] == {"base": "not_a_dongle"}


async def test_unexpected_error(hass: HomeAssistant, caplog: pytest.LogCaptureFixture) -> None:
    """A path the operating system refuses outright: 'unknown', logged."""
    result = await _submit(hass, await _user_form(hass), "/dev/tty\x00USB0")
    assert result["errors"] == {"base": "unknown"}
    assert "unexpected error while testing the connection" in caplog.text


async def test_already_configured(hass: HomeAssistant, make_dongle: DongleFactory) -> None:
    """The port of an entry (its session holds it) and the same meter through another dongle
    both abort."""
    dongle = await make_dongle()
    await setup_broute(hass, dongle)
    joins = dongle.stats.join_attempts
    result = await _submit(hass, await _user_form(hass), dongle.path)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "broute_already_configured"
    assert dongle.stats.join_attempts == joins  # the entry's port was not touched
    other = await make_dongle()  # another dongle in reach of the same meter
    result = await _submit(hass, await _user_form(hass), other.path)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "broute_already_configured"


# ----------------------------------------------------------------------------- USB discovery


def _usb(device: str, serial: str = "DM006AOS") -> UsbServiceInfo:
    return UsbServiceInfo(
        device=device,
        vid="0403",
        pid="6015",
        serial_number=serial,
        manufacturer="FTDI",
        description="FT230X Basic UART",
    )


async def test_usb_discovery(hass: HomeAssistant, make_dongle: DongleFactory) -> None:
    dongle = await make_dongle("j11")
    assert dongle.path is not None
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USB}, data=_usb(dongle.path)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "usb_confirm"
    assert result["description_placeholders"] == {
        "name": "FTDI FT230X Basic UART",
        "port": dongle.path,
    }
    again = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USB}, data=_usb(dongle.path)
    )
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "already_in_progress"
    flow_id = result["flow_id"]
    result = await _submit(hass, flow_id, None, rbid="x")
    assert result["errors"] == {"rbid": "invalid_rbid"}
    result = await _submit(hass, flow_id, None, password=WRONG_PASSWORD)
    assert result["step_id"] == "usb_confirm"
    assert result["errors"] == {"base": "invalid_auth"}
    result = await _submit(hass, flow_id, None)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].data["port"] == dongle.path
    assert result["result"].unique_id == UID


async def test_usb_discovery_of_a_configured_or_ignored_dongle(
    hass: HomeAssistant, make_dongle: DongleFactory
) -> None:
    dongle = await make_dongle()
    assert dongle.path is not None
    await setup_broute(hass, dongle)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USB}, data=_usb(dongle.path)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "broute_already_configured"
    MockConfigEntry(
        domain=DOMAIN, source=SOURCE_IGNORE, unique_id="usb_0403_6015_IGNORED", data={}
    ).add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USB}, data=_usb("/dev/ttyUSB7", serial="IGNORED")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "broute_already_configured"


def test_port_labels() -> None:
    """How listed serial ports are shown (the machine's own list is used in the forms)."""
    port = serialx.SerialPortInfo(
        device="/dev/serial/by-id/usb-FTDI_FT230X_Basic_UART_DM006AOS-if00-port0",
        resolved_device="/dev/ttyUSB0",
        vid=0x0403,
        pid=0x6015,
        serial_number="DM006AOS",
        manufacturer="FTDI",
        product="FT230X Basic UART",
        bcd_device=None,
        interface_description=None,
        interface_num=None,
    )
    assert port_label(port) == (
        "FTDI FT230X Basic UART (DM006AOS) [0403:6015] - "
        "/dev/serial/by-id/usb-FTDI_FT230X_Basic_UART_DM006AOS-if00-port0"
    )
    bare = serialx.SerialPortInfo(
        device="/dev/ttyS0",
        resolved_device="/dev/ttyS0",
        vid=None,
        pid=None,
        serial_number=None,
        manufacturer=None,
        product=None,
        bcd_device=None,
        interface_description=None,
        interface_num=None,
    )
    assert port_label(bare) == "- /dev/ttyS0"
    # a discovered /dev/ttyUSB0 is kept as its stable by-id path
    assert stable_path("/dev/ttyUSB0", "/dev/ttyUSB0", [bare, port]) == port.device
    assert stable_path(port.device, "/dev/ttyUSB0", [port]) == port.device
    assert stable_path("/dev/ttyACM0", "/dev/ttyACM0", [bare, port]) == "/dev/ttyACM0"


# ----------------------------------------------------------------------------- reauth


async def test_reauth_after_the_meter_rejects_the_credentials(
    hass: HomeAssistant, make_dongle: DongleFactory
) -> None:
    """The password changed at the distribution company: the session gives up, a reauth flow
    starts; a wrong password is refused with one attempt; the right one reloads the entry."""
    dongle = await make_dongle()
    entry = await setup_broute(hass, dongle)
    dongle.password = NEW_PASSWORD
    dongle.expire_session(reauth_ok=False)
    await wait_for(lambda: bool(hass.config_entries.flow.async_progress_by_handler(DOMAIN)))
    flow = hass.config_entries.flow.async_progress_by_handler(DOMAIN)[0]
    assert flow["context"]["source"] == "reauth"
    assert flow["step_id"] == "reauth_confirm"
    flow_id = flow["flow_id"]
    result = await _submit(hass, flow_id, None, password="x")
    assert result["errors"] == {"password": "invalid_password"}
    joins = dongle.stats.join_attempts
    result = await _submit(hass, flow_id, None, password=WRONG_PASSWORD)
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {"base": "invalid_auth"}
    assert dongle.stats.join_attempts == joins + 1
    result = await _submit(hass, flow_id, None, password=NEW_PASSWORD)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "broute_reauth_successful"
    await hass.async_block_till_done()
    assert entry.data["password"] == NEW_PASSWORD
    assert entry.state is ConfigEntryState.LOADED


async def test_reauth_of_a_loaded_entry_and_another_meter(
    hass: HomeAssistant, make_dongle: DongleFactory
) -> None:
    """Reauth started while the entry runs frees the port first; credentials that reach
    another meter abort."""
    dongle = await make_dongle()
    entry = await setup_broute(hass, dongle)
    hass.config_entries.async_update_entry(entry, unique_id="broute_0000000000000000")
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    result = await _submit(hass, result["flow_id"], None)
    assert result["type"] is FlowResultType.ABORT, result
    assert result["reason"] == "wrong_meter"
    assert entry.state is ConfigEntryState.NOT_LOADED


# ----------------------------------------------------------------------------- reconfigure


async def _reconfigure(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "broute_reconfigure"
    assert result["description_placeholders"] == {"title": entry.title}
    return result["flow_id"]


async def test_reconfigure_port(
    hass: HomeAssistant, make_dongle: DongleFactory, tmp_path: Path
) -> None:
    """Move to another path of the same dongle; empty credentials keep the current ones."""
    dongle = await make_dongle()
    entry = await setup_broute(hass, dongle)
    assert dongle.device is not None
    new_path = str(tmp_path / "serial-by-id-wisun")
    os.symlink(dongle.device, new_path)
    flow_id = await _reconfigure(hass, entry)
    result = await hass.config_entries.flow.async_configure(flow_id, {"port": new_path})
    result = await finish_progress(hass, result)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "broute_reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.data["port"] == new_path
    assert entry.data["password"] == DEFAULT_PASSWORD
    assert entry.state is ConfigEntryState.LOADED


async def test_reconfigure_credentials_and_errors(
    hass: HomeAssistant, make_dongle: DongleFactory, tmp_path: Path
) -> None:
    """Bad input is refused before anything is touched; a failed test keeps the entry
    running with its current settings; new credentials are saved."""
    dongle = await make_dongle()
    entry = await setup_broute(hass, dongle)
    flow_id = await _reconfigure(hass, entry)
    result = await hass.config_entries.flow.async_configure(flow_id, {"port": "", "rbid": "short"})
    assert result["errors"] == {"port": "invalid_port", "rbid": "invalid_rbid"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"port": str(tmp_path / "gone")}
    )
    result = await finish_progress(hass, result)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "dongle_missing"}
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED  # restored while the user corrects it
    dongle.password = NEW_PASSWORD
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"port": dongle.path, "password": NEW_PASSWORD}
    )
    result = await finish_progress(hass, result)
    assert result["reason"] == "broute_reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.data["password"] == NEW_PASSWORD
    assert entry.state is ConfigEntryState.LOADED


async def test_reconfigure_to_another_meter_or_a_used_port(
    hass: HomeAssistant, make_dongle: DongleFactory
) -> None:
    first = await make_dongle()
    other = await make_dongle(meter_mac=OTHER_MAC)
    entry = await setup_broute(hass, first)
    flow_id = await _reconfigure(hass, entry)
    result = await hass.config_entries.flow.async_configure(flow_id, {"port": other.path})
    result = await finish_progress(hass, result)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_meter"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED  # still on its own meter

    second = MockConfigEntry(
        domain=DOMAIN,
        unique_id=f"broute_{OTHER_MAC.lower()}",
        data={**entry.data, "port": other.path},
        options=dict(entry.options),
        title="Other meter",
    )
    second.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second.entry_id)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": second.entry_id}
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"port": first.path})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "broute_already_configured"


async def test_reconfigure_an_entry_that_failed_to_set_up(
    hass: HomeAssistant, make_dongle: DongleFactory, tmp_path: Path
) -> None:
    """An entry whose credentials were rejected at setup stays as it is while a reconfigure
    test fails; the right password then sets it up."""
    dongle = await make_dongle()
    entry = await setup_broute_failing(hass, dongle)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    flow_id = await _reconfigure(hass, entry)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"port": str(tmp_path / "gone")}
    )
    result = await finish_progress(hass, result)
    assert result["errors"] == {"base": "dongle_missing"}
    assert entry.state is ConfigEntryState.SETUP_ERROR
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"port": dongle.path, "password": DEFAULT_PASSWORD}
    )
    result = await finish_progress(hass, result)
    assert result["reason"] == "broute_reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def setup_broute_failing(hass: HomeAssistant, dongle: object) -> MockConfigEntry:
    """An entry with a wrong password (the setup fails and asks for reauthentication)."""
    path = getattr(dongle, "path", None)
    assert isinstance(path, str)
    entry = broute_entry(path, password=WRONG_PASSWORD)
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


# ----------------------------------------------------------------------------- options


async def test_options_poll_interval(hass: HomeAssistant, make_dongle: DongleFactory) -> None:
    dongle = await make_dongle()
    entry = await setup_broute(hass, dongle)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "broute"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"poll_interval": 120}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options == {"poll_interval": 120}
    assert entry.state is ConfigEntryState.LOADED
    coordinator = entry.runtime_data.coordinator
    assert coordinator.update_interval.total_seconds() == 120


def _openers(device: str) -> int:
    """How many file descriptors of this process (Home Assistant's) have ``device`` open."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/self/fd/{fd}") == device:
                count += 1
    return count


async def _probe_holding_the_port(hass: HomeAssistant, dongle: Any, flow_id: str) -> None:
    """Submit the form to a meter that never answers the authentication; return once the
    probe has the dongle open (the dongle itself keeps one descriptor)."""
    result = await hass.config_entries.flow.async_configure(
        flow_id, {**CREDENTIALS, "port": dongle.path}
    )
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    device = dongle.device
    await wait_for(lambda: _openers(device) == 2, what="the probe to open the dongle")
    await wait_for(lambda: dongle.stats.scans != [], what="the probe to scan")


async def test_closing_the_dialog_closes_the_dongle(
    hass: HomeAssistant, make_dongle: DongleFactory
) -> None:
    """The probe (which could wait minutes for the meter) is cancelled when the user closes
    the dialog: the port is closed at once, nothing is left running."""
    dongle = await make_dongle(join_seconds=100_000)
    flow_id = await _user_form(hass)
    await _probe_holding_the_port(hass, dongle, flow_id)
    hass.config_entries.flow.async_abort(flow_id)
    await wait_for(lambda: _openers(dongle.device) == 1, what="the dongle to be closed")
    await hass.async_block_till_done()
    assert hass.config_entries.flow.async_progress() == []
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_closing_the_reconfigure_dialog_restores_the_entry(
    hass: HomeAssistant, make_dongle: DongleFactory
) -> None:
    """The reconfigure probe unloaded the entry to free the port: closing the dialog while it
    runs sets the entry up again with its settings."""
    dongle = await make_dongle()
    other = await make_dongle(join_seconds=100_000)
    entry = await setup_broute(hass, dongle)
    flow_id = await _reconfigure(hass, entry)
    await _probe_holding_the_port(hass, other, flow_id)
    assert entry.state is ConfigEntryState.NOT_LOADED
    hass.config_entries.flow.async_abort(flow_id)
    await wait_for(lambda: _openers(other.device) == 1, what="the dongle to be closed")
    await wait_for(
        lambda: entry.state is ConfigEntryState.LOADED, what="the entry to be set up again"
    )
    assert entry.data["port"] == dongle.path
