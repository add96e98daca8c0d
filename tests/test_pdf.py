"""Quote preview and purchase order PDFs (F11): figures present, user text escaped."""

import io
from datetime import date
from decimal import Decimal

from pypdf import PdfReader

from carflow.models import AccountSettings
from carflow.pdf import offer_pdf_filename, render_offer_pdf
from tests.factories import make_lead, make_offer, make_trade_in, make_user, make_vehicle


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_both_documents_carry_dealer_customer_vehicle_prices_and_trade_in(app):
    settings = AccountSettings.get()
    settings.official_name = "Garage Dupont SA"
    settings.vat_number = "BE0123456789"
    user = make_user()
    lead = make_lead(owner=user)
    lead.contact.last_name = "<b>Janssens</b> & Co"
    vehicle = make_vehicle(make="Skoda", model="Octavia", version="Combi", vin="TMBJJ7NE0L0123456")
    trade_in = make_trade_in(
        lead, user, make="Renault", model="Clio", offered_value=Decimal("3000")
    )
    offer = make_offer(
        lead,
        user,
        vehicle_id=vehicle.id,
        vehicle_description=None,
        list_price=Decimal("31000.00"),
        discount=Decimal("1500.00"),
        trade_in_id=trade_in.id,
        vat_rate=Decimal("21.00"),
        valid_until=date(2026, 12, 31),
        notes="<script>alert('x')</script> winter tyres",
    )
    for kind, heading in (("quote", "Quote"), ("purchase_order", "Purchase order")):
        text = _text(render_offer_pdf(offer, kind))
        assert heading in text
        assert "Garage Dupont SA" in text and "BE0123456789" in text
        assert "<b>Janssens</b> & Co" in text  # shown as text, not markup
        assert "<script>alert('x')</script> winter tyres" in text
        assert "Skoda Octavia Combi" in text and "TMBJJ7NE0L0123456" in text
        assert "Renault Clio" in text
        # F11: net 29,500 (after discount), VAT 6,195, total 35,695, trade-in −3,000, pay 32,695
        figures = ("31,000.00", "1,500.00", "29,500.00", "6,195.00", "35,695.00", "3,000.00")
        for figure in figures + ("32,695.00",):
            assert figure in text, (kind, figure)
        assert lead.code in text
    assert "signature" in _text(render_offer_pdf(offer, "purchase_order"))
    assert offer_pdf_filename(offer, "quote") == f"quote-{lead.code}-{offer.id}.pdf"
    assert (
        offer_pdf_filename(offer, "purchase_order") == f"purchase-order-{lead.code}-{offer.id}.pdf"
    )
