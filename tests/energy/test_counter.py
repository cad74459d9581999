"""The one counter policy (energy/counter.py): what a cumulative sensor may show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import itertools
import json
import logging

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.hems.energy.counter import CONFIRMATIONS, CounterNormaliser

T0 = datetime(2026, 12, 5, 0, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_accepts_plausible_readings_and_rejects_falls_and_jumps(
    caplog: pytest.LogCaptureFixture,
) -> None:
    counter = CounterNormaliser(50.0, resolution=0.1, name="sensor.grid")
    assert counter.total is None
    assert counter.feed(None, at(0)) is None
    assert counter.feed(1000.0, at(0)) == 1000.0
    assert counter.feed(1000.5, at(1)) == 1000.5  # 0.5 kWh in a minute: 30 kW
    assert counter.feed(1000.5, at(1)) == 1000.5
    # A reading below the last: the counter fell (0 kWh of a meter answering D3 = 0 ...).
    with caplog.at_level(logging.DEBUG):
        assert counter.feed(0.0, at(2)) is None
        assert counter.feed(1000.4, at(3)) is None
    assert [r.levelno for r in caplog.records] == [logging.WARNING, logging.DEBUG]
    assert "sensor.grid" in caplog.text and "fell" in caplog.text
    # ... and a jump beyond 50 kW since the last accepted reading (1 kWh in 1 minute: 60 kW).
    assert counter.feed(1001.6, at(2)) is None
    # The next good reading counts everything since the baseline.
    assert counter.feed(1001.6, at(4)) == 1001.6
    assert counter.rejections == {"fell": 2, "jumped": 1}
    # One count of resolution is never a jump; a clock that steps back is no time at all.
    assert counter.feed(1001.7, at(4)) == 1001.7
    assert counter.feed(1001.8, at(3)) == 1001.8
    diagnostics = counter.diagnostics()
    assert diagnostics["rejections"] == {"fell": 2, "jumped": 1}
    assert diagnostics["total"] == 1001.8
    assert json.loads(json.dumps(diagnostics)) == diagnostics


def test_without_a_limit_only_falls_are_rejected() -> None:
    counter = CounterNormaliser(None)
    assert counter.feed(5.0, at(0)) == 5.0
    assert counter.feed(5000.0, at(0)) == 5000.0
    assert counter.feed(4999.0, at(1)) is None


def test_wraps_at_the_modulus() -> None:
    """A 6-digit register of 0.1 kWh wraps at 100,000 kWh: the total goes on."""
    counter = CounterNormaliser(50.0, modulus=100_000.0, resolution=0.1)
    assert counter.feed(99_999.8, at(0)) == 99_999.8
    assert counter.feed(0.3, at(1)) == pytest.approx(100_000.3)
    assert counter.feed(0.4, at(2)) == pytest.approx(100_000.4)
    # Across the modulus but more than possible in the time: a fall, not a wrap.
    assert counter.feed(0.2, at(3)) is None
    # Without a limit: a wrap is a fall of more than half the modulus.
    unlimited = CounterNormaliser(None, modulus=1000.0)
    assert unlimited.feed(990.0, at(0)) == 990.0
    assert unlimited.feed(10.0, at(60)) == 1010.0
    assert unlimited.feed(5.0, at(61)) is None


def test_a_counter_that_restarted_is_followed_once_readings_agree() -> None:
    counter = CounterNormaliser(50.0)
    assert counter.feed(500.0, at(0)) == 500.0
    values = [0.1, 0.2, 0.3]
    results = [counter.feed(v, at(i + 1)) for i, v in enumerate(values)]
    assert results[:-1] == [None] * (CONFIRMATIONS - 1)
    assert results[-1] == pytest.approx(500.2)  # from the first agreeing reading on
    assert counter.feed(0.5, at(5)) == pytest.approx(500.4)


def test_a_stuck_wrong_value_never_confirms_itself() -> None:
    counter = CounterNormaliser(50.0)
    assert counter.feed(500.0, at(0)) == 500.0
    for minute in range(1, 10):
        assert counter.feed(0.0, at(minute)) is None
    # Readings that disagree with each other start the count again.
    assert counter.feed(3.0, at(10)) is None
    assert counter.feed(900.0, at(11)) is None
    assert counter.feed(3.1, at(12)) is None
    assert counter.feed(500.1, at(13)) == 500.1


def test_state_round_trip_and_bad_state() -> None:
    counter = CounterNormaliser(50.0, modulus=1000.0)
    counter.feed(990.0, at(0))
    counter.feed(5.0, at(60))
    saved = json.loads(json.dumps(counter.to_dict()))
    again = CounterNormaliser(50.0, modulus=1000.0)
    assert again.restore(saved)
    assert again.total == counter.total == 1005.0
    assert again.feed(6.0, at(62)) == 1006.0
    empty = CounterNormaliser(50.0)
    assert empty.restore({"last_raw": None, "last_time": None, "offset": 0})
    assert empty.total is None
    for bad in (None, {}, {"last_raw": "x", "last_time": None, "offset": 0}):
        assert not CounterNormaliser(50.0).restore(bad)
    naive = {"last_raw": 1.0, "last_time": "2026-12-05T00:00:00", "offset": 0}
    assert not CounterNormaliser(50.0).restore(naive)
    older = CounterNormaliser(50.0)
    older.restore_total(42.0, at(0))
    assert older.feed(42.5, at(1)) == 42.5


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0.1, max_value=600),
            st.one_of(st.none(), st.floats(min_value=0, max_value=2e5, allow_nan=False)),
        ),
        max_size=40,
    )
)
def test_the_total_never_falls_and_never_rises_faster_than_possible(
    readings: list[tuple[float, float | None]],
) -> None:
    """Whatever a device sends, the shown total never goes back and never rises by more than
    the limit allows between two shown values (plus one count)."""
    counter = CounterNormaliser(50.0, modulus=100_000.0, resolution=0.1)
    when = T0
    shown: list[tuple[datetime, float]] = []
    for seconds, value in readings:
        when += timedelta(seconds=seconds)
        total = counter.feed(value, when)
        if total is not None:
            shown.append((when, total))
    for (t1, v1), (t2, v2) in itertools.pairwise(shown):
        assert v2 >= v1
        hours = (t2 - t1).total_seconds() / 3600
        # A plain step is possible; a confirmed restart adds up steps that each were.
        assert v2 - v1 <= 50.0 * hours + CONFIRMATIONS * 0.1 + 1e-3
