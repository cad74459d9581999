"""One policy for every cumulative counter: what reaches Home Assistant's statistics.

A :class:`CounterNormaliser` turns the readings of one device counter (kWh, m³ ...) into the
total a ``total_increasing`` sensor shows.  Home Assistant takes any fall of such a sensor as a
meter reset and counts the next value from zero, so one wrong reading (a meter answering 0 for
a moment, a bit flip) becomes a phantom of the whole counter in the Energy dashboard.  The rule
here is that a reading is either measured energy or nothing:

* the first reading (or the one after a restore) is the baseline;
* a reading at or above the baseline that rose by no more than is physically possible since
  the baseline (``max_rate`` per hour × the elapsed time, plus one count of ``resolution``) is
  accepted;
* a reading below the baseline is a wrap when the counter has a ``modulus`` (0xD7 effective
  digits, or the property's range) and the increase across the wrap is possible; otherwise it
  *fell* and is rejected;
* a reading above the possible increase *jumped* and is rejected;
* a rejected reading gives ``None``: the entity is unavailable, the baseline stays, and the
  next good reading counts everything since the baseline (nothing is lost, nothing invented).

A counter that really restarted (a replaced or reset device) would otherwise stay unavailable
for ever: when :data:`CONFIRMATIONS` rejected readings in a row agree with each other (each one
a possible increase of the one before, and the last above the first) the counter is rebased
there.  The energy between the old baseline and the first of those readings is unknown and is
not counted; what the device measured after it is.  A counter stuck at one wrong value never
confirms itself.

Each rejection is counted (:attr:`rejections`, for diagnostics) and logged once per kind and
counter.  Pure: no Home Assistant, no I/O; the state is JSON-able (:meth:`to_dict`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
import logging
from typing import Any, Final, Literal

_LOGGER = logging.getLogger(__name__)

#: Rejected readings in a row that, agreeing with each other, rebase the counter.
CONFIRMATIONS: Final = 3
#: Decimal places of the totals (kWh: a milli-watt-hour).
PLACES: Final = 6

#: The highest power of a low-voltage supply in Japan (低圧: contracts below 50 kW): no
#: household electricity counter can rise faster (kWh per hour).
HOUSEHOLD_MAX_KW: Final = 50.0
#: Household gas meters measure up to 16 m³/h (the largest domestic size).
HOUSEHOLD_MAX_GAS_M3H: Final = 16.0
#: A household water supply (20-25 mm) delivers a few m³/h at most.
HOUSEHOLD_MAX_WATER_M3H: Final = 10.0

Rejection = Literal["fell", "jumped"]


@dataclass(slots=True)
class CounterNormaliser:
    """The total shown for one cumulative counter (see the module's policy).

    ``max_rate``: the counter's highest possible increase per hour (None: no jump check);
    ``modulus``: where the raw counter wraps to 0 (None: it does not wrap);
    ``resolution``: one count of the counter (a rounding step is never a jump);
    ``name``: what the log says.
    """

    max_rate: float | None
    modulus: float | None = None
    resolution: float = 0.0
    name: str = "counter"
    #: The last accepted raw reading and its time.
    last_raw: float | None = None
    last_time: datetime | None = None
    #: Added to the raw reading to give the total (wraps and rebases).
    offset: float = 0.0
    #: Rejections by kind, since the start.
    rejections: dict[str, int] = field(default_factory=dict)
    #: Rejected readings agreeing with each other: (first raw, last raw, last time, count).
    _pending: tuple[float, float, datetime, int] | None = None
    _logged: set[str] = field(default_factory=set)

    @property
    def total(self) -> float | None:
        """The last accepted total (None before the first reading)."""
        if self.last_raw is None:
            return None
        return round(self.last_raw + self.offset, PLACES)

    def _allowed(self, since: datetime | None, when: datetime) -> float | None:
        """The largest possible increase from ``since`` to ``when`` (None: unlimited)."""
        if self.max_rate is None or since is None:
            return None
        hours = max((when - since).total_seconds(), 0.0) / 3600
        return self.max_rate * hours + self.resolution + 10**-PLACES

    def _possible(self, old: float, old_time: datetime | None, new: float, when: datetime) -> bool:
        allowed = self._allowed(old_time, when)
        return new - old >= 0 and (allowed is None or new - old <= allowed)

    def feed(self, raw: float | None, when: datetime) -> float | None:
        """Take one reading at ``when`` (aware); return the total to show, or None when the
        reading is not a measurement (no data, fell, jumped): the entity is unavailable."""
        if raw is None:
            return None
        if self.last_raw is None:
            self.last_raw, self.last_time = raw, when
            return self.total
        last, since = self.last_raw, self.last_time
        if since is not None and when < since:
            when = since  # a clock step back: no time passed
        if raw >= last:
            if self._possible(last, since, raw, when):
                return self._accept(raw, when)
            return self._reject(raw, when, "jumped")
        if self.modulus is not None:
            across = raw + self.modulus - last
            allowed = self._allowed(since, when)
            if across >= 0 and (
                (allowed is None and last - raw > self.modulus / 2)
                or (allowed is not None and across <= allowed)
            ):
                self.offset += self.modulus
                _LOGGER.info("%s wrapped at %s", self.name, self.modulus)
                return self._accept(raw, when)
        return self._reject(raw, when, "fell")

    def _accept(self, raw: float, when: datetime) -> float | None:
        self.last_raw, self.last_time = raw, when
        self._pending = None
        return self.total

    def _reject(self, raw: float, when: datetime, kind: Rejection) -> float | None:
        pending = self._pending
        if pending is not None and self._possible(pending[1], pending[2], raw, when):
            self._pending = (pending[0], raw, when, pending[3] + 1)
        else:
            self._pending = (raw, raw, when, 1)
        first, _, _, count = self._pending
        if count >= CONFIRMATIONS and raw > first:
            # The counter really restarted: continue the total from the first agreeing reading.
            total = self.total
            assert total is not None
            self.offset = total - first
            _LOGGER.warning(
                "%s: the counter restarted at %s; counting from there (the energy before it "
                "is not counted)",
                self.name,
                first,
            )
            return self._accept(raw, when)
        self.rejections[kind] = self.rejections.get(kind, 0) + 1
        level = logging.DEBUG if kind in self._logged else logging.WARNING
        self._logged.add(kind)
        _LOGGER.log(
            level,
            "%s: reading %s at %s rejected: the counter %s (last accepted %s at %s); "
            "the sensor is unavailable until a plausible reading",
            self.name,
            raw,
            when.isoformat(),
            "fell" if kind == "fell" else "jumped by more than is physically possible",
            self.last_raw,
            None if self.last_time is None else self.last_time.isoformat(),
        )
        return None

    def diagnostics(self) -> dict[str, Any]:
        """What diagnostics show."""
        return {
            "total": self.total,
            "last_raw": self.last_raw,
            "last_time": None if self.last_time is None else self.last_time.isoformat(),
            "offset": round(self.offset, PLACES),
            "modulus": self.modulus,
            "max_rate": self.max_rate,
            "rejections": dict(self.rejections),
        }

    def to_dict(self) -> dict[str, Any]:
        """The state to keep across restarts."""
        return {
            "last_raw": self.last_raw,
            "last_time": None if self.last_time is None else self.last_time.isoformat(),
            "offset": self.offset,
        }

    def restore(self, data: Any) -> bool:
        """Continue from :meth:`to_dict`'s output; False (and nothing changed) when it is
        unreadable."""
        try:
            raw = data["last_raw"]
            when = data["last_time"]
            offset = float(data["offset"])
            parsed = None if when is None else datetime.fromisoformat(when)
            if raw is not None:
                raw = float(raw)
        except (KeyError, TypeError, ValueError):
            return False
        if parsed is not None and parsed.tzinfo is None:
            return False
        self.last_raw, self.last_time, self.offset = raw, parsed, offset
        return True

    def restore_total(self, total: float, when: datetime | None) -> None:
        """Continue from a total only (an older saved state): taken as the raw counter."""
        self.last_raw, self.last_time, self.offset = total, when, 0.0
