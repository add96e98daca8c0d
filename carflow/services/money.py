"""Exact offer arithmetic (F11): Decimal only, rounded half-up to the cent."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from carflow.services.errors import ServiceError

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class Totals:
    """Net (price − discount), VAT on the net, total incl. VAT, trade-in, amount to pay."""

    net: Decimal
    vat: Decimal
    total: Decimal
    trade_in: Decimal = Decimal("0.00")

    @property
    def payable(self) -> Decimal:
        """What the customer still pays: the total incl. VAT minus the trade-in value."""
        return self.total - self.trade_in


def to_cents(value, field: str | None = None) -> Decimal:
    """`value` as a Decimal rounded half-up to the cent (None and "" count as zero)."""
    if value is None or value == "":
        return Decimal("0.00")
    if isinstance(value, float):
        raise TypeError("money is never a float")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as error:
        raise ServiceError(_l("Not a valid amount."), field=field) from error
    if not amount.is_finite():
        raise ServiceError(_l("Not a valid amount."), field=field)
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _check_inputs(price: Decimal, discount: Decimal, deduction: Decimal, rate: Decimal) -> None:
    if price < 0:
        raise ServiceError(_l("The price cannot be negative."), field="list_price")
    if discount < 0:
        raise ServiceError(_l("The discount cannot be negative."), field="discount")
    if discount > price:
        raise ServiceError(_l("The discount cannot exceed the price."), field="discount")
    if deduction < 0:
        raise ServiceError(
            _l("The trade-in deduction cannot be negative."), field="trade_in_deduction"
        )
    if not Decimal(0) <= rate <= HUNDRED:
        raise ServiceError(_l("The VAT rate must be between 0 and 100 %."), field="vat_rate")


def compute_totals(list_price, discount, deduction, vat_rate) -> Totals:
    """Net = price − discount; VAT = net × rate; total = net + VAT; payable = total − trade-in.

    A trade-in is part of what the customer pays with, not a discount (EU VAT Directive
    art. 73: the taxable amount is the whole consideration), so VAT is due on the price
    after discount and the trade-in value is deducted from the amount payable after VAT.
    """
    price = to_cents(list_price, "list_price")
    discount = to_cents(discount, "discount")
    deduction = to_cents(deduction, "trade_in_deduction")
    rate = to_cents(vat_rate, "vat_rate")
    _check_inputs(price, discount, deduction, rate)
    net = price - discount
    vat = (net * rate / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
    total = net + vat
    if deduction > total:
        raise ServiceError(
            _l("The trade-in deduction cannot exceed the total including VAT."),
            field="trade_in_deduction",
        )
    return Totals(net=net, vat=vat, total=total, trade_in=deduction)
