"""Units whose Home Assistant constant differs between the versions the integration supports.

Parts per million: Home Assistant 2026.10 has ``UnitOfRatio.PARTS_PER_MILLION`` and deprecates
``CONCENTRATION_PARTS_PER_MILLION`` (a warning when used); 2026.2 has only the latter.  Both
are the unit ``"ppm"``, which is what Home Assistant compares: the string itself works on
every version and warns on none (tests/hems/test_units.py checks it against the enum where
Home Assistant has it).
"""

from __future__ import annotations

from typing import Final

PARTS_PER_MILLION: Final = "ppm"
