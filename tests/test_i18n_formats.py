"""Issue 13: every label, number, percentage and size a page shows goes through Babel, in
the reader's language (stock list, timeline field names, file sizes, VAT rates)."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from carflow import models
from carflow.extensions import db
from carflow.i18n import fmt_filesize, fmt_km, fmt_number, fmt_percent
from carflow.models import Fuel, Gearbox
from carflow.models.enums import LabelledEnum
from carflow.pdf import render_offer_html
from carflow.timeline import FIELD_LABELS, field_labels
from tests.factories import make_contact, make_lead, make_offer, make_trade_in, make_vehicle

ROOT = Path(__file__).resolve().parent.parent
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def _plain(text: str) -> str:
    """Babel writes no-break spaces (U+00A0, U+202F); compare with plain ones."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


@pytest.mark.parametrize(
    ("language", "mileage", "fuel", "gearbox"),
    [
        ("en", "98,000 km", "Plug-in hybrid", "Automatic"),
        ("fr", "98 000 km", "Hybride rechargeable", "Automatique"),
        ("nl", "98.000 km", "Plug-in hybride", "Automaat"),
    ],
)
def test_stock_list_shows_labels_and_grouped_mileage(
    client, login_as, language, mileage, fuel, gearbox
):
    login_as("salesperson", language=language)
    make_vehicle(mileage=98000, fuel=Fuel.plugin_hybrid, gearbox=Gearbox.automatic)
    db.session.commit()
    response = client.get("/admin/stock/")
    page = _plain(response.get_data(as_text=True))
    assert response.status_code == 200
    assert mileage in page
    assert fuel in page
    assert re.search(rf">\s*{fuel}\s*<", page) and not re.search(r">\s*plugin_hybrid\s*<", page)
    # the filter offers the label too, the code staying only the value sent
    assert f'["plugin_hybrid", "{fuel}"]' in page and '"plugin_hybrid"]' not in page


def test_number_and_distance_follow_the_locale(app):
    with app.test_request_context():
        for language, number, km in (
            ("en", "1,234.5", "98,000 km"),
            ("fr", "1 234,5", "98 000 km"),
            ("nl", "1.234,5", "98.000 km"),
        ):
            with force_locale(language):
                assert _plain(fmt_number(Decimal("1234.5"))) == number
                assert _plain(fmt_km(98000)) == km
                assert fmt_km(None) == fmt_number(None) == ""


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["602 byte", "12.4 kB", "3.5 MB", "1.5 GB"]),
        ("fr", ["602 o", "12,4 ko", "3,5 Mo", "1,5 Go"]),
        ("nl", ["602 byte", "12,4 kB", "3,5 MB", "1,5 GB"]),
    ],
)
def test_one_file_size_formatter_per_locale(app, language, expected):
    sizes = [602, int(12.4 * 1024), int(3.5 * 1024**2), int(1.5 * 1024**3)]
    with app.test_request_context(), force_locale(language):
        assert [_plain(fmt_filesize(size)) for size in sizes] == expected
        assert fmt_filesize(None) == ""


def test_no_template_uses_jinja_filesizeformat_or_writes_its_own_units():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        assert "filesizeformat" not in text, path
        assert not re.search(r"\}\}\s*(kB|MB|Bytes)\b", text), path


def test_document_sizes_are_localized_on_the_lead_and_document_pages(client, login_as):
    user = login_as("salesperson", language="nl")
    lead = make_lead(owner=user)
    db.session.commit()
    data = PDF + b"0" * (int(12.4 * 1024) - len(PDF))
    boundary, body = encode_multipart(
        {"title": "Offerte", "file": FileStorage(io.BytesIO(data), filename="scan.pdf")}
    )
    response = client.post(
        f"/admin/documents/new/{lead.id}",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 302
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert "scan.pdf · 12,4 kB" in page
    document = db.session.scalars(db.select(models.Document)).one()
    item = client.get(f"/admin/documents/{document.id}")
    assert item.status_code == 200 and "12,4 kB" in item.get_data(as_text=True)


def test_upload_limit_is_written_by_the_same_formatter(app, client, login_as):
    user = login_as("salesperson", language="fr")
    lead = make_lead(owner=user)
    db.session.commit()
    page = client.get(f"/admin/documents/new/{lead.id}")
    assert page.status_code == 200
    limit = app.config["MAX_UPLOAD_MB"]
    assert f"au plus {limit} Mo." in _plain(page.get_data(as_text=True))


@pytest.mark.parametrize(
    ("rate", "language", "expected"),
    [
        ("21.00", "en", "21%"),
        ("21.00", "fr", "21 %"),
        ("21.00", "nl", "21%"),
        ("5.50", "fr", "5,5 %"),
        ("5.50", "en", "5.5%"),
        ("0", "nl", "0%"),
    ],
)
def test_percent_filter(app, rate, language, expected):
    with app.test_request_context(), force_locale(language):
        assert _plain(fmt_percent(Decimal(rate))) == expected
        assert fmt_percent(None) == ""


def test_offer_page_and_pdfs_write_the_vat_rate_in_the_users_locale(app, client, login_as):
    user = login_as("salesperson", language="fr")
    lead = make_lead(owner=user)
    offer = make_offer(lead, user, vat_rate=Decimal("21.00"))
    db.session.commit()
    response = client.get(f"/admin/offers/{offer.id}")
    page = _plain(re.sub(r"<[^>]+>", "", response.get_data(as_text=True)))  # text as read
    assert response.status_code == 200
    assert "TVA 21 %" in page and "21.00 %" not in page
    for kind in ("quote", "purchase_order"):
        with app.test_request_context(), force_locale("nl"):
            html = render_offer_html(offer, kind)
        assert "btw 21%" in _plain(html), kind
        assert "21.00" not in html and "21,00" not in html


def test_timeline_shows_changed_fields_in_the_readers_language(client, login_as):
    seller = login_as("salesperson", language="fr")
    lead = make_lead(owner=seller, contact=make_contact(first_name="Eva", last_name="Maes"))
    db.session.commit()
    contact = lead.contact
    data = {
        "kind": contact.kind.value,
        "salutation": "",
        "first_name": "Eva",
        "last_name": "Maes",
        "email": contact.email,
        "phone": "+32 470 11 22 33",
        "mobile": "",
        "language": contact.language,
        "version": contact.version_id,
    }
    url = f"/admin/lead-actions/{lead.id}/contacts/{contact.id}/edit"
    assert client.post(url, data=data).status_code == 302
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert "Contact Eva Maes mis à jour (téléphone)" in page
    assert "(phone)" not in page


def test_field_labels_read_well_in_each_language(app):
    with app.test_request_context():
        with force_locale("nl"):
            assert field_labels(["email", "postal_code"]) == "e-mail, postcode"
        with force_locale("en"):
            assert field_labels(["vat_number", "unknown_field"]) == "VAT number, unknown field"


def _catalog(language):
    from babel.messages.pofile import read_po

    path = ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return {
            (m.context, m.id): m.string for m in read_po(handle) if m.id and isinstance(m.id, str)
        }


def _lazy_key(label):
    """(context, msgid) of a lazy_gettext / lazy_pgettext label."""
    args = label._args  # noqa: SLF001  Flask-Babel's LazyString has no public msgid getter
    return (None, args[0]) if len(args) == 1 else (args[0], args[1])


def _enum_labels():
    for enum_cls in LabelledEnum.__subclasses__():
        for member in enum_cls:
            yield f"{enum_cls.__name__}.{member.value}", member.label


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_every_enum_value_and_timeline_field_has_a_french_and_dutch_text(language):
    catalog = _catalog(language)
    labels = list(_enum_labels()) + [(f"field {k}", v) for k, v in FIELD_LABELS.items()]
    assert len(labels) > 50
    missing = [name for name, label in labels if not catalog.get(_lazy_key(label))]
    assert missing == []
    from carflow.services.contacts import CONTACT_FIELDS

    assert set(CONTACT_FIELDS) <= set(FIELD_LABELS)


def test_trade_in_list_and_offer_pdf_group_the_mileage(app, client, login_as):
    user = login_as("salesperson", language="nl")
    lead = make_lead(owner=user)
    trade_in = make_trade_in(lead, user, mileage=98000)
    offer = make_offer(lead, user, trade_in_id=trade_in.id)
    db.session.commit()
    response = client.get(f"/admin/trade-ins/lead/{lead.id}")
    assert response.status_code == 200 and "98.000 km" in response.get_data(as_text=True)
    with app.test_request_context(), force_locale("fr"):
        html = render_offer_html(offer, "quote")
    assert "98 000 km" in _plain(html) and "98000 km" not in html
