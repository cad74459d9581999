"""Slots, counters, the ledger and its persistence."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
import json
from zoneinfo import ZoneInfo

import pytest

from custom_components.hems.energy import (
    CounterSlotter,
    Ledger,
    LedgerError,
    RecordKind,
    Slot,
    meter_slots,
    slots_from_cumulative,
    slots_in_day,
)
from custom_components.hems.energy.amounts import to_decimal
from custom_components.hems.energy.records import EcoRecords
from custom_components.hems.energy.slots import distribute, slot_floor
from custom_components.hems.energy.totals import DaySummary, EnergyTotals

from .helpers import JST, D, jst, uniform_slots


def test_slot_validation() -> None:
    with pytest.raises(LedgerError, match="not on :00 or :30"):
        Slot.make(jst("2026-11-27T12:15"))
    with pytest.raises(LedgerError, match="timezone-aware"):
        Slot.make(datetime(2026, 11, 27, 12))
    with pytest.raises(LedgerError, match="negative"):
        Slot.make(jst("2026-11-27T12:00"), purchase=-1)
    with pytest.raises(LedgerError, match="unknown slot channel"):
        Slot.make(jst("2026-11-27T12:00"), import_kwh=1)
    slot = Slot.make(jst("2026-11-27T23:30"), purchase="0.25", water=1)
    assert slot.end == jst("2026-11-28T00:00")
    assert slot.to_list() == ["2026-11-27T14:30:00+00:00", "0.25", "0", "0", "0", "0", "0", "1"]
    assert Slot.from_list(slot.to_list(), JST) == slot


def test_meter_fixed_time_values_become_slots() -> None:
    readings = [
        (jst("2026-11-27T00:00"), "100.0"),
        (jst("2026-11-27T00:30"), "100.4"),
        (jst("2026-11-27T01:00"), None),  # no data
        (jst("2026-11-27T01:30"), "101.5"),
        (jst("2026-11-27T02:00"), "101.9"),
    ]
    assert slots_from_cumulative(readings) == {
        jst("2026-11-27T00:00"): D("0.4"),
        jst("2026-11-27T01:30"): D("0.4"),  # 01:30 -> 02:00
    }
    wrapped = [(jst("2026-11-27T00:00"), "99999.8"), (jst("2026-11-27T00:30"), "0.3")]
    assert slots_from_cumulative(wrapped) == {}
    assert slots_from_cumulative(wrapped, modulus=100000) == {jst("2026-11-27T00:00"): D("0.5")}
    slots = meter_slots(
        readings[:2], [(jst("2026-11-27T00:00"), 5), (jst("2026-11-27T00:30"), "5.2")], tz=JST
    )
    assert slots == [Slot.make(jst("2026-11-27T00:00"), purchase="0.4", sale="0.2")]


def test_distribute_is_exact_and_proportional() -> None:
    pieces = distribute(jst("2026-11-27T00:20"), jst("2026-11-27T01:10"), D(1))
    assert [(when.astimezone(JST), piece) for when, piece in pieces] == [
        (jst("2026-11-27T00:00"), D("0.2")),
        (jst("2026-11-27T00:30"), D("0.6")),
        (jst("2026-11-27T01:00"), D("0.2")),
    ]
    thirds = distribute(jst("2026-11-27T00:00"), jst("2026-11-27T01:30"), D(1))
    assert sum(piece for _, piece in thirds) == 1
    assert distribute(jst("2026-11-27T00:10"), jst("2026-11-27T00:10"), D(2)) == [
        (jst("2026-11-27T00:00").astimezone(UTC), D(2))
    ]


def test_counter_slotter() -> None:
    slotter = CounterSlotter(JST)
    assert slotter.feed(jst("2026-11-27T00:20"), {"generation": 10, "purchase": 50}) == []
    pieces = slotter.feed(jst("2026-11-27T00:40"), {"generation": 11, "purchase": None})
    assert pieces == [
        Slot.make(jst("2026-11-27T00:00"), generation="0.5"),
        Slot.make(jst("2026-11-27T00:30"), generation="0.5"),
    ]
    # purchase was unavailable: its increase is spread over the whole time since 00:20.
    pieces = slotter.feed(jst("2026-11-27T01:20"), {"generation": 11, "purchase": 53})
    assert pieces == [
        Slot.make(jst("2026-11-27T00:00"), purchase="0.5"),
        Slot.make(jst("2026-11-27T00:30"), purchase="1.5"),
        Slot.make(jst("2026-11-27T01:00"), purchase="1.0"),
    ]
    # the one counter policy: a decrease is rejected, the baseline kept
    assert slotter.feed(jst("2026-11-27T01:25"), {"purchase": "52.9"}) == []
    assert slotter.baseline("purchase") == (jst("2026-11-27T01:20").astimezone(UTC), D(53))
    # and so is a jump beyond what a household can draw (50 kW): 100 kWh in 10 minutes
    assert slotter.feed(jst("2026-11-27T01:30"), {"purchase": 153}) == []
    # the next plausible reading counts everything since the baseline
    assert slotter.feed(jst("2026-11-27T01:40"), {"purchase": "53.4"}) == [
        Slot.make(jst("2026-11-27T01:00"), purchase="0.2"),
        Slot.make(jst("2026-11-27T01:30"), purchase="0.2"),
    ]
    # a counter that restarted: followed once three readings agree, from the first of them
    assert slotter.feed(jst("2026-11-27T01:41"), {"purchase": "0.3"}) == []
    assert slotter.feed(jst("2026-11-27T01:42"), {"purchase": "0.35"}) == []
    assert slotter.feed(jst("2026-11-27T01:43"), {"purchase": "0.4"}) == [
        Slot.make(jst("2026-11-27T01:30"), purchase="0.1")
    ]
    # out-of-order readings are ignored
    assert slotter.feed(jst("2026-11-27T01:00"), {"purchase": 5}) == []
    restored = CounterSlotter.from_dict(json.loads(json.dumps(slotter.to_dict())), JST)
    assert restored.feed(jst("2026-11-27T01:50"), {"purchase": "0.5"}) == [
        Slot.make(jst("2026-11-27T01:30"), purchase="0.1")
    ]
    # an older saved state (no counter state): continues from the total
    old_state = {"last": {"purchase": ["2026-11-27T01:43:00+09:00", "53.5"]}}
    older = CounterSlotter.from_dict(old_state, JST)
    assert older.feed(jst("2026-11-27T01:50"), {"purchase": "53.6"}) == [
        Slot.make(jst("2026-11-27T01:30"), purchase="0.1")
    ]
    with pytest.raises(LedgerError):
        CounterSlotter.from_dict({"last": {"x": ["2026-11-27T00:00+09:00", "1"]}})


def test_ledger_set_add_and_summaries() -> None:
    ledger = Ledger()
    day = date(2026, 11, 27)
    ledger.set_slots(uniform_slots(jst("2026-11-27T00:00"), jst("2026-11-28T00:00"), "0.2"))
    ledger.add_slot(Slot.make(jst("2026-11-27T12:00"), generation="1.5", purchase="0.1"))
    ledger.set_slot(
        Slot.make(jst("2026-11-27T12:00"), purchase="0.05", sale="0.4"), ["purchase", "sale"]
    )
    summary = ledger.day(day)
    assert summary is not None
    assert summary.complete
    assert summary.slot_count == 48
    assert summary.totals.purchase == D("0.2") * 47 + D("0.05")
    assert summary.totals.generation == D("1.5")
    assert summary.totals.sale == D("0.4")
    assert summary.peak is not None
    assert (summary.peak.start, summary.peak.kwh) == (jst("2026-11-27T00:00"), D("0.2"))
    assert summary.peak.average_kw == D("0.4")
    assert ledger.slot(jst("2026-11-27T12:00")) == Slot.make(
        jst("2026-11-27T12:00"), purchase="0.05", sale="0.4", generation="1.5"
    )
    assert ledger.totals(jst("2026-11-27T12:00"), jst("2026-11-27T13:00")).purchase == D("0.25")
    assert ledger.missing_slots(jst("2026-11-27T23:00"), jst("2026-11-28T01:00")) == [
        jst("2026-11-28T00:00"),
        jst("2026-11-28T00:30"),
    ]
    with pytest.raises(LedgerError):
        ledger.add_slot(Slot.make(datetime(2026, 11, 27, 3, 15, tzinfo=ZoneInfo("Asia/Kathmandu"))))


def test_ledger_peak_of_a_month() -> None:
    ledger = Ledger()
    ledger.set_slots(uniform_slots(jst("2026-11-01T00:00"), jst("2026-11-05T00:00"), "0.3"))
    ledger.set_slot(Slot.make(jst("2026-11-03T18:30"), purchase="2.1"))
    ledger.set_slot(Slot.make(jst("2026-11-04T19:00"), purchase="2.1"))  # tie: later, ignored
    peak = ledger.peak(date(2026, 11, 1), date(2026, 11, 30))
    assert peak is not None
    assert (peak.start, peak.kwh, peak.average_kw) == (jst("2026-11-03T18:30"), D("2.1"), D("4.2"))
    assert peak.end == jst("2026-11-03T19:00")


def test_monthly_peaks_of_a_year_survive_a_restart() -> None:
    """Each of the last 12 calendar months' peak, newest first, also after the slots are gone
    and the ledger was stored and read back (the day summaries keep the peaks)."""
    ledger = Ledger(slot_retention_days=2)
    ledger.set_slot(Slot.make(jst("2026-01-15T18:00"), purchase="1.5"))  # 13 months back
    ledger.set_slot(Slot.make(jst("2026-02-10T07:30"), purchase="1.2"))
    ledger.set_slot(Slot.make(jst("2026-02-11T19:00"), purchase="1.8"))
    ledger.set_slot(Slot.make(jst("2026-11-30T23:30"), purchase="0.9"))
    ledger.set_slot(Slot.make(jst("2026-12-01T00:00"), purchase="0.4"))
    ledger.prune(jst("2026-12-05T12:00"))
    assert ledger.slots(jst("2026-02-01T00:00"), jst("2026-03-01T00:00")) == []
    restored = Ledger.from_dict(json.loads(json.dumps(ledger.to_dict())))
    peaks = restored.monthly_peaks(date(2026, 12, 5))
    assert [first for first, _ in peaks] == [
        date(2026, 12, 1), date(2026, 11, 1), date(2026, 10, 1), date(2026, 9, 1),
        date(2026, 8, 1), date(2026, 7, 1), date(2026, 6, 1), date(2026, 5, 1),
        date(2026, 4, 1), date(2026, 3, 1), date(2026, 2, 1), date(2026, 1, 1),
    ]  # fmt: skip
    by_month = {first: peak for first, peak in peaks}
    assert by_month[date(2026, 12, 1)] is not None
    assert by_month[date(2026, 12, 1)].average_kw == D("0.8")
    assert by_month[date(2026, 11, 1)].start == jst("2026-11-30T23:30")
    assert by_month[date(2026, 2, 1)].average_kw == D("3.6")
    assert by_month[date(2026, 1, 1)].average_kw == D("3.0")
    assert by_month[date(2026, 6, 1)] is None
    assert len(restored.monthly_peaks(date(2026, 12, 5), months=11)) == 11


def test_ledger_round_trip_prune_and_records() -> None:
    ledger = Ledger(slot_retention_days=2, day_retention_days=3)
    for offset, generation in enumerate(["0.25", "0.5", "0.3", "0.2"]):  # 12, 24, 14.4, 9.6
        start = jst("2026-11-20T00:00") + timedelta(days=offset)
        ledger.set_slots(
            uniform_slots(start, start + timedelta(days=1), "0.25", generation=generation)
        )
    # Day 24 is incomplete: no records from it.
    ledger.set_slot(Slot.make(jst("2026-11-24T00:00"), purchase="0.01"))
    records = ledger.eco_records(date(2026, 11, 25))
    assert records.best_generation is not None
    assert (records.best_generation.day, records.best_generation.value) == (
        date(2026, 11, 21),
        D(24),
    )
    assert ledger.records_broken_on(date(2026, 11, 20)) == [
        RecordKind.BEST_GENERATION,
        RecordKind.LOWEST_CONSUMPTION,
        RecordKind.LOWEST_PURCHASE,
    ]
    assert ledger.records_broken_on(date(2026, 11, 21)) == [RecordKind.BEST_GENERATION]
    assert ledger.records_broken_on(date(2026, 11, 22)) == []
    # consumption = purchase + generation: 24, 36, 26.4, 21.6; purchase ties keep the first day
    assert ledger.records_broken_on(date(2026, 11, 23)) == [RecordKind.LOWEST_CONSUMPTION]
    assert records.lowest_purchase is not None
    assert records.lowest_purchase.day == date(2026, 11, 20)
    assert records.best_sale is None
    data = json.loads(json.dumps(ledger.to_dict()))
    restored = Ledger.from_dict(data)
    assert restored.to_dict() == data
    assert restored.slots() == ledger.slots()
    restored.prune(jst("2026-11-25T00:10"))
    assert restored.slots()[0].start == jst("2026-11-23T00:00")
    assert restored.day(date(2026, 11, 21)) is None  # beyond 3 days: archived
    assert restored.day(date(2026, 11, 22)) is not None
    assert restored.eco_records(date(2026, 11, 25)) == records
    # Summaries survive the slots of their day.
    summary = restored.day(date(2026, 11, 22))
    assert summary is not None
    assert summary.totals.purchase == 12
    assert restored.day_totals(date(2026, 11, 22), date(2026, 11, 23)).purchase == 24


def test_ledger_rejects_bad_data() -> None:
    with pytest.raises(LedgerError):
        Ledger.from_dict({"version": 99})
    with pytest.raises(LedgerError):
        Ledger.from_dict({"version": 1, "slots": [["not a time", "1"]]})
    with pytest.raises(LedgerError):
        Ledger.from_dict({"version": 1, "days": [{"day": "2026-11-27"}]})
    with pytest.raises(LedgerError):
        Ledger("Nowhere/Never")


def test_slots_in_a_dst_day() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    assert slots_in_day(date(2026, 3, 29), berlin) == 46
    assert slots_in_day(date(2026, 10, 25), berlin) == 50
    assert slots_in_day(date(2026, 11, 27), JST) == 48
    ledger = Ledger("Europe/Berlin")
    start = datetime(2026, 10, 25, tzinfo=berlin)
    end = datetime(2026, 10, 26, tzinfo=berlin)
    ledger.set_slots(uniform_slots(start, end, "0.1"))
    summary = ledger.day(date(2026, 10, 25))
    assert summary is not None
    assert (summary.slot_count, summary.complete) == (50, True)


def _stored_ledger() -> dict[str, object]:
    ledger = Ledger("Asia/Tokyo")
    ledger.set_slots(uniform_slots(jst("2026-11-26T00:00"), jst("2026-11-28T00:00"), 0.2, sale=0.1))
    ledger.prune(jst("2028-01-10T00:00"))  # two old days: into the eco-record archive
    ledger.set_slots(uniform_slots(jst("2027-12-30T00:00"), jst("2028-01-01T00:00"), 0.4, sale=0.3))
    data: dict[str, object] = json.loads(json.dumps(ledger.to_dict()))
    return data


def test_lenient_loading_keeps_every_readable_field() -> None:
    """Field by field: each unreadable item is left out and named, the rest is kept."""
    data = _stored_ledger()
    whole = Ledger.from_dict(data)
    slots = data["slots"]
    days = data["days"]
    archive = data["archive"]
    assert isinstance(slots, list) and isinstance(days, list) and isinstance(archive, dict)
    slots[0][1] = "x"  # an unreadable purchase
    slots[1][0] = "2027-12-30T00:15:00+00:00"  # not on a half hour
    days[0]["totals"]["sale"] = "y"  # an unreadable day summary (the day's slots remain)
    days[1]["day"] = "someday"  # a summary of no readable day
    kind = next(iter(archive))
    archive[kind] = {"day": "never"}
    data["timezone"] = "Mars/Olympus"
    data["day_retention_days"] = "long"
    problems: list[str] = []
    ledger = Ledger.from_dict(data, problems)
    assert len(problems) == 7, problems
    assert ledger.timezone == "Asia/Tokyo"  # the default
    assert ledger.day_retention_days == 400
    assert ledger.slots() == whole.slots()[2:]
    first, second = date(2027, 12, 30), date(2027, 12, 31)
    recomputed = ledger.day(first)
    assert recomputed is not None and recomputed.slot_count == 46  # from the slots left
    assert ledger.day(second) == whole.day(second)
    kept = ledger.eco_records(date(2028, 1, 1))
    assert kept.get(RecordKind(kind)) is None
    assert kept != whole.eco_records(date(2028, 1, 1))


def test_lenient_loading_of_containers_and_retention() -> None:
    problems: list[str] = []
    ledger = Ledger.from_dict(
        {
            "version": 1,
            "slots": "none",
            "days": {},
            "archive": [],
            "slot_retention_days": 500,
            "timezone": 9,
        },
        problems,
    )
    assert ledger.slots() == []
    assert (ledger.slot_retention_days, ledger.day_retention_days) == (64, 400)
    assert len(problems) == 5, problems
    # Not a ledger at all: nothing to keep.
    with pytest.raises(LedgerError, match="not a mapping"):
        Ledger.from_dict([], [])
    with pytest.raises(LedgerError, match="version"):
        Ledger.from_dict({"version": 2}, [])


def test_ledger_refuses_what_it_cannot_keep() -> None:
    with pytest.raises(LedgerError, match="retention"):
        Ledger(slot_retention_days=0)
    with pytest.raises(LedgerError, match="retention"):
        Ledger(slot_retention_days=64, day_retention_days=10)
    # Kathmandu is UTC+5:45: a UTC half hour is not a local one.
    nepal = Ledger("Asia/Kathmandu")
    with pytest.raises(LedgerError, match="not on a local half hour"):
        nepal.set_slot(Slot.make(datetime(2026, 11, 27, 0, 0, tzinfo=UTC), purchase=1))
    with pytest.raises(LedgerError, match="not a mapping"):
        Ledger.from_dict([])
    with pytest.raises(LedgerError, match="unreadable ledger"):
        Ledger.from_dict({"version": 1, "slot_retention_days": "long"})


def test_ledger_reads_only_the_days_asked_for() -> None:
    ledger = Ledger("Asia/Tokyo")
    ledger.set_slots(uniform_slots(jst("2026-11-26T00:00"), jst("2026-11-28T00:00"), 0.2))
    second = ledger.slots(jst("2026-11-27T00:00"), jst("2026-11-28T00:00"))
    assert len(second) == 48
    assert all(slot.start.date() == date(2026, 11, 27) for slot in second)
    assert ledger.records_broken_on(date(2026, 12, 1)) == []  # a day the ledger never saw


def test_amounts_and_totals_refuse_what_is_not_energy() -> None:
    for value in (True, None, [1], "1.2.3", "inf"):
        with pytest.raises(ValueError, match="number"):
            to_decimal(value)  # type: ignore[arg-type]
    with pytest.raises(LedgerError, match="unknown channel"):
        EnergyTotals.from_dict({"purchase": "1", "heat": "2"})
    total = EnergyTotals.from_dict({"purchase": "1.5"}) + EnergyTotals.from_dict({"sale": "0.5"})
    assert (total.purchase, total.sale) == (D("1.5"), D("0.5"))


def test_slots_refuse_bad_input_with_a_clear_error() -> None:
    start = jst("2026-11-27T12:00")
    with pytest.raises(LedgerError, match="must be a Decimal"):
        Slot(start, purchase=1)  # type: ignore[arg-type]
    with pytest.raises(LedgerError, match="not a number"):
        Slot.make(start, purchase="lots")
    with pytest.raises(LedgerError, match="different times"):
        Slot.make(start).merged(Slot.make(jst("2026-11-27T12:30")), add=True)
    assert Slot.make(start).is_empty and not Slot.make(start, gas=0.1).is_empty
    for stored in ([], "slot", [start.isoformat(), *["1"] * 9]):
        with pytest.raises(LedgerError, match="not a stored slot"):
            Slot.from_list(stored)
    with pytest.raises(LedgerError, match="no time zone"):
        Slot.from_list(["2026-11-27T03:00:00", "1"])
    assert Slot.field_names()[0] == "start"
    with pytest.raises(LedgerError, match="timezone-aware"):
        slot_floor(datetime(2026, 11, 27, 12))
    with pytest.raises(LedgerError, match="ends before it starts"):
        distribute(jst("2026-11-27T13:00"), jst("2026-11-27T12:00"), D("1"))


def test_counters_refuse_naive_times_unknown_channels_and_bad_state() -> None:
    slotter = CounterSlotter(JST)
    with pytest.raises(LedgerError, match="timezone-aware"):
        slotter.feed(datetime(2026, 11, 27, 12), {"purchase": 1})
    with pytest.raises(LedgerError, match="unknown channel"):
        slotter.feed(jst("2026-11-27T12:00"), {"heat": 1})  # type: ignore[dict-item]
    with pytest.raises(LedgerError, match="no time zone"):
        CounterSlotter.from_dict({"last": {"purchase": ["2026-11-27T03:00:00", "1"]}})


def test_cumulative_readings_that_go_back_without_a_wrap_leave_a_gap() -> None:
    readings = [
        (jst("2026-11-27T12:00"), 100),
        (jst("2026-11-27T12:30"), 99),  # back: no modulus, so no slot
        (jst("2026-11-27T13:00"), 99.5),
    ]
    assert slots_from_cumulative(readings) == {jst("2026-11-27T12:30"): D("0.5")}
    # With a modulus too small to explain the drop, it is still no slot.
    assert jst("2026-11-27T12:00") not in slots_from_cumulative(readings, modulus=0.5)


def test_records_skip_days_without_consumption_and_keep_the_first_of_equal_days() -> None:
    """A day the house used nothing (the data says so, e.g. a holiday home) sets no lowest
    consumption record; of two days with the same value the earlier one holds the record,
    whatever the order they are considered in."""

    def day(when: date, **values: str) -> DaySummary:
        totals = EnergyTotals.from_dict(values)
        return DaySummary(when, totals, slot_count=48, expected_slots=48, peak=None)

    records = EcoRecords()
    records, broken = records.consider(day(date(2026, 11, 2), generation="0"))
    assert RecordKind.LOWEST_CONSUMPTION not in broken
    assert records.get(RecordKind.LOWEST_CONSUMPTION) is None
    records, _ = records.consider(day(date(2026, 11, 5), purchase="3"))
    records, broken = records.consider(day(date(2026, 11, 4), purchase="3"))
    assert broken == [RecordKind.LOWEST_CONSUMPTION]  # 3 kWh again, but earlier
    record = records.get(RecordKind.LOWEST_PURCHASE)
    assert record is not None and record.day == date(2026, 11, 2)  # zero purchase that day
    record = records.get(RecordKind.LOWEST_CONSUMPTION)
    assert record is not None and record.day == date(2026, 11, 4)
