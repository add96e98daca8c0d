"""F7, F21, F25–F26, F29: first-contact deadline, follow-up tab actions, settings page."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from carflow.extensions import db
from carflow.models import AccountSettings, AuditLog, ContactOutcome, Deadline, Event, utcnow
from carflow.services.deadlines import is_overdue
from tests.factories import make_branch, make_lead, make_lead_type, make_user

BXL = ZoneInfo("Europe/Brussels")


def _events(lead):
    return [e.kind for e in db.session.scalars(select(Event).where(Event.lead_id == lead.id))]


def _deadline(lead):
    return db.session.scalar(select(Deadline).where(Deadline.lead_id == lead.id))


def test_first_contact_deadline_uses_the_lead_types_delay(app):
    now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    lead = make_lead(lead_type=make_lead_type(delay_minutes=90), now=now)
    deadline = _deadline(lead)
    assert deadline.due_at == now + timedelta(minutes=90)
    assert deadline.kind.value == "first_contact"
    assert deadline.outcome is ContactOutcome.not_yet
    assert lead.next_deadline_at == deadline.due_at


def test_first_contact_deadline_falls_back_to_the_account_default(app):
    AccountSettings.get().default_first_contact_delay_minutes = 45
    now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    lead = make_lead(lead_type=make_lead_type(delay_minutes=None), now=now)
    assert _deadline(lead).due_at == now + timedelta(minutes=45)


def test_first_contact_deadline_counted_in_opening_hours(app):
    AccountSettings.get().count_deadlines_in_opening_hours = True
    hours = {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    branch = make_branch(opening_hours_sales=hours)
    friday_17h = datetime(2026, 11, 27, 17, 0, tzinfo=BXL)
    lead = make_lead(branch=branch, lead_type=make_lead_type(delay_minutes=240), now=friday_17h)
    assert _deadline(lead).due_at == datetime(2026, 11, 30, 12, 0, tzinfo=BXL)


def test_settings_page_changes_new_leads_only(client, login_as):
    admin = login_as("admin")
    lead_type = make_lead_type("Purchase", delay_minutes=60)
    other = make_lead_type("Sale", delay_minutes=None)
    old_lead = make_lead(owner=admin, lead_type=lead_type)
    old_due = _deadline(old_lead).due_at
    settings = AccountSettings.get()
    db.session.commit()

    page = client.get("/admin/settings/deadlines/")
    assert page.status_code == 200
    assert "Purchase – Opportunity deadlines" in page.text
    response = client.post(
        "/admin/settings/deadlines/",
        data={
            "default_delay": "0:30",
            f"type_{lead_type.id}": "10:00",
            f"type_{other.id}": "",
            "count_in_opening_hours": "y",
            "version": settings.version_id,
        },
    )
    assert response.status_code == 302
    db.session.refresh(settings)
    assert settings.default_first_contact_delay_minutes == 30
    assert settings.count_deadlines_in_opening_hours is True
    assert db.session.get(type(lead_type), lead_type.id).first_contact_delay_minutes == 600
    assert _deadline(old_lead).due_at == old_due  # existing leads keep their deadline
    audit = db.session.scalar(
        select(AuditLog).where(AuditLog.action == "deadline_settings_changed")
    )
    assert audit.actor_id == admin.id and audit.details["default_minutes"] == 30

    settings.count_deadlines_in_opening_hours = False
    now = utcnow()
    new_lead = make_lead(owner=admin, lead_type=lead_type, now=now)
    assert _deadline(new_lead).due_at == now + timedelta(minutes=600)
    other_lead = make_lead(owner=admin, lead_type=other, now=now)
    assert _deadline(other_lead).due_at == now + timedelta(minutes=30)


def test_settings_page_refuses_bad_input_and_other_roles(client, login_as):
    login_as("admin")
    settings = AccountSettings.get()
    db.session.commit()
    bad = client.post(
        "/admin/settings/deadlines/", data={"default_delay": "0:00", "version": settings.version_id}
    )
    assert bad.status_code == 400 and "Enter a delay between 0:01 and 2160:00." in bad.text
    for typed in ("4:75", "soon", "-1"):
        refused = client.post(
            "/admin/settings/deadlines/",
            data={"default_delay": typed, "version": settings.version_id},
        )
        assert refused.status_code == 400 and f'value="{typed}"' in refused.text, typed
        assert "Enter hours and minutes, for example 4:30." in refused.text
    stale = client.post(
        "/admin/settings/deadlines/", data={"default_delay": "0:05", "version": "99"}
    )
    assert stale.status_code == 409 and "Someone else changed" in stale.text
    db.session.refresh(settings)
    assert settings.default_first_contact_delay_minutes == 24 * 60
    login_as("salesperson")
    assert client.get("/admin/settings/deadlines/").status_code == 403


def test_contact_made_closes_the_deadline(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    deadline = _deadline(lead)
    response = client.post(
        f"/admin/deadline/{deadline.id}/outcome",
        data={"outcome": "made", "note": "Called, wants a test drive", "version": 1},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/leads/{lead.id}?tab=followup")
    db.session.refresh(deadline)
    assert deadline.outcome is ContactOutcome.made and deadline.closed_at is not None
    assert deadline.outcome_note == "Called, wants a test drive"
    db.session.refresh(lead)
    assert lead.next_deadline_at is None
    assert "deadline_contact_made" in _events(lead)
    page = client.get(f"/admin/leads/{lead.id}?tab=followup").text
    assert "Contact made" in page and "Called, wants a test drive" in page
    assert "No deadline" in client.get(f"/admin/leads/{lead.id}").text


def test_contact_not_made_keeps_it_open_and_moves_it(client, login_as):
    user = login_as("salesperson")  # Europe/Brussels
    lead = make_lead(owner=user)
    deadline = _deadline(lead)
    response = client.post(
        f"/admin/deadline/{deadline.id}/outcome",
        data={"outcome": "not_made", "new_due_at": "2026-12-01T09:30", "version": 1},
    )
    assert response.status_code == 302
    db.session.refresh(deadline)
    assert deadline.closed_at is None and deadline.outcome is ContactOutcome.not_made
    expected = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)  # 09:30 in Brussels (CET)
    assert deadline.due_at == expected
    db.session.refresh(lead)
    assert lead.next_deadline_at == expected
    assert "deadline_contact_not_made" in _events(lead)


def test_moving_a_deadline_in_the_users_time_zone(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    deadline = _deadline(lead)
    lead_version = lead.version_id
    form = client.get(f"/admin/deadline/{deadline.id}/move")
    assert form.status_code == 200 and 'name="version"' in form.text
    response = client.post(
        f"/admin/deadline/{deadline.id}/move",
        data={"due_at": "2026-07-01T14:00", "note": "On holiday", "version": 1},
    )
    assert response.status_code == 302
    db.session.refresh(deadline)
    db.session.refresh(lead)
    assert deadline.due_at == datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # CEST
    assert lead.next_deadline_at == deadline.due_at
    assert lead.version_id == lead_version  # a colleague's lead edit form is not made stale
    assert "deadline_moved" in _events(lead)
    text = client.get(f"/admin/leads/{lead.id}").text
    assert "moved from" in text and "On holiday" in text


def test_stale_version_is_refused_with_a_clear_message(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    deadline = _deadline(lead)
    due = deadline.due_at
    response = client.post(
        f"/admin/deadline/{deadline.id}/move", data={"due_at": "2026-07-01T14:00", "version": 0}
    )
    assert response.status_code == 409
    assert "Someone else changed this record" in response.text
    db.session.refresh(deadline)
    assert deadline.due_at == due


def test_adding_a_deadline_updates_the_current_one(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    first = _deadline(lead).due_at
    response = client.post(
        f"/admin/deadline/new/{lead.id}", data={"due_at": "2020-01-02T10:00", "kind": "follow_up"}
    )
    assert response.status_code == 302
    db.session.refresh(lead)
    assert lead.next_deadline_at == datetime(2020, 1, 2, 9, 0, tzinfo=UTC) < first
    assert _events(lead).count("deadline_added") == 2
    page = client.get(f"/admin/leads/{lead.id}?tab=followup").text
    assert "table-danger overdue" in page  # F29: the 2020 deadline is overdue
    bad = client.post(f"/admin/deadline/new/{lead.id}", data={"due_at": "tomorrow"})
    assert bad.status_code == 400
    assert _events(lead).count("deadline_added") == 2


def test_overdue_detection_at_the_boundary(app):
    lead = make_lead()
    deadline = _deadline(lead)
    assert not is_overdue(deadline, deadline.due_at)
    assert is_overdue(deadline, deadline.due_at + timedelta(microseconds=1))
    assert not is_overdue(deadline, deadline.due_at - timedelta(seconds=1))
    deadline.closed_at = deadline.due_at
    assert not is_overdue(deadline, deadline.due_at + timedelta(days=1))


def test_deadline_of_another_branchs_lead_is_not_found(client, login_as):
    login_as("salesperson")
    stranger = make_user("salesperson", branch=make_branch())
    lead = make_lead(owner=stranger)
    deadline = _deadline(lead)
    assert client.get(f"/admin/deadline/{deadline.id}/move").status_code == 404
    outcome = client.post(
        f"/admin/deadline/{deadline.id}/outcome", data={"outcome": "made", "version": 1}
    )
    assert outcome.status_code == 404
    assert client.post(f"/admin/deadline/new/{lead.id}", data={}).status_code == 404
    assert client.get("/admin/deadline/999999/move").status_code == 404
    db.session.refresh(deadline)
    assert deadline.closed_at is None


def test_read_only_user_sees_deadlines_but_no_buttons(client, login_as):
    user = login_as("read_only")
    lead = make_lead(branch=user.branch)
    deadline = _deadline(lead)
    page = client.get(f"/admin/leads/{lead.id}?tab=followup").text
    assert "First contact" in page and "deadline-outcome-form" not in page
    refused = client.post(f"/admin/deadline/{deadline.id}/outcome", data={"outcome": "made"})
    assert refused.status_code == 403


def test_timeline_links_a_deadline_to_the_follow_up_tab(client, login_as):
    user = login_as("read_only")
    lead = make_lead(branch=user.branch)
    deadline = _deadline(lead)
    page = client.get(f"/admin/leads/{lead.id}").text
    assert f'href="/admin/deadline/{deadline.id}"' in page
    response = client.get(f"/admin/deadline/{deadline.id}")
    assert response.headers["Location"].endswith(f"/admin/leads/{lead.id}?tab=followup")
    stranger_lead = make_lead(owner=make_user(branch=make_branch()))
    assert client.get(f"/admin/deadline/{_deadline(stranger_lead).id}").status_code == 404


def test_winning_or_losing_a_lead_closes_its_open_deadlines(app):
    """A closed lead has no deadline running (header, overview, task overview, reminders)."""
    from carflow.models import LeadStatus
    from carflow.services.leads import change_status
    from tests.factories import make_lost_reason

    user = make_user()
    for status, reason in ((LeadStatus.won, None), (LeadStatus.lost, make_lost_reason())):
        lead = make_lead(owner=user)
        assert lead.next_deadline_at is not None
        change_status(lead, user, status, lost_reason=reason)
        db.session.commit()
        assert lead.next_deadline_at is None
        deadlines = db.session.scalars(select(Deadline).where(Deadline.lead_id == lead.id)).all()
        assert deadlines and all(d.closed_at is not None for d in deadlines)


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [("4:30", 270), ("24:00", 1440), ("2", 120), ("1h15", 75), (" 0:05 ", 5), ("4:75", None)],
)
def test_delays_are_typed_as_hours_and_minutes(typed, minutes):
    from carflow.admin.duration import minutes_as_hours, parse_hours_minutes

    assert parse_hours_minutes(typed) == minutes
    if minutes is not None:
        assert parse_hours_minutes(minutes_as_hours(minutes)) == minutes
