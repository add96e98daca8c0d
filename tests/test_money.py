"""Offer totals are exact (F11): Decimal, half-up to the cent, never negative."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carflow.services.errors import ServiceError
from carflow.services.money import compute_totals, to_cents

CENT = Decimal("0.01")
cents = st.integers(min_value=0, max_value=10**10).map(lambda n: Decimal(n) / 100)
rates = st.integers(min_value=0, max_value=10000).map(lambda n: Decimal(n) / 100)


def _vat(net, rate):
    return (net * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)


@given(price=cents, data=st.data(), rate=rates)
def test_totals_add_up_to_the_cent(price, data, rate):
    """F11: VAT on price − discount; the trade-in comes off the amount payable after VAT."""
    discount = data.draw(cents.filter(lambda d: d <= price), label="discount")
    total = price - discount + _vat(price - discount, rate)
    deduction = data.draw(
        st.integers(min_value=0, max_value=int(total * 100)).map(lambda n: Decimal(n) / 100),
        label="deduction",
    )
    totals = compute_totals(price, discount, deduction, rate)
    assert totals.net == price - discount
    assert totals.vat == _vat(totals.net, rate)
    assert totals.total == totals.net + totals.vat
    assert totals.trade_in == deduction
    assert totals.payable == totals.total - deduction
    for amount in (totals.net, totals.vat, totals.total, totals.payable):
        assert amount >= 0
        assert amount == amount.quantize(CENT)
        assert isinstance(amount, Decimal)


@given(price=cents, data=st.data(), rate=rates)
def test_trade_in_never_changes_the_vat(price, data, rate):
    """A trade-in is part of the payment, not a discount (EU VAT Directive art. 73)."""
    discount = data.draw(cents.filter(lambda d: d <= price), label="discount")
    without = compute_totals(price, discount, 0, rate)
    deduction = data.draw(
        st.integers(min_value=0, max_value=int(without.total * 100)).map(
            lambda n: Decimal(n) / 100
        ),
        label="deduction",
    )
    with_trade_in = compute_totals(price, discount, deduction, rate)
    assert (with_trade_in.net, with_trade_in.vat, with_trade_in.total) == (
        without.net,
        without.vat,
        without.total,
    )
    assert with_trade_in.payable == without.payable - deduction


def test_worked_example_of_the_spec():
    """F11 / issue 13: 56,800 − 1,200 = 55,600; VAT 21 % 11,676; 67,276; −8,500; 58,776."""
    totals = compute_totals("56800", "1200", "8500", "21")
    assert totals.net == Decimal("55600.00")
    assert totals.vat == Decimal("11676.00")
    assert totals.total == Decimal("67276.00")
    assert totals.trade_in == Decimal("8500.00")
    assert totals.payable == Decimal("58776.00")


@given(price=cents, extra=st.integers(min_value=1, max_value=10**6), rate=rates)
def test_discount_above_price_is_refused(price, extra, rate):
    with pytest.raises(ServiceError) as caught:
        compute_totals(price, price + Decimal(extra) / 100, 0, rate)
    assert caught.value.field == "discount"


@given(price=cents, extra=st.integers(min_value=1, max_value=10**6), rate=rates)
def test_deduction_above_the_total_is_refused(price, extra, rate):
    total = price + _vat(price, rate)
    with pytest.raises(ServiceError) as caught:
        compute_totals(price, 0, total + Decimal(extra) / 100, rate)
    assert caught.value.field == "trade_in_deduction"


def test_known_figures_round_half_up():
    totals = compute_totals("100.00", "0", "0", "21")
    assert (totals.net, totals.vat, totals.total) == (
        Decimal("100.00"),
        Decimal("21.00"),
        Decimal("121.00"),
    )
    # 0.05 × 21 % = 0.0105 → 0.01 ; 0.10 × 5 % = 0.005 → 0.01 (half up, not banker's)
    assert compute_totals("0.10", "0", "0", "5").vat == Decimal("0.01")
    with_trade_in = compute_totals("20000", "1000", "5000.50", "21")
    assert (with_trade_in.total, with_trade_in.payable) == (
        Decimal("22990.00"),
        Decimal("17989.50"),
    )


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("-1", "0", "0", "21"), "list_price"),
        (("10", "-1", "0", "21"), "discount"),
        (("10", "0", "-1", "21"), "trade_in_deduction"),
        (("10", "0", "0", "101"), "vat_rate"),
        (("abc", "0", "0", "21"), "list_price"),
    ],
)
def test_refused_inputs_name_their_field(args, field):
    with pytest.raises(ServiceError) as caught:
        compute_totals(*args)
    assert caught.value.field == field


def test_floats_are_never_money():
    with pytest.raises(TypeError):
        to_cents(0.1)
