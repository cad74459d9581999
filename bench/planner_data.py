"""A year of 30-minute data for a typical all-electric Japanese house, built reproducibly.

The house (Tokyo): 4.5 kW of solar (south, 30° tilt), a 7 kWh battery, a 370 L EcoCute, an EV
(40 kWh) on a 3 kW charger, a 60 A contract, the スマートライフ-like night-cheap plan of the
energy library's presets and a 卒FIT sale price of 8 yen/kWh.  Everything comes from seeded
random series (numpy's PCG64), so a seed gives the same year every time:

* weather: a daily Markov chain of sunny / partly cloudy / cloudy / rainy days with monthly
  probabilities (dry winters, 梅雨 in June-July, typhoon rain in September) and a clear-sky
  index per slot with AR(1) noise around the day's level;
* solar: sun position (NOAA formulas), Haurwitz clear-sky GHI, Meinel DNI, an isotropic
  plane-of-array transposition, cell temperature and 85 % system efficiency, clipped at the
  inverter;
* outdoor temperature: annual and daily cycles with day-to-day anomalies (AR(1));
* house load (without EcoCute and EV): workday / holiday occupancy profiles (Japanese public
  holidays from the ``holidays`` package through the tariff), heating and cooling by the
  outdoor temperature when someone is home, log-normal noise;
* hot water: daily heat demand rising as it gets colder (8 kWh in summer to ~17 kWh in
  winter), a morning / bath-time / shower profile, noise;
* EV trips: workday commutes (07:30-18:30, about 7 kWh), a day trip on half the holidays
  (10:00-16:00, about 10 kWh).

Forecasts are the actual values with realistic, seeded errors (see :class:`Forecasts`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
import math
from zoneinfo import ZoneInfo

import numpy as np

from custom_components.hems.energy import SalePlan, Tariff, preset_tariff
from custom_components.hems.energy.planner import (
    SLOT,
    Battery,
    ElectricVehicle,
    WaterHeater,
    heat_pump_cop,
)

JST = ZoneInfo("Asia/Tokyo")
SLOTS_PER_DAY = 48
LATITUDE, LONGITUDE = 35.68, 139.77
PV_KWP = 4.5
TILT, AZIMUTH = math.radians(30), math.radians(180)
CONTRACT_KW = 6.0
SALE_PRICE = 8.0
WARMUP_DAYS = 42
TAIL_DAYS = 2
CONDITIONS = ("sunny", "partlycloudy", "cloudy", "rainy")
_LEVEL = {"sunny": (0.93, 0.04), "partlycloudy": (0.66, 0.12), "cloudy": (0.36, 0.1)}
_LEVEL["rainy"] = (0.14, 0.05)
# P(sunny, partly cloudy, cloudy, rainy) by month (Tokyo-like)
_MONTHLY = {
    1: (0.55, 0.25, 0.12, 0.08),
    2: (0.48, 0.26, 0.14, 0.12),
    3: (0.38, 0.27, 0.17, 0.18),
    4: (0.36, 0.28, 0.18, 0.18),
    5: (0.36, 0.3, 0.18, 0.16),
    6: (0.16, 0.26, 0.28, 0.3),
    7: (0.26, 0.3, 0.22, 0.22),
    8: (0.4, 0.32, 0.16, 0.12),
    9: (0.24, 0.28, 0.22, 0.26),
    10: (0.3, 0.28, 0.2, 0.22),
    11: (0.44, 0.26, 0.16, 0.14),
    12: (0.56, 0.24, 0.12, 0.08),
}


def tariff() -> Tariff:
    """The bench's tariff: スマートライフ-like night-cheap plan, 卒FIT sale at 8 yen/kWh."""
    return replace(preset_tariff("smart_life"), sale=SalePlan.flat(SALE_PRICE))


def battery(soc: float = 0.5) -> Battery:
    """7 kWh, 3 kW each way, 90 % round trip, 20 % kept for outages."""
    return Battery(7.0, 3.0, 3.0, soc=soc, round_trip_efficiency=0.9, reserve=0.2)


def water_heater(heat_kwh: float = 12.0) -> WaterHeater:
    """370 L EcoCute, 40-90 °C, 1.5 kW heat pump input; reboils itself below 2 kWh."""
    full = WaterHeater.tank_heat_kwh(370, 90, 40)
    return WaterHeater(
        capacity_kwh=full,
        heat_kwh=heat_kwh,
        max_input_kw=1.5,
        standing_loss_kw=0.07,
        reserve_kwh=2.0,
    )


EV_CAPACITY = 40.0
EV_TARGET = 0.8
COMMUTE = (time(7, 30), time(18, 30))
DAY_TRIP = (time(10, 0), time(16, 0))


def ev(soc: float, *, plugged: bool, departure: datetime | None) -> ElectricVehicle:
    """40 kWh EV on a 3 kW (200 V 15 A) charger; the user wants 80 % at a known departure."""
    return ElectricVehicle(
        EV_CAPACITY,
        3.0,
        soc=soc,
        plugged=plugged,
        departure=departure,
        target_soc=EV_TARGET,
        charge_efficiency=0.92,
        min_soc=0.2,
    )


@dataclass(frozen=True)
class Trip:
    """An EV trip: leaves at ``leave``, back at ``back`` having used ``kwh``; ``announced``
    trips (the commute) have a departure the user set, others do not."""

    leave: int
    back: int
    kwh: float
    announced: bool


@dataclass(frozen=True)
class Year:
    """Actual 30-minute series from ``start`` (warm-up days first, then the simulated year)."""

    start: datetime
    days: list[date]
    conditions: list[str]
    solar: np.ndarray
    load: np.ndarray
    hot_water: np.ndarray
    outdoor: np.ndarray
    cop: np.ndarray
    clear_index: np.ndarray
    trips: list[Trip]
    workday: list[bool]

    @property
    def slots(self) -> int:
        """Number of slots."""
        return len(self.solar)

    def when(self, index: int) -> datetime:
        """Start of slot ``index``."""
        return self.start + index * SLOT

    @property
    def first_simulated(self) -> int:
        """First slot of the simulated year (after the warm-up)."""
        return WARMUP_DAYS * SLOTS_PER_DAY

    @property
    def stop(self) -> int:
        """First slot after the simulated year (the tail only feeds the last horizons)."""
        return self.slots - TAIL_DAYS * SLOTS_PER_DAY


def _sun(when_utc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cosine of the zenith angle and azimuth (radians from north) at POSIX times."""
    days = when_utc / 86400.0
    day_of_year = np.floor(days - np.floor(days / 365.2425) * 365.2425)
    gamma = 2 * np.pi * day_of_year / 365.0
    decl = (
        0.006918
        - 0.399912 * np.cos(gamma)
        + 0.070257 * np.sin(gamma)
        - 0.006758 * np.cos(2 * gamma)
        + 0.000907 * np.sin(2 * gamma)
    )
    eot = 229.18 * (
        0.000075
        + 0.001868 * np.cos(gamma)
        - 0.032077 * np.sin(gamma)
        - 0.014615 * np.cos(2 * gamma)
        - 0.040849 * np.sin(2 * gamma)
    )
    minutes = (when_utc % 86400.0) / 60.0
    hour_angle = np.radians((minutes + eot + 4 * LONGITUDE) / 4 - 180)
    phi = math.radians(LATITUDE)
    cos_z = np.sin(phi) * np.sin(decl) + np.cos(phi) * np.cos(decl) * np.cos(hour_angle)
    sin_z = np.sqrt(np.clip(1 - cos_z**2, 0, 1))
    cos_az = (np.sin(decl) - np.sin(phi) * cos_z) / (np.cos(phi) * np.maximum(sin_z, 1e-6))
    azimuth = np.arccos(np.clip(cos_az, -1, 1))
    azimuth = np.where(hour_angle > 0, 2 * np.pi - azimuth, azimuth)
    return cos_z, azimuth


def pv_kwh(when_utc: np.ndarray, clear_index: np.ndarray, outdoor: np.ndarray) -> np.ndarray:
    """kWh per slot: three sub-steps per slot, isotropic transposition, temperature derating."""
    total = np.zeros(len(when_utc))
    for minute in (5, 15, 25):
        cos_z, azimuth = _sun(when_utc + minute * 60)
        up = cos_z > 0.01
        safe = np.where(up, cos_z, 1.0)
        ghi_clear = np.where(up, 1098 * safe * np.exp(-0.057 / safe), 0.0)
        air_mass = 1 / safe
        dni_clear = np.where(up, 1353 * 0.7 ** (air_mass**0.678), 0.0)
        ghi = ghi_clear * clear_index
        beam_share = np.clip((clear_index - 0.25) / 0.7, 0, 1) ** 1.5
        dni = dni_clear * beam_share
        dhi = np.clip(ghi - dni * np.where(up, cos_z, 0), 0, None)
        sin_z = np.sqrt(np.clip(1 - cos_z**2, 0, 1))
        cos_aoi = cos_z * math.cos(TILT) + sin_z * math.sin(TILT) * np.cos(azimuth - AZIMUTH)
        poa = (
            dni * np.clip(cos_aoi, 0, None)
            + dhi * (1 + math.cos(TILT)) / 2
            + ghi * 0.2 * (1 - math.cos(TILT)) / 2
        )
        cell = outdoor + poa / 800 * 22
        power = PV_KWP * poa / 1000 * 0.85 * (1 - 0.004 * (cell - 25))
        total += np.clip(power, 0, PV_KWP) * (10 / 60)
    return total


def build_year(seed: int = 2025, year: int = 2025) -> Year:
    """The house's year (plus :data:`WARMUP_DAYS` of history before it and
    :data:`TAIL_DAYS` after it, so that the last plans of the year see a full horizon)."""
    rng = np.random.default_rng(seed)
    first = date(year, 1, 1) - timedelta(days=WARMUP_DAYS)
    count = WARMUP_DAYS + (date(year + 1, 1, 1) - date(year, 1, 1)).days + TAIL_DAYS
    days = [first + timedelta(days=offset) for offset in range(count)]
    start = datetime.combine(first, time(), tzinfo=JST)
    slots = count * SLOTS_PER_DAY
    when_utc = np.array([start.timestamp() + 1800 * index for index in range(slots)], dtype=float)
    hours = np.tile(np.arange(SLOTS_PER_DAY) / 2.0, count)
    rules = tariff().holidays
    workday = [rules.day_type(day).value == "weekday" for day in days]

    conditions, clear_index = _weather(rng, days)
    mean, outdoor = _temperatures(rng, days, conditions, hours)
    solar = pv_kwh(when_utc, clear_index, outdoor)
    load = _load(rng, hours, workday, outdoor, count)
    hot_water = _hot_water(rng, workday, mean, count)
    cop = np.array([heat_pump_cop(value) for value in outdoor])
    trips = _trips(rng, days, workday)
    return Year(
        start=start,
        days=days,
        conditions=conditions,
        solar=solar,
        load=load,
        hot_water=hot_water,
        outdoor=outdoor,
        cop=cop,
        clear_index=clear_index,
        trips=trips,
        workday=workday,
    )


def _weather(rng: np.random.Generator, days: list[date]) -> tuple[list[str], np.ndarray]:
    """Daily weather (a Markov chain that tends to keep yesterday's) and the clear-sky index
    of every slot (AR(1) noise around the day's level)."""
    conditions: list[str] = []
    previous = 1
    for day in days:
        probabilities = np.array(_MONTHLY[day.month])
        probabilities = 0.65 * probabilities + 0.35 * np.eye(4)[previous]
        previous = int(rng.choice(4, p=probabilities / probabilities.sum()))
        conditions.append(CONDITIONS[previous])
    clear_index = np.empty(len(days) * SLOTS_PER_DAY)
    for index, condition in enumerate(conditions):
        level, spread = _LEVEL[condition]
        noise = 0.0
        values = []
        for _ in range(SLOTS_PER_DAY):
            noise = 0.8 * noise + rng.normal(0, spread)
            values.append(level + noise)
        clear_index[index * SLOTS_PER_DAY : (index + 1) * SLOTS_PER_DAY] = values
    return conditions, np.clip(clear_index, 0.04, 1.05)


def _temperatures(
    rng: np.random.Generator, days: list[date], conditions: list[str], hours: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Daily mean (annual cycle + AR(1) anomalies) and the temperature of every slot."""
    count = len(days)
    day_of_year = np.array([day.timetuple().tm_yday for day in days], dtype=float)
    anomaly = np.zeros(count)
    for index in range(1, count):
        anomaly[index] = 0.7 * anomaly[index - 1] + rng.normal(0, 1.6)
    mean = 16.0 + 10.5 * np.sin(2 * np.pi * (day_of_year - 115) / 365.25) + anomaly
    amplitude = np.array([{"sunny": 4.5, "partlycloudy": 3.5}.get(c, 2.0) for c in conditions])
    outdoor = np.repeat(mean, SLOTS_PER_DAY) + np.repeat(amplitude, SLOTS_PER_DAY) * np.cos(
        2 * np.pi * (hours - 14.5) / 24
    )
    return mean, outdoor + rng.normal(0, 0.3, count * SLOTS_PER_DAY)


def _occupancy(hour: float, workday: bool) -> tuple[float, float]:
    """(base kW, share of the house occupied) at ``hour``."""
    if workday:
        table = ((6, 0.2, 0.5), (8.5, 0.65, 1.0), (17, 0.25, 0.15), (22.5, 0.75, 1.0))
    else:
        table = ((7, 0.2, 0.5), (10, 0.55, 1.0), (17, 0.5, 0.8), (22.5, 0.75, 1.0))
    base, share = 0.4, 0.6  # 22:30-24:00 and before the first entry: evening tail / night
    for start, kw, occupied in table:
        if hour >= start:
            base, share = kw, occupied
    if hour < table[0][0]:
        base, share = 0.2, 0.5
    return base, share


def _load(
    rng: np.random.Generator, hours: np.ndarray, workday: list[bool], outdoor: np.ndarray, days: int
) -> np.ndarray:
    daily = np.exp(rng.normal(0, 0.1, days))
    load = np.empty(len(hours))
    for index, hour in enumerate(hours):
        day = index // SLOTS_PER_DAY
        base, occupied = _occupancy(float(hour), workday[day])
        heating = 0.07 * max(0.0, 16.0 - outdoor[index])
        cooling = 0.12 * max(0.0, outdoor[index] - 25.0)
        kw = base + occupied * (heating + cooling)
        load[index] = kw * 0.5 * daily[day]
    return load * np.exp(rng.normal(-0.03, 0.25, len(hours)))


_HOT_WATER_PROFILE = np.zeros(SLOTS_PER_DAY)
for _hour, _share in (
    (6.0, 0.04),
    (6.5, 0.05),
    (7.0, 0.04),
    (12.0, 0.03),
    (18.0, 0.04),
    (19.0, 0.22),
    (19.5, 0.2),
    (20.0, 0.1),
    (20.5, 0.08),
    (21.0, 0.08),
    (21.5, 0.07),
    (22.0, 0.05),
):
    _HOT_WATER_PROFILE[int(_hour * 2)] = _share
_HOT_WATER_PROFILE += (1 - _HOT_WATER_PROFILE.sum()) / SLOTS_PER_DAY


def _hot_water(
    rng: np.random.Generator, workday: list[bool], mean: np.ndarray, days: int
) -> np.ndarray:
    demand = 8.0 + 0.45 * np.clip(25.0 - mean, 0, None)
    demand *= np.array([1.0 if work else 1.1 for work in workday])
    demand *= np.exp(rng.normal(0, 0.12, days))
    series = np.outer(demand, _HOT_WATER_PROFILE).ravel()
    return series * np.exp(rng.normal(0, 0.2, len(series)))


def _trips(rng: np.random.Generator, days: list[date], workday: list[bool]) -> list[Trip]:
    trips = []
    for index, work in enumerate(days):
        base = index * SLOTS_PER_DAY
        del work
        if workday[index]:
            leave, back = COMMUTE
            kwh = float(np.clip(rng.normal(7.0, 1.5), 3.0, 12.0))
            announced = True
        elif rng.random() < 0.5:
            leave, back = DAY_TRIP
            kwh = float(np.clip(rng.normal(10.0, 3.0), 3.0, 18.0))
            announced = False
        else:
            continue
        trips.append(
            Trip(
                base + leave.hour * 2 + leave.minute // 30,
                base + back.hour * 2 + back.minute // 30,
                kwh,
                announced,
            )
        )
    return trips
