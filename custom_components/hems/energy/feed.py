"""Feeding a home's ledger from its sources: cumulative counters and fixed-time values.

* A counter (purchase, sale, generation, battery, gas, water) is fed to one
  :class:`~.slots.CounterSlotter` per source; its pieces are *added* to the ledger, and every
  slot the interval touched becomes known (empty ones too), so that days with an idle channel
  still count as complete.
* The smart meter's fixed-time values (a cumulative value stamped every :00 and :30) give exact
  half-hour slots: two consecutive ones *replace* the channel of the slot between them and mark
  it final, so later counter pieces for that slot are dropped (no channel is counted twice).

:meth:`LedgerFeed.to_dict` / :meth:`LedgerFeed.from_dict` keep the ledger, the counters'
baselines and the last fixed-time values across restarts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
import logging
from typing import Any

from .accounting import Ledger
from .errors import LedgerError
from .slots import CHANNELS, MAX_RATES, SLOT, Channel, CounterSlotter, Slot, slot_floor

_LOGGER = logging.getLogger(__name__)


class LedgerFeed:
    """A home's ledger with what it takes to feed it from counters and fixed-time values."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        #: Counter state per source.
        self.counters: dict[str, CounterSlotter] = {}
        #: Last fixed-time value per source: (UTC time, cumulative value).
        self.fixed_last: dict[str, tuple[datetime, Decimal]] = {}
        #: Slots (UTC starts) per channel that fixed-time values set exactly.
        self.final: dict[Channel, set[datetime]] = {}

    def add_counter(self, source: str, channel: Channel, value: float, now: datetime) -> bool:
        """A counter's reading at ``now``; True when the ledger changed."""
        slotter = self.counters.get(source)
        if slotter is None:
            slotter = self.counters[source] = CounterSlotter(self.ledger.tz)
        before = slotter.baseline(channel)
        try:
            pieces = slotter.feed(now, {channel: value})
        except LedgerError as err:
            _LOGGER.debug("Reading of %s ignored: %s", source, err)
            return False
        if before is None:
            return False
        final = self.final.get(channel, set())
        empty = self._unknown_slots(before[0], now)
        self.ledger.add_slots(empty)
        kept = [piece for piece in pieces if piece.start.astimezone(UTC) not in final]
        self.ledger.add_slots(kept)
        return bool(kept or empty)

    def _unknown_slots(self, since: datetime, until: datetime) -> list[Slot]:
        """Empty slots for the slots from ``since``'s to before ``until`` the ledger lacks."""
        cursor = slot_floor(since)
        empty = []
        while cursor < until:
            if self.ledger.slot(cursor) is None:
                empty.append(Slot(cursor.astimezone(self.ledger.tz)))
            cursor += SLOT
        return empty

    def add_fixed(self, source: str, channel: Channel, value: Decimal, when: datetime) -> bool:
        """A fixed-time value measured at ``when`` (aware); True when the ledger changed or
        this is the source's first value."""
        when = when.astimezone(UTC)
        if slot_floor(when) != when:
            return False
        previous = self.fixed_last.get(source)
        if previous is not None and when <= previous[0]:
            return False
        if previous is not None and value - previous[1] > Decimal(
            str(MAX_RATES[channel] * (when - previous[0]).total_seconds() / 3600)
        ):
            # More than is physically possible (the one counter policy's limit): a glitch.
            _LOGGER.warning(
                "Fixed-time value %s of %s at %s ignored: it rose by more than is possible",
                value,
                source,
                when.isoformat(),
            )
            return False
        self.fixed_last[source] = (when, value)
        if previous is None or when - previous[0] != SLOT or value < previous[1]:
            return previous is None
        start = previous[0]
        self.ledger.set_slot(
            Slot.make(start.astimezone(self.ledger.tz), **{channel: value - previous[1]}),
            channels=(channel,),
        )
        self.final.setdefault(channel, set()).add(start)
        return True

    # -- persistence -----------------------------------------------------------------------

    def to_dict(self, now: datetime, final_retention: timedelta) -> dict[str, Any]:
        """JSON-able form (final marks older than ``final_retention`` are dropped)."""
        cutoff = now - final_retention
        return {
            "ledger": self.ledger.to_dict(),
            "counters": {source: c.to_dict() for source, c in self.counters.items()},
            "fixed": {
                source: [when.isoformat(), str(value)]
                for source, (when, value) in self.fixed_last.items()
            },
            "final": {
                channel: sorted(item.isoformat() for item in starts if item >= cutoff)
                for channel, starts in self.final.items()
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], problems: list[str] | None = None) -> LedgerFeed:
        """Inverse of :meth:`to_dict`; raises :class:`LedgerError`, KeyError, TypeError or
        ValueError on unreadable data.

        With ``problems`` (a list), the data is read field by field: what cannot be read is left
        out and described in ``problems`` (see :meth:`.accounting.Ledger.from_dict`); only data
        without a readable ledger raises (:class:`LedgerError`).
        """
        if problems is not None:
            return cls._from_dict_lenient(data, problems)
        feed = cls(Ledger.from_dict(data["ledger"]))
        feed.counters = {
            source: CounterSlotter.from_dict(state, feed.ledger.tz)
            for source, state in data.get("counters", {}).items()
        }
        feed.fixed_last = {
            source: (datetime.fromisoformat(when), Decimal(value))
            for source, (when, value) in data.get("fixed", {}).items()
        }
        for channel, starts in data.get("final", {}).items():
            feed.final[channel] = {datetime.fromisoformat(item) for item in starts}
        return feed

    @classmethod
    def _from_dict_lenient(cls, data: Any, problems: list[str]) -> LedgerFeed:
        """Field-by-field :meth:`from_dict`: a counter's baseline, a source's last fixed-time
        value or a final mark that cannot be read is left out (the counter starts a new
        baseline, the next fixed-time value starts a new pair)."""
        if not isinstance(data, dict):
            raise LedgerError("stored energy data is not a mapping")
        feed = cls(Ledger.from_dict(data.get("ledger"), problems))
        for source, state in _mapping(data, "counters", problems).items():
            try:
                feed.counters[source] = CounterSlotter.from_dict(state, feed.ledger.tz)
            except LedgerError as err:
                problems.append(f"counter {source} left out: {err}")
        for source, item in _mapping(data, "fixed", problems).items():
            try:
                when_text, value_text = item
                when = datetime.fromisoformat(when_text)
                value = Decimal(value_text)
                if when.tzinfo is None or not value.is_finite():
                    raise ValueError("no time zone or not a number")
            except (TypeError, ValueError, ArithmeticError) as err:
                problems.append(f"fixed-time value of {source} left out: {err}")
                continue
            feed.fixed_last[source] = (when.astimezone(UTC), value)
        for channel, starts in _mapping(data, "final", problems).items():
            if channel not in CHANNELS or not isinstance(starts, list):
                problems.append(f"final marks of {channel!r} left out")
                continue
            marks = feed.final.setdefault(channel, set())
            for item in starts:
                try:
                    start = datetime.fromisoformat(item)
                    if start.tzinfo is None:
                        raise ValueError("the time has no time zone")
                except (TypeError, ValueError) as err:
                    problems.append(f"final mark of {channel} left out: {err}")
                    continue
                marks.add(start.astimezone(UTC))
        return feed


def _mapping(data: dict[str, Any], key: str, problems: list[str]) -> dict[str, Any]:
    """``data[key]`` when it is a mapping, else an empty one (noted)."""
    raw = data.get(key, {})
    if isinstance(raw, dict):
        return raw
    problems.append(f"{key} {raw!r} left out")
    return {}
