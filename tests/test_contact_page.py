"""The contact page (issue 13): details, edit, leads, linked leads, documents, scope."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from carflow.admin.lead_action_forms import contact_form_data
from carflow.extensions import db
from carflow.models import Event, LeadStatus, Salutation
from carflow.services.documents import upload_document
from carflow.services.errors import STALE_MESSAGE
from carflow.services.lead_contacts import link_contact
from tests.factories import make_branch, make_contact, make_lead, make_lead_type, make_user

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def seller(login_as):
    return login_as("salesperson", first_name="Sam", last_name="Seller")


@pytest.fixture
def eva(seller):
    return make_contact(
        first_name="Eva",
        last_name="Maes",
        salutation=Salutation.mrs,
        email="eva.maes@example.com",
        phone="+32 2 123 45 67",
        mobile="+32 470 11 22 33",
        street="Rue Haute 12",
        postal_code="1000",
        city="Brussels",
        country="BE",
        language="fr",
        vat_number="BE0123456789",
        vat_percentage=Decimal("21.00"),
        notes="Prefers calls after 5 pm",
    )


def _edit_data(contact, **changes):
    """Every field of the edit form as the page fills it, then `changes`."""
    data = {k: "" if v is None else str(v) for k, v in contact_form_data(contact).items()}
    data.update(changes)
    return data


def test_page_shows_details_leads_linked_leads_and_documents(client, seller, eva):
    lead_type = make_lead_type("Purchase")
    won = make_lead(owner=seller, contact=eva, lead_type=lead_type)
    won.status = LeadStatus.won
    other_branch = make_lead(owner=make_user(branch=make_branch("Ghent")), contact=eva)
    husband_lead = make_lead(owner=seller)
    link_contact(husband_lead, seller, eva, "Spouse")
    document = upload_document(won, seller, io.BytesIO(PDF), "id.pdf", "Identity card")
    hidden_doc = upload_document(other_branch, seller, io.BytesIO(PDF), "x.pdf", "Secret scan")
    db.session.commit()

    response = client.get(f"/admin/contacts/{eva.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in (
        "Eva Maes",
        "Mrs",
        '<a class="contact-email text-break" href="mailto:eva.maes@example.com">',
        "+32 2 123 45 67",
        "+32 470 11 22 33",
        "Rue Haute 12",
        "1000 Brussels · BE",
        "Français",
        "BE0123456789 · 21.00 %",
        "Prefers calls after 5 pm",
    ):
        assert text in html, text
    leads = html.split('id="contact-leads-heading"')[1].split('id="contact-linked-heading"')[0]
    assert f'href="/admin/leads/{won.id}">{won.code}</a>' in leads
    assert '<span class="badge badge-success status-badge">Won</span>' in leads
    assert "Purchase" in leads and "Sam Seller" in leads and "Brussels" in leads
    assert other_branch.code not in html  # F32: another branch's lead stays hidden
    linked = html.split('id="contact-linked-heading"')[1].split('id="contact-documents-heading"')[0]
    assert f'href="/admin/leads/{husband_lead.id}">{husband_lead.code}</a>' in linked
    assert '<td class="contact-lead-relation">Spouse</td>' in linked
    assert '<span class="badge badge-primary status-badge">In progress</span>' in linked
    documents = html.split('id="contact-documents-heading"')[1]
    assert "Identity card" in documents and won.code in documents
    assert f'href="/admin/documents/{document.id}/download"' in documents
    assert "Secret scan" not in html and f"/admin/documents/{hidden_doc.id}/" not in html
    assert 'id="contact-edit"' in html  # the salesperson may edit
    assert f'action="/admin/contacts/{eva.id}/edit"' in html


def test_contact_of_another_branch_is_not_found(client, seller):
    ghent_lead = make_lead(owner=make_user(branch=make_branch("Ghent")))
    db.session.commit()
    assert client.get(f"/admin/contacts/{ghent_lead.contact_id}").status_code == 404
    edit = client.post(f"/admin/contacts/{ghent_lead.contact_id}/edit", data={})
    assert edit.status_code == 404
    assert client.get("/admin/contacts/999999").status_code == 404


def test_edit_saves_and_writes_the_timeline_of_the_contacts_leads(client, seller, eva):
    lead = make_lead(owner=seller, contact=eva)
    db.session.commit()
    data = _edit_data(eva, city="Leuven", phone="+32 16 00 00 00")
    response = client.post(f"/admin/contacts/{eva.id}/edit", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/contacts/{eva.id}")
    assert eva.city == "Leuven" and eva.phone == "+32 16 00 00 00"
    [event] = db.session.scalars(
        select(Event).where(Event.lead_id == lead.id, Event.kind == "contact_updated")
    )
    assert event.data == {"contact": "Eva Maes", "fields": ["city", "phone"]}
    assert event.actor_id == seller.id
    page = client.get(f"/admin/contacts/{eva.id}").get_data(as_text=True)
    assert "Contact saved." in page and "Leuven" in page


def test_edit_bad_input_is_shown_on_the_open_form(client, seller, eva):
    make_lead(owner=seller, contact=eva)
    db.session.commit()
    data = _edit_data(eva, email="", phone="", mobile="")
    response = client.post(f"/admin/contacts/{eva.id}/edit", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Give at least an email address or a phone number." in html
    assert 'class="collapse show mb-3" id="contact-edit"' in html
    assert eva.email == "eva.maes@example.com"


def test_stale_edit_answers_409_with_the_one_message(client, seller, eva):
    make_lead(owner=seller, contact=eva)
    db.session.commit()
    stale = _edit_data(eva, city="Gent")
    assert client.post(f"/admin/contacts/{eva.id}/edit", data=_edit_data(eva, city="Leuven"))
    response = client.post(f"/admin/contacts/{eva.id}/edit", data=stale)
    assert response.status_code == 409
    assert str(STALE_MESSAGE) in response.get_data(as_text=True)
    assert eva.city == "Leuven"


def test_edit_needs_the_permission(client, login_as):
    reader = login_as("read_only")
    contact = make_contact(first_name="Rita", last_name="Reads")
    make_lead(owner=reader, contact=contact)
    db.session.commit()
    page = client.get(f"/admin/contacts/{contact.id}")
    assert page.status_code == 200 and "Rita Reads" in page.get_data(as_text=True)
    assert 'id="contact-edit"' not in page.get_data(as_text=True)
    assert client.get(f"/admin/contacts/{contact.id}/edit").status_code == 403
    response = client.post(f"/admin/contacts/{contact.id}/edit", data=_edit_data(contact))
    assert response.status_code == 403


def test_contact_page_is_reachable(client, seller, eva):
    lead = make_lead(owner=seller, contact=eva)
    spouse = make_contact(first_name="Jan", last_name="Maes")
    link_contact(lead, seller, spouse, "Spouse")
    db.session.commit()
    contacts = client.get("/admin/contact/").get_data(as_text=True)
    assert f'<a class="contact-page-link" href="/admin/contacts/{eva.id}">Maes</a>' in contacts
    overview = client.get("/admin/lead/").get_data(as_text=True)
    assert (
        f'<td class="col-contact"><a href="/admin/contacts/{eva.id}">Eva Maes</a></td>' in overview
    )
    header = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert f'href="/admin/contacts/{eva.id}">Eva Maes</a></h1>' in header
    tab = client.get(f"/admin/leads/{lead.id}?tab=contacts").get_data(as_text=True)
    for contact in (eva, spouse):
        link = f'<a href="/admin/contacts/{contact.id}">{contact.display_name}</a>'
        assert link in tab


def test_contacts_list_rows_match_its_header_without_an_empty_actions_column(client, seller, eva):
    """Issue 14 item 8: the list's rows through its own `list_row` block: one cell per
    header column, each with the contact's value; no empty row-actions column."""
    make_lead(owner=seller, contact=eva)
    db.session.commit()
    page = client.get("/admin/contact/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    header = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    row = re.search(r"</thead>.*?<tr>(.*?)</tr>", html, re.S).group(1)
    assert header.count("<th") == 6 and "list-buttons-column" not in html
    cells = re.findall(r'<td class="col-([a-z_]+)">(.*?)</td>', row, re.S)
    assert [name for name, _value in cells] == [
        "last_name",
        "first_name",
        "email",
        "phone",
        "mobile",
        "city",
    ]
    values = dict(cells)
    assert values["last_name"] == (
        f'<a class="contact-page-link" href="/admin/contacts/{eva.id}">Maes</a>'
    )
    assert values["first_name"] == "Eva" and values["email"] == eva.email


def _page_queries(client, count_queries, contact) -> int:
    with count_queries() as queries:
        assert client.get(f"/admin/contacts/{contact.id}").status_code == 200
    return len(queries)


def test_page_runs_a_fixed_number_of_queries(client, seller, count_queries):
    few, many = make_contact(), make_contact()
    make_lead(owner=seller, contact=few)
    for _ in range(6):
        lead = make_lead(owner=seller, contact=many)
        upload_document(lead, seller, io.BytesIO(PDF), "a.pdf", "Scan")
        other = make_lead(owner=seller)
        link_contact(other, seller, many, "Co-driver")
    db.session.commit()
    client.get(f"/admin/contacts/{few.id}")  # warm-up
    expected = _page_queries(client, count_queries, few)
    assert _page_queries(client, count_queries, many) == expected
    assert expected <= 12
    html = client.get(f"/admin/contacts/{many.id}").get_data(as_text=True)
    assert len(re.findall(r'<tr class="contact-lead"', html)) == 12
    assert len(re.findall(r'<tr class="contact-document"', html)) == 6
