"""Units that moved between Home Assistant versions: the integration uses the current constant
where Home Assistant has it and never the deprecated one."""

from __future__ import annotations

from pathlib import Path

import homeassistant.const as ha_const

from custom_components.hems.hub.catalog import SENSORS
from custom_components.hems.units import PARTS_PER_MILLION

PACKAGE = Path(__file__).parents[2] / "custom_components" / "hems"


def test_parts_per_million() -> None:
    assert PARTS_PER_MILLION == "ppm"
    ratio = getattr(ha_const, "UnitOfRatio", None)
    if ratio is not None:  # Home Assistant 2026.10: the enum's member, not the deprecated name
        assert ratio.PARTS_PER_MILLION.value == PARTS_PER_MILLION
    units = {
        description.native_unit_of_measurement
        for descriptions in SENSORS.values()
        for description in descriptions
        if description.device_class == "carbon_dioxide"
    }
    assert units == {PARTS_PER_MILLION}


def test_no_deprecated_concentration_constant() -> None:
    users = [
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if "CONCENTRATION_PARTS_PER_" in path.read_text(encoding="utf-8")
        and path.name != "units.py"
    ]
    assert users == []
