"""Forecasts learned from the house's own history.

:class:`ProfileModel` learns a 30-minute profile (house load without the planned devices, or
hot water drawn from the EcoCute tank) from past slots: for each slot of the day and each kind
of day (workday, or Saturday / Sunday / Japanese public holiday, the holiday calendar of the
tariff), a least-squares fit of the slot's kWh on the day's heating and cooling degrees (from
its mean outdoor temperature), with recent days weighing more (half-life four weeks) so that
the season follows.  With no temperatures it is a weighted mean per slot.

:class:`SolarModel` forecasts generation without a forecast provider: the clear-day output of
each slot of the day (a high percentile of recent days, carried to the target date by the sun's
position when the site's latitude and longitude are known) times a factor for the weather
condition of the slot (learned from past days with a known condition, else typical values).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
import math
from zoneinfo import ZoneInfo

from .. import DayType, HolidayRules
from .errors import PlannerInputError

SLOTS_PER_DAY = 48
HEATING_BASE_C = 18.0
COOLING_BASE_C = 22.0
_TOKYO = ZoneInfo("Asia/Tokyo")
_RIDGE = 1e-3


def _slot_of_day(local: datetime) -> int:
    return (local.hour * 60 + local.minute) // 30


def _degrees(mean_c: float | None) -> tuple[float, float]:
    if mean_c is None:
        return 0.0, 0.0
    return max(0.0, HEATING_BASE_C - mean_c), max(0.0, mean_c - COOLING_BASE_C)


def _workday(day: date, rules: HolidayRules) -> bool:
    return rules.day_type(day) is DayType.WEEKDAY


@dataclass(frozen=True, slots=True)
class _Fit:
    """Coefficients of one slot: base + heating × HDD + cooling × CDD."""

    base: float
    heating: float
    cooling: float

    def at(self, degrees: tuple[float, float]) -> float:
        return max(0.0, self.base + self.heating * degrees[0] + self.cooling * degrees[1])


def _solve3(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting for a 3×3 system."""
    a = [[*row, rhs] for row, rhs in zip(matrix, vector, strict=True)]
    for col in range(3):
        pivot = max(range(col, 3), key=lambda row: abs(a[row][col]))
        a[col], a[pivot] = a[pivot], a[col]
        if abs(a[col][col]) < 1e-12:
            return [0.0, 0.0, 0.0]
        for row in range(col + 1, 3):
            factor = a[row][col] / a[col][col]
            for k in range(col, 4):
                a[row][k] -= factor * a[col][k]
    result = [0.0, 0.0, 0.0]
    for row in (2, 1, 0):
        total = a[row][3] - sum(a[row][k] * result[k] for k in range(row + 1, 3))
        result[row] = total / a[row][row]
    return result


def _fit(points: list[tuple[float, float, float, float]]) -> _Fit:
    """Weighted least squares of value on [1, hdd, cdd]; points are (weight, hdd, cdd, value)."""
    xtx = [[0.0] * 3 for _ in range(3)]
    xty = [0.0] * 3
    for weight, hdd, cdd, value in points:
        row = (1.0, hdd, cdd)
        for i in range(3):
            xty[i] += weight * row[i] * value
            for j in range(3):
                xtx[i][j] += weight * row[i] * row[j]
    total = xtx[0][0]
    for i in (1, 2):
        xtx[i][i] += _RIDGE * total + 1e-9
    base, heating, cooling = _solve3(xtx, xty)
    return _Fit(base, heating, cooling)


@dataclass(frozen=True, slots=True)
class ProfileModel:
    """A learned 30-minute profile by kind of day, slot of day and outdoor temperature."""

    fits: Mapping[bool, tuple[_Fit, ...]]
    """Per kind of day (``True`` = workday): one fit per slot of the day."""
    days: Mapping[bool, int]
    """How many days of each kind were learned from."""
    holidays: HolidayRules
    timezone: tzinfo
    recent_degrees: tuple[float, float] = (0.0, 0.0)
    """Mean heating and cooling degrees of the last week of history: the weather assumed for
    days without a temperature forecast."""

    @classmethod
    def fit(
        cls,
        history: Iterable[tuple[datetime, float, float | None]],
        *,
        holidays: HolidayRules | None = None,
        timezone: tzinfo = _TOKYO,
        half_life_days: float = 28.0,
        min_days: int = 3,
    ) -> ProfileModel:
        """Learn from ``(slot start, kWh, outdoor °C or None)`` samples.

        Raises :class:`PlannerInputError` without one complete day of history.
        """
        rules = holidays or HolidayRules()
        by_day: dict[date, list[tuple[int, float, float | None]]] = defaultdict(list)
        for when, value, outdoor in history:
            if when.tzinfo is None:
                raise PlannerInputError("history times must be timezone-aware", field="history")
            local = when.astimezone(timezone)
            by_day[local.date()].append((_slot_of_day(local), float(value), outdoor))
        complete = {day: rows for day, rows in by_day.items() if len(rows) >= SLOTS_PER_DAY}
        if not complete:
            raise PlannerInputError(
                "at least one complete day of history is needed", field="history"
            )
        latest = max(complete)
        points: dict[tuple[bool, int], list[tuple[float, float, float, float]]] = defaultdict(list)
        counts = {True: 0, False: 0}
        recent: list[tuple[float, float]] = []
        for day, rows in complete.items():
            temperatures = [t for _, _, t in rows if t is not None]
            mean = sum(temperatures) / len(temperatures) if temperatures else None
            hdd, cdd = _degrees(mean)
            if (latest - day).days < 7:
                recent.append((hdd, cdd))
            weight = 0.5 ** ((latest - day).days / half_life_days)
            kind = _workday(day, rules)
            counts[kind] += 1
            for slot, value, _ in rows:
                points[(kind, slot)].append((weight, hdd, cdd, value))
        fits: dict[bool, tuple[_Fit, ...]] = {}
        for kind in (True, False):
            own = counts[kind] >= min_days
            fits[kind] = tuple(
                _fit(points[(kind, slot)] if own else points[(True, slot)] + points[(False, slot)])
                for slot in range(SLOTS_PER_DAY)
            )
        last_week = (
            sum(hdd for hdd, _ in recent) / len(recent),
            sum(cdd for _, cdd in recent) / len(recent),
        )
        return cls(fits, counts, rules, timezone, last_week)

    def predict(
        self, starts: Sequence[datetime], outdoor_c: Sequence[float] | None = None
    ) -> list[float]:
        """kWh per slot starting at ``starts``; ``outdoor_c`` per slot gives each day's mean
        (give whole days for the best estimate); without it, the last week's weather."""
        locals_ = [when.astimezone(self.timezone) for when in starts]
        means: dict[date, float] = {}
        if outdoor_c:
            sums: dict[date, list[float]] = defaultdict(list)
            for local, temperature in zip(locals_, outdoor_c, strict=True):
                sums[local.date()].append(temperature)
            means = {day: sum(values) / len(values) for day, values in sums.items()}
        result = []
        for local in locals_:
            day = local.date()
            fit = self.fits[_workday(day, self.holidays)][_slot_of_day(local)]
            mean = means.get(day)
            result.append(fit.at(self.recent_degrees if mean is None else _degrees(mean)))
        return result


# ---------------------------------------------------------------------------------------------
# Solar

CONDITION_FACTORS: Mapping[str, float] = {
    "sunny": 0.95,
    "clear-night": 0.95,
    "partlycloudy": 0.65,
    "cloudy": 0.35,
    "fog": 0.3,
    "windy": 0.7,
    "windy-variant": 0.5,
    "rainy": 0.15,
    "snowy-rainy": 0.1,
    "lightning-rainy": 0.12,
    "lightning": 0.3,
    "pouring": 0.08,
    "snowy": 0.1,
    "hail": 0.1,
    "exceptional": 0.2,
}
"""Typical share of a clear day's generation under each Home Assistant weather condition."""


def clear_sky_ghi(when: datetime, latitude: float, longitude: float) -> float:
    """Clear-sky global horizontal irradiance (W/m², Haurwitz model) at ``when`` (aware)."""
    utc = when.astimezone(UTC)
    day_of_year = utc.timetuple().tm_yday
    gamma = 2 * math.pi * (day_of_year - 1) / 365
    declination = 0.006918 - 0.399912 * math.cos(gamma) + 0.070257 * math.sin(gamma)
    declination += -0.006758 * math.cos(2 * gamma) + 0.000907 * math.sin(2 * gamma)
    equation_of_time = 229.18 * (
        0.000075
        + 0.001868 * math.cos(gamma)
        - 0.032077 * math.sin(gamma)
        - 0.014615 * math.cos(2 * gamma)
        - 0.040849 * math.sin(2 * gamma)
    )
    minutes = utc.hour * 60 + utc.minute + utc.second / 60
    solar_minutes = minutes + equation_of_time + 4 * longitude
    hour_angle = math.radians(solar_minutes / 4 - 180)
    phi = math.radians(latitude)
    cos_zenith = math.sin(phi) * math.sin(declination) + math.cos(phi) * math.cos(
        declination
    ) * math.cos(hour_angle)
    if cos_zenith <= 0.01:
        return 0.0
    return 1098.0 * cos_zenith * math.exp(-0.057 / cos_zenith)


def _slot_clear_sky(start: datetime, latitude: float, longitude: float) -> float:
    return sum(
        clear_sky_ghi(start + timedelta(minutes=minute), latitude, longitude)
        for minute in (5, 15, 25)
    )


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    position = share * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True, slots=True)
class SolarModel:
    """Clear-day generation per slot of the day and a factor per weather condition."""

    clear_day: tuple[float, ...]
    """Clear-day kWh per slot of the day (per unit of clear-sky irradiance with a location)."""
    factors: Mapping[str, float]
    location: tuple[float, float] | None
    timezone: tzinfo

    @classmethod
    def fit(
        cls,
        history: Iterable[tuple[datetime, float]],
        *,
        conditions: Mapping[date, str] | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
        timezone: tzinfo = _TOKYO,
        window_days: int = 30,
        percentile: float = 0.9,
    ) -> SolarModel:
        """Learn from ``(slot start, kWh generated)`` samples of past days (the last
        ``window_days`` complete days are used); ``conditions`` are the past days' weather."""
        location = None if latitude is None or longitude is None else (latitude, longitude)
        by_day: dict[date, dict[int, tuple[datetime, float]]] = defaultdict(dict)
        for when, value in history:
            if when.tzinfo is None:
                raise PlannerInputError("history times must be timezone-aware", field="history")
            local = when.astimezone(timezone)
            by_day[local.date()][_slot_of_day(local)] = (local, float(value))
        days = sorted(day for day, rows in by_day.items() if len(rows) >= SLOTS_PER_DAY)[
            -window_days:
        ]
        if not days:
            raise PlannerInputError(
                "at least one complete day of history is needed", field="history"
            )
        ratios: list[list[float]] = [[] for _ in range(SLOTS_PER_DAY)]
        for day in days:
            for slot, (start, value) in by_day[day].items():
                scale = 1.0 if location is None else _slot_clear_sky(start, *location)
                if scale > 0:
                    ratios[slot].append(value / scale)
        clear_day = tuple(_percentile(values, percentile) for values in ratios)
        model = cls(clear_day, dict(CONDITION_FACTORS), location, timezone)
        if conditions:
            model = model._learn_factors(by_day, days, conditions)
        return model

    def _learn_factors(
        self,
        by_day: Mapping[date, Mapping[int, tuple[datetime, float]]],
        days: list[date],
        conditions: Mapping[date, str],
    ) -> SolarModel:
        shares: dict[str, list[float]] = defaultdict(list)
        for day in days:
            condition = conditions.get(day)
            if condition is None:
                continue
            starts = [start for start, _ in by_day[day].values()]
            clear = sum(self.predict(starts, [None] * len(starts)))
            if clear > 0:
                shares[condition].append(sum(value for _, value in by_day[day].values()) / clear)
        factors = dict(self.factors)
        for condition, values in shares.items():
            if len(values) >= 3:
                factors[condition] = min(1.0, _percentile(values, 0.5))
        return SolarModel(self.clear_day, factors, self.location, self.timezone)

    def predict(self, starts: Sequence[datetime], conditions: Sequence[str | None]) -> list[float]:
        """kWh per slot starting at ``starts`` under the weather ``conditions`` (one per slot;
        ``None`` means a clear day)."""
        result = []
        for start, condition in zip(starts, conditions, strict=True):
            local = start.astimezone(self.timezone)
            base = self.clear_day[_slot_of_day(local)]
            if self.location is not None:
                base *= _slot_clear_sky(local, *self.location)
            factor = 1.0 if condition is None else self.factors.get(condition, 0.5)
            result.append(max(0.0, base * factor))
        return result
