"""F4 and F25: creating a lead from the overview, with contact search or inline creation."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from carflow.extensions import db
from carflow.models import Contact, Deadline, Event, Lead
from tests.factories import make_contact, make_lead_type, make_source


def _form(user, lead_type, source, **extra):
    data = {
        "lead_type_id": lead_type.id,
        "source_id": source.id,
        "branch_id": user.branch_id,
        "owner_id": user.id,
        "contact_kind": "person",
        "language": "fr",
    }
    data.update(extra)
    return data


def test_contact_search_finds_existing_contacts(client, login_as):
    user = login_as("salesperson")
    make_contact(
        first_name="Louise",
        last_name="Dubois",
        email="louise@example.com",
        branch_id=user.branch_id,
    )
    db.session.commit()
    results = client.get("/admin/lead/contact-search?q=dubo").get_json()["results"]
    assert [r["name"] for r in results] == ["Louise Dubois"]
    assert client.get("/admin/lead/contact-search?q=louise@").get_json()["results"]


def test_create_lead_with_existing_contact(client, login_as):
    user = login_as("salesperson")
    contact = make_contact(branch_id=user.branch_id)
    lead_type, source = make_lead_type(delay_minutes=120), make_source()
    db.session.commit()
    response = client.post(
        "/admin/lead/new/", data=_form(user, lead_type, source, contact_id=str(contact.id))
    )
    assert response.status_code == 302
    lead = db.session.scalar(select(Lead))
    assert response.headers["Location"].endswith(f"/admin/leads/{lead.id}")
    assert lead.contact_id == contact.id
    assert lead.code == f"L{lead.created_at.year}-{lead.id:06d}"
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 1
    kinds = [e.kind for e in db.session.scalars(select(Event).where(Event.lead_id == lead.id))]
    assert "lead_created" in kinds


def test_create_lead_with_inline_contact_and_default_deadline(client, login_as):
    user = login_as("salesperson")
    lead_type, source = make_lead_type(delay_minutes=90), make_source()
    db.session.commit()
    response = client.post(
        "/admin/lead/new/",
        data=_form(
            user, lead_type, source, first_name="Noah", last_name="Claes", email="noah@example.com"
        ),
    )
    assert response.status_code == 302
    lead = db.session.scalar(select(Lead))
    assert lead.contact.display_name == "Noah Claes"
    assert lead.contact.language == "fr"
    deadline = db.session.scalar(select(Deadline).where(Deadline.lead_id == lead.id))
    assert deadline.due_at - lead.created_at == timedelta(minutes=90)
    assert lead.next_deadline_at == deadline.due_at


def test_bad_input_shows_messages_and_stores_nothing(client, login_as):
    user = login_as("salesperson")
    lead_type, source = make_lead_type(), make_source()
    db.session.commit()
    response = client.post(
        "/admin/lead/new/", data=_form(user, lead_type, source, last_name="Claes")
    )
    assert response.status_code == 400
    assert b"Give at least an email address or a phone number." in response.data
    response = client.post(
        "/admin/lead/new/", data=_form(user, lead_type, source, last_name="X", email="not-an-email")
    )
    assert b"Invalid email address" in response.data
    response = client.post(
        "/admin/lead/new/", data=_form(user, lead_type, source, contact_id="999999")
    )
    assert b"The chosen contact does not exist." in response.data
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 0
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 0


def test_read_only_user_cannot_create(client, login_as):
    login_as("read_only")
    assert client.get("/admin/lead/new/").status_code == 403


def test_create_tab_only_for_users_who_may_create(client, login_as):
    login_as("read_only")
    assert b"/admin/lead/new/" not in client.get("/admin/lead/").data
    login_as("salesperson")
    assert b"/admin/lead/new/" in client.get("/admin/lead/").data


def test_contact_search_and_pick_are_scoped_to_the_users_branch(client, login_as):
    """F32: contacts of another branch's leads are neither found nor usable by id."""
    from tests.factories import make_branch, make_lead, make_user

    user = login_as("salesperson")
    other_branch = make_branch()
    foreign = make_lead(
        owner=make_user(branch=other_branch),
        contact=make_contact(
            last_name="Hidden", email="hidden@example.com", branch_id=other_branch.id
        ),
    )
    lead_type, source = make_lead_type(), make_source()
    db.session.commit()
    assert client.get("/admin/lead/contact-search?q=hidd").get_json()["results"] == []
    response = client.post(
        "/admin/lead/new/", data=_form(user, lead_type, source, contact_id=str(foreign.contact_id))
    )
    assert b"The chosen contact does not exist." in response.data
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 1


def test_create_lead_service_takes_plain_values(app, branch):
    """The service needs no form: the CLI or an API passes `NewLead` values (issue 14)."""
    from carflow.services.errors import DuplicateContactError, ServiceError
    from carflow.services.lead_creation import NewLead, create_lead_with_contact
    from tests.factories import make_user

    actor = make_user("salesperson", branch=branch)
    lead_type, source = make_lead_type(), make_source()
    db.session.commit()
    contact = {"last_name": "Peeters", "email": "peeters@example.com", "language": "nl"}
    values = NewLead(lead_type.id, source.id, branch.id, comment=" Call back ", contact=contact)
    lead = create_lead_with_contact(actor, values)
    db.session.commit()
    assert (lead.contact.last_name, lead.contact.language) == ("Peeters", "nl")
    assert (lead.branch_id, lead.owner_id, lead.comment) == (branch.id, None, "Call back")

    with pytest.raises(DuplicateContactError) as refused:
        create_lead_with_contact(actor, values)
    assert [m["id"] for m in refused.value.matches] == [lead.contact_id]
    db.session.rollback()
    again = create_lead_with_contact(actor, NewLead(**{**vars(values), "create_anyway": True}))
    assert again.contact_id != lead.contact_id
    by_id = create_lead_with_contact(
        actor, NewLead(lead_type.id, source.id, branch.id, contact_id=lead.contact_id)
    )
    assert by_id.contact_id == lead.contact_id
    with pytest.raises(ServiceError) as bad:
        create_lead_with_contact(
            actor, NewLead(lead_type.id, source.id, branch.id, owner_id=2**31 - 1)
        )
    assert bad.value.field == "owner_id"
    db.session.rollback()
