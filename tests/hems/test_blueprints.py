"""The shipped automation blueprints: installed in one step, and each one working.

Every blueprint is installed into a real Home Assistant's blueprint folder, an automation is
made from it (``use_blueprint``) for the entities of the simulated house, its trigger is
fired the way it happens at home (the lock announces that it was unlocked, the alarm is
armed, the meter reads a surplus...), and what it does is checked on the simulated devices.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
import hashlib
from pathlib import Path
import re
from typing import Any

from homeassistant.components import persistent_notification
from homeassistant.components.automation.const import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.components.automation.helpers import async_get_blueprints
from homeassistant.components.blueprint import Blueprint
from homeassistant.components.notify import NotifyEntity, NotifyEntityFeature
from homeassistant.config_entries import ConfigFlow
from homeassistant.const import EVENT_CALL_SERVICE, EVENT_HOMEASSISTANT_STARTED, Platform
from homeassistant.core import CoreState, Event, HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    async_fire_time_changed,
    async_mock_service,
    mock_config_flow,
    mock_integration,
    mock_platform,
    setup_test_component_platform,
)
import yaml

from custom_components.hems.blueprints import (
    SOURCE,
    STORE_KEY,
    async_install_blueprints,
    async_install_now,
    install,
)
from custom_components.hems.const import DOMAIN
from custom_components.hems.home.settings import OPT_ALARM_ENTITIES
from simulator import behaviours as b

from .conftest import HouseFactory
from .platform_helpers import entity_id, start, state_of, wait_for_state
from .test_energy_support import energy_entry, entity_id as energy_entity_id, setup_energy

SHIPPED = sorted(path.name for path in SOURCE.glob("*.yaml"))
LIVING_LIGHT, ENTRANCE_LIGHT, KITCHEN_LIGHT = 0x029001, 0x029101, 0x029102
SHUTTER, WINDOW = 0x026301, 0x026501
WINDOW_SENSOR = 0x002901


@pytest.fixture
def config_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A configuration folder of the test's own (blueprints are files)."""
    hass.config.config_dir = str(tmp_path)
    return tmp_path


@pytest.fixture
async def installed(hass: HomeAssistant, config_dir: Path) -> Path:
    """The shipped blueprints, installed; the automation blueprint folder."""
    result = await async_install_now(hass)
    assert result.installed == [f"{DOMAIN}/{name}" for name in SHIPPED]
    return config_dir / "blueprints" / AUTOMATION_DOMAIN


async def automations(hass: HomeAssistant, *configs: tuple[str, str, dict[str, Any]]) -> None:
    """Set up automations from (id, blueprint file, inputs); each must load and be on.

    They are in configuration.yaml too, where a reload of the automations reads them.
    """
    config = {
        AUTOMATION_DOMAIN: [
            {
                "id": name,
                "alias": name,
                "use_blueprint": {"path": f"{DOMAIN}/{blueprint}", "input": inputs},
            }
            for name, blueprint, inputs in configs
        ]
    }
    path = Path(hass.config.path("configuration.yaml"))
    text = yaml.safe_dump(config, allow_unicode=True)
    await hass.async_add_executor_job(partial(path.write_text, text, encoding="utf-8"))
    assert await async_setup_component(hass, AUTOMATION_DOMAIN, config)
    await hass.async_block_till_done()
    for name, _blueprint, _inputs in configs:
        assert state_of(hass, f"automation.{name}").state == "on", name


async def after(hass: HomeAssistant, **delta: float) -> None:
    """Run Home Assistant's timers (polls, ``for:`` durations) due within ``delta`` from now.

    The clock itself does not move: ``after(minutes=5)`` then ``after(minutes=11)`` are 5 and
    11 minutes after the same moment, not 16.
    """
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(**delta))
    await hass.async_block_till_done(wait_background_tasks=True)


# --------------------------------------------------------------------------- installation


async def test_installed_in_one_step_next_to_cores_examples(
    hass: HomeAssistant, installed: Path
) -> None:
    """Every blueprint loads, is bilingual, and core's own examples are still installed."""
    assert sorted(p.name for p in (installed / DOMAIN).glob("*.yaml")) == SHIPPED
    assert (installed / "homeassistant" / "motion_light.yaml").exists()
    loaded = await async_get_blueprints(hass).async_get_blueprints()
    for name in SHIPPED:
        blueprint = loaded[f"{DOMAIN}/{name}"]
        assert isinstance(blueprint, Blueprint), blueprint
        english, japanese = blueprint.name.split(" / ")
        assert english.isascii() and not japanese.isascii(), blueprint.name
        description = blueprint.metadata["description"]
        assert re.search(r"[ぁ-んァ-ン一-龥]", description) and re.search("[a-z]", description)
        for key, spec in blueprint.inputs.items():
            assert " / " in spec["name"], f"{name}: {key}"
    # Installing again changes nothing.
    again = await async_install_now(hass)
    assert (again.installed, again.updated, again.kept) == ([], [], [])


async def test_installation_waits_until_home_assistant_has_started(
    hass: HomeAssistant, config_dir: Path
) -> None:
    """While starting, the automation integration may still copy core's examples: wait."""
    hass.set_state(CoreState.starting)
    await async_install_blueprints(hass)
    await hass.async_block_till_done()
    assert not (config_dir / "blueprints").exists()
    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done()
    folder = config_dir / "blueprints" / AUTOMATION_DOMAIN
    assert sorted(p.name for p in (folder / DOMAIN).glob("*.yaml")) == SHIPPED
    assert (folder / "homeassistant" / "motion_light.yaml").exists()


def test_new_versions_replace_only_untouched_copies(tmp_path: Path) -> None:
    """Edited or deleted blueprints stay as the user left them; our old copies are updated."""
    source, folder = tmp_path / "shipped", tmp_path / "blueprints"
    source.mkdir()
    for name in ("a", "b", "c", "d"):
        (source / f"{name}.yaml").write_text(f"{name}: 1\n")
    first = install(source, folder, {})
    assert first.installed == [f"{DOMAIN}/{n}.yaml" for n in "abcd"]
    written = first.written
    mine = folder / DOMAIN
    (mine / "b.yaml").write_text("b: edited by the user\n")
    (mine / "c.yaml").unlink()
    (mine / "d.yaml").unlink()
    for name in ("a", "b", "c", "d"):
        (source / f"{name}.yaml").write_text(f"{name}: 2\n")
    del written[f"{DOMAIN}/d.yaml"]  # d: never written by us (a file of the user's, removed)
    second = install(source, folder, written)
    assert second.updated == [f"{DOMAIN}/a.yaml"]
    assert second.kept == [f"{DOMAIN}/b.yaml", f"{DOMAIN}/c.yaml"]
    assert second.installed == [f"{DOMAIN}/d.yaml"]
    assert (mine / "a.yaml").read_text() == "a: 2\n"
    assert (mine / "b.yaml").read_text() == "b: edited by the user\n"
    assert not (mine / "c.yaml").exists()
    assert set(second.written) == {f"{DOMAIN}/{n}.yaml" for n in "acd"} | {f"{DOMAIN}/b.yaml"}
    assert second.written[f"{DOMAIN}/b.yaml"] == written[f"{DOMAIN}/b.yaml"]


async def test_an_updated_blueprint_reloads_its_automations(
    hass: HomeAssistant, installed: Path, hass_storage: dict[str, Any]
) -> None:
    """An installed copy still as we wrote it is replaced, and automations using it reload."""
    await automations(
        hass,
        (
            "window",
            "window_open_ac_off.yaml",
            {"openings": ["binary_sensor.window"], "air_conditioners": ["climate.ac"]},
        ),
    )
    copy = installed / DOMAIN / "window_open_ac_off.yaml"
    older = copy.read_text(encoding="utf-8").replace("default: 30", "default: 60")
    copy.write_text(older, encoding="utf-8")
    # As if that older text was what this integration wrote last time.
    store = hass_storage[STORE_KEY]["data"]
    store[f"{DOMAIN}/window_open_ac_off.yaml"] = hashlib.sha256(older.encode()).hexdigest()
    # The user edited another one: it stays as it is.
    edited = installed / DOMAIN / "ev_cheap_charging.yaml"
    mine = edited.read_text(encoding="utf-8").replace("default: 25", "default: 20")
    edited.write_text(mine, encoding="utf-8")
    reloaded: list[Event] = []
    hass.bus.async_listen("automation_reloaded", reloaded.append)
    result = await async_install_now(hass)
    await hass.async_block_till_done()
    assert result.updated == [f"{DOMAIN}/window_open_ac_off.yaml"]
    assert result.kept == [f"{DOMAIN}/ev_cheap_charging.yaml"]
    assert copy.read_bytes() == (SOURCE / "window_open_ac_off.yaml").read_bytes()
    assert edited.read_text(encoding="utf-8") == mine
    assert len(reloaded) == 1

    # A replaced blueprint that no automation uses: nothing to reload.
    older = (installed / DOMAIN / "child_home_notice.yaml").read_text(encoding="utf-8") + "\n"
    (installed / DOMAIN / "child_home_notice.yaml").write_text(older, encoding="utf-8")
    store = hass_storage[STORE_KEY]["data"]
    store[f"{DOMAIN}/child_home_notice.yaml"] = hashlib.sha256(older.encode()).hexdigest()
    result = await async_install_now(hass)
    await hass.async_block_till_done()
    assert result.updated == [f"{DOMAIN}/child_home_notice.yaml"]
    assert len(reloaded) == 1


# --------------------------------------------------------------------------- the blueprints


class RecordingNotify(NotifyEntity):
    """A notify entity (as the companion app has on recent versions) that keeps what it got."""

    _attr_supported_features = NotifyEntityFeature.TITLE
    _attr_name = "Kids phone"
    _attr_unique_id = "kids_phone"

    def __init__(self) -> None:
        self.sent: list[tuple[str | None, str]] = []

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        self.sent.append((title, message))


async def _notify_entity(hass: HomeAssistant) -> RecordingNotify:
    entity = RecordingNotify()

    async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(entry, [Platform.NOTIFY])
        return True

    mock_integration(hass, MockModule("test", async_setup_entry=setup_entry))
    mock_platform(hass, "test.config_flow")
    setup_test_component_platform(hass, Platform.NOTIFY, [entity], from_config_entry=True)
    entry = MockConfigEntry(domain="test")
    entry.add_to_hass(hass)
    with mock_config_flow("test", ConfigFlow):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    return entity


def _phone(hass: HomeAssistant) -> tuple[str, list[ServiceCall]]:
    """A phone with the Home Assistant app: its device and its notify action's calls."""
    app = MockConfigEntry(domain="mobile_app", title="Kid's Phone")
    app.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=app.entry_id, identifiers={("mobile_app", "kids-phone")}, name="Kid's Phone"
    )
    return device.id, async_mock_service(hass, "notify", "mobile_app_kid_s_phone")


async def test_child_home_notice(
    hass: HomeAssistant, installed: Path, make_house: HouseFactory
) -> None:
    """The front door is unlocked: the phone and the notify entity get the notice in Japanese;
    without targets it is a Home Assistant notification; outside the hours, nothing."""
    house, _entry = await start(hass, make_house)
    assert await async_setup_component(hass, "persistent_notification", {})
    door = house.obj("entrance-lock")
    lock = entity_id(hass, "lock", door, "lock")
    notify = await _notify_entity(hass)
    phone, phone_calls = _phone(hass)
    now = dt_util.now()
    await automations(
        hass,
        (
            "kids",
            "child_home_notice.yaml",
            {
                "locks": [lock],
                "notify_entities": [notify.entity_id],
                "notify_devices": [phone],
                "language": "ja",
            },
        ),
        ("fallback", "child_home_notice.yaml", {"locks": [lock], "language": "en"}),
        (
            "night_only",
            "child_home_notice.yaml",
            {
                "locks": [lock],
                "after": (now + timedelta(hours=2)).strftime("%H:00:00"),
                "before": (now + timedelta(hours=3)).strftime("%H:00:00"),
                "message": "not now",
            },
        ),
    )
    notifications = persistent_notification._async_get_or_create_notifications(hass)
    assert state_of(hass, lock).state == "locked"

    door.update({0xE0: b"\x42"})  # unlocked with the key at the door: the lock announces it
    await wait_for_state(hass, lock, lambda s: s.state == "unlocked")
    await hass.async_block_till_done()

    name = state_of(hass, lock).name
    japanese = re.compile(rf"\d\d:\d\dに{re.escape(name)}が解錠されました。")
    assert len(notify.sent) == 1
    assert notify.sent[0][0] == "帰宅のお知らせ"
    assert japanese.fullmatch(notify.sent[0][1])
    assert [(c.data["title"], c.data["message"]) for c in phone_calls] == [notify.sent[0]]
    shown = list(notifications.values())
    assert len(shown) == 1  # the fallback's; the night-only automation stayed quiet
    assert shown[0]["title"] == "Someone is home"
    assert re.fullmatch(rf"{re.escape(name)} was unlocked at \d\d:\d\d\.", shown[0]["message"])


async def test_lights_off_and_shutters_closed_when_the_alarm_is_armed(
    hass: HomeAssistant, installed: Path, make_house: HouseFactory
) -> None:
    """一括消灯・一括閉: arming turns off every HEMS light and closes the shutter and window.

    By default the alarm watches the motorised shutter and window too, and refuses to arm
    while they are open; a user who wants them closed by this blueprint instead chooses the
    alarm's watch list (here: the locks and door/window sensors only)."""
    house, _hub = await start(hass, make_house)
    default = await setup_energy(hass)
    watched = default.runtime_data.alarm_entities()
    assert await hass.config_entries.async_unload(default.entry_id)
    await hass.config_entries.async_remove(default.entry_id)
    chosen = [e for e in watched if not e.startswith("cover.")]
    energy = await setup_energy(hass, energy_entry(**{OPT_ALARM_ENTITIES: chosen}))
    alarm = energy_entity_id(hass, energy, "alarm", "alarm_control_panel")
    lights = {eoj: house.obj("lighting", eoj) for eoj in (LIVING_LIGHT, KITCHEN_LIGHT)}
    shutter, window = house.obj("shutter", SHUTTER), house.obj("shutter", WINDOW)
    shutter_id, window_id = (entity_id(hass, "cover", o, "cover") for o in (shutter, window))
    assert {shutter_id, window_id} <= set(watched)
    # The bathroom window stands open (not in the chosen watch list).
    await hass.services.async_call("cover", "open_cover", {"entity_id": window_id}, blocking=True)
    house.step(20)
    await wait_for_state(hass, window_id, lambda s: s.state == "open")
    assert state_of(hass, shutter_id).state == "open"
    for light in lights.values():  # at noon the family has them off: switch them on first
        assert light.write(0x80, b.ON)
        light_id = entity_id(hass, "light", light, "light")
        await wait_for_state(hass, light_id, lambda s: s.state == "on")
    await automations(hass, ("leaving", "alarm_armed_all_off.yaml", {"alarm": alarm}))

    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": alarm}, blocking=True
    )
    await hass.async_block_till_done()

    for eoj, light in lights.items():
        assert light.values[0x80] == b.OFF, hex(eoj)
        assert state_of(hass, entity_id(hass, "light", light, "light")).state == "off"
    for cover in (shutter, window):
        assert cover.values[0xE0] == b"\x42", cover.eoj  # told to close
    for entity in (shutter_id, window_id):
        await wait_for_state(hass, entity, lambda s: s.state in ("closing", "closed"))


async def test_extra_boiling_on_solar_surplus(
    hass: HomeAssistant, installed: Path, make_house: HouseFactory
) -> None:
    """Selling more than 1.5 kW for 10 minutes turns the EcoCute's 沸き増し on, once."""
    house, _entry = await start(hass, make_house)
    meter, ecocute = house.obj("smart-meter"), house.obj("ecocute")
    export = entity_id(hass, "sensor", meter, "grid_export_power")
    boiling = entity_id(hass, "switch", ecocute, "manual_boiling")
    assert state_of(hass, boiling).state == "off"
    await automations(
        hass,
        (
            "surplus",
            "solar_surplus_extra_boiling.yaml",
            {
                "export_power": export,
                "threshold": 1500,
                "minutes": 10,
                "boiling_switch": boiling,
                "after": "00:00:00",
                "before": "00:00:00",  # all day (the test runs at any hour)
            },
        ),
    )

    def sell(watts: int) -> None:
        meter.update({0xE7: (-watts).to_bytes(4, "big", signed=True)})

    sell(1000)  # below the threshold
    await after(hass, seconds=11)  # the fast poll reads the meter
    await wait_for_state(hass, export, lambda s: s.state == "1000")
    await after(hass, minutes=15)
    assert state_of(hass, boiling).state == "off"

    sell(2200)
    await after(hass, seconds=11)
    await wait_for_state(hass, export, lambda s: s.state == "2200")
    await after(hass, minutes=5)  # not yet long enough
    assert state_of(hass, boiling).state == "off"
    await after(hass, minutes=11)
    await wait_for_state(hass, boiling, lambda s: s.state == "on")
    assert ecocute.values[0xB0] == b"\x42"  # 沸き増し (manual heating) on the device


async def test_ev_charging_in_the_cheap_period(
    hass: HomeAssistant, installed: Path, make_house: HouseFactory
) -> None:
    """The price falls to the threshold: the V2H charges; it rises: back to standby, unless
    the V2H is doing something else (a discharge the user started)."""
    house, _entry = await start(hass, make_house)
    v2h = house.obj("v2h")
    mode = entity_id(hass, "select", v2h, "operation_mode")
    assert state_of(hass, mode).state == "standby"
    # The energy entry's price sensor, as the tariff sets it at a period boundary.
    price = "sensor.hems_electricity_price"
    attributes = {"unit_of_measurement": "JPY/kWh"}
    hass.states.async_set(price, "35.76", attributes)
    await automations(
        hass,
        ("ev", "ev_cheap_charging.yaml", {"price": price, "threshold": 27, "charger": mode}),
    )

    hass.states.async_set(price, "27.0", attributes)  # the night period begins
    await wait_for_state(hass, mode, lambda s: s.state == "charge")
    assert v2h.values[0xDA] == b"\x42"

    hass.states.async_set(price, "35.76", attributes)  # morning
    await wait_for_state(hass, mode, lambda s: s.state == "standby")
    assert v2h.values[0xDA] == b"\x44"

    # A discharge the user started is left alone when the price rises.
    hass.states.async_set(price, "20.0", attributes)
    await wait_for_state(hass, mode, lambda s: s.state == "charge")
    await hass.services.async_call(
        "select", "select_option", {"entity_id": mode, "option": "discharge"}, blocking=True
    )
    hass.states.async_set(price, "35.76", attributes)
    await hass.async_block_till_done()
    assert state_of(hass, mode).state == "discharge"


async def test_air_conditioner_off_when_a_window_opens(
    hass: HomeAssistant, installed: Path, make_house: HouseFactory
) -> None:
    """The window stays open for 30 s: the running air conditioner stops; the other one,
    already off, is left alone."""
    house, _entry = await start(hass, make_house)
    sensor = house.obj("sensors", WINDOW_SENSOR)
    window = entity_id(hass, "binary_sensor", sensor, "opening")
    living, bedroom = house.obj("living-ac"), house.obj("bedroom-ac")
    living_id, bedroom_id = (entity_id(hass, "climate", o, "climate") for o in (living, bedroom))
    assert state_of(hass, living_id).state != "off"
    assert state_of(hass, bedroom_id).state == "off"
    await automations(
        hass,
        (
            "window",
            "window_open_ac_off.yaml",
            {"openings": [window], "air_conditioners": [living_id, bedroom_id], "seconds": 30},
        ),
    )
    calls: list[Event] = []
    hass.bus.async_listen(EVENT_CALL_SERVICE, calls.append)

    sensor.update({0xB1: b"\x41"})  # opened: the sensor announces it
    await wait_for_state(hass, window, lambda s: s.state == "on")
    await after(hass, seconds=20)  # open for 20 s: not yet
    assert state_of(hass, living_id).state != "off"
    await after(hass, seconds=31)
    await wait_for_state(hass, living_id, lambda s: s.state == "off")
    assert living.values[0x80] == b.OFF
    # Only the running one was told to stop.
    climate_calls = [c.data for c in calls if c.data["domain"] == "climate"]
    assert climate_calls == [
        {
            "domain": "climate",
            "service": "set_hvac_mode",
            "service_data": {"entity_id": [living_id], "hvac_mode": "off"},
        }
    ]
