"""Feeding the ledger from counters and fixed-time values (energy.feed)."""

from __future__ import annotations

from datetime import UTC, timedelta
import json

import pytest

from custom_components.hems.energy import Ledger, LedgerError
from custom_components.hems.energy.feed import LedgerFeed

from .helpers import D, jst


def _feed() -> LedgerFeed:
    return LedgerFeed(Ledger("Asia/Tokyo"))


def test_a_counter_fills_the_slots_it_spans_and_marks_idle_ones_known() -> None:
    feed = _feed()
    assert not feed.add_counter("sensor.grid", "purchase", 100.0, jst("2026-05-20T10:10"))
    # An hour later, 1 kWh more: spread over the slots the hour touched.
    assert feed.add_counter("sensor.grid", "purchase", 101.0, jst("2026-05-20T11:10"))
    slots = feed.ledger.slots()
    assert [s.start for s in slots] == [
        jst("2026-05-20T10:00"),
        jst("2026-05-20T10:30"),
        jst("2026-05-20T11:00"),
    ]
    assert sum(s.purchase for s in slots) == D("1")
    # An idle hour: nothing used, but the slots are known (the day can be complete).
    assert feed.add_counter("sensor.grid", "purchase", 101.0, jst("2026-05-20T12:10"))
    assert feed.ledger.slot(jst("2026-05-20T11:30")) is not None
    assert feed.ledger.slot(jst("2026-05-20T12:00")) is not None


def test_unreadable_counter_values_are_ignored() -> None:
    feed = _feed()
    feed.add_counter("sensor.grid", "purchase", 100.0, jst("2026-05-20T10:00"))
    assert not feed.add_counter("sensor.grid", "purchase", float("nan"), jst("2026-05-20T10:30"))
    assert feed.ledger.slots() == []


def test_fixed_time_values_set_final_slots_and_win_over_counters() -> None:
    feed = _feed()
    assert feed.add_fixed("sensor.fixed", "purchase", D("500.0"), jst("2026-05-20T10:00"))
    # Not on :00 / :30, older, or not the next half hour: nothing is set.
    assert not feed.add_fixed("sensor.fixed", "purchase", D("500.1"), jst("2026-05-20T10:15"))
    assert not feed.add_fixed("sensor.fixed", "purchase", D("499.0"), jst("2026-05-20T09:30"))
    assert feed.add_fixed("sensor.fixed", "purchase", D("500.4"), jst("2026-05-20T10:30"))
    start = jst("2026-05-20T10:00")
    slot = feed.ledger.slot(start)
    assert slot is not None and slot.purchase == D("0.4")
    assert feed.final["purchase"] == {start.astimezone(UTC)}
    # The counter's piece for the final slot is dropped; the next slot's piece is kept.
    feed.add_counter("sensor.grid", "purchase", 10.0, jst("2026-05-20T10:15"))
    feed.add_counter("sensor.grid", "purchase", 11.0, jst("2026-05-20T10:45"))
    slot = feed.ledger.slot(start)
    assert slot is not None and slot.purchase == D("0.4")
    later = feed.ledger.slot(jst("2026-05-20T10:30"))
    assert later is not None and later.purchase == D("0.5")
    # A gap (a half hour missed) or a counter that went back sets nothing.
    assert not feed.add_fixed("sensor.fixed", "purchase", D("501.0"), jst("2026-05-20T11:30"))
    assert not feed.add_fixed("sensor.fixed", "purchase", D("400.0"), jst("2026-05-20T12:00"))
    # A half hour of more than a household can draw (50 kW: 25 kWh) is a glitch: not set, and
    # the next value is not compared with it.
    assert feed.add_fixed("sensor.fixed", "purchase", D("400.5"), jst("2026-05-20T12:30"))
    assert not feed.add_fixed("sensor.fixed", "purchase", D("1400.5"), jst("2026-05-20T13:00"))
    assert feed.ledger.slot(jst("2026-05-20T12:30")) is None
    assert feed.fixed_last["sensor.fixed"][1] == D("400.5")


def test_round_trip_through_json_drops_old_final_marks() -> None:
    feed = _feed()
    feed.add_counter("sensor.grid", "purchase", 100.0, jst("2026-05-20T10:10"))
    feed.add_counter("sensor.grid", "purchase", 101.0, jst("2026-05-20T11:10"))
    feed.add_fixed("sensor.fixed", "sale", D("20.0"), jst("2026-05-18T10:00"))
    feed.add_fixed("sensor.fixed", "sale", D("20.5"), jst("2026-05-18T10:30"))
    now = jst("2026-05-20T12:00")
    data = json.loads(json.dumps(feed.to_dict(now, timedelta(days=1))))
    again = LedgerFeed.from_dict(data)
    assert again.ledger.slots() == feed.ledger.slots()
    assert again.fixed_last == feed.fixed_last
    assert again.final == {"sale": set()}  # older than a day
    assert again.counters["sensor.grid"].baseline("purchase") == feed.counters[
        "sensor.grid"
    ].baseline("purchase")
    # Fed on, the restored feed continues where the first one stopped.
    assert again.add_counter("sensor.grid", "purchase", 102.0, jst("2026-05-20T12:10"))


def test_lenient_loading_leaves_out_only_what_is_unreadable() -> None:
    feed = _feed()
    feed.add_counter("sensor.grid", "purchase", 100.0, jst("2026-05-20T10:10"))
    feed.add_counter("sensor.grid", "purchase", 101.0, jst("2026-05-20T11:10"))
    feed.add_counter("sensor.pv", "generation", 5.0, jst("2026-05-20T11:10"))
    feed.add_fixed("sensor.fixed", "purchase", D("500.0"), jst("2026-05-20T10:00"))
    feed.add_fixed("sensor.fixed", "purchase", D("500.4"), jst("2026-05-20T10:30"))
    feed.add_fixed("sensor.other", "sale", D("1.0"), jst("2026-05-20T10:00"))
    data = json.loads(json.dumps(feed.to_dict(jst("2026-05-20T12:00"), timedelta(days=3))))
    data["counters"]["sensor.pv"] = {"last": {"generation": ["noon", "5"]}}
    data["fixed"]["sensor.other"] = ["2026-05-20T10:00", "1.0"]  # no time zone
    data["fixed"]["sensor.third"] = "nothing"
    data["final"]["purchase"].append("later")
    data["final"]["heat"] = []
    problems: list[str] = []
    restored = LedgerFeed.from_dict(data, problems)
    assert len(problems) == 5, problems
    assert restored.ledger.slots() == feed.ledger.slots()
    assert set(restored.counters) == {"sensor.grid"}
    assert restored.fixed_last == {"sensor.fixed": feed.fixed_last["sensor.fixed"]}
    assert restored.final == feed.final
    problems = []
    bare = LedgerFeed.from_dict({"ledger": data["ledger"], "counters": [], "final": 1}, problems)
    assert bare.counters == {} and bare.final == {}
    assert len(problems) == 2


def test_lenient_loading_needs_a_ledger() -> None:
    with pytest.raises(LedgerError):
        LedgerFeed.from_dict({"counters": {}}, [])
    with pytest.raises(LedgerError):
        LedgerFeed.from_dict([], [])  # type: ignore[arg-type]
