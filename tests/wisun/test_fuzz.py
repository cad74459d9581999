"""At least 100 000 fuzz inputs through the SKSTACK, ERXUDP and J11 parsers (about 6 s; in a
child interpreter, outside the coverage tracer: see ``tests/child.py``).

``scripts/fuzz_wisun.py`` runs the same fuzzer for as long as you like.
"""

from __future__ import annotations

import pytest

from ..child import call_untraced


@pytest.mark.slow
def test_parsers_survive_100k_inputs() -> None:
    """No input makes any parser raise, and stream buffers stay bounded."""
    result = call_untraced("tests.wisun.fuzzing", "run", 100_000)
    assert result["inputs"] >= 100_000
    assert result["feeds"] > 1_000_000
    assert not result["failures"], "\n".join(result["failures"][:3])
