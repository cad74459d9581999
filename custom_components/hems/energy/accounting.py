"""The slot ledger: 30-minute slots, per-day summaries, eco records; JSON-able for ``Store``.

:class:`Ledger` keeps

* every slot for ``slot_retention_days`` (default 64: the current and the previous billing
  month, whatever the billing day), so bills and running costs can be recomputed exactly after
  a tariff edit or a backfill from the meter's history;
* a :class:`.totals.DaySummary` (totals, slot count, peak) per local day for
  ``day_retention_days`` (default 400), kept up to date whenever a slot of that day changes;
* eco records of days older than that (the "archive"), so records are all-time.

Writes: :meth:`Ledger.set_slot` replaces channels of a slot (meter values, which are absolute),
:meth:`Ledger.add_slot` adds to them (pieces from :class:`.slots.CounterSlotter`).  Pick one
per channel.  Costs are not stored: compute them with :mod:`.bill` from :meth:`Ledger.slots`
and the current tariff.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .demand import PeakDemand, combine_peaks, peak_demand
from .errors import LedgerError
from .records import EcoRecords, RecordKind, eco_records
from .slots import CHANNELS, SLOT, Channel, Slot, check_slot_start, slot_floor
from .tariff import DEFAULT_TIMEZONE
from .totals import DaySummary, EnergyTotals

LEDGER_FORMAT_VERSION = 1
DEFAULT_SLOT_RETENTION_DAYS = 64
DEFAULT_DAY_RETENTION_DAYS = 400


def day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """``[start, end)`` of local date ``day`` as aware datetimes in ``tz``."""
    start = datetime.combine(day, time(), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)
    return start, end


def slots_in_day(day: date, tz: tzinfo) -> int:
    """Number of 30-minute slots in local date ``day`` (46 or 50 on DST change days)."""
    start, end = day_bounds(day, tz)
    return (end.astimezone(UTC) - start.astimezone(UTC)) // SLOT


class Ledger:
    """Slots and day summaries of one home (see the module docstring)."""

    def __init__(
        self,
        timezone: str = DEFAULT_TIMEZONE,
        *,
        slot_retention_days: int = DEFAULT_SLOT_RETENTION_DAYS,
        day_retention_days: int = DEFAULT_DAY_RETENTION_DAYS,
    ) -> None:
        try:
            self._tz = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise LedgerError(f"unknown time zone {timezone!r}") from err
        if slot_retention_days < 1 or day_retention_days < slot_retention_days:
            raise LedgerError("retention must be >= 1 day, and days at least as long as slots")
        self.timezone = timezone
        self.slot_retention_days = slot_retention_days
        self.day_retention_days = day_retention_days
        self._slots: dict[date, dict[datetime, Slot]] = {}  # local day -> UTC start -> slot
        self._days: dict[date, DaySummary] = {}
        self._archive = EcoRecords()

    @property
    def tz(self) -> tzinfo:
        """The ledger's time zone (local days)."""
        return self._tz

    # -- writing ---------------------------------------------------------------------------

    def set_slot(self, slot: Slot, channels: Iterable[Channel] = CHANNELS) -> None:
        """Replace ``channels`` of the slot at ``slot.start`` with ``slot``'s values."""
        self._write(slot, add=False, channels=tuple(channels))

    def add_slot(self, slot: Slot) -> None:
        """Add ``slot``'s values to the slot at ``slot.start`` (created when missing)."""
        self._write(slot, add=True, channels=CHANNELS)

    def set_slots(self, slots: Iterable[Slot], channels: Iterable[Channel] = CHANNELS) -> None:
        """:meth:`set_slot` for each slot (summaries are rebuilt once per day)."""
        chosen = tuple(channels)
        days = {self._store(slot, add=False, channels=chosen) for slot in slots}
        for day in days:
            self._summarize(day)

    def add_slots(self, slots: Iterable[Slot]) -> None:
        """:meth:`add_slot` for each slot."""
        days = {self._store(slot, add=True, channels=CHANNELS) for slot in slots}
        for day in days:
            self._summarize(day)

    def _write(self, slot: Slot, *, add: bool, channels: tuple[Channel, ...]) -> None:
        self._summarize(self._store(slot, add=add, channels=channels))

    def _store(self, slot: Slot, *, add: bool, channels: tuple[Channel, ...]) -> date:
        check_slot_start(slot.start)
        local_start = slot.start.astimezone(self._tz)
        if slot_floor(local_start) != local_start:
            raise LedgerError(f"slot {slot.start.isoformat()} is not on a local half hour")
        key = slot.start.astimezone(UTC)
        day_slots = self._slots.setdefault(local_start.date(), {})
        existing = day_slots.get(key) or Slot(local_start)
        day_slots[key] = existing.merged(
            Slot(local_start, *(slot.value(name) for name in CHANNELS)),
            add=add,
            channels=channels,
        )
        return local_start.date()

    def _summarize(self, day: date) -> None:
        day_slots = self._slots.get(day, {})
        slots = [day_slots[key] for key in sorted(day_slots)]
        if not slots and day not in self._days:
            return
        self._days[day] = DaySummary(
            day=day,
            totals=EnergyTotals.of(slots),
            slot_count=len(slots),
            expected_slots=slots_in_day(day, self._tz),
            peak=peak_demand(slots),
        )

    def prune(self, now: datetime) -> None:
        """Drop slots and day summaries beyond their retention (whole local days)."""
        today = now.astimezone(self._tz).date()
        slot_cutoff = today - timedelta(days=self.slot_retention_days)
        for day in [day for day in self._slots if day < slot_cutoff]:
            del self._slots[day]
        day_cutoff = today - timedelta(days=self.day_retention_days)
        old = [day for day in self._days if day < day_cutoff]
        self._archive = self._archive.merge(eco_records(self._days[day] for day in old))
        for day in old:
            del self._days[day]

    # -- reading ---------------------------------------------------------------------------

    def slot(self, start: datetime) -> Slot | None:
        """The slot starting at ``start``, if known."""
        return self._slots.get(start.astimezone(self._tz).date(), {}).get(start.astimezone(UTC))

    def slots(self, start: datetime | None = None, end: datetime | None = None) -> list[Slot]:
        """Known slots starting in ``[start, end)``, in time order (in the ledger's zone)."""
        first = None if start is None else start.astimezone(self._tz).date()
        last = None if end is None else end.astimezone(self._tz).date()
        found: list[tuple[datetime, Slot]] = []
        for day, day_slots in self._slots.items():
            if (first is not None and day < first) or (last is not None and day > last):
                continue
            found.extend(
                (key, slot)
                for key, slot in day_slots.items()
                if (start is None or key >= start) and (end is None or key < end)
            )
        found.sort(key=lambda item: item[0])
        return [slot for _, slot in found]

    def missing_slots(self, start: datetime, end: datetime) -> list[datetime]:
        """Starts of the slots in ``[start, end)`` that are not known (for meter backfill)."""
        cursor = slot_floor(start, UTC)
        if cursor < start:
            cursor += SLOT
        missing: list[datetime] = []
        while cursor < end:
            if self.slot(cursor) is None:
                missing.append(cursor.astimezone(self._tz))
            cursor += SLOT
        return missing

    def totals(self, start: datetime, end: datetime) -> EnergyTotals:
        """Totals of the known slots in ``[start, end)`` (within the slot retention)."""
        return EnergyTotals.of(self.slots(start, end))

    def day(self, day: date) -> DaySummary | None:
        """Summary of local date ``day``."""
        return self._days.get(day)

    def days(self, first: date, last: date) -> list[DaySummary]:
        """Summaries of the known days from ``first`` to ``last`` inclusive, in order."""
        return [self._days[day] for day in sorted(self._days) if first <= day <= last]

    def day_totals(self, first: date, last: date) -> EnergyTotals:
        """Totals of the days ``first`` .. ``last`` (inclusive) from the day summaries, so also
        beyond the slot retention."""
        return EnergyTotals.of(summary.totals for summary in self.days(first, last))

    def peak(self, first: date, last: date) -> PeakDemand | None:
        """Largest 30-minute purchase of the days ``first`` .. ``last`` (inclusive)."""
        return combine_peaks(summary.peak for summary in self.days(first, last))

    def monthly_peaks(self, today: date, months: int = 12) -> list[tuple[date, PeakDemand | None]]:
        """The peak of each of the last ``months`` calendar months (this one included, newest
        first): ``(first day of the month, peak or None)``, from the day summaries (kept
        ``day_retention_days``, 400 by default, across restarts)."""
        found: list[tuple[date, PeakDemand | None]] = []
        first = today.replace(day=1)
        for _ in range(months):
            following = (first + timedelta(days=32)).replace(day=1)
            found.append((first, self.peak(first, following - timedelta(days=1))))
            first = (first - timedelta(days=1)).replace(day=1)
        return found

    def eco_records(self, before: date) -> EcoRecords:
        """All-time records over complete days before ``before`` (normally today)."""
        recent = eco_records(summary for day, summary in self._days.items() if day < before)
        return self._archive.merge(recent)

    def records_broken_on(self, day: date) -> list[RecordKind]:
        """Records that local date ``day`` set (against every earlier day), for notifications
        once the day is over."""
        summary = self._days.get(day)
        if summary is None:
            return []
        _, broken = self.eco_records(day).consider(summary)
        return broken

    # -- persistence -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (slots as compact lists, see :meth:`.slots.Slot.to_list`)."""
        return {
            "version": LEDGER_FORMAT_VERSION,
            "timezone": self.timezone,
            "slot_retention_days": self.slot_retention_days,
            "day_retention_days": self.day_retention_days,
            "slots": [slot.to_list() for slot in self.slots()],
            "days": [self._days[day].to_dict() for day in sorted(self._days)],
            "archive": self._archive.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Any, problems: list[str] | None = None) -> Ledger:
        """Inverse of :meth:`to_dict`; raises :class:`.errors.LedgerError` on unreadable data.

        With ``problems`` (a list), the data is read field by field instead: what cannot be read
        is left out and described in ``problems``, and the rest is kept (see
        :meth:`_from_dict_lenient`).  Only data that is not a ledger at all still raises.
        """
        if problems is not None:
            return cls._from_dict_lenient(data, problems)
        if not isinstance(data, dict):
            raise LedgerError("stored ledger is not a mapping")
        if data.get("version") != LEDGER_FORMAT_VERSION:
            raise LedgerError(f"unsupported ledger format version {data.get('version')!r}")
        try:
            ledger = cls(
                data.get("timezone", DEFAULT_TIMEZONE),
                slot_retention_days=int(data.get("slot_retention_days", 64)),
                day_retention_days=int(data.get("day_retention_days", 400)),
            )
            for item in data.get("slots", []):
                slot = Slot.from_list(item, ledger.tz)
                ledger._slots.setdefault(slot.start.date(), {})[slot.start.astimezone(UTC)] = slot
            for item in data.get("days", []):
                summary = DaySummary.from_dict(item)
                ledger._days[summary.day] = summary
            ledger._archive = EcoRecords.from_dict(data.get("archive", {}))
        except (TypeError, ValueError, AttributeError) as err:
            if isinstance(err, LedgerError):
                raise
            raise LedgerError(f"unreadable ledger: {err}") from None
        return ledger

    @classmethod
    def _lenient_settings(cls, data: dict[str, Any], problems: list[str]) -> Ledger:
        """An empty ledger with the stored time zone and retentions (defaults where unreadable)."""
        timezone = data.get("timezone", DEFAULT_TIMEZONE)
        try:
            ledger = cls(timezone if isinstance(timezone, str) else "")
        except LedgerError:
            problems.append(f"time zone {timezone!r} (the default is used)")
            ledger = cls()
        for name, default in (
            ("slot_retention_days", DEFAULT_SLOT_RETENTION_DAYS),
            ("day_retention_days", DEFAULT_DAY_RETENTION_DAYS),
        ):
            raw = data.get(name, default)
            if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 1:
                setattr(ledger, name, raw)
            else:
                problems.append(f"{name} {raw!r} (the default is used)")
        if ledger.day_retention_days < ledger.slot_retention_days:
            problems.append("day retention shorter than the slot retention (the defaults are used)")
            ledger.slot_retention_days = DEFAULT_SLOT_RETENTION_DAYS
            ledger.day_retention_days = DEFAULT_DAY_RETENTION_DAYS
        return ledger

    @classmethod
    def _from_dict_lenient(cls, data: Any, problems: list[str]) -> Ledger:
        """Field-by-field :meth:`from_dict`.

        * An unreadable time zone or retention falls back to the default.
        * A slot with an unreadable start or value is left out: its half hour becomes unknown
          (never zero, and the meter's history can fill it again); its day's stored summary,
          computed when the slot was whole, is kept.
        * An unreadable day summary is left out; it is computed again from the day's slots when
          the ledger still has them.
        * An unreadable eco record is left out (the others stay).
        """
        if not isinstance(data, dict):
            raise LedgerError("stored ledger is not a mapping")
        if data.get("version") != LEDGER_FORMAT_VERSION:
            raise LedgerError(f"unsupported ledger format version {data.get('version')!r}")
        ledger = cls._lenient_settings(data, problems)
        for item in _items(data, "slots", problems):
            try:
                ledger._store(Slot.from_list(item, ledger.tz), add=False, channels=CHANNELS)
            except LedgerError as err:
                problems.append(f"slot left out: {err}")
        for item in _items(data, "days", problems):
            try:
                summary = DaySummary.from_dict(item)
            except LedgerError as err:
                problems.append(f"day summary left out: {err}")
                day = _day_of(item)
                if day is not None and day in ledger._slots:
                    ledger._summarize(day)
                continue
            ledger._days[summary.day] = summary
        for day in ledger._slots:
            if day not in ledger._days:
                ledger._summarize(day)
        archive = data.get("archive", {})
        if isinstance(archive, dict):
            for kind, item in archive.items():
                try:
                    ledger._archive = ledger._archive.merge(EcoRecords.from_dict({kind: item}))
                except LedgerError as err:
                    problems.append(f"eco record left out: {err}")
        else:
            problems.append(f"eco records {archive!r} left out")
        return ledger


def _items(data: dict[str, Any], key: str, problems: list[str]) -> list[Any]:
    """``data[key]`` when it is a list, else nothing (noted)."""
    raw = data.get(key, [])
    if isinstance(raw, list):
        return raw
    problems.append(f"{key} {raw!r} left out")
    return []


def _day_of(item: Any) -> date | None:
    """The day a stored day summary is about, if that much can be read."""
    try:
        return date.fromisoformat(item["day"])
    except (KeyError, TypeError, ValueError):
        return None
