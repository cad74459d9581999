#!/usr/bin/env python3
"""Start Home Assistant on pyenv's Python 3.13.0 (the demo's launcher).

Home Assistant 2026.2 asks for Python >= 3.13.2 and its launcher refuses older ones, although
nothing else differs for us (see DEVELOPERS.md).  This launcher skips only that check; on a
newer Python it changes nothing.  With HEMS_EXIT_WITH_PARENT=1 (set by the demo) Home
Assistant also shuts down cleanly when the program that started it is gone, so that nothing
keeps running if the demo is killed.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

from homeassistant import __main__ as ha_main


def _exit_with_parent() -> None:
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)  # Home Assistant's own clean shutdown

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


if __name__ == "__main__":
    if os.environ.get("HEMS_EXIT_WITH_PARENT"):
        _exit_with_parent()
    ha_main.validate_python = lambda: None  # type: ignore[assignment]
    sys.exit(ha_main.main())
