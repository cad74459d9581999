#!/usr/bin/env python3
"""Start Home Assistant on pyenv's Python 3.13.0.

Home Assistant 2026.2 asks for Python >= 3.13.2 and its launcher refuses older ones, although
nothing else differs for us (see DEVELOPERS.md).  This launcher skips only that check; on a
newer Python it changes nothing.
"""

from __future__ import annotations

import sys

from homeassistant import __main__ as ha_main

if __name__ == "__main__":
    ha_main.validate_python = lambda: None  # type: ignore[assignment]
    sys.exit(ha_main.main())
