"""Malformed property maps (issue 9 item 1): the EPCs that are there are used.

Each simulator quirk mangles the maps of a node one way real stacks do; through Home Assistant
the light can still be switched and the shutter opened, and diagnostics name the bad maps.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.cover import CoverState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from simulator import behaviours as b
from simulator.house import NodeSpec, _obj
from simulator.quirks import Quirks

from .conftest import HouseFactory
from .platform_helpers import entity_id, start, state_of, wait_for_state

#: Quirk -> whether it mangles maps in bitmap form (16 EPCs or more) or in list form.
CASES = {
    "map_count_off": False,
    "map_trailing_bytes": False,
    "map_bitmap_short": True,
    "map_bitmap_long": True,
}


@pytest.mark.parametrize("quirk", sorted(CASES))
async def test_light_and_shutter_work_with_malformed_maps(
    hass: HomeAssistant,
    make_house: HouseFactory,
    hass_client: ClientSessionGenerator,
    quirk: str,
) -> None:
    light = _obj(0x029001, b.Light(watts=60), values={0x80: b.OFF}, inf=(0x80,))
    shutter = _obj(
        0x026301,
        b.Cover(position=0.0),
        values={0xE0: b"\x43", 0xE1: bytes((0,)), 0xEA: b"\x42"},
        inf=(0x80, 0xE0, 0xEA),
    )
    assert len(light.get_map) >= 16  # the Get map takes the bitmap form
    spec = NodeSpec("quirky", [light, shutter], quirks=Quirks(**{quirk: True}))
    house, entry = await start(hass, make_house, [spec])
    node = house.node("quirky")
    assert node.quirks.active() == {quirk: True}

    lamp = entity_id(hass, "light", light, "light")
    await hass.services.async_call("light", "turn_on", {"entity_id": lamp}, blocking=True)
    assert light.values[0x80] == b.ON
    await wait_for_state(hass, lamp, lambda s: s.state == "on")

    cover = entity_id(hass, "cover", shutter, "cover")
    assert state_of(hass, cover).state == CoverState.CLOSED
    await hass.services.async_call("cover", "open_cover", {"entity_id": cover}, blocking=True)
    assert shutter.values[0xE0] == b"\x41"

    data: dict[str, Any] = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    (diag_node,) = data["controller"]["nodes"]
    objects = {o["eoj"]: o for o in diag_node["objects"]}
    malformed = objects[str(light.eoj)]["malformed_maps"]
    hit = {
        f"0x{epc:02X}" for epc in (0x9D, 0x9E, 0x9F) if (light.values[epc][0] >= 16) == CASES[quirk]
    }
    assert hit
    assert set(malformed) == hit
    for epc, text in malformed.items():  # what was wrong, and the bytes as sent
        sent = node._malform_map(light.values[int(epc, 16)])
        assert text.endswith(f"({sent.hex()})")
    assert "0x80" in objects[str(light.eoj)]["set_map"]
    assert {"0x80", "0xB0"} <= set(objects[str(light.eoj)]["get_map"])
    assert "0xE0" in objects[str(shutter.eoj)]["set_map"]
