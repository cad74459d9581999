"""What a B-route smart meter shows: power, currents, energy counters, fixed-time values,
link quality and connection state.

The keys are those of the ECHONET Lite smart meter (class 0x0288) entities of the hub; the
energy entry finds the meter's sources by their ``energy_role``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntityDescription,
)
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfEnergy,
    UnitOfPower,
)

from ..models import EnergyRole
from ..wisun import SessionState
from .session import rssi_dbm

if TYPE_CHECKING:
    from .coordinator import BrouteCoordinator, BrouteData


StateValue = str | int | float | datetime | None

SESSION_STATES: Final = [state.value for state in SessionState]


@dataclass(frozen=True, kw_only=True)
class BrouteSensorDescription(SensorEntityDescription):
    """A sensor of the meter.

    ``value_fn`` reads the coordinator's data; ``diagnostic`` entities show the session and
    stay available while the dongle is out; ``counter`` marks the lifetime energy counters;
    ``energy_role`` makes it a source of the energy entry.
    """

    value_fn: Callable[[BrouteCoordinator], StateValue]
    attrs_fn: Callable[[BrouteCoordinator], dict[str, Any] | None] | None = None
    exists_fn: Callable[[BrouteData], bool] | None = None
    session_fn: bool = False
    counter: str | None = None  # "import" / "export" / "fixed_import" / "fixed_export"
    energy_role: EnergyRole | None = None


def _power(sign: int | None) -> Callable[[BrouteCoordinator], StateValue]:
    def value(coordinator: BrouteCoordinator) -> StateValue:
        power = coordinator.data.reading.power_w
        if power is None or sign is None:
            return power
        return max(0, power * sign)

    return value


def _fixed(attr: str) -> Callable[[BrouteCoordinator], StateValue]:
    def value(coordinator: BrouteCoordinator) -> StateValue:
        fixed = coordinator.data.fixed
        return None if fixed is None else getattr(fixed, attr)

    return value


def _fixed_time(attr: str) -> Callable[[BrouteCoordinator], dict[str, Any] | None]:
    def attrs(coordinator: BrouteCoordinator) -> dict[str, Any] | None:
        fixed = coordinator.data.fixed
        when = None if fixed is None else getattr(fixed, attr)
        return None if when is None else {"measured_at": when.isoformat()}

    return attrs


#: The meter read over the B-route comes before the hub's smart meter object (rank 0).
RANK: Final = -1


def _kwh(key: str, role: str, **kw: Any) -> BrouteSensorDescription:
    """A cumulative energy value (kWh), a source of the energy entry."""
    return BrouteSensorDescription(
        key=key,
        translation_key=key,
        energy_role=EnergyRole(role, RANK),
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        **kw,
    )


def _energy(key: str, counter: str, role: str) -> BrouteSensorDescription:
    return _kwh(key, role, value_fn=lambda _c: None, counter=counter)


def _watts(key: str, sign: int | None, role: str | None = None) -> BrouteSensorDescription:
    return BrouteSensorDescription(
        key=key,
        translation_key=key,
        energy_role=None if role is None else EnergyRole(role, RANK),
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_power(sign),
    )


def _amperes(
    key: str, value_fn: Callable[[BrouteCoordinator], StateValue], **kw: Any
) -> BrouteSensorDescription:
    return BrouteSensorDescription(
        key=key,
        translation_key=key,
        energy_role=EnergyRole("current", RANK),
        device_class=SensorDeviceClass.CURRENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=value_fn,
        **kw,
    )


def _fixed_energy(key: str, value: str, when: str, role: str) -> BrouteSensorDescription:
    # Enabled: the energy entry takes its half-hour slots from them.  Enabling them later
    # makes Home Assistant reload the meter's entry, which on a real meter drops the PANA
    # session (a rejoin takes 10-40 s) and restarts a history import under way.
    return _kwh(
        key,
        role,
        value_fn=_fixed(value),
        attrs_fn=_fixed_time(when),
        counter=f"fixed_{value.removesuffix('_kwh')}",
    )


# Declarative on purpose: one description per value (the duplicates tool pairs their shapes).
SENSORS: Final[tuple[BrouteSensorDescription, ...]] = (
    _watts("grid_power", None),
    _watts("grid_import_power", 1, "purchase_power"),
    _watts("grid_export_power", -1, "sale_power"),
    _amperes("current_r", lambda coordinator: coordinator.data.reading.current_r_a),
    _amperes(
        "current_t",
        lambda coordinator: coordinator.data.reading.current_t_a,
        # single-phase two-wire meters have no T phase
        exists_fn=lambda data: data.reading.current_t_a is not None,
    ),
    _energy("grid_import_energy", "import", "purchase"),
    _energy("grid_export_energy", "export", "sale"),
    _fixed_energy("fixed_time_import_energy", "import_kwh", "timestamp", "fixed_purchase"),
    _fixed_energy("fixed_time_export_energy", "export_kwh", "export_timestamp", "fixed_sale"),
    BrouteSensorDescription(
        key="link_quality",
        translation_key="link_quality",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda coordinator: rssi_dbm(coordinator.session.pan),
        session_fn=True,
    ),
    BrouteSensorDescription(
        key="connection_state",
        translation_key="connection_state",
        device_class=SensorDeviceClass.ENUM,
        options=SESSION_STATES,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda coordinator: coordinator.session.state.value,
        session_fn=True,
    ),
)

CONNECTED: Final = BinarySensorEntityDescription(
    key="connected",
    translation_key="meter_connected",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)
