"""Notices (お知らせ) to the phone: a device fault, a device going offline, the alarm and the
contract current reach the chosen notify targets, translated, once per quiet time.

A real Home Assistant with the virtual house on loopback; the targets are a real notify
entity (Home Assistant's notify platform with a test entity that keeps what it was sent) and a
notify action registered as the mobile app registers its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
import logging
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant import config_entries
from homeassistant.components.notify import DOMAIN as NOTIFY, NotifyEntity
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    async_fire_time_changed,
    mock_integration,
    mock_platform,
    setup_test_component_platform,
)

from custom_components.hems.home.notices import (
    CATEGORIES,
    OPT_NOTICE_CATEGORIES,
    OPT_NOTIFY_ENTITIES,
    OPT_NOTIFY_SERVICES,
)
from tests.waiting import wait_for

from .conftest import HouseFactory, settle, setup_hub
from .test_broute_support import DongleFactory, _fast_broute, make_dongle, setup_broute, sim_clock
from .test_energy_support import energy_entry, entity_id, runtime_of, setup_energy

FAULT, NO_FAULT = b"\x41", b"\x42"
MODE = "select.storage_battery_operation_mode"
FIXTURES = (_fast_broute, make_dongle, sim_clock)  # the B-route meter's, used here
ENERGY = {"device_class": "energy", "unit_of_measurement": "kWh", "state_class": "total_increasing"}


class _TestFlow(config_entries.ConfigFlow):
    """The config flow of the test integration that holds the notify entity."""


@pytest.fixture(autouse=True)
def _test_flow() -> Iterator[None]:
    yield
    config_entries.HANDLERS.pop("test", None)


class Phone(NotifyEntity):
    """A notify entity that keeps what it is sent."""

    _attr_name = "Phone"
    _attr_unique_id = "phone"

    def __init__(self) -> None:
        self.sent: list[tuple[str | None, str]] = []

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        self.sent.append((title, message))


async def _targets(hass: HomeAssistant) -> tuple[Phone, list[dict[str, Any]]]:
    """A notify entity (from a config entry of a test integration, as core's notify tests
    make one) and a notify action."""
    phone = Phone()

    async def _setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(entry, [Platform.NOTIFY])
        return True

    mock_integration(hass, MockModule("test", async_setup_entry=_setup_entry))
    mock_platform(hass, "test.config_flow")
    config_entries.HANDLERS.setdefault("test", _TestFlow)
    setup_test_component_platform(hass, NOTIFY, [phone], from_config_entry=True)
    assert await async_setup_component(hass, NOTIFY, {})
    test_entry = MockConfigEntry(domain="test")
    test_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(test_entry.entry_id)
    calls: list[dict[str, Any]] = []

    async def _mobile(call: ServiceCall) -> None:
        calls.append(dict(call.data))

    hass.services.async_register(NOTIFY, "mobile_app_my_phone", _mobile)
    await hass.async_block_till_done()
    return phone, calls


async def _house_with_notices(
    hass: HomeAssistant, make_house: HouseFactory, **options: Any
) -> tuple[Any, ConfigEntry, Phone, list[dict[str, Any]]]:
    phone, calls = await _targets(hass)
    house = await make_house()
    hub = await setup_hub(hass)
    entry = await setup_energy(
        hass,
        energy_entry(
            **{
                OPT_NOTIFY_ENTITIES: ["notify.phone"],
                OPT_NOTIFY_SERVICES: ["notify.mobile_app_my_phone"],
                **options,
            }
        ),
    )
    assert hub.state.value == "loaded"
    return house, entry, phone, calls


async def _until(hass: HomeAssistant, check: Any, what: str) -> None:
    async def holds() -> bool:
        await hass.async_block_till_done(wait_background_tasks=True)
        return bool(check())

    await wait_for(holds, what=what)


async def test_fault_and_offline_reach_the_phone(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """A fault (0x88) and a silent device reach both targets once; the notice event entity
    shows them too."""
    # Only the categories under test: the house's current may come near the contract's any time
    # (the EcoCute boils at night).
    only = ["device_fault", "offline"]
    house, entry, phone, calls = await _house_with_notices(
        hass, make_house, **{OPT_NOTICE_CATEGORIES: only}
    )
    notice = entity_id(hass, entry, "notice_event", "event")
    house.obj("battery").update({0x88: FAULT})
    await _until(hass, lambda: phone.sent, "the fault notice")
    assert phone.sent == [("HEMS", "Storage battery reports a fault.")]
    assert calls == [{"message": "Storage battery reports a fault.", "title": "HEMS"}]
    state = hass.states.get(notice)
    assert state is not None and state.attributes["event_type"] == "device_fault"
    # Cleared and raised again within the hour: no second notice.
    house.obj("battery").update({0x88: NO_FAULT})
    house.obj("battery").update({0x88: FAULT})
    await settle(hass)
    assert len(phone.sent) == 1
    # The device goes silent: one notice, although all its entities become unavailable.
    hub = next(e for e in hass.config_entries.async_entries("hems") if e.entry_id != entry.entry_id)
    hub.runtime_data.controller.timeout = 0.2
    house.node("battery").quirks.silent = True
    with pytest.raises(HomeAssistantError):  # a command times out: the device is offline
        await hass.services.async_call(
            "select", "select_option", {"entity_id": MODE, "option": "charging"}, blocking=True
        )
    await _until(hass, lambda: len(phone.sent) == 2, "the offline notice")
    assert phone.sent[1] == ("HEMS", "Storage battery does not answer.")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=240))
    await settle(hass)
    assert len(phone.sent) == 2


async def test_japanese_alarm_and_categories(hass: HomeAssistant, make_house: HouseFactory) -> None:
    """In Japanese; a category turned off sends nothing; the alarm's trigger is sent."""
    hass.config.language = "ja"
    categories = [c for c in CATEGORIES if c != "device_fault"]
    house, entry, phone, _ = await _house_with_notices(
        hass, make_house, **{OPT_NOTICE_CATEGORIES: categories}
    )
    house.obj("battery").update({0x88: FAULT})
    await settle(hass)
    assert phone.sent == []  # faults are not sent (still an event: the notices view shows it)
    alarm = entity_id(hass, entry, "alarm", "alarm_control_panel")
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": alarm}, blocking=True
    )
    house.obj("entrance-lock").update({0xE0: b"\x42"})  # unlocked
    await _until(hass, lambda: phone.sent, "the alarm notice")
    title, message = phone.sent[0]
    assert title == "HEMS"
    assert message.startswith("報知モード: ") and message.endswith("が解錠されました。")


async def test_contract_current_notice(hass: HomeAssistant) -> None:
    """The contract current's notice carries the figures."""
    phone, _ = await _targets(hass)
    hass.states.async_set("sensor.current_r", "25", {"unit_of_measurement": "A"})
    entry = await setup_energy(
        hass,
        energy_entry(
            auto_sources=False,
            sources={"current": ["sensor.current_r"]},
            contract_amperes=30,
            **{OPT_NOTIFY_ENTITIES: ["notify.phone"]},
        ),
    )
    assert entry.state.value == "loaded"
    hass.states.async_set("sensor.current_r", "33", {"unit_of_measurement": "A"})
    await _until(hass, lambda: phone.sent, "the contract current notice")
    assert phone.sent == [
        ("HEMS", "The current is 33 A, over the contract's 30 A: the breaker may trip.")
    ]


async def test_options_step(hass: HomeAssistant) -> None:
    """The notices step stores the targets and the categories ticked."""
    await _targets(hass)
    entry = await setup_energy(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "notices"}
    )
    assert result["type"] is FlowResultType.FORM and result["step_id"] == "notices"
    schema = {str(key): key for key in result["data_schema"].schema}
    assert set(CATEGORIES) <= schema.keys()
    choices = result["data_schema"].schema[schema[OPT_NOTIFY_SERVICES]].config["options"]
    assert "notify.mobile_app_my_phone" in choices
    answer = {c: c in ("alarm", "offline") for c in CATEGORIES}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {OPT_NOTIFY_ENTITIES: ["notify.phone"], OPT_NOTIFY_SERVICES: ["notify.x"], **answer},
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "save"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[OPT_NOTIFY_ENTITIES] == ["notify.phone"]
    assert entry.options[OPT_NOTIFY_SERVICES] == ["notify.x"]
    assert entry.options[OPT_NOTICE_CATEGORIES] == ["alarm", "offline"]
    await hass.async_block_till_done()  # the reload the new options start (before teardown)


async def test_a_failing_target_does_not_stop_the_others(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """A notify action that fails is logged; the entity still gets the notice."""
    phone, _ = await _targets(hass)

    @callback
    def _broken(call: ServiceCall) -> None:
        raise HomeAssistantError("phone unreachable")

    hass.services.async_register(NOTIFY, "broken", _broken)
    hass.states.async_set("sensor.current_r", "10", {"unit_of_measurement": "A"})
    await setup_energy(
        hass,
        energy_entry(
            auto_sources=False,
            sources={"current": ["sensor.current_r"]},
            contract_amperes=30,
            **{OPT_NOTIFY_ENTITIES: ["notify.phone"], OPT_NOTIFY_SERVICES: ["broken"]},
        ),
    )
    hass.states.async_set("sensor.current_r", "29", {"unit_of_measurement": "A"})
    await _until(hass, lambda: phone.sent, "the warning")
    assert "Notice not sent through notify.broken" in caplog.text


async def test_target_notices_in_the_users_words_once_per_quiet_time(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """The month's electricity use nears its target: one notice, with the resource named in
    the user's language and the figures in kWh; passing the target within the quiet time is
    held back.  Only the notify action is chosen: no entity is sent anything."""
    await hass.config.async_set_time_zone("Asia/Tokyo")
    hass.config.language = "ja"
    freezer.move_to(datetime(2026, 6, 10, 6, 0, tzinfo=ZoneInfo("Asia/Tokyo")))
    phone, calls = await _targets(hass)
    hass.states.async_set("sensor.meter_import", "100", ENERGY)
    entry = await setup_energy(
        hass,
        energy_entry(
            auto_sources=False,
            sources={"purchase": ["sensor.meter_import"]},
            target_electricity_kwh=10,
            **{OPT_NOTIFY_SERVICES: ["notify.mobile_app_my_phone"]},
        ),
    )
    caplog.set_level(logging.DEBUG, logger="custom_components.hems.home.notices")
    runtime = runtime_of(entry)
    for reading in ("109.5", "111"):  # 95 % of the target (a warning), then past it
        freezer.tick(timedelta(hours=3))
        hass.states.async_set("sensor.meter_import", reading, ENERGY)
        await hass.async_block_till_done()
        await runtime.coordinator.async_refresh()
        await _until(hass, lambda: calls, "the target warning")
    assert len(calls) == 1 and phone.sent == []
    message = calls[0]["message"]
    assert "電気" in message and "9.5 kWh" in message and "10 kWh" in message
    assert "Notice notice_target_exceeded about electricity held back" in caplog.text


async def test_records_and_unknown_events_are_not_pushed(hass: HomeAssistant) -> None:
    """An eco record is shown in the notices view, never pushed to the phone."""
    phone, calls = await _targets(hass)
    await setup_energy(hass, energy_entry(**{OPT_NOTIFY_ENTITIES: ["notify.phone"]}))
    hass.bus.async_fire("hems_notice", {"type": "eco_record", "record": "lowest_purchase"})
    hass.bus.async_fire(
        "hems_notice", {"type": "contract_current_over", "current": 33.0, "contract": 30}
    )
    await _until(hass, lambda: phone.sent, "the contract current notice")
    assert phone.sent == [
        ("HEMS", "The current is 33 A, over the contract's 30 A: the breaker may trip.")
    ]
    assert calls == []


async def test_the_meters_link_going_down_is_a_notice(
    hass: HomeAssistant, make_dongle: DongleFactory
) -> None:
    """The Wi-SUN dongle is pulled out: the meter's link goes down, the phone is told once."""
    phone, _ = await _targets(hass)
    dongle = await make_dongle("c0")
    await setup_broute(hass, dongle)
    await setup_energy(
        hass, energy_entry(auto_sources=False, **{OPT_NOTIFY_ENTITIES: ["notify.phone"]})
    )
    await dongle.unplug()
    await _until(hass, lambda: phone.sent, "the offline notice")
    assert phone.sent == [("HEMS", "Smart meter does not answer.")]
