"""The mail path delivers over real SMTP and reports failures; offer PDFs render."""

from decimal import Decimal

import pytest
from pypdf import PdfReader

from carflow.extensions import db
from carflow.mailer import MailError, build_message, deliver
from carflow.models import Offer
from carflow.pdf import render_offer_pdf
from tests.factories import make_lead, make_user


def test_deliver_reaches_a_real_smtp_server_with_attachment(app, smtp_server):
    message = build_message(
        "Hello", ["eva@example.com"], "Body text", [("a.pdf", "application/pdf", b"%PDF-1.4")]
    )
    deliver(message)
    received = smtp_server.messages[0]
    assert received["to"] == ["eva@example.com"]
    assert received["message"]["Subject"] == "Hello"
    attachment = next(received["message"].iter_attachments())
    assert attachment.get_filename() == "a.pdf"
    assert attachment.get_content() == b"%PDF-1.4"


def test_refused_recipient_and_server_down_raise_mail_error(app, smtp_server):
    smtp_server.handler.refuse.add("bad@example.com")
    with pytest.raises(MailError, match="refused"):
        deliver(build_message("Hi", ["bad@example.com"], "x"))
    smtp_server.stop()
    with pytest.raises(MailError, match="unreachable"):
        deliver(build_message("Hi", ["eva@example.com"], "x"))


def test_header_injection_is_refused(app):
    with pytest.raises(ValueError):
        build_message("Hi\r\nBcc: x@evil.example", ["eva@example.com"], "x")


def test_offer_pdfs_render_with_figures_and_escaped_text(app):
    lead = make_lead(owner=make_user())
    lead.contact.last_name = "<script>alert(1)</script>"
    offer = Offer(
        lead_id=lead.id,
        vehicle_description="Golf 8",
        list_price=Decimal("20000.00"),
        discount=Decimal("1000.00"),
        vat_rate=Decimal("21.00"),
        net_amount=Decimal("19000.00"),
        vat_amount=Decimal("3990.00"),
        total_amount=Decimal("22990.00"),
    )
    db.session.add(offer)
    db.session.flush()
    for kind in ("quote", "purchase_order"):
        import io

        text = "".join(
            p.extract_text() for p in PdfReader(io.BytesIO(render_offer_pdf(offer, kind))).pages
        )
        assert "22,990.00" in text and "Golf 8" in text
        assert "<script>alert(1)</script>" in text  # shown as text, not markup


def test_a_server_that_never_answers_fails_within_mail_timeout(app):
    from tests.smtp import SilentServer

    silent = SilentServer().start()
    try:
        silent.configure(app)
        app.config["MAIL_TIMEOUT"] = 1
        with pytest.raises(MailError, match="did not answer within 1 s") as failure:
            deliver(build_message("Hi", ["eva@example.com"], "x"))
        assert silent.accepted == 1 and not failure.value.permanent
    finally:
        silent.stop()


def test_a_5xx_refusal_is_permanent_and_a_closed_port_is_not(app, smtp_server):
    smtp_server.handler.refuse.add("bad@example.com")
    with pytest.raises(MailError) as refused:
        deliver(build_message("Hi", ["bad@example.com"], "x"))
    assert refused.value.permanent
    smtp_server.stop()
    with pytest.raises(MailError) as down:
        deliver(build_message("Hi", ["eva@example.com"], "x"))
    assert not down.value.permanent and "unreachable" in down.value.reason
