"""Full feed-in (全量買取) as a sale scheme: the plan's dict form, prices, figures, the planner."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from custom_components.hems.energy import (
    EnergyTotals,
    SalePlan,
    SaleScheme,
    Tariff,
    TariffError,
    preset_tariff,
    sale_price_at,
    self_consumption,
    self_sufficiency,
)
from custom_components.hems.energy.planner import TariffPrices, plan, solar_for_house

from .helpers import jst
from .planner_inputs import inputs, water_heater


def full_tariff(price: str = "16") -> Tariff:
    return replace(preset_tariff("smart_life"), sale=SalePlan.full(Decimal(price)))


def test_full_plan_round_trips_and_surplus_stays_as_it_was() -> None:
    full = SalePlan.full(16, end_date=date(2040, 4, 1), after_price="7")
    data = full.to_dict()
    assert data == {
        "stages": [{"from": None, "price": "16"}, {"from": "2040-04-01", "price": "7"}],
        "scheme": "full",
    }
    assert SalePlan.from_dict(data) == full
    assert full.full_feed_in and full.scheme is SaleScheme.FULL
    # the surplus plans' dict form is unchanged (no scheme key), and reads back as surplus
    assert SalePlan.flat(16).to_dict() == {"stages": [{"from": None, "price": "16"}]}
    assert not SalePlan.from_dict({"price": "16"}).full_feed_in
    assert SalePlan.from_dict({"price": "16", "scheme": "full"}) == SalePlan.full(16)
    tariff = Tariff.from_dict({**preset_tariff("flat").to_dict(), "sale": data})
    assert tariff.full_feed_in
    assert Tariff.from_dict(tariff.to_dict()) == tariff
    assert not preset_tariff("flat").full_feed_in


def test_unknown_scheme_is_a_clear_error() -> None:
    with pytest.raises(TariffError) as caught:
        Tariff.from_dict(
            {**preset_tariff("flat").to_dict(), "sale": {"price": "16", "scheme": "half"}}
        )
    assert caught.value.code == "bad_choice"
    assert caught.value.path == "sale.scheme"


def test_the_sale_price_is_the_contract_price_for_every_kwh_generated() -> None:
    tariff = full_tariff("16")
    info = sale_price_at(tariff, jst("2026-06-01T12:00"))
    assert info is not None and info.price_per_kwh == 16
    # The planner: nothing the house exports is paid for (its solar is sold by its own meter).
    prices = TariffPrices(tariff)
    assert prices.sale_price(jst("2026-06-01T12:00")) == 0
    assert TariffPrices(replace(tariff, sale=SalePlan.flat(16))).sale_price(
        jst("2026-06-01T12:00")
    ) == pytest.approx(16)


def test_the_house_has_no_solar_under_full_feed_in() -> None:
    assert solar_for_house(full_tariff(), [0.5, 1.2], 2) == [0.0, 0.0]
    assert solar_for_house(full_tariff(), None, 3) == [0.0, 0.0, 0.0]
    surplus = replace(full_tariff(), sale=SalePlan.flat(16))
    assert solar_for_house(surplus, [0.5, 1.2], 2) == [0.5, 1.2]
    assert solar_for_house(surplus, None, 2) is None


def test_figures_when_the_sale_is_the_generation() -> None:
    """The ledger's sale under full feed-in is the solar's generation: the house's use is what
    it bought, none of the solar counts as used at home."""
    day = EnergyTotals(purchase=Decimal(12), sale=Decimal(20), generation=Decimal(20))
    assert day.consumption == 12
    assert self_sufficiency(day) == 0
    assert self_consumption([day]) == 0
    # with a fuel cell too (used at home, never sold): only it counts as self-consumed
    both = EnergyTotals(purchase=Decimal(9), sale=Decimal(20), generation=Decimal(23))
    assert both.consumption == 12
    assert self_consumption([both]) == Decimal(3) / Decimal(23)
    assert self_sufficiency(both) == Decimal(3) / Decimal(12)


def test_the_planner_does_not_boil_on_solar_it_sells() -> None:
    """Surplus sale: the EcoCute boils with the day's surplus.  Full feed-in: the same day
    boils at the night price, none in the sun."""

    def daytime_boil(tariff: Tariff) -> float:
        base = inputs("2026-06-02T05:00", with_water_heater=water_heater(6.0))
        prices = TariffPrices(tariff)
        purchase, sale = prices.horizon(base.start, base.slots)
        solar = solar_for_house(tariff, base.forecast.solar_kwh, base.slots)
        assert solar is not None
        forecast = replace(base.forecast, solar_kwh=solar, purchase_price=purchase, sale_price=sale)
        result = plan(replace(base, forecast=forecast))
        return sum(slot.boil_kwh for slot in result.slots if 9 <= slot.start.hour < 16)

    assert daytime_boil(replace(full_tariff(), sale=SalePlan.flat(8))) > 1.0
    assert daytime_boil(full_tariff()) < 0.01
