"""Issue 13: reopening a lost lead gives it a follow-up deadline (setting; default = the
first-contact delay), counted in opening hours like first-contact deadlines (F25)."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from carflow.extensions import db
from carflow.models import AccountSettings, Deadline, DeadlineKind, Lead, LeadStatus, utcnow
from carflow.services.deadlines import set_reopen_deadline
from carflow.services.leads import change_status
from tests.factories import make_branch, make_lead, make_lead_type, make_lost_reason

BXL = ZoneInfo("Europe/Brussels")


def _open_deadlines(lead):
    return db.session.scalars(
        select(Deadline).where(Deadline.lead_id == lead.id, Deadline.closed_at.is_(None))
    ).all()


def _lose_and_reopen(client, lead):
    reason = make_lost_reason()
    db.session.commit()
    url = f"/admin/lead-actions/{lead.id}/status"
    data = {"status": "lost", "lost_reason": str(reason.id), "version": lead.version_id}
    assert client.post(url, data=data).status_code == 302
    assert _open_deadlines(lead) == [] and lead.next_deadline_at is None
    before = utcnow()
    assert client.post(url, data={"status": "open", "version": lead.version_id}).status_code == 302
    return before


def test_reopened_lead_gets_a_follow_up_at_the_first_contact_delay(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user, lead_type=make_lead_type(delay_minutes=240))
    db.session.commit()
    before = _lose_and_reopen(client, lead)
    (deadline,) = _open_deadlines(lead)
    assert deadline.kind == DeadlineKind.follow_up and deadline.owner_id == user.id
    assert before + timedelta(minutes=240) <= deadline.due_at
    assert deadline.due_at <= utcnow() + timedelta(minutes=240)
    lead = db.session.get(Lead, lead.id)
    assert lead.status == LeadStatus.open and lead.next_deadline_at == deadline.due_at
    page = client.get(f"/admin/leads/{lead.id}").text
    assert "No deadline" not in page


def test_reopen_delay_setting_applies(client, login_as):
    user = login_as("salesperson")
    AccountSettings.get().reopen_follow_up_minutes = 30
    lead = make_lead(owner=user, lead_type=make_lead_type(delay_minutes=240))
    db.session.commit()
    before = _lose_and_reopen(client, lead)
    (deadline,) = _open_deadlines(lead)
    assert before + timedelta(minutes=30) <= deadline.due_at
    assert deadline.due_at <= utcnow() + timedelta(minutes=30)


def test_reopen_deadline_counted_in_opening_hours(app):
    AccountSettings.get().count_deadlines_in_opening_hours = True
    AccountSettings.get().reopen_follow_up_minutes = 120
    hours = {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    lead = make_lead(branch=make_branch(opening_hours_sales=hours))
    friday_17h = datetime(2026, 11, 27, 17, 0, tzinfo=BXL)
    deadline = set_reopen_deadline(lead, lead.owner, friday_17h)
    assert deadline.due_at == datetime(2026, 11, 30, 10, 0, tzinfo=BXL)  # Monday


def test_won_then_reopened_also_gets_a_deadline(app):
    lead = make_lead(lead_type=make_lead_type(delay_minutes=60))
    change_status(lead, lead.owner, LeadStatus.won, version=lead.version_id)
    assert _open_deadlines(lead) == []
    change_status(lead, lead.owner, LeadStatus.open, version=lead.version_id)
    assert [d.kind for d in _open_deadlines(lead)] == [DeadlineKind.follow_up]


def test_settings_page_edits_the_reopen_delay(client, login_as):
    login_as("admin")
    settings = AccountSettings.get()
    db.session.commit()
    page = client.get("/admin/settings/deadlines/")
    assert "Follow-up delay after reopening a lead (hours:minutes)" in page.text
    data = {"default_delay": "1:00", "reopen_delay": "0:45", "version": settings.version_id}
    assert client.post("/admin/settings/deadlines/", data=data).status_code == 302
    db.session.refresh(settings)
    assert settings.reopen_follow_up_minutes == 45
    form = client.get("/admin/settings/deadlines/").text
    assert re.search(r'<input[^>]*name="reopen_delay"[^>]*value="0:45"', form)
    bad = client.post(
        "/admin/settings/deadlines/",
        data={"default_delay": "1:00", "reopen_delay": "0", "version": settings.version_id},
    )
    assert bad.status_code == 400
    empty = {"default_delay": "1:00", "reopen_delay": "", "version": settings.version_id}
    assert client.post("/admin/settings/deadlines/", data=empty).status_code == 302
    db.session.refresh(settings)
    assert settings.reopen_follow_up_minutes is None  # the first-contact delay applies
