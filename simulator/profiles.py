"""Deterministic house profiles: pure functions of time (Japan time).

``solar_power_w`` is a PV plant's AC output: zero at night, a sine-like day curve whose length
and height follow the season, scaled by a per-day cloudiness drawn from the date (so the same
day always looks the same) and a gentle intra-day ripple.  ``base_load_w`` is a household's
consumption: standby, morning and evening peaks, a midday plateau, heating in winter and
cooling in summer, more at home on weekends.  Both are continuous in time.
"""

from __future__ import annotations

from datetime import datetime
import math
import random
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")

_SOLAR_NOON_H = 11.75  # Tokyo: about 11:40-11:50 JST over the year


def _local(dt: datetime) -> datetime:
    return dt.astimezone(JST) if dt.tzinfo is not None else dt


def _hours(dt: datetime) -> float:
    return dt.hour + dt.minute / 60 + (dt.second + dt.microsecond / 1e6) / 3600


def _season(dt: datetime) -> float:
    """-1 at the winter solstice, +1 at the summer solstice (sinusoidal)."""
    doy = dt.timetuple().tm_yday
    return math.sin(2 * math.pi * (doy - 80) / 365.25)


def _day_factor(dt: datetime, salt: int, low: float, high: float) -> float:
    """A per-day pseudo-random factor, smoothly blended into the next day around midnight."""
    hours = _hours(dt)
    today = random.Random(dt.toordinal() * 7919 + salt).uniform(low, high)
    if hours < 23.0:
        return today
    tomorrow = random.Random((dt.toordinal() + 1) * 7919 + salt).uniform(low, high)
    weight = hours - 23.0
    return today * (1 - weight) + tomorrow * weight


def daylight_hours(dt: datetime) -> float:
    """Length of the day in Tokyo: about 9.8 h in December, 14.5 h in June."""
    return 12.15 + 2.35 * _season(_local(dt))


def solar_power_w(dt: datetime, peak_w: float = 4500) -> float:
    """PV output in W at ``dt`` for a plant of ``peak_w`` (clear summer noon)."""
    local = _local(dt)
    length = daylight_hours(local)
    rise = _SOLAR_NOON_H - length / 2
    x = (_hours(local) - rise) / length
    if x <= 0 or x >= 1:
        return 0.0
    season = _season(local)
    # lower sun in winter, and a little less output in the hot midsummer
    height = 0.78 + 0.17 * season - 0.05 * max(0.0, season) ** 4
    clouds = _day_factor(local, 11, 0.35, 1.0)
    ripple = 1.0 + 0.08 * (clouds < 0.8) * math.sin(2 * math.pi * x * 7.0 + local.toordinal())
    value: float = peak_w * height * clouds * ripple * math.sin(math.pi * x) ** 1.25
    return max(0.0, value)


def _bump(hours: float, center: float, width: float) -> float:
    """A Gaussian bump, wrapping around midnight."""
    d = min(abs(hours - center), 24 - abs(hours - center))
    return math.exp(-0.5 * (d / width) ** 2)


def base_load_w(dt: datetime) -> float:
    """Household consumption in W at ``dt``."""
    local = _local(dt)
    hours = _hours(local)
    weekend = local.weekday() >= 5
    season = _season(local)
    standby = 220.0
    morning = (650.0 if weekend else 900.0) * _bump(hours, 8.5 if weekend else 7.0, 0.9)
    midday = (550.0 if weekend else 180.0) * _bump(hours, 12.5, 2.2)
    evening = 1300.0 * _bump(hours, 19.5, 1.6)
    night = 120.0 * _bump(hours, 23.0, 1.0)
    # heating (winter) is spread over the waking hours, cooling (summer) peaks in the afternoon
    heating = 900.0 * max(0.0, -season) * (_bump(hours, 7.5, 1.5) + _bump(hours, 20.0, 2.5))
    cooling = (
        700.0 * max(0.0, season) ** 2 * (_bump(hours, 15.0, 3.0) + 0.6 * _bump(hours, 22.0, 2.0))
    )
    activity = _day_factor(local, 23, 0.85, 1.15)
    fridge = 40.0 * math.sin(2 * math.pi * hours * 2.5)
    return standby + fridge + activity * (morning + midday + evening + night + heating + cooling)


def net_power_w(dt: datetime, peak_w: float = 4500) -> float:
    """Grid power of a house with PV: import positive, export negative."""
    return base_load_w(dt) - solar_power_w(dt, peak_w)
