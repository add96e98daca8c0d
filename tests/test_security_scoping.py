"""F32 branch scoping of lists and Flask-Admin URLs; mass assignment on lead creation."""

import pytest
from sqlalchemy import func, select

from carflow.extensions import db
from carflow.models import Lead, LeadContact, LeadStatus
from carflow.permissions import Perm
from tests.factories import (
    make_branch,
    make_contact,
    make_lead,
    make_lead_type,
    make_source,
    make_user,
)


@pytest.fixture
def world(app, branch):
    """Two leads in the user's branch (one queued), one in another branch."""
    other_branch = make_branch("Ghent")
    mine = make_lead(
        owner=make_user(branch=branch), branch=branch, contact=make_contact(last_name="Mine")
    )
    queued = make_lead(branch=branch, contact=make_contact(last_name="Queued"))
    foreign_contact = make_contact(last_name="Foreign", branch_id=other_branch.id)
    foreign = make_lead(
        owner=make_user(branch=other_branch), branch=other_branch, contact=foreign_contact
    )
    linked = make_contact(last_name="Spouse", branch_id=other_branch.id)
    db.session.add(LeadContact(lead_id=mine.id, contact_id=linked.id, relation="spouse"))
    db.session.commit()
    return {"mine": mine, "queued": queued, "foreign": foreign, "other_branch": other_branch}


def test_overview_lists_only_the_branch_leads(client, login_as, world):
    login_as("salesperson")
    page = client.get("/admin/lead/").data.decode()
    assert world["mine"].code in page and world["queued"].code in page
    assert world["foreign"].code not in page
    search = client.get(f"/admin/lead/?search={world['foreign'].code}").data.decode()
    assert f">{world['foreign'].code}</a>" not in search and "Foreign" not in search


def test_view_all_branches_sees_everything(client, login_as, world):
    login_as("salesperson", permissions_granted=[Perm.VIEW_ALL_BRANCHES])
    page = client.get("/admin/lead/").data.decode()
    assert world["foreign"].code in page
    assert "Foreign" in client.get("/admin/contact/").data.decode()


def test_a_lead_owned_by_the_user_in_another_branch_is_visible(client, login_as, world):
    user = login_as("salesperson")
    world["foreign"].owner_id = user.id
    db.session.commit()
    assert client.get(f"/admin/leads/{world['foreign'].id}").status_code == 200


def test_contacts_list_is_scoped(client, login_as, world):
    login_as("salesperson")
    page = client.get("/admin/contact/").data.decode()
    assert "Mine" in page and "Queued" in page and "Spouse" in page
    assert "Foreign" not in page


def test_other_branch_lead_urls_are_refused(client, login_as, world):
    login_as("salesperson")
    foreign = world["foreign"]
    assert client.get(f"/admin/leads/{foreign.id}").status_code == 404
    for path in (
        f"/admin/lead/details/?id={foreign.id}",
        f"/admin/lead/edit/?id={foreign.id}",
        f"/admin/contact/details/?id={foreign.contact_id}",
        f"/admin/contact/edit/?id={foreign.contact_id}",
        "/admin/lead/export/csv/",
        "/admin/contact/export/csv/",
    ):
        response = client.get(path)
        assert response.status_code in (302, 403, 404), path
        assert foreign.code not in response.get_data(as_text=True), path
        assert "Foreign" not in response.get_data(as_text=True), path


def test_bulk_action_and_delete_with_foreign_ids_change_nothing(client, login_as, world):
    login_as("admin")
    foreign = world["foreign"]
    client.post("/admin/lead/action/", data={"action": "delete", "rowid": [str(foreign.id)]})
    client.post("/admin/lead/delete/", data={"id": str(foreign.id)})
    client.post("/admin/contact/delete/", data={"id": str(foreign.contact_id)})
    assert db.session.get(Lead, foreign.id) is not None
    assert db.session.get(type(foreign.contact), foreign.contact_id) is not None


def test_get_one_is_scoped_for_leads_and_contacts(app, login_as, world):
    from flask_login import login_user

    from carflow.admin.contacts import ContactView
    from carflow.admin.leads import LeadView
    from carflow.models import Contact

    user = login_as("salesperson")
    with app.test_request_context():
        login_user(user)
        leads = LeadView(Lead, db, endpoint="lead_probe")
        contacts = ContactView(Contact, db, endpoint="contact_probe")
        assert leads.get_one(str(world["foreign"].id)) is None
        assert leads.get_one(str(world["mine"].id)) is not None
        assert contacts.get_one(str(world["foreign"].contact_id)) is None
        assert contacts.get_one(str(world["mine"].contact_id)) is not None
        assert contacts.get_count_query().scalar() == 3


def test_lead_create_ignores_extra_fields(client, login_as, world):
    user = login_as("salesperson")
    lead_type, source = make_lead_type("Purchase"), make_source("Showroom")
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(Lead))
    response = client.post(
        "/admin/lead/new/",
        data={
            "contact_kind": "person",
            "first_name": "Eva",
            "last_name": "Extra",
            "email": "eva@example.com",
            "language": "en",
            "lead_type_id": str(lead_type.id),
            "source_id": str(source.id),
            "branch_id": str(user.branch_id),
            "owner_id": str(user.id),
            # not fields of the form
            "code": "HACKED-1",
            "status": "won",
            "created_by_id": "999",
            "trade_in_count": "42",
            "version_id": "7",
            "role": "admin",
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Lead)) == before + 1
    lead = db.session.scalar(select(Lead).order_by(Lead.id.desc()))
    assert lead.code != "HACKED-1" and lead.status == LeadStatus.open
    assert lead.created_by_id == user.id and lead.trade_in_count == 0
    db.session.refresh(user)
    assert user.role == "salesperson"


def test_lead_create_refuses_another_branch_without_view_all(client, login_as, world):
    user = login_as("salesperson")
    lead_type, source = make_lead_type("Purchase"), make_source("Showroom")
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(Lead))
    response = client.post(
        "/admin/lead/new/",
        data={
            "contact_kind": "person",
            "last_name": "Sneaky",
            "email": "sneaky@example.com",
            "language": "en",
            "lead_type_id": str(lead_type.id),
            "source_id": str(source.id),
            "branch_id": str(world["other_branch"].id),
            "owner_id": str(user.id),
        },
    )
    assert response.status_code == 400 and b"Not a valid choice" in response.data
    assert db.session.scalar(select(func.count()).select_from(Lead)) == before
