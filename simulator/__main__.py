"""``python -m simulator``: the virtual house (see :mod:`simulator.cli`; ``scripts/simulator``)."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
