"""The Contacts tab (F22): edit in place, link, create, unlink, make main — with events."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from carflow.extensions import db
from carflow.models import Contact, Event, LeadContact
from carflow.services.lead_contacts import link_contact
from tests.factories import make_branch, make_contact, make_lead, make_user


@pytest.fixture
def seller(login_as):
    return login_as("salesperson")


@pytest.fixture
def lead(seller):
    lead = make_lead(owner=seller, contact=make_contact(first_name="Eva", last_name="Maes"))
    db.session.commit()
    return lead


def _events(lead, kind):
    return list(
        db.session.scalars(select(Event).where(Event.lead_id == lead.id, Event.kind == kind))
    )


def _form(contact, **changes):
    data = {
        "kind": contact.kind.value,
        "salutation": contact.salutation.value if contact.salutation else "",
        "first_name": contact.first_name or "",
        "last_name": contact.last_name,
        "email": contact.email or "",
        "phone": contact.phone or "",
        "mobile": contact.mobile or "",
        "language": contact.language,
        "version": contact.version_id,
    }
    data.update(changes)
    return data


def _url(lead, action, contact=None):
    middle = f"contacts/{contact.id}/" if contact is not None else "contacts/"
    return f"/admin/lead-actions/{lead.id}/{middle}{action}"


def test_edit_main_contact_in_place(client, lead):
    contact = lead.contact
    data = _form(contact, phone="+32 470 11 22 33", city="Leuven", salutation="mrs")
    response = client.post(_url(lead, "edit", contact), data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("tab=contacts")
    assert contact.phone == "+32 470 11 22 33" and contact.city == "Leuven"
    [event] = _events(lead, "contact_updated")
    assert event.data == {"contact": "Eva Maes", "fields": ["city", "phone", "salutation"]}
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert "Contact Eva Maes updated (city, phone, salutation)" in page


def test_edit_contact_bad_input_stores_nothing(client, lead):
    contact = lead.contact
    data = _form(contact, email="", phone="", mobile="", city="Leuven")
    response = client.post(_url(lead, "edit", contact), data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Give at least an email address or a phone number." in html
    assert f'name="version" type="hidden" value="{contact.version_id}"' in html  # can resubmit
    assert contact.city is None and contact.email and not _events(lead, "contact_updated")
    response = client.post(_url(lead, "edit", contact), data=_form(contact, email="not-an-email"))
    assert response.status_code == 400 and "@" in contact.email


def test_stale_contact_edit_is_refused(client, lead):
    contact = lead.contact
    stale = _form(contact, city="Stale city")
    assert (
        client.post(_url(lead, "edit", contact), data=_form(contact, city="Leuven")).status_code
        == 302
    )
    response = client.post(_url(lead, "edit", contact), data=stale)
    assert response.status_code == 409
    assert "Someone else changed this record" in response.get_data(as_text=True)
    assert contact.city == "Leuven"


def test_contact_of_another_lead_is_404(client, seller, lead):
    stranger = make_lead(owner=seller).contact
    db.session.commit()
    assert client.post(_url(lead, "edit", stranger), data=_form(stranger)).status_code == 404
    assert client.post(_url(lead, "unlink", stranger)).status_code == 404


def test_link_existing_contact_with_relation(client, lead):
    spouse = make_contact(first_name="Jan", last_name="Maes", branch_id=lead.branch_id)
    data = {"contact_id": str(spouse.id), "relation": "Spouse"}
    assert client.post(_url(lead, "link"), data=data).status_code == 302
    link = db.session.scalar(select(LeadContact).where(LeadContact.lead_id == lead.id))
    assert link.contact_id == spouse.id and link.relation == "Spouse"
    assert _events(lead, "contact_linked")[0].data == {"contact": "Jan Maes", "relation": "Spouse"}
    page = client.get(f"/admin/leads/{lead.id}?tab=contacts").get_data(as_text=True)
    assert "Jan Maes" in page and "contact-relation" in page
    again = client.post(_url(lead, "link"), data=data)
    assert again.status_code == 400 and "already linked" in again.get_data(as_text=True)


def test_link_without_a_picked_contact_is_refused(client, lead):
    assert (
        client.post(_url(lead, "link"), data={"contact_id": "", "relation": ""}).status_code == 400
    )
    assert client.post(_url(lead, "link"), data={"contact_id": "99999"}).status_code == 400
    assert not _events(lead, "contact_linked")


def test_create_and_link_new_company(client, lead):
    data = {
        "kind": "company",
        "last_name": "Maes BV",
        "email": "info@maes.example",
        "language": "nl",
        "relation": "Company",
        "vat_number": "BE0123456789",
    }
    assert client.post(_url(lead, "new"), data=data).status_code == 302
    company = db.session.scalar(select(Contact).where(Contact.last_name == "Maes BV"))
    assert company.branch_id == lead.branch_id and company.vat_number == "BE0123456789"
    assert _events(lead, "contact_linked")[0].data["relation"] == "Company"


def test_create_contact_bad_input_stores_nothing(client, lead):
    data = {"kind": "person", "last_name": "Nobody", "language": "en", "relation": "Friend"}
    response = client.post(_url(lead, "new"), data=data)
    assert response.status_code == 400
    assert db.session.scalar(select(Contact).where(Contact.last_name == "Nobody")) is None


def test_unlink_and_main_contact_rules(client, seller, lead):
    spouse = make_contact(first_name="Jan", last_name="Maes")
    link_contact(lead, seller, spouse, "Spouse")
    old_main = lead.contact
    db.session.commit()
    response = client.post(_url(lead, "unlink", old_main), follow_redirects=True)
    assert "The main contact cannot be unlinked" in response.get_data(as_text=True)
    assert lead.contact_id == old_main.id and not _events(lead, "contact_unlinked")

    response = client.post(_url(lead, "main", spouse), data={"version": lead.version_id})
    assert response.status_code == 302
    assert lead.contact_id == spouse.id
    links = db.session.scalars(select(LeadContact).where(LeadContact.lead_id == lead.id)).all()
    assert [link.contact_id for link in links] == [old_main.id]
    assert _events(lead, "main_contact_changed")[0].data == {"from": "Eva Maes", "to": "Jan Maes"}

    assert client.post(_url(lead, "unlink", old_main)).status_code == 302
    assert not db.session.scalars(select(LeadContact).where(LeadContact.lead_id == lead.id)).all()
    assert _events(lead, "contact_unlinked")[0].data == {"contact": "Eva Maes"}
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert (
        '<h1 class="h4 mb-1 lead-contact-name"><a class="text-white" '
        f'href="/admin/contacts/{spouse.id}">Jan Maes</a></h1>'
    ) in page


def test_stale_make_main_is_refused(client, seller, lead):
    spouse = make_contact()
    link_contact(lead, seller, spouse)
    db.session.commit()
    data = {"version": lead.version_id - 1}
    response = client.post(_url(lead, "main", spouse), data=data, follow_redirects=True)
    assert "Someone else changed this record" in response.get_data(as_text=True)
    assert lead.contact_id != spouse.id and not _events(lead, "main_contact_changed")


def test_contact_actions_refused_for_read_only_and_other_branch(client, login_as):
    viewer = login_as("read_only")
    lead = make_lead(owner=make_user(branch=viewer.branch))
    contact = lead.contact
    db.session.commit()
    assert (
        client.post(_url(lead, "edit", contact), data=_form(contact, city="X")).status_code == 403
    )
    assert (
        client.post(_url(lead, "link"), data={"contact_id": str(make_contact().id)}).status_code
        == 403
    )
    far = make_lead(owner=make_user(branch=make_branch()))
    db.session.commit()
    assert client.post(_url(far, "edit", far.contact), data=_form(far.contact)).status_code == 404
    assert client.post(_url(far, "new"), data={"last_name": "X"}).status_code == 404
    assert contact.city is None


def test_contact_edit_page_is_prefilled(client, lead):
    page = client.get(_url(lead, "edit", lead.contact)).get_data(as_text=True)
    assert 'value="Maes"' in page
    assert f'name="version" type="hidden" value="{lead.contact.version_id}"' in page
