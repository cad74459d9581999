"""What a tariff charges besides energy: basic charge, rounding, sale price, water and gas."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .amounts import ZERO, Number, RoundingMode, decimal_str, to_decimal
from .errors import TariffError
from .parsing import at_path, bool_of, date_of, enum_of, int_at, items_of, mapping_of, number_at


class BasicKind(StrEnum):
    """How the monthly basic charge is determined."""

    NONE = "none"
    FIXED = "fixed"  # amount per month
    AMPERE = "ampere"  # table[contract_amperes]
    PER_10A = "per_10a"  # unit_price per 10 A of contract_amperes
    PER_KVA = "per_kva"  # unit_price per kVA of contract_kva
    MINIMUM = "minimum"  # amount covering the first included_kwh of the month (最低料金)


_BASIC_FIELDS: Mapping[BasicKind, frozenset[str]] = {
    BasicKind.NONE: frozenset(),
    BasicKind.FIXED: frozenset({"amount"}),
    BasicKind.MINIMUM: frozenset({"amount", "included_kwh"}),
    BasicKind.AMPERE: frozenset({"table", "contract_amperes"}),
    BasicKind.PER_10A: frozenset({"unit_price", "contract_amperes"}),
    BasicKind.PER_KVA: frozenset({"unit_price", "contract_kva"}),
}


@dataclass(frozen=True)
class BasicCharge:
    """Monthly basic charge (基本料金) or minimum charge (最低料金).

    ``half_if_no_usage``: the charge is halved in a month without any purchase (TEPCO's rule
    for ampere contracts).  ``included_kwh`` (minimum kind only) are not charged as energy.
    Fields that the kind does not use are reset to their defaults.
    """

    kind: BasicKind = BasicKind.NONE
    amount: Decimal = ZERO
    table: Mapping[int, Decimal] = field(default_factory=dict)
    contract_amperes: int | None = None
    contract_kva: Decimal | None = None
    unit_price: Decimal = ZERO
    included_kwh: Decimal = ZERO
    half_if_no_usage: bool = False

    def __post_init__(self) -> None:
        kind = self.kind
        if not isinstance(kind, BasicKind):
            raise TariffError(f"unknown basic charge kind {kind!r}", code="bad_basic_kind")
        # Values the kind does not use are reset, so that equal charges compare equal and the
        # dict form (which only carries the used values) round-trips.
        used = _BASIC_FIELDS[kind]
        defaults: dict[str, Any] = {
            "amount": ZERO,
            "table": {},
            "contract_amperes": None,
            "contract_kva": None,
            "unit_price": ZERO,
            "included_kwh": ZERO,
        }
        for name, default in defaults.items():
            if name not in used and getattr(self, name) != default:
                object.__setattr__(self, name, default)
        if self.amount < 0 or self.unit_price < 0 or self.included_kwh < 0:
            raise TariffError("basic charge values must not be negative", code="negative_price")
        if kind is BasicKind.AMPERE:
            if not self.table:
                raise TariffError("the ampere table is empty", code="empty_ampere_table")
            if any(price < 0 for price in self.table.values()):
                raise TariffError("basic charge values must not be negative", code="negative_price")
            if self.contract_amperes not in self.table:
                raise TariffError(
                    f"contract {self.contract_amperes} A is not in the ampere table "
                    f"({', '.join(str(amp) for amp in sorted(self.table))} A)",
                    path="contract_amperes",
                    code="ampere_not_in_table",
                )
        if kind is BasicKind.PER_10A and (
            self.contract_amperes is None or self.contract_amperes <= 0
        ):
            raise TariffError(
                "a per-10 A charge needs the contract amperes",
                path="contract_amperes",
                code="missing_contract",
            )
        if kind is BasicKind.PER_KVA and (self.contract_kva is None or self.contract_kva <= 0):
            raise TariffError(
                "a per-kVA charge needs the contract kVA",
                path="contract_kva",
                code="missing_contract",
            )

    def monthly_amount(self, *, no_usage: bool = False) -> Decimal:
        """The month's basic (or minimum) charge, exact (rounding happens on the bill)."""
        match self.kind:
            case BasicKind.NONE:
                value = ZERO
            case BasicKind.FIXED | BasicKind.MINIMUM:
                value = self.amount
            case BasicKind.AMPERE:
                value = self.table[self.contract_amperes or 0]
            case BasicKind.PER_10A:
                value = self.unit_price * Decimal(self.contract_amperes or 0) / 10
            case BasicKind.PER_KVA:
                value = self.unit_price * (self.contract_kva or ZERO)
        if no_usage and self.half_if_no_usage:
            value /= 2
        return value

    def to_dict(self) -> dict[str, Any]:
        """Only the keys that matter for the kind (plus ``kind`` and ``half_if_no_usage``)."""
        out: dict[str, Any] = {"kind": self.kind.value}
        match self.kind:
            case BasicKind.FIXED:
                out["amount"] = decimal_str(self.amount)
            case BasicKind.MINIMUM:
                out["amount"] = decimal_str(self.amount)
                out["included_kwh"] = decimal_str(self.included_kwh)
            case BasicKind.AMPERE:
                out["contract_amperes"] = self.contract_amperes
                out["table"] = {
                    str(amp): decimal_str(price) for amp, price in sorted(self.table.items())
                }
            case BasicKind.PER_10A:
                out["contract_amperes"] = self.contract_amperes
                out["unit_price"] = decimal_str(self.unit_price)
            case BasicKind.PER_KVA:
                out["contract_kva"] = decimal_str(self.contract_kva or ZERO)
                out["unit_price"] = decimal_str(self.unit_price)
            case BasicKind.NONE:
                pass
        out["half_if_no_usage"] = self.half_if_no_usage
        return out

    @classmethod
    def from_dict(cls, data: Any) -> BasicCharge:
        """Inverse of :meth:`to_dict`."""
        obj = mapping_of(
            data,
            "kind",
            "amount",
            "table",
            "contract_amperes",
            "contract_kva",
            "unit_price",
            "included_kwh",
            "half_if_no_usage",
            required=("kind",),
        )
        with at_path("kind"):
            kind = enum_of(BasicKind, obj["kind"])
        for name in _REQUIRED_FIELDS[kind]:
            if obj.get(name) is None:
                raise TariffError(
                    f"{name} is required for a {kind.value} basic charge",
                    path=name,
                    code="missing_value",
                )
        with at_path("table"):
            table = _ampere_table(obj.get("table") or {})
        values: dict[str, Any] = {}
        for name in ("amount", "unit_price", "included_kwh"):
            if obj.get(name) is not None:
                with at_path(name):
                    values[name] = number_at(obj[name], "")
        with at_path("contract_amperes"):
            amperes = (
                None if obj.get("contract_amperes") is None else int_at(obj["contract_amperes"], "")
            )
        with at_path("contract_kva"):
            kva = None if obj.get("contract_kva") is None else number_at(obj["contract_kva"], "")
        with at_path("half_if_no_usage"):
            half = bool_of(obj.get("half_if_no_usage", False))
        return cls(
            kind=kind,
            table=table,
            contract_amperes=amperes,
            contract_kva=kva,
            half_if_no_usage=half,
            **values,
        )


#: The fields each kind of basic charge needs.
_REQUIRED_FIELDS: Mapping[BasicKind, tuple[str, ...]] = {
    BasicKind.NONE: (),
    BasicKind.FIXED: ("amount",),
    BasicKind.MINIMUM: ("amount",),
    BasicKind.AMPERE: ("table", "contract_amperes"),
    BasicKind.PER_10A: ("unit_price", "contract_amperes"),
    BasicKind.PER_KVA: ("unit_price", "contract_kva"),
}


def _ampere_table(raw: Any) -> dict[int, Decimal]:
    """The dict form of an ampere table (contract amperes to monthly prices)."""
    if not isinstance(raw, Mapping):
        raise TariffError("must be a mapping of amperes to prices", code="bad_type")
    table: dict[int, Decimal] = {}
    for amp, price in raw.items():
        with at_path(str(amp)):
            table[int_at(amp, "")] = number_at(price, "")
    return table


@dataclass(frozen=True, slots=True)
class RoundingRules:
    """Where amounts are rounded to whole yen (or kWh), see :mod:`.bill`.

    Defaults follow common retailer practice (TEPCO's supply terms): the sum of basic charge,
    energy charge and fuel cost adjustment is rounded down (切り捨て) to whole yen, the renewable
    energy surcharge is computed and rounded down separately, per-tier lines and the fuel
    adjustment keep their sen until the sum; sale revenue is rounded down; kWh are not rounded.
    """

    line: RoundingMode = RoundingMode.NONE
    fuel_adjustment: RoundingMode = RoundingMode.NONE
    subtotal: RoundingMode = RoundingMode.DOWN
    surcharge: RoundingMode = RoundingMode.DOWN
    sale: RoundingMode = RoundingMode.DOWN
    usage_kwh: RoundingMode = RoundingMode.NONE

    def to_dict(self) -> dict[str, str]:
        """``{"line": "none", ..., "usage_kwh": "none"}``."""
        return {name: getattr(self, name).value for name in _ROUNDING_FIELDS}

    @classmethod
    def from_dict(cls, data: Any) -> RoundingRules:
        """Inverse of :meth:`to_dict`; missing keys keep their defaults."""
        obj = mapping_of(data, *_ROUNDING_FIELDS)
        values: dict[str, RoundingMode] = {}
        for name in _ROUNDING_FIELDS:
            if name in obj:
                with at_path(name):
                    values[name] = enum_of(RoundingMode, obj[name])
        return cls(**values)


_ROUNDING_FIELDS = ("line", "fuel_adjustment", "subtotal", "surcharge", "sale", "usage_kwh")


@dataclass(frozen=True, slots=True)
class SaleStage:
    """Sale price from ``start`` (local date; ``None`` = since ever) until the next stage."""

    start: date | None
    price: Decimal

    def __post_init__(self) -> None:
        if self.price < 0:
            raise TariffError(f"price {self.price} must not be negative", code="negative_price")


class SaleScheme(StrEnum):
    """What is sold: the surplus past the house (余剰買取) or every kWh generated (全量買取).

    Under full feed-in (全量買取) the solar plant has its own sale meter and contract: all of
    its generation is sold and the house buys everything it uses from the grid, so no solar is
    ever used at home (self-consumption and, without other generation, self-sufficiency are 0
    by contract).
    """

    SURPLUS = "surplus"
    FULL = "full"


@dataclass(frozen=True, slots=True)
class SalePlan:
    """Price paid for sold energy, in stages.  The first stage has ``start=None``.

    ``scheme`` says what is sold (:class:`SaleScheme`; surplus unless said otherwise).
    """

    stages: tuple[SaleStage, ...]
    scheme: SaleScheme = SaleScheme.SURPLUS

    def __post_init__(self) -> None:
        if not self.stages:
            raise TariffError("a sale plan needs at least one price", code="no_stages")
        if self.stages[0].start is not None:
            raise TariffError(
                "the first sale stage applies from the start (no date)", code="first_stage_dated"
            )
        previous: date | None = None
        for stage in self.stages[1:]:
            if stage.start is None:
                raise TariffError("every later sale stage needs a date", code="stage_without_date")
            if previous is not None and stage.start <= previous:
                raise TariffError(
                    f"sale stage dates must increase: {stage.start} after {previous}",
                    code="stages_not_increasing",
                )
            previous = stage.start

    @property
    def full_feed_in(self) -> bool:
        """True under full feed-in (全量買取): all generation is sold, none used at home."""
        return self.scheme is SaleScheme.FULL

    @classmethod
    def flat(cls, price: Number) -> SalePlan:
        """One fixed price (a FIT contract, or a retailer's post-FIT price)."""
        return cls((SaleStage(None, to_decimal(price)),))

    @classmethod
    def full(
        cls, price: Number, *, end_date: date | None = None, after_price: Number | None = None
    ) -> SalePlan:
        """Full feed-in (全量買取) at one fixed price; optionally ``after_price`` from
        ``end_date`` (end of the FIT period)."""
        stages = [SaleStage(None, to_decimal(price))]
        if end_date is not None:
            stages.append(SaleStage(end_date, to_decimal(after_price or 0)))
        return cls(tuple(stages), SaleScheme.FULL)

    @classmethod
    def two_stage(
        cls,
        first_price: Number,
        second_price: Number,
        switch_date: date,
        *,
        end_date: date | None = None,
        after_price: Number | None = None,
    ) -> SalePlan:
        """The two-stage scheme (e.g. 24 JPY years 1-4, 8.3 JPY years 5-10) switching on
        ``switch_date``; optionally ``after_price`` from ``end_date`` (end of the FIT period)."""
        stages = [
            SaleStage(None, to_decimal(first_price)),
            SaleStage(switch_date, to_decimal(second_price)),
        ]
        if end_date is not None:
            stages.append(SaleStage(end_date, to_decimal(after_price or 0)))
        return cls(tuple(stages))

    def stage_index(self, day: date) -> int:
        """Index of the stage in force on local date ``day``."""
        index = 0
        for position, stage in enumerate(self.stages):
            if stage.start is None or stage.start <= day:
                index = position
        return index

    def to_dict(self) -> dict[str, Any]:
        """``{"stages": [{"from": null, "price": "24"}, {"from": "2029-10-01", ...}]}``, with
        ``"scheme": "full"`` under full feed-in (surplus, the default, is left out)."""
        data: dict[str, Any] = {
            "stages": [
                {
                    "from": None if stage.start is None else stage.start.isoformat(),
                    "price": decimal_str(stage.price),
                }
                for stage in self.stages
            ]
        }
        if self.scheme is not SaleScheme.SURPLUS:
            data["scheme"] = self.scheme.value
        return data

    @classmethod
    def from_dict(cls, data: Any) -> SalePlan:
        """Inverse of :meth:`to_dict`; ``{"price": p}`` is accepted for a flat plan."""
        obj = mapping_of(data, "stages", "price", "scheme")
        scheme = SaleScheme.SURPLUS
        if "scheme" in obj:
            with at_path("scheme"):
                scheme = enum_of(SaleScheme, obj["scheme"])
        if "price" in obj:
            if "stages" in obj:
                raise TariffError("give either stages or price, not both", code="tiers_and_price")
            with at_path("price"):
                return cls((SaleStage(None, number_at(obj["price"], "")),), scheme)

        def stage(item: Any) -> SaleStage:
            entry = mapping_of(item, "from", "price", required=("price",))
            start: date | None = None
            if entry.get("from") not in {None, ""}:
                with at_path("from"):
                    start = date_of(entry["from"])
            with at_path("price"):
                return SaleStage(start, number_at(entry["price"], ""))

        return cls(tuple(items_of(obj.get("stages"), "stages", stage)), scheme)


@dataclass(frozen=True, slots=True)
class UtilityRate:
    """Water or gas: price per m³ and a basic charge per month (both JPY)."""

    unit_price: Decimal
    basic_charge: Decimal = ZERO

    def __post_init__(self) -> None:
        if self.unit_price < 0 or self.basic_charge < 0:
            raise TariffError("prices must not be negative", code="negative_price")

    def to_dict(self) -> dict[str, str]:
        """``{"unit_price": "250", "basic_charge": "0"}``."""
        return {
            "unit_price": decimal_str(self.unit_price),
            "basic_charge": decimal_str(self.basic_charge),
        }

    @classmethod
    def from_dict(cls, data: Any) -> UtilityRate:
        """Inverse of :meth:`to_dict`."""
        obj = mapping_of(data, "unit_price", "basic_charge", required=("unit_price",))
        with at_path("unit_price"):
            unit = number_at(obj["unit_price"], "")
        with at_path("basic_charge"):
            basic = number_at(obj.get("basic_charge", 0), "")
        return cls(unit, basic)
