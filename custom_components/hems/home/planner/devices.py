"""The planned devices: the hub's storage battery, EcoCute and EV charger / V2H unit.

The planner reads each device's state from the values its hub keeps (pushed and polled), and
commands it over ECHONET Lite with a SetC whose result the device reports back (the
controller's read-back): a command counts only when the device then reports what was set.
Every amount and power is clamped to the device's own limits (rated capacity, minimum and
maximum charging power, its charging upper and discharging lower limits) and the battery's
reserve for outages is never given away.  A device that refuses (an SNA answer, no answer, or
a different value read back) is put back in its automatic mode, and the refusal is reported.

Units of the EcoCute's tank: heat above the mains water (15 °C) of the hot water left
(0xE1 litres at the boiling temperature 0xB3), the same units as the hot-water forecast.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
import logging
from typing import Final

from homeassistant.core import HomeAssistant

from ...const import DOMAIN
from ...echonet import EchonetError
from ...echonet.controller import Controller
from ...echonet.node import EchonetObject
from ...energy.planner import (
    SLOT_HOURS,
    Battery,
    BatteryMode,
    Commands,
    Device,
    ElectricVehicle,
    Plan,
    ReasonCode,
    WaterHeater,
)
from ...energy.planner.model import WATER_KWH_PER_LITRE_K
from ...hub import KIND as HUB
from ...kinds import loaded_runtime

_LOGGER = logging.getLogger(__name__)

BATTERY_CLASS: Final = 0x027D
WATER_HEATER_CLASS: Final = 0x026B
EV_CLASSES: Final = (0x027E, 0x02A1)

MAINS_C: Final = 15.0
"""Temperature of the mains water the tank's heat is counted from."""
DEFAULT_BOIL_C: Final = 65.0
DEFAULT_HEAT_PUMP_KW: Final = 1.5
DEFAULT_EV_CAPACITY_KWH: Final = 40.0
DEFAULT_POWER_KW: Final = 3.0

# Battery working modes (0xDA), EcoCute automatic water heating (0xB0), EV modes (0xDA).
BATTERY_MODES: Final[Mapping[BatteryMode, int]] = {
    BatteryMode.AUTO: 0x46,
    BatteryMode.CHARGE: 0x42,
    BatteryMode.DISCHARGE: 0x43,
    BatteryMode.HOLD: 0x44,
}
HEATING_AUTO: Final = 0x41
HEATING_MANUAL: Final = 0x42  # 沸き増し: boil now until full, then back to automatic
EV_CHARGE: Final = 0x42
EV_STANDBY: Final = 0x44
EV_AUTOMATIC: Final = 0x49
EV_CHARGEABLE: Final = frozenset({0x41, 0x43})
SHIFT_HOURS: Final = range(9, 18)
"""Hours a daytime heating shift (0xCA) may start at."""


STATE_EPCS: Final[Mapping[Device, tuple[int, ...]]] = {
    Device.BATTERY: (0xE4, 0xE2, 0xD0, 0xDA, 0xC8, 0xC9, 0xA6, 0xA7),
    Device.WATER_HEATER: (0xE1, 0xE2, 0xB0, 0xB3, 0xC7, 0xCA, 0xDB, 0xDC, 0xDD),
    Device.EV: (0xC7, 0xE4, 0xE2, 0xDA, 0xC5, 0xC8),
}
"""What the planner reads of each device before it plans."""


class CommandRefusedError(Exception):
    """A device did not take a command (refused, silent, or reported another value)."""

    def __init__(self, device: Device, name: str, detail: str) -> None:
        super().__init__(f"{name}: {detail}")
        self.device = device
        self.name = name
        self.detail = detail


def _u(obj: EchonetObject, epc: int, size: int | None = None) -> int | None:
    """An unsigned value of ``obj`` (None when unknown or of another size)."""
    edt = obj.values.get(epc)
    if not edt or (size is not None and len(edt) != size):
        return None
    return int.from_bytes(edt, "big")


def _limits_w(obj: EchonetObject, epc: int) -> tuple[float, float] | None:
    """(minimum, maximum) W of a "minimum and maximum ... electric power" property."""
    edt = obj.values.get(epc)
    if not edt or len(edt) != 8:
        return None
    low, high = int.from_bytes(edt[:4], "big"), int.from_bytes(edt[4:], "big")
    if high <= 0 or high >= 0xFFFFFFFD or low > high:
        return None
    return float(low), float(high)


def _percent(obj: EchonetObject, epc: int) -> float | None:
    value = _u(obj, epc, 1)
    return None if value is None or value > 100 else value / 100


@dataclass(slots=True)
class Handle:
    """One planned device: its object and the controller that reaches it."""

    kind: Device
    controller: Controller
    obj: EchonetObject

    @property
    def name(self) -> str:
        """What the user calls it (the object's class name and node address)."""
        return f"{self.obj.class_def.name_en} ({self.obj.node.address})"

    async def async_refresh(self) -> None:
        """Read the device's state now (the values the planner needs)."""
        epcs = [
            epc for epc in STATE_EPCS[self.kind] if not self.obj.get_map or epc in self.obj.get_map
        ]
        try:
            await self.controller.get(self.obj, epcs)
        except EchonetError as err:
            _LOGGER.debug("Reading %s for the planner failed: %s", self.name, err)

    async def async_set(self, values: Mapping[int, bytes]) -> None:
        """Set ``values`` (only those the device accepts) and check the read-back."""
        wanted = {
            epc: edt
            for epc, edt in values.items()
            if (not self.obj.set_map or epc in self.obj.set_map) and self.obj.values.get(epc) != edt
        }
        if not wanted:
            return
        try:
            confirmed = await self.controller.set(self.obj, wanted)
        except EchonetError as err:
            raise CommandRefusedError(self.kind, self.name, str(err)) from err
        differing = [
            f"0x{epc:02X}"
            for epc, edt in wanted.items()
            if epc in confirmed and confirmed[epc] != edt
        ]
        if differing:
            raise CommandRefusedError(
                self.kind, self.name, "reported another value for " + ", ".join(differing)
            )


@dataclass(slots=True)
class DeviceSet:
    """The planned devices found among the loaded hubs (the first of each kind)."""

    battery: Handle | None = None
    water_heater: Handle | None = None
    ev: Handle | None = None
    handles: list[Handle] = field(default_factory=list)

    @classmethod
    def find(cls, hass: HomeAssistant) -> DeviceSet:
        """The devices of every loaded hub entry."""
        found = cls()
        for entry in hass.config_entries.async_entries(DOMAIN):
            hub = loaded_runtime(entry, HUB)
            if hub is None:
                continue
            for obj in hub.controller.objects():
                if not hub.enabled(obj):
                    continue
                code = obj.class_code
                if code == BATTERY_CLASS and found.battery is None:
                    found.battery = Handle(Device.BATTERY, hub.controller, obj)
                elif code == WATER_HEATER_CLASS and found.water_heater is None:
                    found.water_heater = Handle(Device.WATER_HEATER, hub.controller, obj)
                elif code in EV_CLASSES and found.ev is None:
                    found.ev = Handle(Device.EV, hub.controller, obj)
        found.handles = [h for h in (found.battery, found.water_heater, found.ev) if h is not None]
        return found


# ----------------------------------------------------------------------------- reading


def battery_model(handle: Handle, *, reserve: float, keep_full: bool) -> Battery | None:
    """The battery as the planner sees it (None: its capacity or charge is unknown)."""
    obj = handle.obj
    capacity_wh = _u(obj, 0xD0, 4) or _u(obj, 0xA0, 4)
    soc = _percent(obj, 0xE4)
    if soc is None and capacity_wh:
        stored = _u(obj, 0xE2, 4)
        soc = None if stored is None else min(1.0, stored / capacity_wh)
    if not capacity_wh or soc is None:
        return None
    charge = _limits_w(obj, 0xC8)
    discharge = _limits_w(obj, 0xC9)
    lower = _percent(obj, 0xA7) or 0.0
    upper = _percent(obj, 0xA6) or 1.0
    floor = min(max(reserve, lower), upper)
    return Battery(
        capacity_kwh=capacity_wh / 1000,
        max_charge_kw=(charge[1] if charge else DEFAULT_POWER_KW * 1000) / 1000,
        max_discharge_kw=(discharge[1] if discharge else DEFAULT_POWER_KW * 1000) / 1000,
        soc=soc,
        reserve=floor,
        max_soc=max(floor, upper),
        keep_full=keep_full,
    )


def boil_temperature(obj: EchonetObject) -> float:
    """The EcoCute's boiling temperature (0xB3, 65 °C when unknown)."""
    value = _u(obj, 0xB3, 1)
    return float(value) if value is not None and 45 <= value <= 90 else DEFAULT_BOIL_C


def heat_pump_kw(obj: EchonetObject, when: datetime) -> float:
    """Electric input of the heat pump: the rated power of the season (0xDB winter, 0xDC
    between seasons, 0xDD summer), else a typical 1.5 kW."""
    epc = 0xDB if when.month in (12, 1, 2, 3) else 0xDD if 6 <= when.month <= 9 else 0xDC
    watts = _u(obj, epc, 2)
    return watts / 1000 if watts and 100 <= watts <= 10000 else DEFAULT_HEAT_PUMP_KW


def water_heater_model(handle: Handle, when: datetime) -> WaterHeater | None:
    """The EcoCute as the planner sees it (None: its tank is unknown)."""
    obj = handle.obj
    tank = _u(obj, 0xE2, 2)
    remaining = _u(obj, 0xE1, 2)
    if not tank or remaining is None:
        return None
    per_litre = (boil_temperature(obj) - MAINS_C) * WATER_KWH_PER_LITRE_K
    capacity = tank * per_litre
    return WaterHeater(
        capacity_kwh=capacity,
        heat_kwh=min(capacity, remaining * per_litre),
        max_input_kw=heat_pump_kw(obj, when),
        reserve_kwh=0.1 * capacity,
    )


def ev_model(handle: Handle) -> ElectricVehicle | None:
    """The car behind the charger (None: its charge is unknown)."""
    obj = handle.obj
    status = _u(obj, 0xC7, 1)
    soc = _percent(obj, 0xE4)
    stored = _u(obj, 0xE2, 4)
    if soc is None:
        return None
    capacity = stored / soc / 1000 if stored and soc > 0.01 else DEFAULT_EV_CAPACITY_KWH
    charge = _limits_w(obj, 0xC8)
    rated = _u(obj, 0xC5, 4)
    max_w = charge[1] if charge else rated if rated and rated < 0xFFFFFFFD else 3000
    min_w = charge[0] if charge else 0.0
    return ElectricVehicle(
        capacity_kwh=capacity,
        max_charge_kw=max_w / 1000,
        min_charge_kw=min(min_w, max_w) / 1000,
        soc=soc,
        plugged=status in EV_CHARGEABLE,
    )


# ----------------------------------------------------------------------------- commanding


def _w(kwh: float, low: float, high: float) -> int:
    """The power (W) that moves ``kwh`` in one slot, within [low, high]."""
    return round(min(high, max(low, kwh / SLOT_HOURS * 1000)))


def battery_values(handle: Handle, battery: Battery, commands: Commands) -> dict[int, bytes]:
    """The properties that make the battery do ``commands`` (within its limits)."""
    mode = commands.battery_mode
    values: dict[int, bytes] = {}
    if mode is BatteryMode.CHARGE:
        room = max(0.0, battery.max_kwh - battery.stored_kwh) / battery.efficiency
        kwh = min(commands.battery_kwh, battery.max_charge_kw * SLOT_HOURS, room)
        if kwh <= 0.001:
            mode = BatteryMode.HOLD
        else:
            limits = _limits_w(handle.obj, 0xC8) or (0.0, battery.max_charge_kw * 1000)
            values[0xE7] = round(kwh * 1000).to_bytes(4, "big")
            values[0xEB] = _w(kwh, *limits).to_bytes(4, "big")
    elif mode is BatteryMode.DISCHARGE:
        available = max(0.0, battery.stored_kwh - battery.reserve_kwh) * battery.efficiency
        kwh = min(commands.battery_kwh, battery.max_discharge_kw * SLOT_HOURS, available)
        if kwh <= 0.001:
            mode = BatteryMode.HOLD
        else:
            limits = _limits_w(handle.obj, 0xC9) or (0.0, battery.max_discharge_kw * 1000)
            values[0xE8] = round(kwh * 1000).to_bytes(4, "big")
            values[0xEC] = _w(kwh, *limits).to_bytes(4, "big")
    # The device's own discharge floor (AC discharge lower limit) at the reserve, so that its
    # automatic mode never goes below it either.
    reserve_pct = round(100 * battery.reserve)
    if 0xA7 in handle.obj.values and _u(handle.obj, 0xA7, 1) != reserve_pct:
        values[0xA7] = bytes((reserve_pct,))
    values[0xDA] = bytes((BATTERY_MODES[mode],))
    return values


def water_heater_values(handle: Handle, plan: Plan) -> dict[int, bytes]:
    """沸き増し now when the plan boils this slot outside the night window; the daytime shift
    (participation and its hour) when the plan boils the day's water with the sun."""
    obj = handle.obj
    boil_now = any(
        action.device is Device.WATER_HEATER
        and action.reason.code in (ReasonCode.BOIL_SURPLUS, ReasonCode.BOIL_KEEP_HOT_WATER)
        for action in plan.slots[0].actions
    )
    values: dict[int, bytes] = {}
    current = _u(obj, 0xB0, 1)
    if boil_now:
        values[0xB0] = bytes((HEATING_MANUAL,))
    elif current == HEATING_MANUAL:
        values[0xB0] = bytes((HEATING_AUTO,))
    daytime = next((d for d in plan.decisions if d.code is ReasonCode.WATER_HEATER_DAYTIME), None)
    if 0xC7 in obj.values:
        if daytime is not None:
            hour = int(str(daytime.params.get("start", "13:00")).split(":")[0])
            values[0xCA] = bytes((min(SHIFT_HOURS[-1], max(SHIFT_HOURS[0], hour)),))
            values[0xC7] = b"\x01"
        else:
            values[0xC7] = b"\x00"
    return values


def ev_values(handle: Handle, ev: ElectricVehicle, commands: Commands) -> dict[int, bytes]:
    """Charge the planned amount (within the charger's range and the car's room), follow the
    surplus (automatic), or stand by."""
    if not ev.plugged:
        return {}
    room = max(0.0, ev.max_soc * ev.capacity_kwh - ev.stored_kwh) / ev.charge_efficiency
    kwh = min(commands.ev_charge_kwh, ev.max_charge_kw * SLOT_HOURS, room)
    if kwh > 0.001:
        low = ev.min_charge_kw * 1000
        return {
            0xE7: round(kwh * 1000).to_bytes(4, "big"),
            0xEB: _w(kwh, low, ev.max_charge_kw * 1000).to_bytes(4, "big"),
            0xDA: bytes((EV_CHARGE,)),
        }
    if commands.ev_follow_surplus:
        return {0xDA: bytes((EV_AUTOMATIC,))}
    return {0xDA: bytes((EV_STANDBY,))}


AUTOMATIC: Final[Mapping[Device, Mapping[int, bytes]]] = {
    Device.BATTERY: {0xDA: bytes((BATTERY_MODES[BatteryMode.AUTO],))},
    Device.WATER_HEATER: {0xB0: bytes((HEATING_AUTO,)), 0xC7: b"\x00"},
    Device.EV: {0xDA: bytes((EV_AUTOMATIC,))},
}
"""Each device's own automatic mode (the safe fallback)."""
