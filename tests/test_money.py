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


@given(price=cents, data=st.data(), rate=rates)
def test_totals_add_up_to_the_cent(price, data, rate):
    discount = data.draw(cents.filter(lambda d: d <= price), label="discount")
    deduction = data.draw(
        st.integers(min_value=0, max_value=int((price - discount) * 100)).map(
            lambda n: Decimal(n) / 100
        ),
        label="deduction",
    )
    totals = compute_totals(price, discount, deduction, rate)
    assert totals.net == price - discount - deduction
    assert totals.vat == (totals.net * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    assert totals.total == totals.net + totals.vat
    for amount in (totals.net, totals.vat, totals.total):
        assert amount >= 0
        assert amount == amount.quantize(CENT)
        assert isinstance(amount, Decimal)


@given(price=cents, extra=st.integers(min_value=1, max_value=10**6), rate=rates)
def test_discount_above_price_is_refused(price, extra, rate):
    with pytest.raises(ServiceError) as caught:
        compute_totals(price, price + Decimal(extra) / 100, 0, rate)
    assert caught.value.field == "discount"


@given(price=cents, extra=st.integers(min_value=1, max_value=10**6))
def test_deduction_making_net_negative_is_refused(price, extra):
    with pytest.raises(ServiceError) as caught:
        compute_totals(price, 0, price + Decimal(extra) / 100, Decimal("21"))
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
    assert compute_totals("20000", "1000", "5000.50", "21").total == Decimal("16939.40")


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
