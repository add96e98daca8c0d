"""Issue 15 items 3–5: the settings pages (rules, per-branch assignment and escalation,
automatic reply per language) and the user form's absence dates and open-lead limit."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from carflow.extensions import db
from carflow.models import AssignmentRule, AutoReply, BranchAssignment, User
from carflow.permissions import effective_permissions
from tests.factories import make_branch, make_source, make_user


def test_admin_edits_rules_branch_settings_and_replies(client, login_as, count_queries):
    login_as("admin")
    ghent, website = make_branch("Ghent"), make_source("Website")
    response = client.post(
        "/admin/assignment_rule/new/",
        data={
            "name": "Website → Ghent, round robin",
            "position": "1",
            "channel": "website",
            "source": str(website.id),
            "branch": str(ghent.id),
            "active": "y",
        },
    )
    assert response.status_code == 302
    rule = db.session.scalar(select(AssignmentRule))
    assert (rule.channel, rule.source_id, rule.branch_id) == ("website", website.id, ghent.id)
    with count_queries() as queries:
        page = client.get("/admin/assignment_rule/")
    assert page.status_code == 200 and "Website → Ghent, round robin" in page.text
    assert len(queries) <= 15

    response = client.post(
        "/admin/branch_assignment/new/",
        data={
            "branch": str(ghent.id),
            "mode": "round_robin",
            "max_open_leads": "25",
            "escalate_after_minutes": "30",
            "reassign_after_minutes": "120",
            "reassign_action": "next",
            "auto_reply": "y",
        },
    )
    assert response.status_code == 302
    setting = db.session.get(BranchAssignment, ghent.id)
    assert (setting.mode, setting.max_open_leads, setting.reassign_action) == (
        "round_robin",
        25,
        "next",
    )
    assert setting.escalate_after_minutes == 30 and setting.auto_reply
    page = client.get("/admin/branch_assignment/")
    assert page.status_code == 200 and "Round robin" in page.text

    page = client.get("/admin/auto_reply/new/")
    assert "{first_name}" in page.text and "{lead_code}" in page.text  # placeholders shown
    response = client.post(
        "/admin/auto_reply/new/",
        data={"language": "nl", "subject": "Bedankt {first_name}", "body": "Dag {name}"},
    )
    assert response.status_code == 302
    assert db.session.get(AutoReply, "nl").subject == "Bedankt {first_name}"


def test_bad_settings_are_refused_on_the_form(client, login_as):
    login_as("admin")
    ghent = make_branch("Ghent")
    response = client.post(
        "/admin/branch_assignment/new/",
        data={
            "branch": str(ghent.id),
            "mode": "lottery",
            "escalate_after_minutes": "-5",
            "reassign_action": "queue",
        },
    )
    assert response.status_code == 200  # Flask-Admin re-shows the form
    assert "Not a valid choice" in response.text
    assert db.session.get(BranchAssignment, ghent.id) is None


def test_salespeople_do_not_see_the_settings(client, login_as):
    login_as("salesperson")
    for url in ("/admin/assignment_rule/", "/admin/branch_assignment/", "/admin/auto_reply/"):
        assert client.get(url).status_code == 403


def _edit_form(user, **overrides):
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "branch_id": str(user.branch_id or ""),
        "language": user.language,
        "timezone": user.timezone,
        "role": user.role,
        "permissions": sorted(effective_permissions(user)),
        "version": str(user.version_id),
    }
    data.update(overrides)
    return data


def test_the_user_form_sets_absence_and_open_lead_limit(client, login_as):
    login_as("admin")
    user = make_user("salesperson")
    page = client.get(f"/admin/users/{user.id}/edit")
    assert page.status_code == 200 and 'name="absent_from"' in page.text
    data = _edit_form(
        user, absent_from="2026-12-24", absent_until="2027-01-02", max_open_leads="12"
    )
    assert client.post(f"/admin/users/{user.id}/edit", data=data).status_code == 302
    user = db.session.get(User, user.id)
    assert (user.absent_from, user.absent_until, user.max_open_leads) == (
        date(2026, 12, 24),
        date(2027, 1, 2),
        12,
    )
    data = _edit_form(user, absent_from="2027-01-05", absent_until="2027-01-01")
    response = client.post(f"/admin/users/{user.id}/edit", data=data)
    assert response.status_code == 400
    assert "The absence ends before it starts." in response.text
