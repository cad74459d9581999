"""The planner's forecasts in Home Assistant.

* **Solar**: the solar forecast provider chosen in the options, any integration with an energy
  platform (forecast.solar, Open-Meteo solar forecast, Solcast ...), read through Home
  Assistant's energy platform API (``async_get_solar_forecast``: Wh per period).  Without one,
  or when it has nothing, the house's own generation history in the ledger (the clear-day
  output of each slot of the day, :class:`~...energy.planner.SolarModel`) times a factor for
  the weather entity's forecast condition.  With neither, there is no solar forecast.
* **Weather**: the weather entity's hourly forecast (``weather.get_forecasts``): the condition
  and the outdoor temperature of each slot (the heat pump's COP, the load model).
* **House load**: learned from the ledger (:class:`~...energy.planner.ProfileModel`) once it
  holds a complete day; before that, the mean of the slots it has, else a typical 0.3 kWh per
  slot.  The ledger's consumption includes the EcoCute's and the car's (they are not metered
  apart there): the load forecast is a little high at the hours they run.
* **Hot water**: a typical family's day (10 kWh of heat above the mains water, mostly in the
  evening); the EcoCute's own demand learning is not readable over ECHONET Lite.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import logging
from typing import Any, Final

from homeassistant.components.energy.websocket_api import async_get_energy_platforms
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from ...energy import Ledger, house_consumption
from ...energy.planner import SLOT, PlannerInputError, ProfileModel, SolarModel

_LOGGER = logging.getLogger(__name__)

DEFAULT_LOAD_KWH: Final = 0.3
DEFAULT_OUTDOOR_C: Final = 15.0
HOT_WATER_DAY_KWH: Final = 10.0
#: Share of the day's hot water per hour of the day (sums to 1).
_HOT_WATER_HOURS: Final = (
    0.01, 0.0, 0.0, 0.0, 0.0, 0.01, 0.04, 0.08, 0.05, 0.02, 0.02, 0.02,
    0.03, 0.02, 0.02, 0.02, 0.03, 0.05, 0.08, 0.12, 0.16, 0.12, 0.07, 0.03,
)  # fmt: skip


class SolarSource:
    """Where the solar forecast came from."""

    PROVIDER = "provider"
    HISTORY = "history"
    NONE = "none"
    #: Full feed-in (全量買取): all solar is sold, the house has none of it (known: zero).
    FULL_FEED_IN = "full_feed_in"


@dataclass(slots=True)
class Forecasts:
    """Per-slot forecasts over the horizon and where they came from."""

    starts: list[datetime]
    solar_kwh: list[float] | None
    load_kwh: list[float]
    hot_water_kwh: list[float]
    outdoor_c: list[float]
    conditions: list[str]
    solar_source: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able summary (diagnostics: totals, not every slot twice)."""
        return {
            "start": self.starts[0].isoformat(),
            "slots": len(self.starts),
            "solar_source": self.solar_source,
            "solar_kwh": None if self.solar_kwh is None else [round(v, 3) for v in self.solar_kwh],
            "load_kwh": [round(v, 3) for v in self.load_kwh],
            "outdoor_c": [round(v, 1) for v in self.outdoor_c],
            "conditions": self.conditions,
            **self.details,
        }


def spread_hours(
    values: Mapping[datetime, float], starts: Sequence[datetime]
) -> list[float | None]:
    """kWh per slot from ``values`` (Wh per period starting at each key, a period lasting
    until the next key, the last one an hour); None for slots no period covers."""
    ordered = sorted(values.items())
    out: list[float | None] = [None] * len(starts)
    for index, (begin, wh) in enumerate(ordered):
        end = ordered[index + 1][0] if index + 1 < len(ordered) else begin + timedelta(hours=1)
        span = (end - begin).total_seconds()  # > 0: the keys are distinct and sorted
        for slot, start in enumerate(starts):
            overlap = (min(end, start + SLOT) - max(begin, start)).total_seconds()
            if overlap > 0:
                out[slot] = (out[slot] or 0.0) + wh / 1000 * overlap / span
    return out


async def async_provider_solar(
    hass: HomeAssistant, entry_id: str, starts: Sequence[datetime]
) -> list[float | None] | None:
    """The provider's forecast per slot (None: the provider has nothing now)."""

    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None:
        return None
    platforms = await async_get_energy_platforms(hass)
    getter = platforms.get(entry.domain)
    if getter is None:
        return None
    try:
        forecast = await getter(hass, entry_id)
    except Exception:  # a provider's failure is a forecast loss, never the planner's
        _LOGGER.warning("The solar forecast of %s failed", entry.title, exc_info=True)
        return None
    if not forecast or not forecast.get("wh_hours"):
        return None
    values: dict[datetime, float] = {}
    for key, wh in forecast["wh_hours"].items():
        when = dt_util.parse_datetime(str(key))
        if when is None or not isinstance(wh, int | float) or wh < 0:
            continue
        values[when if when.tzinfo else when.replace(tzinfo=dt_util.get_default_time_zone())] = (
            float(wh)
        )
    slots = spread_hours(values, starts)
    return slots if any(value is not None for value in slots) else None


async def async_weather(
    hass: HomeAssistant, entity_id: str | None, starts: Sequence[datetime]
) -> tuple[list[str | None], list[float | None]]:
    """(condition, °C) per slot from the weather entity's hourly forecast (None: unknown)."""
    conditions: list[str | None] = [None] * len(starts)
    temperatures: list[float | None] = [None] * len(starts)
    if entity_id is None or hass.states.get(entity_id) is None:
        return conditions, temperatures
    try:
        response = await hass.services.async_call(
            "weather",
            "get_forecasts",
            {"entity_id": entity_id, "type": "hourly"},
            blocking=True,
            return_response=True,
        )
    except (HomeAssistantError, ValueError) as err:
        _LOGGER.debug("No hourly forecast from %s: %s", entity_id, err)
        response = None
    answer: Any = (response or {}).get(entity_id)
    entries: Any = answer.get("forecast") if isinstance(answer, dict) else None
    hours: dict[datetime, dict[str, Any]] = {}
    for item in entries if isinstance(entries, list) else []:
        when = (
            dt_util.parse_datetime(str(item.get("datetime", "")))
            if isinstance(item, dict)
            else None
        )
        if when is not None:
            hours[when] = item
    for slot, start in enumerate(starts):
        item = next(
            (v for k, v in hours.items() if k <= start < k + timedelta(hours=1)),
            None,
        )
        if item is None:
            continue
        condition = item.get("condition")
        conditions[slot] = str(condition) if condition else None
        temperature = item.get("temperature")
        if isinstance(temperature, int | float):
            temperatures[slot] = float(temperature)
    current = hass.states.get(entity_id)
    now_c = current.attributes.get("temperature") if current is not None else None
    if isinstance(now_c, int | float):
        temperatures = [float(now_c) if t is None else t for t in temperatures]
    if current is not None and current.state not in ("unknown", "unavailable"):
        today = starts[0].date()
        conditions = [
            current.state if c is None and s.date() == today else c
            for c, s in zip(conditions, starts, strict=True)
        ]
    return conditions, temperatures


def history_solar(
    hass: HomeAssistant,
    ledger: Ledger,
    starts: Sequence[datetime],
    conditions: Sequence[str | None],
) -> list[float] | None:
    """Solar per slot from the house's own generation history (None: no complete day)."""
    history = [(slot.start, float(slot.generation)) for slot in ledger.slots()]
    try:
        model = SolarModel.fit(
            history,
            latitude=hass.config.latitude,
            longitude=hass.config.longitude,
            timezone=ledger.tz,
        )
    except PlannerInputError:
        return None
    if not any(model.clear_day):
        return None
    return model.predict(starts, conditions)


def load_forecast(
    ledger: Ledger, starts: Sequence[datetime], outdoor_c: Sequence[float]
) -> tuple[list[float], str]:
    """House load per slot and how it was made (``learned``, ``recent`` or ``typical``)."""
    slots = ledger.slots()
    history = [
        (
            slot.start,
            max(
                0.0,
                float(
                    house_consumption(
                        slot.purchase,
                        slot.sale,
                        slot.generation,
                        slot.battery_discharge,
                        slot.battery_charge,
                    )
                ),
            ),
            None,
        )
        for slot in slots
    ]
    try:
        model = ProfileModel.fit(history, timezone=ledger.tz, min_days=3)
    except PlannerInputError:
        if history:
            mean = sum(value for _, value, _ in history) / len(history)
            return [mean] * len(starts), "recent"
        return [DEFAULT_LOAD_KWH] * len(starts), "typical"
    return model.predict(starts, list(outdoor_c)), "learned"


def hot_water_forecast(starts: Sequence[datetime]) -> list[float]:
    """Heat drawn from the tank per slot: a typical family's day."""
    return [
        HOT_WATER_DAY_KWH * _HOT_WATER_HOURS[dt_util.as_local(start).hour] / 2 for start in starts
    ]
