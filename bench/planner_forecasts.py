"""Forecasts for the planner benchmark: the actual year with realistic, seeded errors.

* **Solar**: the clear-sky index of each slot plus a day error and AR(1) slot noise, then the
  same PV model as the actual series.  Three vintages with growing error: intraday (issued at
  06:00 for the same day, day σ 0.07), day-ahead (issued at 17:00 for the next day, σ 0.15)
  and two days ahead (σ 0.2).  A forecast made at time τ for slot t uses the newest vintage
  issued by τ.
* **Outdoor temperature**: the actual plus a day error (σ 0.8 / 1.2 / 1.6 °C by vintage) and
  slot noise; the heat pump's COP follows from it.
* **House load and hot water**: learned with the planner's own :class:`ProfileModel` from the
  previous eight weeks of actual history (refitted every midnight), predicted with the
  forecast temperature: what the planner would really have.
* **Weather words** for the explanations: from the forecast clear-sky index of the day.

With ``noisy=False`` every forecast is the actual value (perfect foresight within the horizon).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from custom_components.hems.energy.planner import ProfileModel, heat_pump_cop

from .planner_data import SLOTS_PER_DAY, Year, pv_kwh

HISTORY_DAYS = 56
_SIGMA_DAY = (0.07, 0.15, 0.2)
_SIGMA_SLOT = (0.03, 0.05, 0.05)
_SIGMA_TEMP = (0.8, 1.2, 1.6)


@dataclass(frozen=True)
class Horizon:
    """Forecasts of ``slots`` slots from a slot."""

    solar: list[float]
    load: list[float]
    hot_water: list[float]
    outdoor: list[float]
    cop: list[float]
    conditions: list[str]


def _condition(clear_index: float) -> str:
    if clear_index >= 0.8:
        return "sunny"
    if clear_index >= 0.5:
        return "partlycloudy"
    if clear_index >= 0.25:
        return "cloudy"
    return "rainy"


@dataclass
class Forecasts:
    """Forecasts of ``year`` as seen at any slot (``noisy=False``: the actual values)."""

    year: Year
    noisy: bool
    seed: int = 7
    _solar: list[np.ndarray] = field(default_factory=list)
    _outdoor: list[np.ndarray] = field(default_factory=list)
    _clear: list[np.ndarray] = field(default_factory=list)
    _profiles: dict[int, tuple[ProfileModel, ProfileModel]] = field(default_factory=dict)
    _cache: dict[tuple[int, int, int], tuple[list[float], list[float]]] = field(
        default_factory=dict
    )

    def __post_init__(self) -> None:
        year = self.year
        rng = np.random.default_rng(self.seed)
        days = len(year.days)
        when_utc = np.array(
            [year.start.timestamp() + 1800 * index for index in range(year.slots)], dtype=float
        )
        for vintage in range(3):
            day_error = np.repeat(rng.normal(0, _SIGMA_DAY[vintage], days), SLOTS_PER_DAY)
            slot_error = np.zeros(year.slots)
            noise = rng.normal(0, _SIGMA_SLOT[vintage], year.slots)
            for index in range(1, year.slots):
                slot_error[index] = 0.85 * slot_error[index - 1] + noise[index]
            clear = np.clip(year.clear_index + day_error + slot_error, 0.03, 1.05)
            temp_error = np.repeat(rng.normal(0, _SIGMA_TEMP[vintage], days), SLOTS_PER_DAY)
            outdoor = year.outdoor + temp_error + rng.normal(0, 0.3, year.slots)
            self._clear.append(clear)
            self._outdoor.append(outdoor)
            self._solar.append(pv_kwh(when_utc, clear, outdoor))

    def _vintage(self, now: int, target: int) -> int:
        lead = target // SLOTS_PER_DAY - now // SLOTS_PER_DAY
        hour = (now % SLOTS_PER_DAY) / 2
        if lead <= 0:
            return 0 if hour >= 6 else 1
        if lead == 1 and hour >= 17:
            return 1
        return 2

    def at(self, now: int, slots: int) -> Horizon:
        """Forecasts made at slot ``now`` for slots ``now .. now + slots``."""
        year = self.year
        span = range(now, now + slots)
        if not self.noisy:
            outdoor = [float(year.outdoor[t]) for t in span]
            return Horizon(
                solar=[float(year.solar[t]) for t in span],
                load=[float(year.load[t]) for t in span],
                hot_water=[float(year.hot_water[t]) for t in span],
                outdoor=outdoor,
                cop=[float(year.cop[t]) for t in span],
                conditions=[year.conditions[t // SLOTS_PER_DAY] for t in span],
            )
        vintages = [self._vintage(now, t) for t in span]
        outdoor = [float(self._outdoor[v][t]) for v, t in zip(vintages, span, strict=True)]
        load, hot_water = self._profiles_at(now, slots)
        conditions = []
        for v, t in zip(vintages, span, strict=True):
            day = t // SLOTS_PER_DAY
            daylight = self._clear[v][day * SLOTS_PER_DAY + 16 : day * SLOTS_PER_DAY + 34]
            conditions.append(_condition(float(daylight.mean())))
        return Horizon(
            solar=[float(self._solar[v][t]) for v, t in zip(vintages, span, strict=True)],
            load=load,
            hot_water=hot_water,
            outdoor=outdoor,
            cop=[heat_pump_cop(value) for value in outdoor],
            conditions=conditions,
        )

    def _models(self, day: int) -> tuple[ProfileModel, ProfileModel]:
        models = self._profiles.get(day)
        if models is None:
            year = self.year
            first = max(0, day - HISTORY_DAYS) * SLOTS_PER_DAY
            stop = day * SLOTS_PER_DAY
            times = [year.when(index) for index in range(first, stop)]
            temps = [float(value) for value in year.outdoor[first:stop]]
            load = ProfileModel.fit(
                zip(times, map(float, year.load[first:stop]), temps, strict=True)
            )
            water = ProfileModel.fit(
                zip(times, map(float, year.hot_water[first:stop]), temps, strict=True)
            )
            models = self._profiles[day] = (load, water)
            self._profiles.pop(day - 2, None)
        return models

    def _profiles_at(self, now: int, slots: int) -> tuple[list[float], list[float]]:
        """Learned load and hot-water forecasts for whole days around the horizon, so that
        each day's mean temperature is the whole day's."""
        day = now // SLOTS_PER_DAY
        hour = (now % SLOTS_PER_DAY) / 2
        key = (day, int(hour >= 6), int(hour >= 17))
        cached = self._cache.get(key)
        if cached is None:
            load_model, water_model = self._models(day)
            first = day * SLOTS_PER_DAY
            stop = min(self.year.slots, (day + 4) * SLOTS_PER_DAY)
            times = [self.year.when(index) for index in range(first, stop)]
            outdoor = [float(self._outdoor[self._vintage(now, t)][t]) for t in range(first, stop)]
            cached = (load_model.predict(times, outdoor), water_model.predict(times, outdoor))
            self._cache.clear()
            self._cache[key] = cached
        offset = now - day * SLOTS_PER_DAY
        load, water = cached
        return load[offset : offset + slots], water[offset : offset + slots]
