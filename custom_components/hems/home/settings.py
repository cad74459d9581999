"""Options of the energy entry: keys, defaults, and the parsed settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from homeassistant.util import dt as dt_util

from ..energy import BasicKind, Tariff, TariffError, preset_tariff
from ..energy.presets import fit_sale_plan
from .sources import Sources

# Option keys and defaults (constants: their shape repeats on purpose).
OPT_TARIFF: Final = "tariff"
OPT_AUTO_SOURCES: Final = "auto_sources"
OPT_SOURCES: Final = "sources"
OPT_CONTRACT_AMPERES: Final = "contract_amperes"
OPT_AMPERE_WARN_PERCENT: Final = "ampere_warn_percent"
OPT_TARGET_ELECTRICITY: Final = "target_electricity_kwh"
OPT_TARGET_GAS: Final = "target_gas_m3"
OPT_TARGET_WATER: Final = "target_water_m3"
OPT_TARGET_WARN_PERCENT: Final = "target_warn_percent"
OPT_ALARM_ENTITIES: Final = "alarm_entities"
OPT_SOLAR_FORECAST: Final = "solar_forecast"
OPT_WEATHER: Final = "weather"
OPT_WARNING_ENTITY: Final = "warning_entity"
OPT_BATTERY_RESERVE: Final = "battery_reserve_percent"

DEFAULT_PRESET: Final = "tiered_b"
DEFAULT_SALE_PRICE: Final = 15
DEFAULT_AMPERE_WARN_PERCENT: Final = 80
DEFAULT_TARGET_WARN_PERCENT: Final = 90
DEFAULT_BATTERY_RESERVE: Final = 30

#: target kind -> (option key, ledger channel)
TARGETS: Final[dict[str, tuple[str, str]]] = {
    "electricity": (OPT_TARGET_ELECTRICITY, "purchase"),
    "gas": (OPT_TARGET_GAS, "gas"),
    "water": (OPT_TARGET_WATER, "water"),
}

ENTRY_TITLE: Final = "HEMS home"
ENERGY_UNIQUE_ID: Final = "energy"


def default_tariff() -> Tariff:
    """The tariff of a new entry when nothing is chosen: the tiered preset with a flat FIT."""
    from dataclasses import replace

    return replace(preset_tariff(DEFAULT_PRESET), sale=fit_sale_plan(DEFAULT_SALE_PRICE))


@dataclass(frozen=True, slots=True)
class PlannerSettings:
    """The planner's options: the solar forecast provider (a config entry of an integration
    with an energy platform), the weather entity (the forecast without a provider), the binary
    sensor of weather warnings (気象警報連動) and the battery's reserve for outages (share)."""

    solar_forecast: str | None = None
    weather: str | None = None
    warning_entity: str | None = None
    battery_reserve: float = DEFAULT_BATTERY_RESERVE / 100


@dataclass(frozen=True, slots=True)
class HomeSettings:
    """The energy entry's options, parsed."""

    tariff: Tariff
    auto_sources: bool
    sources: Sources
    contract_amperes: int | None
    ampere_warn_fraction: Decimal
    targets: Mapping[str, Decimal]
    target_warn_fraction: Decimal
    alarm_entities: tuple[str, ...] | None
    planner: PlannerSettings = field(default_factory=PlannerSettings)

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> HomeSettings:
        """Parse options; a stored tariff that does not validate raises TariffError."""
        raw = options.get(OPT_TARIFF)
        tariff = default_tariff() if raw is None else Tariff.from_dict(raw)
        contract = options.get(OPT_CONTRACT_AMPERES) or None
        if contract is None:
            contract = contract_from_tariff(tariff)
        targets: dict[str, Decimal] = {}
        for kind, (key, _channel) in TARGETS.items():
            value = options.get(key)
            if value:
                targets[kind] = Decimal(str(value))
        alarm = options.get(OPT_ALARM_ENTITIES)
        return cls(
            tariff=tariff,
            auto_sources=bool(options.get(OPT_AUTO_SOURCES, True)),
            sources=Sources.from_dict(options.get(OPT_SOURCES)),
            contract_amperes=None if contract is None else int(contract),
            ampere_warn_fraction=Decimal(
                str(options.get(OPT_AMPERE_WARN_PERCENT, DEFAULT_AMPERE_WARN_PERCENT))
            )
            / 100,
            targets=targets,
            target_warn_fraction=Decimal(
                str(options.get(OPT_TARGET_WARN_PERCENT, DEFAULT_TARGET_WARN_PERCENT))
            )
            / 100,
            alarm_entities=None if alarm is None else tuple(alarm),
            planner=PlannerSettings(
                solar_forecast=options.get(OPT_SOLAR_FORECAST) or None,
                weather=options.get(OPT_WEATHER) or None,
                warning_entity=options.get(OPT_WARNING_ENTITY) or None,
                battery_reserve=float(options.get(OPT_BATTERY_RESERVE, DEFAULT_BATTERY_RESERVE))
                / 100,
            ),
        )


def contract_from_tariff(tariff: Tariff) -> int | None:
    """Contract current (A) stated by the tariff's basic charge (1 kVA = 10 A at 100 V)."""
    basic = tariff.basic
    if basic.kind in (BasicKind.AMPERE, BasicKind.PER_10A):
        return basic.contract_amperes
    if basic.kind is BasicKind.PER_KVA and basic.contract_kva:
        return int(basic.contract_kva * 10)
    return None


async def async_check_time_zone(data: Any) -> TariffError | None:
    """Look the tariff's time zone up off the event loop (a zone not yet loaded, and every
    unknown one, is a file search): an error when it does not exist.  Once found, the zone
    is cached and the tariff's own lookups in the loop cost nothing."""
    name = data.get("timezone") if isinstance(data, Mapping) else None
    if not isinstance(name, str):
        return None  # absent (the default zone) or not text (the tariff's own error)
    try:
        found = await dt_util.async_get_time_zone(name)
    except ValueError:  # not a zone key at all, e.g. "../x"
        found = None
    if found is None:
        return TariffError(f"unknown time zone {name!r}", path="timezone", code="bad_timezone")
    return None


async def async_check_tariff(data: Any) -> TariffError | None:
    """:func:`check_tariff` for the event loop (the time zone is looked up in a thread)."""
    return await async_check_time_zone(data) or check_tariff(data)


def check_tariff(data: Any) -> TariffError | None:
    """The first error of a tariff dict, or None."""
    try:
        Tariff.from_dict(data)
    except TariffError as err:
        return err
    return None
