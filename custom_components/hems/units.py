"""Units whose Home Assistant constant differs between the versions the integration supports.

Parts per million: Home Assistant 2026.10 has ``UnitOfRatio.PARTS_PER_MILLION`` and deprecates
``CONCENTRATION_PARTS_PER_MILLION`` (a warning when used); 2026.2 has only the latter.  Both
are the unit ``"ppm"``.
"""

from __future__ import annotations

PARTS_PER_MILLION: str
try:
    from homeassistant.const import UnitOfRatio  # type: ignore[attr-defined,unused-ignore]
except ImportError:  # Home Assistant 2026.2 and older: no UnitOfRatio
    PARTS_PER_MILLION = "ppm"
else:
    PARTS_PER_MILLION = UnitOfRatio.PARTS_PER_MILLION.value
