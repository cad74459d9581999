"""The inputs of one plan as plain per-slot lists, with the questions every controller asks of
them (is this slot in the cheap window, where does the window end, what is drawn by then)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import accumulate

from .house import Devices, SlotConditions
from .model import SLOT, SLOT_HOURS, PlanInputs

SLOTS_PER_DAY = 48
_PRICE_TOLERANCE = 0.005


def horizon_slots(start: datetime) -> int:
    """Slots to plan from ``start``: until the end of the next day (local midnight), so that
    tomorrow's sun is always in view, at least 24 hours and at most 48 (48 to 96 slots)."""
    local = start.astimezone(start.tzinfo)
    passed = (local.hour * 60 + local.minute) // 30
    return max(SLOTS_PER_DAY, min(2 * SLOTS_PER_DAY, 2 * SLOTS_PER_DAY - passed))


@dataclass(frozen=True, slots=True)
class Horizon:
    """Per-slot lists of a :class:`PlanInputs` (floats, ready for arithmetic)."""

    inputs: PlanInputs
    solar: tuple[float, ...]
    load: tuple[float, ...]
    price: tuple[float, ...]
    sale: tuple[float, ...]
    hot_water: tuple[float, ...]
    cop: tuple[float, ...]
    ev_available: tuple[bool, ...]
    cheap: tuple[bool, ...]
    contract_kwh: float | None
    slot_conditions: tuple[SlotConditions, ...]
    window_ends: tuple[int, ...]
    """Per slot: the first slot at or after it that is not cheap (``slots`` if none)."""
    next_windows: tuple[int | None, ...]
    """Per slot: the first cheap slot at or after it, if any."""
    drawn_before: tuple[float, ...]
    """Hot water drawn before each slot (prefix sums; one more entry than slots)."""
    memo: dict[object, float] = field(default_factory=dict, compare=False)
    """Values the rules compute once per horizon (boiling targets)."""

    @classmethod
    def of(cls, inputs: PlanInputs) -> Horizon:
        """The horizon of ``inputs``."""
        forecast = inputs.forecast
        slots = inputs.slots
        price = tuple(float(value) for value in forecast.purchase_price)
        lowest = min(price)
        solar = tuple(float(value) for value in forecast.solar_kwh)
        load = tuple(float(value) for value in forecast.load_kwh)
        sale = tuple(float(value) for value in forecast.sale_price)
        hot_water = (
            tuple(float(value) for value in forecast.hot_water_kwh)
            if forecast.hot_water_kwh
            else (0.0,) * slots
        )
        cop = tuple(float(value) for value in inputs.cop) if inputs.cop else (3.0,) * slots
        available = tuple(inputs.ev_available())
        cheap = tuple(value <= lowest + _PRICE_TOLERANCE for value in price)
        contract = None if inputs.contract_kw is None else inputs.contract_kw * SLOT_HOURS
        window_ends = [slots] * (slots + 1)
        next_windows: list[int | None] = [None] * (slots + 1)
        for index in range(slots - 1, -1, -1):
            window_ends[index] = window_ends[index + 1] if cheap[index] else index
            next_windows[index] = index if cheap[index] else next_windows[index + 1]
        return cls(
            inputs=inputs,
            solar=solar,
            load=load,
            price=price,
            sale=sale,
            hot_water=hot_water,
            cop=cop,
            ev_available=available,
            cheap=cheap,
            contract_kwh=contract,
            slot_conditions=tuple(
                SlotConditions(
                    solar[t],
                    load[t],
                    price[t],
                    sale[t],
                    hot_water[t],
                    cop[t],
                    available[t],
                    contract,
                )
                for t in range(slots)
            ),
            window_ends=tuple(window_ends),
            next_windows=tuple(next_windows),
            drawn_before=(0.0, *accumulate(hot_water)),
        )

    @property
    def slots(self) -> int:
        """Number of slots."""
        return len(self.solar)

    @property
    def time_of_use(self) -> bool:
        """True when the purchase price changes within the horizon."""
        return not all(self.cheap)

    def devices(self) -> Devices:
        """The devices at the start of the horizon."""
        return Devices(self.inputs.battery, self.inputs.water_heater, self.inputs.ev)

    def when(self, index: int) -> datetime:
        """Start of slot ``index``."""
        return self.inputs.start + index * SLOT

    def conditions(self, index: int) -> SlotConditions:
        """Forecast conditions of slot ``index`` (for :func:`.house.step`)."""
        return self.slot_conditions[index]

    def window_end(self, index: int) -> int:
        """First slot at or after ``index`` that is not cheap (``slots`` if none)."""
        return self.window_ends[min(index, self.slots)]

    def next_window(self, index: int) -> int | None:
        """First cheap slot at or after ``index``, if the horizon has one."""
        return self.next_windows[min(index, self.slots)]

    def drawn(self, first: int, stop: int) -> float:
        """Hot water drawn in slots ``[first, stop)``; past the horizon, the same slots a day
        earlier."""
        slots = self.slots
        if stop <= slots:
            return self.drawn_before[max(stop, first)] - self.drawn_before[first]
        return sum(self.draw(index) for index in range(first, stop))

    def draw(self, index: int) -> float:
        """Hot water drawn in slot ``index``; past the horizon, the same slot a day earlier."""
        while index >= self.slots and index >= SLOTS_PER_DAY:
            index -= SLOTS_PER_DAY
        return self.hot_water[index] if index < self.slots else 0.0

    def surplus(self, index: int) -> float:
        """Forecast solar beyond the house's own load in slot ``index``."""
        return max(0.0, self.solar[index] - self.load[index])

    def departure_index(self) -> int | None:
        """First slot after the EV left, if it leaves within the horizon."""
        return self.inputs.ev_departure_index()
