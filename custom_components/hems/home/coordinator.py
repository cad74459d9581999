"""The energy entry's figures: computed once a minute and soon after new energy.

:func:`compute_figures` is pure: every figure from the ledger, the tariff and the targets at
one moment (one :func:`~..energy.energy_snapshot` call).  The notices that the figures call
for (a target, an eco record of a finished day) are raised by the runtime, which listens to
the coordinator like the entities do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
import logging
from typing import Final, Protocol

from homeassistant.core import HomeAssistant
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..energy import (
    EcoRecords,
    EnergySnapshot,
    Ledger,
    PeakDemand,
    TargetProgress,
    Tariff,
    energy_snapshot,
    target_progress,
)
from ..energy.feed import LedgerFeed
from ..models import HemsConfigEntry
from .settings import TARGETS, HomeSettings
from .sources import Sources

_LOGGER = logging.getLogger(__name__)


class FigureInputs(Protocol):
    """What the figures are computed from (:class:`.runtime.HomeRuntime` implements it; the
    runtime makes the coordinator, so this module does not import it)."""

    @property
    def tariff(self) -> Tariff:
        """The home's tariff."""

    @property
    def feed(self) -> LedgerFeed:
        """The ledger and what feeds it."""

    @property
    def settings(self) -> HomeSettings:
        """The energy entry's settings."""

    @property
    def sources(self) -> Sources:
        """The entities each figure is taken from."""


UPDATE_INTERVAL: Final = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class HomeData:
    """What the coordinator's entities show."""

    now: datetime
    #: The tariff's local date of ``now``.
    day: date
    snapshot: EnergySnapshot
    records: EcoRecords
    targets: dict[str, TargetProgress]
    sources: Sources
    #: The peak 30-minute demand of each of the last 12 months, newest first.
    monthly_peaks: tuple[tuple[date, PeakDemand | None], ...] = ()


def compute_figures(
    tariff: Tariff, ledger: Ledger, settings: HomeSettings, sources: Sources, now: datetime
) -> HomeData:
    """Every figure at ``now``."""
    today = tariff.local(now).date()
    snapshot = energy_snapshot(tariff, ledger, now)
    month = snapshot.month
    targets: dict[str, TargetProgress] = {}
    for kind, target in settings.targets.items():
        channel = TARGETS[kind][1]
        targets[kind] = target_progress(
            month.totals.purchase if channel == "purchase" else getattr(month.totals, channel),
            target,
            start=month.start,
            end=month.end,
            now=now,
            warn_fraction=settings.target_warn_fraction,
        )
    return HomeData(
        now=now,
        day=today,
        snapshot=snapshot,
        records=ledger.eco_records(today),
        targets=targets,
        sources=sources,
        monthly_peaks=tuple(ledger.monthly_peaks(today)),
    )


class HomeCoordinator(DataUpdateCoordinator[HomeData]):
    """Computes the figures from the runtime's ledger and tariff."""

    config_entry: HemsConfigEntry

    def __init__(self, hass: HomeAssistant, entry: HemsConfigEntry, runtime: FigureInputs) -> None:
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} home",
            update_interval=UPDATE_INTERVAL,
            request_refresh_debouncer=Debouncer(hass, _LOGGER, cooldown=5.0, immediate=False),
            always_update=True,
        )
        self.runtime = runtime

    async def _async_update_data(self) -> HomeData:
        runtime = self.runtime
        return compute_figures(
            runtime.tariff, runtime.feed.ledger, runtime.settings, runtime.sources, dt_util.utcnow()
        )
