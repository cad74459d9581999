"""The options flow of the energy entry: a menu over a working copy of the options.

The menu (``energy``) edits a working copy; nothing is stored until ``save``, which validates
the whole tariff (errors are the library's :class:`~...energy.TariffError` codes, translated).
The steps are grouped by section of the tariff: :mod:`.general` (preset, name, billing day,
holidays, rounding, emission factor; the tariff as JSON), :mod:`.seasons` (seasons and their
periods: tiers and time windows), :mod:`.charges` (basic charge, fuel cost adjustment,
renewable surcharge), :mod:`.sale` (sale price, water and gas) and :mod:`.household` (sources,
targets and contract current, alarm entities), :mod:`.notices` (notify targets) and
:mod:`.planner` (the planner's forecasts, warning sensor and battery reserve).
"""

from __future__ import annotations

from .charges import ChargeSteps
from .general import GeneralSteps
from .household import HouseholdSteps
from .notices import NoticeSteps
from .planner import PlannerSteps
from .sale import SaleSteps
from .seasons import SeasonSteps


class EnergyOptionsFlow(
    GeneralSteps, SeasonSteps, ChargeSteps, SaleSteps, HouseholdSteps, NoticeSteps, PlannerSteps
):
    """Edit the tariff, sources, targets, alarm entities, notices and the planner of the energy
    entry."""
