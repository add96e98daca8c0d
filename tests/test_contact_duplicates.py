"""Duplicate contacts (issue 13): warn once, list the matches, "anyway" or "use this one"."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from carflow.extensions import db
from carflow.models import Contact, Lead, LeadContact
from carflow.services.contacts import find_duplicate_contacts
from tests.factories import (
    make_branch,
    make_contact,
    make_lead,
    make_lead_type,
    make_source,
    make_user,
)


@pytest.fixture
def seller(login_as):
    return login_as("salesperson")


@pytest.fixture
def eva(seller):
    contact = make_contact(
        first_name="Eva",
        last_name="Maes",
        email="eva.maes@example.com",
        phone="+32 2 123 45 67",
        mobile="0470/11.22.33",
        branch_id=seller.branch_id,
    )
    db.session.commit()
    return contact


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- the service -------------------------------------------------------------------------


def test_matches_by_email_in_any_case_and_by_phone_digits(seller, eva):
    assert find_duplicate_contacts("EVA.Maes@Example.com ", None, None, seller) == [eva]
    assert find_duplicate_contacts(None, "+32-2-123-45-67", None, seller) == [eva]
    assert find_duplicate_contacts(None, None, "+32 2 123 45 67", seller) == [
        eva
    ]  # mobile vs phone
    assert find_duplicate_contacts(None, "0470 11 22 33", None, seller) == [eva]
    assert find_duplicate_contacts(None, "+32 470 11 22 33", None, seller) == [eva]  # national
    assert find_duplicate_contacts(None, None, "02 123 45 67", seller) == [eva]  # international
    assert find_duplicate_contacts("other@example.com", "0470 99 99 99", None, seller) == []
    assert find_duplicate_contacts(None, "22-33", None, seller) == []  # too few digits
    assert find_duplicate_contacts("", "", "", seller) == []


def test_matches_only_contacts_the_user_may_see(seller, eva):
    ghent = make_branch("Ghent")
    hidden = make_contact(email="hidden@example.com", branch_id=ghent.id)
    make_lead(owner=make_user(branch=ghent), contact=hidden)
    db.session.commit()
    assert find_duplicate_contacts("hidden@example.com", None, None, seller) == []
    manager = make_user("sales_manager", branch=ghent)
    assert find_duplicate_contacts("hidden@example.com", None, None, manager) == [hidden]


# --- the new-lead form ------------------------------------------------------------------


def _lead_form(user, **extra):
    data = {
        "lead_type_id": make_lead_type().id,
        "source_id": make_source().id,
        "branch_id": user.branch_id,
        "owner_id": user.id,
        "contact_kind": "person",
        "first_name": "Eva",
        "last_name": "Maes-Janssens",
        "email": "Eva.Maes@example.com",
        "language": "en",
    }
    data.update(extra)
    return data


def test_new_lead_warns_then_creates_anyway(client, seller, eva):
    data = _lead_form(seller)
    response = client.post("/admin/lead/new/", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This contact may already exist" in html
    warning = html.split('class="alert alert-warning duplicate-warning"')[1].split("</div>")[0]
    assert "Eva Maes" in warning and "eva.maes@example.com" in warning
    assert "+32 2 123 45 67, 0470/11.22.33" in warning
    assert f'form="lead-create-form" name="use_contact" value="{eva.id}"' in warning
    assert 'form="lead-create-form" name="create_anyway" value="1"' in warning
    assert _count(Lead) == 0 and _count(Contact) == 1  # nothing stored on the first submit

    response = client.post("/admin/lead/new/", data={**data, "create_anyway": "1"})
    assert response.status_code == 302
    lead = db.session.scalar(select(Lead))
    assert lead.contact.last_name == "Maes-Janssens" and _count(Contact) == 2


def test_new_lead_uses_the_existing_contact(client, seller, eva):
    data = _lead_form(seller, use_contact=str(eva.id))
    response = client.post("/admin/lead/new/", data=data)
    assert response.status_code == 302
    lead = db.session.scalar(select(Lead))
    assert lead.contact_id == eva.id and _count(Contact) == 1


def test_new_lead_cannot_use_a_contact_out_of_scope(client, seller):
    ghent = make_branch("Ghent")
    hidden = make_lead(owner=make_user(branch=ghent)).contact
    db.session.commit()
    response = client.post("/admin/lead/new/", data=_lead_form(seller, use_contact=str(hidden.id)))
    assert response.status_code == 400
    assert "The chosen contact does not exist." in response.get_data(as_text=True)
    assert _count(Lead) == 1


def test_new_lead_without_a_match_is_created_at_once(client, seller, eva):
    data = _lead_form(seller, email="someone.else@example.com", phone="+32 9 000 00 00")
    assert client.post("/admin/lead/new/", data=data).status_code == 302
    assert _count(Lead) == 1 and _count(Contact) == 2


# --- the lead page's "New contact for this lead" ------------------------------------------


def _contact_form(**extra):
    data = {
        "kind": "person",
        "first_name": "Jan",
        "last_name": "Maes",
        "phone": "+32 470 11 22 33",
        "language": "en",
        "relation": "Spouse",
    }
    data.update(extra)
    return data


def test_new_lead_contact_warns_then_creates_anyway(client, seller, eva):
    lead = make_lead(owner=seller)
    db.session.commit()
    url = f"/admin/lead-actions/{lead.id}/contacts/new"
    response = client.post(url, data=_contact_form())
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This contact may already exist" in html and "Eva Maes" in html
    link_url = f"/admin/lead-actions/{lead.id}/contacts/link"
    assert f'form="lead-action-form" name="contact_id" value="{eva.id}"' in html
    assert f'formaction="{link_url}"' in html
    assert _count(Contact) == 2 and _count(LeadContact) == 0

    response = client.post(url, data=_contact_form(create_anyway="1"))
    assert response.status_code == 302
    assert _count(Contact) == 3
    [link] = db.session.scalars(select(LeadContact))
    assert link.contact.display_name == "Jan Maes" and link.relation == "Spouse"


def test_new_lead_contact_use_this_one_links_it(client, seller, eva):
    lead = make_lead(owner=seller)
    db.session.commit()
    # "Use this contact" posts the same form to the link endpoint with the match's id.
    link_url = f"/admin/lead-actions/{lead.id}/contacts/link"
    response = client.post(link_url, data=_contact_form(contact_id=str(eva.id)))
    assert response.status_code == 302
    [link] = db.session.scalars(select(LeadContact))
    assert link.contact_id == eva.id and link.relation == "Spouse"
    assert _count(Contact) == 2
