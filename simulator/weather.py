"""Weather over the virtual house (Tokyo): outdoor temperature and sunshine, day by day.

Everything is a pure function of the simulated time and a seed, so the same day always has the
same weather (the meter's 45-day history and a live run agree), and computed from plain epoch
seconds (the physics steps often; datetimes are only made at the edges).

- Outdoor temperature: Tokyo's seasonal normal (5 °C in January, 27 °C in August), a day-to-day
  anomaly of a few degrees, and a daily swing (coldest about 05:00, warmest about 14:00).
- Sunshine: the clear-sky irradiance on a 30° south-facing roof (sun position from latitude,
  declination and hour angle, thinned by the air mass), times the day's clearness: sunny,
  partly cloudy (with passing clouds) or overcast; the rainy season (梅雨, June to mid July) is
  cloudier.  1.0 is a clear summer noon.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
import math
import random
from typing import Final

JST_OFFSET: Final = 9 * 3600
DAY: Final = 86400
EPOCH: Final = date(1970, 1, 1)
LATITUDE: Final = math.radians(35.68)
TILT: Final = math.radians(30.0)
#: Tokyo (139.77° E) is 19 minutes ahead of the JST meridian (135° E): solar noon ~11:41.
SOLAR_NOON_H: Final = 12.0 - (139.77 - 135.0) / 15.0


def local_day(ts: float) -> int:
    """Days since 1970-01-01 in Japan time."""
    return int((ts + JST_OFFSET) // DAY)


def local_hour(ts: float) -> float:
    """Hour of the day in Japan time (0 <= h < 24)."""
    return ((ts + JST_OFFSET) % DAY) / 3600.0


def day_start(day: int) -> float:
    """Epoch seconds of local midnight starting ``day``."""
    return day * DAY - JST_OFFSET


def day_date(day: int) -> date:
    """The calendar date of ``day``."""
    return EPOCH + timedelta(days=day)


@dataclass(frozen=True, slots=True)
class DayWeather:
    """One day's weather."""

    day: int
    kind: str  # "sunny", "cloudy" (partly) or "overcast"
    clearness: float  # share of the clear-sky sunshine that reaches the roof
    mean_c: float  # daily mean outdoor temperature
    swing_c: float  # half of the day's range

    @property
    def weekday(self) -> int:
        """0 = Monday (1970-01-01 was a Thursday)."""
        return (self.day + 3) % 7

    @property
    def date(self) -> date:
        """The calendar date."""
        return day_date(self.day)


class Weather:
    """Deterministic weather by seed."""

    def __init__(self, seed: int = 1) -> None:
        self.seed = seed
        self._days: dict[int, DayWeather] = {}

    def day(self, day: int) -> DayWeather:
        """The weather of ``day`` (days since 1970-01-01, Japan time)."""
        found = self._days.get(day)
        if found is None:
            found = self._days[day] = self._make(day)
        return found

    def _make(self, day: int) -> DayWeather:
        rng = random.Random(self.seed * 1_000_003 + day * 7919)
        doy = day_date(day).timetuple().tm_yday
        normal = 16.2 - 10.8 * math.cos(2 * math.pi * (doy - 20) / 365.25)
        rainy_season = 155 <= doy <= 200
        roll = rng.random()
        sunny, cloudy = (0.25, 0.45) if rainy_season else (0.5, 0.32)
        if roll < sunny:
            kind, clearness = "sunny", rng.uniform(0.85, 1.0)
        elif roll < sunny + cloudy:
            kind, clearness = "cloudy", rng.uniform(0.45, 0.8)
        else:
            kind, clearness = "overcast", rng.uniform(0.08, 0.3)
        anomaly = rng.gauss(0.0, 1.8)
        swing = {"sunny": 4.5, "cloudy": 3.5, "overcast": 2.0}[kind]
        return DayWeather(day, kind, clearness, normal + anomaly, swing)

    def season(self, ts: float) -> float:
        """-1 at the winter solstice, +1 at the summer solstice."""
        doy = day_date(local_day(ts)).timetuple().tm_yday
        return math.sin(2 * math.pi * (doy - 80) / 365.25)

    def outdoor_c(self, ts: float) -> float:
        """Outdoor temperature (°C): the day's mean and swing, eased across midnight."""
        day = local_day(ts)
        hour = local_hour(ts)
        today = self.day(day)
        # blend the daily means around midnight so that the temperature has no step
        if hour < 3.0:
            w = 0.5 - hour / 6.0
            mean = self.day(day - 1).mean_c * w + today.mean_c * (1 - w)
        elif hour > 21.0:
            w = (hour - 21.0) / 6.0
            mean = today.mean_c * (1 - w) + self.day(day + 1).mean_c * w
        else:
            mean = today.mean_c
        return mean + today.swing_c * math.cos(2 * math.pi * (hour - 14.0) / 24.0)

    def sun(self, ts: float) -> float:
        """Sunshine on the roof, 1.0 = a clear summer noon (0 at night)."""
        day = local_day(ts)
        hour = local_hour(ts)
        clear = clear_sky(day, hour)
        if clear <= 0.0:
            return 0.0
        weather = self.day(day)
        factor = weather.clearness
        if weather.kind == "cloudy":  # passing clouds
            phase = (weather.day % 13) * 0.7
            factor *= 1.0 + 0.25 * math.sin(2 * math.pi * hour * 1.3 + phase)
        return max(0.0, min(1.1, clear * factor))


def clear_sky(day: int, hour: float) -> float:
    """Clear-sky irradiance on the tilted roof, normalised to a summer noon."""
    doy = day_date(day).timetuple().tm_yday
    decl = math.radians(23.44) * math.sin(2 * math.pi * (doy - 81) / 365.0)
    angle = math.radians(15.0 * (hour - SOLAR_NOON_H))
    sin_elev = _cos_incidence(LATITUDE, decl, angle)
    if sin_elev <= 0.02:
        return 0.0
    # a south-facing plane tilted by TILT sees the sun as a flat one at latitude - TILT would
    cos_inc = _cos_incidence(LATITUDE - TILT, decl, angle)
    return max(0.0, cos_inc) * _transmission(sin_elev) / _SUMMER_NOON


def _cos_incidence(latitude: float, decl: float, angle: float) -> float:
    """Cosine of the angle between the sun and the normal of a flat plane at ``latitude``."""
    return math.sin(latitude) * math.sin(decl) + math.cos(latitude) * math.cos(decl) * math.cos(
        angle
    )


def _transmission(sin_elev: float) -> float:
    """The share of the sunlight the atmosphere lets through at this elevation."""
    return math.pow(0.7, math.pow(1.0 / sin_elev, 0.678))


#: The clear-sky value of a summer noon (the normalisation of :func:`clear_sky`).
_SUMMER_NOON: Final = _transmission(math.sin(math.radians(90 - 35.68 + 23.44))) * math.cos(
    math.radians(35.68 - 30.0 - 23.44)
)
