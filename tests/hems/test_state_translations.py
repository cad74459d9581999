"""Every state a curated entity can show is translated in English and Japanese.

The states are enumerated from the descriptions themselves (and, for enum sensors and selects
over an ECHONET Lite property, from the property's states in the class the description is for),
so a new description or a new state cannot slip in untranslated: a raw key such as
``chargeable_dischargeable`` would otherwise reach the user.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
from pathlib import Path
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass
import pytest

from custom_components.hems.echonet.definitions import get_class
from custom_components.hems.energy.presets import PRESETS
from custom_components.hems.home.figures import SENSORS as HOME_SENSORS
from custom_components.hems.hub.catalog import SELECTS, SENSORS
from custom_components.hems.meter.descriptions import SENSORS as BROUTE_SENSORS

TRANSLATIONS = Path(__file__).parents[2] / "custom_components" / "hems" / "translations"
LANGUAGES = ("en", "ja")


def _states() -> Iterator[tuple[str, str, str, str]]:
    """(platform, translation key, state, where it comes from) of every curated entity."""
    for class_code, descriptions in SENSORS.items():
        class_def = get_class(class_code)
        assert class_def is not None
        for description in descriptions:
            if description.device_class != SensorDeviceClass.ENUM:
                continue
            assert description.translation_key is not None
            options = description.options
            if options is None:
                options = [o.key for o in class_def.get(description.epcs[0]).options]
            for option in options:
                yield "sensor", description.translation_key, option, f"0x{class_code:04X}"
    for class_code, selects in SELECTS.items():
        class_def = get_class(class_code)
        assert class_def is not None
        for select in selects:
            assert select.translation_key is not None
            for o in class_def.get(select.epcs[0]).options:
                if not o.read_only and o.key not in select.exclude:
                    yield "select", select.translation_key, o.key, f"0x{class_code:04X}"
    for broute in BROUTE_SENSORS:
        for option in broute.options or ():
            assert broute.translation_key is not None
            yield "sensor", broute.translation_key, option, "B-route"
    for home in HOME_SENSORS:
        assert home.translation_key is not None
        for option in home.options or ():
            yield "sensor", home.translation_key, option, "energy entry"
    for preset_key, preset in PRESETS.items():
        for period in preset.build().period_keys():
            yield "sensor", "tariff_period", period, f"tariff preset {preset_key}"


STATES = sorted(set(_states()))


def _load(language: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((TRANSLATIONS / f"{language}.json").read_text("utf-8"))
    return data


def test_the_enumeration_finds_the_states() -> None:
    """The enumeration sees the vehicle states of both EV classes, the session states and
    the tariff periods (it is not vacuous)."""
    found = {(p, k, s) for p, k, s, _ in STATES}
    assert ("sensor", "vehicle_status", "chargeable_dischargeable") in found
    assert ("sensor", "vehicle_status", "not_connected") in found
    assert ("sensor", "tariff_period", "night") in found
    assert any(p == "select" for p, _, _, _ in STATES)
    assert any(where == "B-route" for _, _, _, where in STATES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_state_of_every_curated_entity_is_translated(language: str) -> None:
    entity = _load(language)["entity"]
    missing = [
        f"{platform}.{key}.state.{state} ({where})"
        for platform, key, state, where in STATES
        if not entity.get(platform, {}).get(key, {}).get("state", {}).get(state)
    ]
    assert not missing, f"{language}: {len(missing)} states untranslated:\n" + "\n".join(missing)
