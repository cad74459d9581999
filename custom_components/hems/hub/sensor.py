"""Sensors of ECHONET Lite devices."""

from __future__ import annotations

from collections.abc import Iterable
import contextlib
import logging
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorStateClass
from homeassistant.helpers.restore_state import ExtraStoredData, RestoredExtraData, RestoreEntity
from homeassistant.util import dt as dt_util

from ..echonet.definitions import Access
from ..echonet.definitions.datatypes import DataType, NumberType, OneOfType
from ..echonet.definitions.names import (
    LvSmartElectricEnergyMeter as SmartMeter,
    PowerDistributionBoardMetering,
)
from ..echonet.node import EchonetObject
from ..energy.counter import (
    HOUSEHOLD_MAX_GAS_M3H,
    HOUSEHOLD_MAX_KW,
    HOUSEHOLD_MAX_WATER_M3H,
    CounterNormaliser,
)
from .catalog import COMMON_SENSORS, SENSORS, board_circuit_sensors
from .coordinator import EchonetNodeCoordinator
from .descriptions import HemsCircuitDescription, HemsSensorDescription, SensorValue
from .entity import HemsEchonetEntity
from .generic import generic_entities

_LOGGER = logging.getLogger(__name__)

#: The fastest a household counter can rise, per hour, by its unit (see energy.counter).
MAX_RATE: dict[str, float] = {
    "kWh": HOUSEHOLD_MAX_KW,
    "Wh": HOUSEHOLD_MAX_KW * 1000,
    "kvarh": HOUSEHOLD_MAX_KW,
    "MJ": HOUSEHOLD_MAX_KW * 3.6,
    "m³": HOUSEHOLD_MAX_GAS_M3H,
}


def entities(coordinator: EchonetNodeCoordinator, obj: EchonetObject) -> Iterable[SensorEntity]:
    descriptions: list[HemsSensorDescription] = [
        *COMMON_SENSORS,
        *SENSORS.get(obj.class_code, ()),
    ]
    if obj.class_code == PowerDistributionBoardMetering.CODE:
        descriptions.extend(board_circuit_sensors(obj))
    for description in descriptions:
        if isinstance(description, HemsCircuitDescription):
            if description.exists(obj):
                yield HemsCircuitSensor(coordinator, obj, description)
        elif description.exists(obj):
            yield HemsSensor(coordinator, obj, description)
    for description in generic_entities(obj).sensors:
        yield HemsSensor(coordinator, obj, description)


def scale_problem(obj: EchonetObject, epc: int) -> str | None:
    """Why ``epc``'s value is not a measurement yet, or None.

    A value scaled by coefficient properties (0x0288 0xE0 by 0xD3 and the unit 0xE1) is a
    reading only when every coefficient the device has was read and is not 0: a meter
    answering 0xD3 = 0 (some do until configured) would otherwise show 0 kWh, and one
    without its unit a value off by powers of ten.  A coefficient the device does not have
    counts as 1 when the specification makes it optional (0xD3), never when it is required.
    """
    for epc_c in obj.prop(epc).coefficient_epcs:
        prop = obj.prop(epc_c)
        if epc_c not in obj.get_map and prop.get is not Access.REQUIRED:
            continue
        if not obj.values.get(epc_c):
            return f"0x{epc_c:02X} ({prop.name_en}) is unknown"
        value = obj.value(epc_c)
        if isinstance(value, int | float) and not isinstance(value, bool) and value == 0:
            return f"0x{epc_c:02X} ({prop.name_en}) is 0"
    return None


def counter_scale(obj: EchonetObject, epc: int) -> tuple[float | None, float | None]:
    """(one count, where the counter wraps) of a cumulative property, in its unit.

    The smart meter's counters wrap at 10 ** 0xD7 (effective digits) counts, the others at the
    top of their range.  A counter that may also answer a state (e.g. the smart meter's and the
    distribution board's "no data") is counted by its one number alternative."""
    if obj.class_code == SmartMeter.CODE:
        epc = SmartMeter.NORMAL_DIRECTION_CUMULATIVE_ELECTRIC_ENERGY
    prop = obj.prop(epc)
    data: DataType | None = prop.data
    if isinstance(data, OneOfType):
        numbers = [a for a in data.alternatives if isinstance(a, NumberType)]
        data = numbers[0] if len(numbers) == 1 else None
    if not isinstance(data, NumberType) or data.size is None:
        return None, None
    one = prop.decode((1).to_bytes(data.size, "big"), obj.values)
    if isinstance(one, bool) or not isinstance(one, int | float) or one <= 0:
        return None, None
    counts: int = data.raw_maximum + 1
    if obj.class_code == SmartMeter.CODE:
        digits = obj.value(SmartMeter.NUMBER_OF_EFFECTIVE_DIGITS_CUMULATIVE_ELECTRIC_ENERGY)
        counts = 10**digits if isinstance(digits, int) and 1 <= digits <= 8 else counts
    return float(one), round(counts * one, 9)


class HemsSensor(HemsEchonetEntity, SensorEntity, RestoreEntity):
    """A sensor showing one value of an ECHONET Lite object.

    A cumulative counter (``total_increasing``) goes through the one counter policy
    (:class:`~..energy.counter.CounterNormaliser`): a value that is not a measurement (a
    coefficient of 0 or unknown), that fell or that jumped makes it unavailable.
    """

    entity_description: HemsSensorDescription

    def _configure(self) -> None:
        super()._configure()
        obj = self.obj
        description = self.entity_description
        self._counter: CounterNormaliser | None = None
        self._measured = True
        self._fed: SensorValue = None
        self._accepted = True
        self._problem_logged = False
        if description.device_class == SensorDeviceClass.ENUM and description.options is None:
            self._attr_options = [o.key for o in obj.prop(description.epcs[0]).options]
        if description.state_class == SensorStateClass.TOTAL_INCREASING:
            unit = description.native_unit_of_measurement or ""
            rate = MAX_RATE.get(unit)
            if description.device_class == SensorDeviceClass.WATER:
                rate = HOUSEHOLD_MAX_WATER_M3H
            self._counter = CounterNormaliser(rate, name=f"{obj} {description.key}")
            self.coordinator.counters[self._attr_unique_id or description.key] = self._counter

    async def async_added_to_hass(self) -> None:
        """Restore the counter, so that it continues (and never goes back) across restarts."""
        counter = self._counter
        if counter is not None:
            counter.name = self.entity_id
            extra = await self.async_get_last_extra_data()
            restored = extra is not None and counter.restore(extra.as_dict().get("counter"))
            state = None if restored else await self.async_get_last_state()
            if state is not None:
                with contextlib.suppress(ValueError):
                    counter.restore_total(float(state.state), state.last_updated)
        await super().async_added_to_hass()

    async def async_will_remove_from_hass(self) -> None:
        """Forget the counter's diagnostics."""
        await super().async_will_remove_from_hass()
        if self._counter is not None:
            self.coordinator.counters.pop(self._attr_unique_id or "", None)

    @property
    def extra_restore_state_data(self) -> ExtraStoredData | None:
        """A counter's state (raw value, time, offset)."""
        if self._counter is None:
            return None
        return RestoredExtraData({"counter": self._counter.to_dict()})

    @property
    def available(self) -> bool:
        """Unavailable also while a counter's value is not a measurement."""
        return super().available and self._measured

    def _value(self) -> SensorValue:
        return self.entity_description.value(self.obj)

    def _scale_problem(self) -> str | None:
        return scale_problem(self.obj, self.entity_description.epcs[0])

    def _update_from_device(self) -> None:
        """The value; a counter's through the counter policy."""
        value = self._value()
        counter = self._counter
        if counter is None:
            self._attr_native_value = value
            return
        problem = self._scale_problem()
        if problem is not None:
            if not self._problem_logged:
                _LOGGER.warning("%s: not a measurement while %s", self.entity_id, problem)
                self._problem_logged = True
            self._measured = False
            return
        if not isinstance(value, int | float) or isinstance(value, bool):
            # No data: unknown before the first reading, else unavailable (never stale).
            self._measured = counter.total is None
            return
        if value != self._fed:
            resolution, counter.modulus = counter_scale(self.obj, self.entity_description.epcs[0])
            counter.resolution = resolution or 0.0
            self._fed = value
            total = counter.feed(float(value), dt_util.utcnow())
            self._accepted = total is not None
            if total is not None:
                self._attr_native_value = total
        self._measured = self._accepted

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Extra attributes (e.g. when a fixed-time value was measured)."""
        if self.entity_description.attrs_fn is None:
            return None
        return self.entity_description.attrs_fn(self.obj)


class HemsCircuitSensor(HemsSensor):
    """Power or energy of one circuit of a distribution board (read after the board)."""

    entity_description: HemsCircuitDescription

    async def async_added_to_hass(self) -> None:
        """Follow the reads of the board's circuits too."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_board_listener(self.obj.eoj, self._async_write_device_state)
        )

    def _value(self) -> SensorValue:
        channels = self.coordinator.boards.get(self.obj.eoj)
        index = self.entity_description.circuit
        if channels is None or index >= channels.count:
            return None
        if self.entity_description.quantity == "power":
            return channels.power_w[index]
        return channels.energy_kwh[index]
