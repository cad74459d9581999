"""Form pieces of the energy options: selectors, limits, and the tariff dicts built from forms."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from homeassistant.helpers import selector

from ...energy import PRESETS, SalePlan, TariffError, to_decimal
from ...energy.amounts import decimal_str

MAX_TIERS: Final = 4
MAX_WINDOWS: Final = 4
AMPERE_SIZES: Final = (10, 15, 20, 30, 40, 50, 60)
DAY_TYPES: Final = ("weekday", "saturday", "sunday", "holiday")
ROUNDING_FIELDS: Final = ("subtotal", "surcharge", "sale", "line", "fuel_adjustment", "usage_kwh")
ROUNDING_MODES: Final = ("none", "down", "floor", "half_up", "ceiling")
BASIC_KINDS: Final = ("none", "fixed", "ampere", "per_10a", "per_kva", "minimum")
SALE_KINDS: Final = ("none", "flat", "two_stage", "full")


def _number(
    step: float = 0, unit: str | None = None, minimum: float | None = None
) -> selector.NumberSelector:
    """A number box (``step`` 0: any decimal)."""
    config = selector.NumberSelectorConfig(
        mode=selector.NumberSelectorMode.BOX, step=step if step else "any"
    )
    if unit is not None:
        config["unit_of_measurement"] = unit
    if minimum is not None:
        config["min"] = minimum
    return selector.NumberSelector(config)


def _choice(options: list[str], key: str, *, multiple: bool = False) -> selector.SelectSelector:
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=options,
            translation_key=key,
            multiple=multiple,
            mode=selector.SelectSelectorMode.DROPDOWN,
        )
    )


def _labelled(options: Mapping[str, str]) -> selector.SelectSelector:
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=[selector.SelectOptionDict(value=k, label=v) for k, v in options.items()],
            mode=selector.SelectSelectorMode.DROPDOWN,
        )
    )


def _suggest(value: Any) -> dict[str, Any]:
    return {} if value is None or value == "" else {"suggested_value": value}


def _float(text: Any) -> float | None:
    if text is None or text == "":
        return None
    return float(to_decimal(text))


def _dec(value: Any) -> str:
    """A form number as the tariff's dict form (a decimal string)."""
    return decimal_str(to_decimal(value).normalize())


def _preset_selector(language: str) -> selector.SelectSelector:
    return _labelled(
        {
            key: (preset.name_ja if language.startswith("ja") else preset.name_en)
            for key, preset in PRESETS.items()
        }
    )


def _hhmm(value: Any) -> str:
    text = str(value)
    return text[:5] if len(text) >= 5 else text


def _period_from_form(data: Mapping[str, Any]) -> dict[str, Any]:
    """The dict form of a period from the ``period`` step's answers."""
    tiers: list[dict[str, Any]] = []
    for n in range(1, MAX_TIERS + 1):
        price = data.get(f"price_{n}")
        if price in (None, ""):
            continue
        up_to = data.get(f"up_to_{n}")
        tiers.append(
            {"up_to_kwh": None if up_to in (None, "") else _dec(up_to), "price": _dec(price)}
        )
    if tiers:
        tiers[-1]["up_to_kwh"] = None
    windows = []
    for n in range(1, MAX_WINDOWS + 1):
        start, end = data.get(f"start_{n}"), data.get(f"end_{n}")
        if start in (None, "") and end in (None, ""):
            continue
        if start in (None, "") or end in (None, ""):
            raise TariffError("a window needs a start and an end", code="bad_time")
        end_text = _hhmm(end)
        windows.append(
            {
                "start": _hhmm(start),
                "end": "24:00" if end_text == "00:00" else end_text,
                "days": list(data.get(f"days_{n}") or ["all"]),
            }
        )
    return {
        "key": str(data["key"]).strip(),
        "name": str(data.get("name") or ""),
        "tiers": tiers,
        "windows": windows,
    }


def _sale_from_form(kind: str, data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The dict form of a sale plan from the ``sale`` step's answers (``full``: full feed-in,
    全量買取, at the first price, with the price after ``end_date`` if given)."""
    if kind == "none":
        return None
    price = data.get("price")
    if price in (None, ""):
        raise TariffError("price is required", code="missing_value")
    if kind == "flat":
        return SalePlan.flat(to_decimal(price)).to_dict()
    end, after = data.get("end_date"), data.get("after_price")
    if kind == "full":
        return SalePlan.full(
            to_decimal(price),
            end_date=date.fromisoformat(str(end)) if end else None,
            after_price=None if after in (None, "") else to_decimal(after),
        ).to_dict()
    second, switch = data.get("second_price"), data.get("switch_date")
    if second in (None, "") or not switch:
        raise TariffError("the second price and its date are required", code="missing_value")
    plan = SalePlan.two_stage(
        to_decimal(price),
        to_decimal(second),
        date.fromisoformat(str(switch)),
        end_date=date.fromisoformat(str(end)) if end else None,
        after_price=None if after in (None, "") else to_decimal(after),
    )
    return plan.to_dict()


def _sale_form_values(sale: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """The ``sale`` step's kind and its prices and dates, from a sale plan's dict form (any
    form it may be stored in: ``{"price": p}`` too)."""
    if not sale:
        return "none", {}
    try:
        plan = SalePlan.from_dict(sale)
    except TariffError:
        return "none", {}
    stages: list[dict[str, Any]] = plan.to_dict()["stages"]
    values: dict[str, Any] = {"price": stages[0].get("price")}
    if plan.full_feed_in:
        after = stages[1] if len(stages) > 1 else {}
        return "full", values | {"after_price": after.get("price"), "end_date": after.get("from")}
    if len(stages) == 1:
        return "flat", values
    second = stages[1]
    after = stages[2] if len(stages) > 2 else {}
    return "two_stage", values | {
        "second_price": second.get("price"),
        "switch_date": second.get("from"),
        "after_price": after.get("price"),
        "end_date": after.get("from"),
    }
