"""Issue 13 (F11): VAT on the price after discount, the trade-in deducted after VAT;
the worked example on the offer page and both PDFs, the notice on recomputed offers,
and the live-totals hooks of the form."""

import io
from datetime import UTC, datetime
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import select

from carflow.extensions import db
from carflow.models import Offer
from tests.factories import make_lead, make_offer, make_trade_in

EXAMPLE = {
    "vehicle_description": "BMW X3 xDrive30e",
    "list_price": "56800.00",
    "discount": "1200.00",
    "trade_in_deduction": "",
    "vat_rate": "21",
    "valid_until": "2026-12-31",
}
FIGURES = ("55,600.00", "11,676.00", "67,276.00", "8,500.00", "58,776.00")


def test_worked_example_on_the_page_and_in_both_pdfs(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    trade_in = make_trade_in(lead, user, offered_value=Decimal("8500.00"))
    db.session.commit()
    form = EXAMPLE | {"trade_in_id": str(trade_in.id)}
    assert client.post(f"/admin/offers/new/{lead.id}", data=form).status_code == 302
    offer = db.session.scalars(select(Offer)).one()
    assert (offer.net_amount, offer.vat_amount, offer.total_amount) == (
        Decimal("55600.00"),
        Decimal("11676.00"),
        Decimal("67276.00"),
    )
    assert offer.trade_in_deduction == Decimal("8500.00")
    assert offer.amount_payable == Decimal("58776.00")
    page = client.get(f"/admin/offers/{offer.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for figure in FIGURES:
        assert figure in html, figure
    assert "To pay" in html and "totals-corrected" not in html
    for kind in ("quote", "purchase_order"):
        response = client.get(f"/admin/offers/{offer.id}/pdf/{kind}")
        assert response.status_code == 200
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
        for figure in FIGURES:
            assert figure in text, (kind, figure)
        assert "To pay" in text and "47,100.00" not in text


def test_form_carries_what_the_live_totals_need(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    trade_in = make_trade_in(lead, user, offered_value=Decimal("8500.00"))
    db.session.commit()
    html = client.get(f"/admin/offers/new/{lead.id}").get_data(as_text=True)
    assert 'src="/static/js/offer_totals.js?v=' in html
    assert 'data-locale="en"' in html and 'data-currency="EUR"' in html
    assert f'data-offered-value="8500.00" value="{trade_in.id}"' in html
    for name in ("net", "vat", "total", "trade_in", "payable"):
        assert f'data-total="{name}"' in html


def test_french_user_gets_the_french_locale_for_live_totals(client, login_as):
    user = login_as("salesperson")
    user.language = "fr"
    lead = make_lead(owner=user)
    db.session.commit()
    html = client.get(f"/admin/offers/new/{lead.id}").get_data(as_text=True)
    assert 'data-locale="fr"' in html


def test_recomputed_offer_shows_a_notice(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    trade_in = make_trade_in(lead, user, offered_value=Decimal("8500.00"))
    offer = make_offer(
        lead, user, list_price=Decimal("56800"), discount=Decimal("1200"), trade_in_id=trade_in.id
    )
    offer.totals_corrected_at = datetime(2026, 11, 29, 14, 0, tzinfo=UTC)
    db.session.commit()
    html = client.get(f"/admin/offers/{offer.id}").get_data(as_text=True)
    assert "totals-corrected" in html
    assert "were recomputed on Nov 29, 2026" in html
    listing = client.get(f"/admin/offers/lead/{lead.id}").get_data(as_text=True)
    assert "Totals recomputed (VAT rule)" in listing and "58,776.00" in listing
