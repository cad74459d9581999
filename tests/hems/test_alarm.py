"""Alarm mode (報知モード) against the simulated electric lock (0x026F) and its door sensor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from homeassistant.components import persistent_notification
from homeassistant.components.alarm_control_panel import DOMAIN as ALARM_DOMAIN
from homeassistant.components.cover import CoverDeviceClass
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hems.const import DOMAIN
from custom_components.hems.hub.cover import COVERS
from simulator.house import House
from tests.waiting import wait_for

from .conftest import HouseFactory, setup_hub
from .test_energy_support import entity_id, runtime_of, setup_energy

LOCKED, UNLOCKED = b"\x41", b"\x42"
OPEN, CLOSED = b"\x41", b"\x42"


async def _wait(hass: HomeAssistant, predicate: Callable[[], bool], what: str) -> None:
    async def holds() -> bool:
        await hass.async_block_till_done()
        return predicate()

    await wait_for(holds, what=what)


def _state(hass: HomeAssistant, entity: str) -> str:
    state = hass.states.get(entity)
    assert state is not None, entity
    return state.state


async def _set_lock(
    house: House, hass: HomeAssistant, epc: int, edt: bytes, entity: str, expect: str
) -> None:
    house.obj("entrance-lock").update({epc: edt})  # the lock announces the change
    await _wait(hass, lambda: _state(hass, entity) == expect, f"{entity} -> {expect}")


async def _service(hass: HomeAssistant, service: str, alarm: str) -> None:
    await hass.services.async_call(ALARM_DOMAIN, service, {"entity_id": alarm}, blocking=True)


@dataclass
class _AlarmWatch:
    """The ``hems_alarm`` events and the alarm's persistent notification as they come."""

    events: list[Event] = field(default_factory=list)
    notifications: dict[str, persistent_notification.Notification] = field(default_factory=dict)
    notification_id: str = ""

    @property
    def message(self) -> str:
        return str(self.notifications[self.notification_id]["message"])

    @property
    def notified(self) -> bool:
        return self.notification_id in self.notifications


def _watch_alarm(hass: HomeAssistant, entry: MockConfigEntry) -> _AlarmWatch:
    watch = _AlarmWatch(notification_id=f"{DOMAIN}_alarm_{entry.entry_id}")
    hass.bus.async_listen("hems_alarm", watch.events.append)

    @callback
    def _seen(
        update: persistent_notification.UpdateType,
        changed: dict[str, persistent_notification.Notification],
    ) -> None:
        if update is persistent_notification.UpdateType.REMOVED:
            for notification in changed:
                watch.notifications.pop(notification, None)
        else:
            watch.notifications.update(changed)

    persistent_notification.async_register_callback(hass, _seen)
    return watch


async def test_alarm_mode(hass: HomeAssistant, make_house: HouseFactory) -> None:
    """Arm, refusal while open, trigger on door open and on unlock, notification, disarm."""
    house = await make_house()
    await setup_hub(hass)
    entry = await setup_energy(hass)
    runtime = runtime_of(entry)
    watched = runtime.alarm_entities()
    door = next(e for e in watched if e.startswith("binary_sensor.") and e.endswith("_door"))
    locks = [e for e in watched if e.startswith("lock.")]
    alarm = entity_id(hass, entry, "alarm", ALARM_DOMAIN)
    watch = _watch_alarm(hass, entry)
    assert _state(hass, alarm) == "disarmed"
    assert _state(hass, door) == "off"

    # Refused while the door is open, naming it.
    await _set_lock(house, hass, 0xE3, OPEN, door, "on")
    assert _state(hass, entity_id(hass, entry, "any_open", "binary_sensor")) == "on"
    with pytest.raises(ServiceValidationError) as refused:
        await _service(hass, "alarm_arm_away", alarm)
    assert refused.value.translation_key == "alarm_open"
    door_name = hass.states.get(door).name
    assert door_name in refused.value.translation_placeholders["open"]
    assert _state(hass, alarm) == "disarmed"

    # Closed: arming works; opening the door triggers.
    await _set_lock(house, hass, 0xE3, CLOSED, door, "off")
    await _service(hass, "alarm_arm_away", alarm)
    assert _state(hass, alarm) == "armed_away"
    assert _state(hass, entity_id(hass, entry, "alarm_event", "event")) != "unknown"
    await _set_lock(house, hass, 0xE3, OPEN, door, "on")
    await _wait(hass, lambda: _state(hass, alarm) == "triggered", "trigger")
    await hass.async_block_till_done()
    triggered = [e for e in watch.events if e.data["type"] == "triggered"]
    assert triggered[-1].data["entity_id"] == door
    assert triggered[-1].data["change"] == "opened"
    await _wait(hass, lambda: watch.notified, "notification")
    assert door_name in watch.message
    assert "opened" in watch.message

    # Disarm clears the notification.
    await _service(hass, "alarm_disarm", alarm)
    assert _state(hass, alarm) == "disarmed"
    assert not watch.notified
    await _set_lock(house, hass, 0xE3, CLOSED, door, "off")

    if locks:
        await _unlocking_triggers(hass, house, entry, alarm, locks[0], watch)

    # Disarmed: changes are ignored.
    await hass.async_block_till_done()
    count = len(watch.events)
    await _set_lock(house, hass, 0xE3, OPEN, door, "on")
    assert _state(hass, alarm) == "disarmed"
    assert [e.data["type"] for e in watch.events[count:]] == []


async def _unlocking_triggers(
    hass: HomeAssistant,
    house: House,
    entry: MockConfigEntry,
    alarm: str,
    lock: str,
    watch: _AlarmWatch,
) -> None:
    """Unlocking while armed triggers too (message in Japanese when HA is in Japanese)."""
    assert _state(hass, lock) == "locked"
    assert _state(hass, entity_id(hass, entry, "all_locked", "binary_sensor")) == "on"
    await _service(hass, "alarm_arm_away", alarm)
    hass.config.language = "ja"
    await _set_lock(house, hass, 0xE0, UNLOCKED, lock, "unlocked")
    await _wait(hass, lambda: _state(hass, alarm) == "triggered", "trigger on unlock")
    await hass.async_block_till_done()
    unlocked = [e for e in watch.events if e.data.get("change") == "unlocked"]
    assert unlocked[-1].data["entity_id"] == lock
    await _wait(hass, lambda: watch.notified, "notification")
    assert "解錠" in watch.message
    assert _state(hass, entity_id(hass, entry, "all_locked", "binary_sensor")) == "off"
    await _service(hass, "alarm_disarm", alarm)


async def test_alarm_restores_armed_state(hass: HomeAssistant, make_house: HouseFactory) -> None:
    """A reload keeps the alarm armed."""
    await make_house()
    await setup_hub(hass)
    entry = await setup_energy(hass)
    alarm = entity_id(hass, entry, "alarm", ALARM_DOMAIN)
    await _service(hass, "alarm_arm_away", alarm)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert _state(hass, alarm) == "armed_away"


async def test_default_watch_list_covers_every_way_in(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """Without a chosen list the alarm watches every lock, every door/window sensor and every
    motorised window, door, gate and shutter of the house (the door guard is left out: it can
    only be locked from inside, so it would keep the alarm from being armed when away)."""
    await make_house()
    await setup_hub(hass)
    entry = await setup_energy(hass)
    watched = set(runtime_of(entry).alarm_entities())
    registry = er.async_get(hass)
    ways_in = {
        "lock": None,
        "binary_sensor": {"door", "window", "opening", "garage_door"},
        "cover": {"window", "door", "gate", "shutter", "garage"},
    }
    expected = {
        e.entity_id
        for e in registry.entities.values()
        if e.platform == DOMAIN
        and e.config_entry_id != entry.entry_id  # not the energy entry's own summary
        and e.domain in ways_in
        and (ways_in[e.domain] is None or e.original_device_class in ways_in[e.domain])
    }
    kinds = {entity.split(".")[0] for entity in expected}
    assert kinds == {"lock", "binary_sensor", "cover"}  # the house has each kind
    covers = {e for e in expected if e.startswith("cover.")}
    assert len(covers) >= 2  # the living room shutter and the bathroom window
    assert expected <= watched, sorted(expected - watched)
    assert not any(entity.endswith("door_guard") for entity in watched)
    # The classes the house does not have are watched too (gates, doors, rain doors), and
    # blinds and curtains are not.
    watched_classes = {code for code, d in COVERS.items() if d.energy_role is not None}
    assert watched_classes == {
        code
        for code, d in COVERS.items()
        if d.device_class
        in {CoverDeviceClass.WINDOW, CoverDeviceClass.DOOR, CoverDeviceClass.GATE}
        | {CoverDeviceClass.SHUTTER}
    }
    assert len(watched_classes) == 5


async def _cover(house: House, hass: HomeAssistant, service: str, cover: str, expect: str) -> None:
    await hass.services.async_call("cover", service, {"entity_id": cover}, blocking=True)
    house.step(30)  # the shutter moves all the way
    await _wait(hass, lambda: _state(hass, cover) == expect, f"{cover} -> {expect}")


async def test_open_shutters_are_closed_on_arming_not_refused(
    hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """A motorised shutter left open does not keep the alarm from being armed (the blueprint
    closes it then, AiSEG2's 一括閉); opened while armed, it triggers the alarm."""
    house = await make_house()
    await setup_hub(hass)
    entry = await setup_energy(hass)
    watched = runtime_of(entry).alarm_entities()
    shutter = next(
        e
        for e in watched
        if e.startswith("cover.")
        and hass.states.get(e).attributes.get("device_class") == CoverDeviceClass.SHUTTER
    )
    alarm = entity_id(hass, entry, "alarm", ALARM_DOMAIN)
    await _cover(house, hass, "open_cover", shutter, "open")
    await _service(hass, "alarm_arm_away", alarm)
    assert _state(hass, alarm) == "armed_away"
    await _cover(house, hass, "close_cover", shutter, "closed")
    assert _state(hass, alarm) == "armed_away"  # closing is no way in
    await _cover(house, hass, "open_cover", shutter, "open")
    await _wait(hass, lambda: _state(hass, alarm) == "triggered", "trigger on opening")
