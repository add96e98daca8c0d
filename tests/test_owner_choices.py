"""Issue 13 (F17, F31, F32): owner and task-assignee choices offer only active users who
may own leads in the lead's branch — not read-only or reception users, not other branches,
not inactive users; a crafted POST is refused the same way."""

import re

from sqlalchemy import func, select

from carflow.extensions import db
from carflow.models import Lead, Task
from tests.factories import (
    make_branch,
    make_contact,
    make_lead,
    make_lead_type,
    make_source,
    make_user,
)


def _options(html: str, name: str) -> set[str]:
    select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    return set(re.findall(r"<option[^>]*>([^<]*)</option>", select_html))


def _people(user):
    branch, other = user.branch, make_branch("Ghent")
    people = {
        "colleague": make_user("salesperson", branch=branch, first_name="Colleague"),
        "manager": make_user("sales_manager", branch=other, first_name="Manager"),
        "reception": make_user("receptionist", branch=branch, first_name="Reception"),
        "readonly": make_user("read_only", branch=branch, first_name="Readonly"),
        "gone": make_user("salesperson", branch=branch, first_name="Gone", active=False),
        "ghent": make_user("salesperson", branch=other, first_name="Ghentish"),
    }
    db.session.commit()
    return people


def _names(options: set[str]) -> set[str]:
    return {o.split(" ")[0] for o in options}


def test_lead_create_owner_choices(client, login_as):
    user = login_as("salesperson", first_name="Me")
    people = _people(user)
    html = client.get("/admin/lead/new/").text
    names = _names(_options(html, "owner_id"))
    assert {"Me", "Colleague", "Manager"} <= names
    assert not names & {"Reception", "Readonly", "Gone", "Ghentish"}
    assert f"Colleague {people['colleague'].last_name} ({user.branch.name})" in _options(
        html, "owner_id"
    )
    lead_type, source = make_lead_type(), make_source()
    db.session.commit()
    form = {
        "lead_type_id": lead_type.id,
        "source_id": source.id,
        "branch_id": user.branch_id,
        "contact_kind": "person",
        "last_name": "Janssens",
        "email": "j@example.com",
        "language": "fr",
    }
    for refused in ("reception", "readonly", "ghent"):
        response = client.post("/admin/lead/new/", data=form | {"owner_id": people[refused].id})
        assert response.status_code == 400 and b"Not a valid choice" in response.data, refused
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 0
    ok = client.post("/admin/lead/new/", data=form | {"owner_id": people["colleague"].id})
    assert ok.status_code == 302
    assert db.session.scalar(select(Lead)).owner_id == people["colleague"].id


def test_owner_must_fit_the_chosen_branch(client, login_as):
    manager = login_as("sales_manager", first_name="Boss")
    people = _people(manager)
    html = client.get("/admin/lead/new/").text
    assert {"Ghentish", "Colleague", "Boss"} <= _names(_options(html, "owner_id"))
    lead_type, source = make_lead_type(), make_source()
    db.session.commit()
    form = {
        "lead_type_id": lead_type.id,
        "source_id": source.id,
        "branch_id": manager.branch_id,
        "owner_id": people["ghent"].id,
        "contact_kind": "person",
        "last_name": "Janssens",
        "email": "j@example.com",
    }
    response = client.post("/admin/lead/new/", data=form)
    assert b"This user may not own leads in this branch." in response.data
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 0


def test_task_assignee_choices(client, login_as):
    user = login_as("salesperson", first_name="Me")
    people = _people(user)
    lead = make_lead(owner=user, contact=make_contact())
    db.session.commit()
    html = client.get(f"/admin/task/new/{lead.id}").text
    names = _names(_options(html, "assignee_id"))
    assert {"Me", "Colleague", "Manager"} <= names
    assert not names & {"Reception", "Readonly", "Gone", "Ghentish"}
    base = {"title": "Call", "starts_at": "2026-12-02T10:00", "duration": "30"}
    for refused in ("reception", "readonly", "ghent", "gone"):
        response = client.post(
            f"/admin/task/new/{lead.id}", data=base | {"assignee_id": people[refused].id}
        )
        assert response.status_code == 400, refused
    assert db.session.scalar(select(Task)) is None
    ok = client.post(
        f"/admin/task/new/{lead.id}", data=base | {"assignee_id": people["manager"].id}
    )
    assert ok.status_code == 302


def test_the_assign_action_still_crosses_branches(client, login_as):
    user = login_as("sales_manager")
    people = _people(user)
    lead = make_lead(owner=user)
    db.session.commit()
    page = client.get(f"/admin/leads/{lead.id}/modal/assign").text  # the modal's fields
    assert "Ghentish" in page  # the assign modal offers users of every branch
    assert people["ghent"].branch.name in page
