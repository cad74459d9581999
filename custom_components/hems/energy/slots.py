"""30-minute energy slots, and turning counters into slots.

A :class:`Slot` holds the energy of one half hour ``[start, start + 30 min)``: kWh purchased,
sold, generated, charged into and discharged from a battery, and m³ of gas and water.  Two
sources produce them:

* the smart meter's fixed-time cumulative values (EPC 0xEA/0xEB every :00 and :30, and the
  history EPCs 0xE2/0xE4/0xEC): a value stamped ``T`` closes the slot that *ends* at ``T``;
  :func:`slots_from_cumulative` and :func:`meter_slots` turn them into absolute slot values;
* any cumulative counter read at irregular times (Home Assistant energy sensors, the
  integration's own integrators): :class:`CounterSlotter` spreads each increase linearly over
  the time since the previous reading and returns *additive* pieces per slot.

Use one source per channel: meter slots replace (:meth:`.accounting.Ledger.set_slot`),
counter pieces add (:meth:`.accounting.Ledger.add_slot`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any, Literal, Self

from .amounts import ZERO, Number, decimal_str, to_decimal
from .counter import (
    HOUSEHOLD_MAX_GAS_M3H,
    HOUSEHOLD_MAX_KW,
    HOUSEHOLD_MAX_WATER_M3H,
    CounterNormaliser,
)
from .errors import LedgerError

SLOT = timedelta(minutes=30)
SLOT_SECONDS = 1800

type Channel = Literal[
    "purchase", "sale", "generation", "battery_charge", "battery_discharge", "gas", "water"
]
CHANNELS: tuple[Channel, ...] = (
    "purchase",
    "sale",
    "generation",
    "battery_charge",
    "battery_discharge",
    "gas",
    "water",
)
"""Slot channels: kWh for the first five, m³ for gas and water."""

PIECE_QUANTUM = Decimal("0.000001")
"""Resolution of counter pieces (kWh or m³); the pieces of one increase sum to it exactly."""


@dataclass(frozen=True, slots=True)
class Slot:
    """Energy of the half hour starting at ``start`` (aware, on :00 or :30)."""

    start: datetime
    purchase: Decimal = ZERO
    sale: Decimal = ZERO
    generation: Decimal = ZERO
    battery_charge: Decimal = ZERO
    battery_discharge: Decimal = ZERO
    gas: Decimal = ZERO
    water: Decimal = ZERO

    def __post_init__(self) -> None:
        check_slot_start(self.start)
        for name in CHANNELS:
            value = getattr(self, name)
            if not isinstance(value, Decimal):
                raise LedgerError(f"{name} must be a Decimal (use Slot.make), got {value!r}")
            if value < 0 or not value.is_finite():
                raise LedgerError(f"{name} {value} of slot {self.start.isoformat()} is negative")

    @classmethod
    def make(cls, start: datetime, **values: Number) -> Self:
        """Build from plain numbers: ``Slot.make(start, purchase=0.4, sale=0.1)``."""
        unknown = set(values) - set(CHANNELS)
        if unknown:
            raise LedgerError(f"unknown slot channel(s) {', '.join(sorted(unknown))}")
        try:
            converted = {name: to_decimal(value) for name, value in values.items()}
        except ValueError as err:
            raise LedgerError(str(err)) from None
        return cls(start, **converted)

    @property
    def end(self) -> datetime:
        """End of the slot (exclusive)."""
        return (self.start.astimezone(UTC) + SLOT).astimezone(self.start.tzinfo)

    def value(self, channel: Channel) -> Decimal:
        """The value of one channel."""
        result: Decimal = getattr(self, channel)
        return result

    def merged(self, other: Slot, *, add: bool, channels: Iterable[Channel] = CHANNELS) -> Slot:
        """This slot with ``channels`` of ``other`` added (``add``) or replacing its own."""
        if other.start != self.start:
            raise LedgerError("slots of different times cannot be merged")
        chosen = set(channels)
        values = [
            (self.value(name) + other.value(name) if add else other.value(name))
            if name in chosen
            else self.value(name)
            for name in CHANNELS
        ]
        return Slot(self.start, *values)

    @property
    def is_empty(self) -> bool:
        """True when every channel is zero."""
        return all(not self.value(name) for name in CHANNELS)

    def to_list(self) -> list[str]:
        """Compact JSON form ``[start ISO (UTC), purchase, sale, ...]``, trailing zeros cut."""
        values = [decimal_str(self.value(name)) for name in CHANNELS]
        while values and values[-1] == "0":
            values.pop()
        return [self.start.astimezone(UTC).isoformat(), *values]

    @classmethod
    def from_list(cls, data: Any, tz: Any = UTC) -> Self:
        """Inverse of :meth:`to_list`; ``start`` is converted to ``tz``."""
        if not isinstance(data, list) or not data or len(data) > len(CHANNELS) + 1:
            raise LedgerError(f"{data!r} is not a stored slot")
        try:
            parsed = datetime.fromisoformat(data[0])
            if parsed.tzinfo is None:
                raise ValueError("the time has no time zone")
            start = parsed.astimezone(tz)
            values = [to_decimal(value) for value in data[1:]]
        except (TypeError, ValueError) as err:
            raise LedgerError(f"{data!r} is not a stored slot: {err}") from None
        return cls(start, *values)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """Names of the dataclass fields (``start`` and the channels)."""
        return tuple(item.name for item in fields(cls))


def check_slot_start(start: datetime) -> None:
    """Raise :class:`LedgerError` unless ``start`` is aware and on :00 or :30."""
    if not isinstance(start, datetime) or start.tzinfo is None or start.utcoffset() is None:
        raise LedgerError(f"slot start {start!r} must be a timezone-aware datetime")
    if slot_floor(start) != start:
        raise LedgerError(f"slot start {start.isoformat()} is not on :00 or :30")


def slot_floor(when: datetime, tz: tzinfo | None = None) -> datetime:
    """Start of the half-hour slot containing ``when``: where a slot begins, said once.

    In ``tz`` when given, else in ``when``'s own time zone (the two differ only in zones whose
    offset is not a whole half hour).  Raises :class:`LedgerError` for a naive ``when``.
    """
    if when.tzinfo is None or when.utcoffset() is None:
        raise LedgerError(f"{when!r} must be timezone-aware")
    local = when if tz is None else when.astimezone(tz)
    return local.replace(minute=local.minute - local.minute % 30, second=0, microsecond=0)


def slot_index(local: datetime) -> int:
    """The slot's number in its day (0 for 00:00-00:30 ... 47), of a local time."""
    return (local.hour * 60 + local.minute) // 30


def slots_from_cumulative(
    readings: Iterable[tuple[datetime, Number | None]],
    *,
    modulus: Number | None = None,
) -> dict[datetime, Decimal]:
    """Energy per slot from fixed-time cumulative readings ``(T, kWh at T)``.

    A reading at ``T`` (on :00/:30) closes the slot ``[T - 30 min, T)``; only pairs exactly 30
    minutes apart give a slot (a missing reading leaves a gap rather than a guess).  ``None``
    readings ("no data") are skipped.  With ``modulus`` (the counter's wrap value, e.g.
    ``10**digits * unit``) a decrease is taken as a wrap; without it the pair is skipped.
    Returns ``{slot start: kWh}``.
    """
    wrap = None if modulus is None else to_decimal(modulus)
    points: dict[datetime, Decimal] = {}
    for when, value in readings:
        if value is None:
            continue
        check_slot_start(when)
        points[when.astimezone(UTC)] = to_decimal(value)
    result: dict[datetime, Decimal] = {}
    for end in sorted(points):
        start = end - SLOT
        if start not in points:
            continue
        delta = points[end] - points[start]
        if delta < 0:
            if wrap is None:
                continue
            delta += wrap
            if delta < 0:
                continue
        result[start] = delta
    return result


def meter_slots(
    normal: Iterable[tuple[datetime, Number | None]],
    reverse: Iterable[tuple[datetime, Number | None]] = (),
    *,
    modulus: Number | None = None,
    tz: Any = UTC,
) -> list[Slot]:
    """Slots with ``purchase`` (normal direction) and ``sale`` (reverse) from meter readings.

    Slots present in only one direction carry zero in the other; replace only the channels you
    have (see :meth:`.accounting.Ledger.set_slot`).
    """
    bought = slots_from_cumulative(normal, modulus=modulus)
    sold = slots_from_cumulative(reverse, modulus=modulus)
    return [
        Slot(start.astimezone(tz), purchase=bought.get(start, ZERO), sale=sold.get(start, ZERO))
        for start in sorted(bought.keys() | sold.keys())
    ]


def distribute(start: datetime, end: datetime, amount: Decimal) -> list[tuple[datetime, Decimal]]:
    """Split ``amount`` over ``[start, end)`` in proportion to time per slot.

    Pieces are quantized to :data:`PIECE_QUANTUM` and sum exactly to ``amount`` (the rounding
    remainder goes to the last slot).  A zero-length interval puts everything in the slot of
    ``end``.  Returns ``[(slot start (UTC), piece), ...]`` in time order, zero pieces dropped.
    """
    start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
    if end_utc < start_utc:
        raise LedgerError("the interval ends before it starts")
    if end_utc == start_utc:
        return [(slot_floor(end_utc), amount)] if amount else []
    total = Decimal((end_utc - start_utc) // timedelta(microseconds=1))
    pieces: list[tuple[datetime, Decimal]] = []
    given = ZERO
    cursor = slot_floor(start_utc)
    while cursor < end_utc:
        following = cursor + SLOT
        overlap = min(following, end_utc) - max(cursor, start_utc)
        share = Decimal(overlap // timedelta(microseconds=1))
        piece = (amount * share / total).quantize(PIECE_QUANTUM)
        pieces.append((cursor, piece))
        given += piece
        cursor = following
    last_start, last_piece = pieces[-1]
    pieces[-1] = (last_start, last_piece + amount - given)
    return [(when, piece) for when, piece in pieces if piece]


#: The fastest each channel's counter can rise, per hour (kWh; m³ for gas and water).
MAX_RATES: dict[Channel, float] = {
    "purchase": HOUSEHOLD_MAX_KW,
    "sale": HOUSEHOLD_MAX_KW,
    "generation": HOUSEHOLD_MAX_KW,
    "battery_charge": HOUSEHOLD_MAX_KW,
    "battery_discharge": HOUSEHOLD_MAX_KW,
    "gas": HOUSEHOLD_MAX_GAS_M3H,
    "water": HOUSEHOLD_MAX_WATER_M3H,
}


class CounterSlotter:
    """Turn cumulative counters (read at any times) into additive slot pieces.

    Feed it ``(time, {channel: cumulative value or None})``; each channel's increase since its
    previous accepted reading is spread linearly over that interval (:func:`distribute`).  The
    result is a list of :class:`Slot` objects to *add* to the ledger, covering the slots
    touched (the slot in progress included, so it grows as readings come in).

    Which readings count is the one counter policy of :class:`.counter.CounterNormaliser`: a
    counter that falls or jumps by more than :data:`MAX_RATES` allows is rejected (nothing is
    counted, the baseline stays), and a counter that really restarted is followed once a few
    readings agree.  ``None`` (unavailable) leaves the channel's baseline untouched too, so the
    increase over the outage is spread over it when it comes back.  A reading older than the
    channel's previous one is ignored.  The state is JSON-able (:meth:`to_dict`) so that
    restarts lose nothing.
    """

    def __init__(self, tz: Any = UTC) -> None:
        self._tz = tz
        self._last: dict[Channel, tuple[datetime, Decimal]] = {}
        self._counters: dict[Channel, CounterNormaliser] = {}

    def _counter(self, channel: Channel) -> CounterNormaliser:
        counter = self._counters.get(channel)
        if counter is None:
            counter = self._counters[channel] = CounterNormaliser(
                MAX_RATES[channel], name=f"energy {channel} counter"
            )
        return counter

    def feed(self, when: datetime, readings: Mapping[Channel, Number | None]) -> list[Slot]:
        """Take readings at ``when`` (aware) and return the slot pieces to add."""
        if when.tzinfo is None or when.utcoffset() is None:
            raise LedgerError(f"{when!r} must be timezone-aware")
        when_utc = when.astimezone(UTC)
        pieces: dict[datetime, dict[Channel, Decimal]] = {}
        for channel, raw in readings.items():
            if channel not in CHANNELS:
                raise LedgerError(f"unknown channel {channel!r}")
            if raw is None:
                continue
            try:
                value = to_decimal(raw)
            except ValueError as err:
                raise LedgerError(f"{channel}: {err}") from None
            previous = self._last.get(channel)
            if previous is not None and when_utc < previous[0]:
                continue
            total = self._counter(channel).feed(float(value), when_utc)
            if total is None:
                continue
            accepted = to_decimal(total)
            self._last[channel] = (when_utc, accepted)
            if previous is None:
                continue
            then, old = previous
            for start, piece in distribute(then, when_utc, accepted - old):
                pieces.setdefault(start, {})[channel] = piece
        return [Slot(start.astimezone(self._tz), **pieces[start]) for start in sorted(pieces)]

    def baseline(self, channel: Channel) -> tuple[datetime, Decimal] | None:
        """Time and value of the channel's last accepted reading."""
        return self._last.get(channel)

    def to_dict(self) -> dict[str, Any]:
        """``{"last": {channel: [ISO time, total]}, "counters": {channel: counter state}}``."""
        return {
            "last": {
                channel: [when.isoformat(), decimal_str(value)]
                for channel, (when, value) in self._last.items()
            },
            "counters": {channel: c.to_dict() for channel, c in self._counters.items()},
        }

    @classmethod
    def from_dict(cls, data: Any, tz: Any = UTC) -> CounterSlotter:
        """Inverse of :meth:`to_dict` (bad data raises :class:`LedgerError`)."""
        slotter = cls(tz)
        try:
            for channel, (when, value) in dict(data.get("last", {})).items():
                if channel not in CHANNELS:
                    raise LedgerError(f"unknown channel {channel!r}")
                parsed = datetime.fromisoformat(when)
                if parsed.tzinfo is None:
                    raise ValueError("the time has no time zone")
                slotter._last[channel] = (parsed.astimezone(UTC), to_decimal(value))
                counters = dict(data.get("counters", {}))
                if not slotter._counter(channel).restore(counters.get(channel)):
                    slotter._counter(channel).restore_total(float(value), parsed)
        except (AttributeError, TypeError, ValueError) as err:
            raise LedgerError(f"unreadable counter state: {err}") from None
        return slotter
