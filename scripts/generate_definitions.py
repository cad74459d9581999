#!/usr/bin/env python3
"""Generate the ECHONET Lite device definitions from the Machine Readable Appendix (MRA).

Usage::

    python scripts/generate_definitions.py [MRA_DIR] [--out DIR] [--check]

``MRA_DIR`` defaults to ``../shared/mra`` relative to the repository root.  The output goes to
``custom_components/hems/echonet/definitions/`` (``--out`` to change it):

- ``mra.json``: every device class, the device super class and the node profile, with each
  property's latest-release variant only, every ``$ref`` resolved and the data types normalised
  into the compact form that ``definitions/datatypes/`` builds its codecs from (see
  ``TypeNormaliser.normalise`` in ``scripts/mra/datatypes.py`` for the exact schema).  Keys are
  sorted and the output is stable, so regenerating from the same MRA gives byte-identical files.
- ``COPYRIGHT.txt``: the MRA licence notice, which must ship beside the derived data.
- ``names.py``: named constants of the same data for code that refers to classes and
  properties (``HomeAirConditioner.CODE == 0x0130``, ``HomeAirConditioner.OPERATION_MODE ==
  0xB0``): one namespace class per device class, with its properties by their MRA short names;
  device classes inherit the super class's (``SuperClass.OPERATION_STATUS``).

``--check`` writes nothing: it exits 1 when the committed files differ from what would be
generated (and says which), 0 when they are up to date.

The MRA's MCRules (``MCRules/*.json``) describe the ECHONET Lite Web API representation of some
properties (JSON shapes, values with their coefficients already applied, URL parameters).  Their
``data`` overrides change the representation, not the bytes on the wire, so they are not applied
to the codec.  Kept from them: the ``DEL`` actions (``mcrules_deleted`` per class) and a check
that every coefficient reference they make is also in the device data (which the codec applies).

A small supplement adds classes of the printed Appendix that the MRA does not cover (see
``SUPPLEMENT_NOTE`` in ``scripts/mra/supplement.py``): they go through the same normalisation,
are marked ``"source": "supplement"`` in ``mra.json`` and listed in ``meta.supplement``, and
``COPYRIGHT.txt`` says that they are not MRA data.  A class that the MRA itself defines always
wins over the supplement's.

The work is done by the package ``scripts/mra/`` (one module per part); this file is the command.
"""

from __future__ import annotations

import argparse
from pathlib import Path
import sys

from mra.common import MRAError
from mra.generator import Generator

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MRA = REPO_ROOT.parent / "shared" / "mra"
DEFAULT_OUT = REPO_ROOT / "custom_components" / "hems" / "echonet" / "definitions"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("mra", nargs="?", type=Path, default=DEFAULT_MRA, help="MRA folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the output is not up to date"
    )
    args = parser.parse_args(argv)
    try:
        files = Generator(args.mra).generate()
    except (MRAError, KeyError, TypeError) as err:
        print(f"error: {err!r}", file=sys.stderr)
        return 2
    out: Path = args.out
    if args.check:
        stale = [
            name
            for name, text in files.items()
            if not (out / name).is_file() or (out / name).read_bytes() != text.encode("utf-8")
        ]
        for name in stale:
            print(f"{out / name} is out of date; run scripts/generate_definitions.py")
        return 1 if stale else 0
    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (out / name).write_bytes(text.encode("utf-8"))
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
