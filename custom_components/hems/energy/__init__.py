"""Energy accounting for Japanese homes: tariffs, bills, slot ledger, demand, targets, records.

Pure library (standard library and ``holidays`` only, no Home Assistant), typed, exact: money
and energy are :class:`~decimal.Decimal` throughout, datetimes are timezone-aware (the tariff's
and ledger's zone default to Asia/Tokyo).

Modules:

* :mod:`.tariff`: the tariff model (to/from dict for config-entry options), ``price_at``,
  ``sale_price_at``, with its parts in :mod:`.calendar`, :mod:`.periods`, :mod:`.charges` and
  :mod:`.parsing`; :mod:`.presets`: example tariffs for the options flow.
* :mod:`.slots`: 30-minute slots from meter readings or counters.
* :mod:`.accounting`: the :class:`Ledger` of slots and day summaries (JSON-able for ``Store``).
* :mod:`.bill`: running costs of slots, bills rounded like the retailer's, projections (the
  rounding rules are documented there).
* :mod:`.metrics`, :mod:`.co2`, :mod:`.demand`, :mod:`.targets`, :mod:`.records`.
* :mod:`.snapshot`: every today / this-month figure in one call, for a coordinator.
"""

from __future__ import annotations

from .accounting import Ledger, day_bounds, slots_in_day
from .amounts import Number, RoundingMode, round_amount, to_decimal
from .bill import (
    Bill,
    BillProjection,
    CostBreakdown,
    EnergyLine,
    PeriodCost,
    PricedSlot,
    SaleLine,
    SaleStatement,
    bill_for_slots,
    compute_bill,
    cost_of_slots,
    period_usage,
    price_slots,
    projected_bill,
    sale_statement,
    utility_bill,
    utility_cost,
)
from .calendar import BillingMonth, DayType, HolidayRules
from .charges import (
    BasicCharge,
    BasicKind,
    RoundingRules,
    SalePlan,
    SaleScheme,
    SaleStage,
    UtilityRate,
)
from .co2 import Co2Balance, co2_balance
from .demand import (
    AmpereLevel,
    AmpereStatus,
    PeakDemand,
    ampere_status,
    combine_peaks,
    estimated_line_current,
    peak_demand,
)
from .errors import EnergyError, LedgerError, TariffError
from .metrics import generation_ratio, house_consumption, self_consumption, self_sufficiency
from .periods import Period, Season, Tier, TimeWindow
from .presets import PRESETS, Preset, preset_tariff
from .records import DayRecord, EcoRecords, RecordKind, eco_records
from .slots import CHANNELS, Channel, CounterSlotter, Slot, meter_slots, slots_from_cumulative
from .snapshot import EnergySnapshot, PeriodFigures, energy_snapshot
from .targets import TargetProgress, target_progress
from .tariff import PriceInfo, SalePriceInfo, Tariff, price_at, sale_price_at, validate_tariff_dict
from .totals import DaySummary, EnergyTotals

__all__ = [
    "CHANNELS",
    "PRESETS",
    "AmpereLevel",
    "AmpereStatus",
    "BasicCharge",
    "BasicKind",
    "Bill",
    "BillProjection",
    "BillingMonth",
    "Channel",
    "Co2Balance",
    "CostBreakdown",
    "CounterSlotter",
    "DayRecord",
    "DaySummary",
    "DayType",
    "EcoRecords",
    "EnergyError",
    "EnergyLine",
    "EnergySnapshot",
    "EnergyTotals",
    "HolidayRules",
    "Ledger",
    "LedgerError",
    "Number",
    "PeakDemand",
    "Period",
    "PeriodCost",
    "PeriodFigures",
    "Preset",
    "PriceInfo",
    "PricedSlot",
    "RecordKind",
    "RoundingMode",
    "RoundingRules",
    "SaleLine",
    "SalePlan",
    "SalePriceInfo",
    "SaleScheme",
    "SaleStage",
    "SaleStatement",
    "Season",
    "Slot",
    "TargetProgress",
    "Tariff",
    "TariffError",
    "Tier",
    "TimeWindow",
    "UtilityRate",
    "ampere_status",
    "bill_for_slots",
    "co2_balance",
    "combine_peaks",
    "compute_bill",
    "cost_of_slots",
    "day_bounds",
    "eco_records",
    "energy_snapshot",
    "estimated_line_current",
    "generation_ratio",
    "house_consumption",
    "meter_slots",
    "peak_demand",
    "period_usage",
    "preset_tariff",
    "price_at",
    "price_slots",
    "projected_bill",
    "round_amount",
    "sale_price_at",
    "sale_statement",
    "self_consumption",
    "self_sufficiency",
    "slots_from_cumulative",
    "slots_in_day",
    "target_progress",
    "to_decimal",
    "utility_bill",
    "utility_cost",
    "validate_tariff_dict",
]
