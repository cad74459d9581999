"""Snapshots of the default house in Home Assistant: every entity, and the states per class.

The house runs on fixed addresses (its identification numbers, and so the unique ids, derive
from them) with simulated time standing still at a fixed start, so every value is the same on
every run.  Only fields that this integration decides are recorded (state, unit, device and
state class, name; registry settings), so that the snapshots hold across Home Assistant
versions and any change to the mappings shows up in review.  Entity ids are Home Assistant's:
2026.10 puts the device's area in front (``sensor.living_room_temperature_sensor_...``), so
entities are identified by their unique ids here.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.hems.echonet.controller import Controller

from .conftest import HouseFactory, settle, setup_hub
from .platform_helpers import START, discovery_of

#: Where the house's nodes live (not the per-test blocks of ``next_base``).
BASE_ADDRESS = "127.0.240.10"

#: The attributes recorded besides the state (others are Home Assistant's own, or volatile).
ATTRIBUTES = ("friendly_name", "unit_of_measurement", "device_class", "state_class")


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Home Assistant's snapshot format and folder (``snapshots/``), whichever plugin won.

    With pytest-homeassistant-custom-component 0.13.375 syrupy's own ``snapshot`` fixture
    shadows the Home Assistant one (files would go to ``__snapshots__``).
    """
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


async def _house_in_hass(hass: HomeAssistant, make_house: HouseFactory) -> str:
    house = await make_house(base_address=BASE_ADDRESS, start=START, speed=1e-9)
    with patch.object(Controller, "async_discover", discovery_of(len(house.nodes))):
        entry = await setup_hub(hass)
    await settle(hass)
    return entry.entry_id


async def test_entity_registry(
    hass: HomeAssistant, make_house: HouseFactory, snapshot: SnapshotAssertion
) -> None:
    """Every entity the house gets, enabled or not, with its registry settings."""
    entry_id = await _house_in_hass(hass, make_house)
    entries = er.async_entries_for_config_entry(er.async_get(hass), entry_id)
    table = [
        {
            "unique_id": e.unique_id,
            "domain": e.domain,
            "disabled_by": None if e.disabled_by is None else str(e.disabled_by),
            "entity_category": None if e.entity_category is None else str(e.entity_category),
            "translation_key": e.translation_key,
        }
        for e in sorted(entries, key=lambda e: e.unique_id)
    ]
    assert table == snapshot


async def test_states_per_device_class(
    hass: HomeAssistant, make_house: HouseFactory, snapshot: SnapshotAssertion
) -> None:
    """The state of every enabled entity, grouped by ECHONET Lite class (one snapshot each)."""
    entry_id = await _house_in_hass(hass, make_house)
    entities = er.async_get(hass)
    devices = dr.async_get(hass)
    by_class: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in er.async_entries_for_config_entry(entities, entry_id):
        if entry.disabled_by is not None:
            continue
        state = hass.states.get(entry.entity_id)
        assert state is not None, entry.entity_id
        device = devices.async_get(entry.device_id) if entry.device_id else None
        code = device.model_id if device is not None and device.model_id else "node"
        row: dict[str, Any] = {
            "unique_id": entry.unique_id,
            "domain": entry.domain,
            "state": state.state,
        }
        row.update({k: str(state.attributes[k]) for k in ATTRIBUTES if k in state.attributes})
        by_class[str(code)].append(row)
    assert sorted(by_class) == snapshot(name="classes")
    for code in sorted(by_class):
        rows = sorted(by_class[code], key=lambda r: str(r["unique_id"]))
        assert rows == snapshot(name=code)
