"""Each library imports and works on its own: no Home Assistant, no integration around it.

For each library a temporary folder links just that library (and the libraries it declares
it depends on) under its own name; a fresh interpreter, in which a meta-path blocker makes
``homeassistant`` and ``custom_components`` un-importable and the repository is not on the
path, imports it from there and runs a smoke use of it.  ``wisun`` imports ``echonet`` (the
frames) and ``energy`` (the half-hour slot) relatively (``from ..echonet``), so they sit side
by side in one parent package.
"""

from __future__ import annotations

from pathlib import Path
import textwrap

import pytest

from .child import run_python

ROOT = Path(__file__).resolve().parents[1]
LIBRARIES = ROOT / "custom_components" / "hems"

BLOCKER = textwrap.dedent(
    """
    import sys

    class Blocker:
        BLOCKED = ("homeassistant", "custom_components")

        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in self.BLOCKED:
                raise ImportError(f"{name} must not be imported by a library")
            return None

    sys.meta_path.insert(0, Blocker())
    for name in list(sys.modules):
        if name.split(".")[0] in Blocker.BLOCKED:
            del sys.modules[name]
    """
)

#: library -> (folder layout: top-level package and the libraries linked into it, smoke use)
CASES: dict[str, tuple[str | None, tuple[str, ...], str]] = {
    "echonet": (
        None,
        ("echonet",),
        """
        from echonet import CONTROLLER, ESV, NODE_PROFILE, decode_frame
        from echonet.controller import Controller
        from echonet.definitions import get_class
        from echonet.frame import build

        data = build(0x1234, CONTROLLER, NODE_PROFILE, ESV.GET, [(0xD6, b"")])
        frame = decode_frame(data)
        assert (frame.tid, frame.esv, frame.props) == (0x1234, ESV.GET, ((0xD6, b""),))
        assert get_class(0x0130).properties[0xB0].decode(b"\\x42") == "cooling"
        assert Controller("127.0.0.1").timeout > 0
        """,
    ),
    "wisun": (
        "standalone",
        ("wisun", "echonet", "energy"),
        """
        from standalone.wisun import BRouteCredentials, BRouteSession
        from standalone.wisun.skstack import SkEvent, SkstackParser

        (event,) = SkstackParser().feed(b"EVENT 25 FE80:0000:0000:0000:021D:1290:1234:5678\\r\\n")
        assert isinstance(event, SkEvent) and event.code == 0x25
        session = BRouteSession("/nonexistent", BRouteCredentials("0" * 32, "PASSWORD1234"))
        assert session.state.value == "closed" and not session.state.is_connected
        """,
    ),
    "energy": (
        None,
        ("energy",),
        """
        from decimal import Decimal

        from energy import BillingMonth, compute_bill, preset_tariff

        tariff = preset_tariff("tiered_b").with_fuel_adjustment("2026-11", "-1.23")
        tariff = tariff.with_surcharge(2026, "3.98")
        bill = compute_bill(tariff, BillingMonth(2026, 11), {"standard": "347.6"})
        assert bill.energy == Decimal("12055.324") and bill.subtotal == 12563
        """,
    ),
}


@pytest.mark.parametrize("library", sorted(CASES))
def test_library_stands_alone(library: str, tmp_path: Path) -> None:
    parent, linked, smoke = CASES[library]
    folder = tmp_path if parent is None else tmp_path / parent
    folder.mkdir(exist_ok=True)
    if parent is not None:
        (folder / "__init__.py").write_text("", encoding="utf-8")
    for name in linked:
        (folder / name).symlink_to(LIBRARIES / name, target_is_directory=True)
    code = (
        BLOCKER
        + f"sys.path = [p for p in sys.path if p not in ('', {str(ROOT)!r})]\n"
        + f"sys.path.insert(0, {str(tmp_path)!r})\n"
        + textwrap.dedent(smoke)
    )
    result = run_python(code, cwd=tmp_path, isolated=True)
    assert result.returncode == 0, result.stderr


def test_the_blocker_blocks(tmp_path: Path) -> None:
    """The check fails when a library does import Home Assistant (it is not vacuous)."""
    (tmp_path / "leaky").mkdir()
    (tmp_path / "leaky" / "__init__.py").write_text("import homeassistant.core\n")
    code = BLOCKER + f"sys.path.insert(0, {str(tmp_path)!r})\nimport leaky\n"
    result = run_python(code, cwd=tmp_path, isolated=True)
    assert result.returncode != 0
    assert "must not be imported by a library" in result.stderr
