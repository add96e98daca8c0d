"""F27–F29: the task overview — tasks, deadlines and test drives, filters, agenda feed."""

import re
from datetime import timedelta
from html import unescape
from zoneinfo import ZoneInfo

from carflow.extensions import db
from carflow.models import ContactOutcome, Deadline, utcnow
from carflow.services.deadlines import record_contact_outcome
from tests.factories import make_appointment, make_branch, make_lead, make_task, make_user


def _rows(html: str, kind: str) -> int:
    return html.count(f'data-kind="{kind}"')


def test_overview_lists_deadlines_tasks_and_test_drives_each_as_its_kind(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    task = make_task(lead, title="Call about financing", duration_minutes=25)
    make_appointment(lead, owner=user)
    db.session.commit()
    html = unescape(client.get("/admin/tasks/").text)
    assert _rows(html, "deadline") == 1 and _rows(html, "task") == 1
    assert _rows(html, "test_drive") == 1
    # F27: a deadline opens its lead on the Follow-up tab and shows no duration.
    assert f'href="/admin/leads/{lead.id}?tab=followup"' in html
    deadline_row = html.split('data-kind="deadline"')[1].split("</tr>")[0]
    assert "min" not in deadline_row.split('class="item-duration"')[1].split("</td>")[0]
    # F28: a task opens its own page and shows its duration.
    assert f'href="/admin/task/{task.id}"' in html and "25 min" in html
    drive_row = html.split('data-kind="test_drive"')[1].split("</tr>")[0]
    assert f'href="/admin/leads/{lead.id}?tab=details"' in drive_row  # an appointment
    assert "45 min" in drive_row


def test_user_filter_defaults_to_me(client, login_as):
    user = login_as("sales_manager")
    colleague = make_user("salesperson", branch=user.branch)
    make_task(make_lead(owner=user), title="Mine")
    make_task(make_lead(owner=colleague), title="Theirs")
    db.session.commit()
    mine = client.get("/admin/tasks/").text
    assert "Mine" in mine and "Theirs" not in mine
    theirs = client.get(f"/admin/tasks/?user_id={colleague.id}").text
    assert "Theirs" in theirs and "Mine" not in theirs
    everyone = client.get("/admin/tasks/?user_id=").text
    assert "Theirs" in everyone and "Mine" in everyone


def test_branch_filter_and_scope(client, login_as):
    user = login_as("salesperson")
    other_branch = make_branch()
    stranger = make_user("salesperson", branch=other_branch)
    make_task(make_lead(owner=user), title="Local work")
    make_task(make_lead(owner=stranger), title="Foreign work")
    db.session.commit()
    everyone = client.get("/admin/tasks/?user_id=").text
    assert "Local work" in everyone and "Foreign work" not in everyone  # F32 scope
    assert _rows(everyone, "deadline") == 1
    filtered = client.get(f"/admin/tasks/?user_id=&branch_id={other_branch.id}").text
    assert "Foreign work" not in filtered and "Local work" not in filtered


def test_period_filters_today_week_and_range(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    now = utcnow()
    make_task(lead, title="Now-ish", starts_at=now)
    make_task(lead, title="Far future", starts_at=now + timedelta(days=40))
    db.session.commit()
    today = client.get("/admin/tasks/?period=today").text
    assert "Now-ish" in today and "Far future" not in today
    week = client.get("/admin/tasks/?period=week").text
    assert "Now-ish" in week and "Far future" not in week
    # The user's local day (Europe/Brussels): after 23:00 UTC it is already the next one.
    day = (now + timedelta(days=40)).astimezone(ZoneInfo(user.timezone)).date().isoformat()
    ranged = client.get(f"/admin/tasks/?period=range&date_from={day}&date_to={day}").text
    assert "Far future" in ranged and "Now-ish" not in ranged


def test_overdue_and_done_filters(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    late = make_task(lead, title="Late task", starts_at=utcnow() - timedelta(hours=3))
    make_task(lead, title="Future task", starts_at=utcnow() + timedelta(hours=3))
    finished = make_task(lead, title="Finished task", starts_at=utcnow() - timedelta(days=2))
    finished.completed_at = utcnow()
    deadline = db.session.query(Deadline).filter_by(lead_id=lead.id).one()
    deadline.due_at = utcnow() - timedelta(minutes=5)
    db.session.commit()

    overdue = client.get("/admin/tasks/?status=overdue").text
    assert "Late task" in overdue and "Future task" not in overdue
    assert "Finished task" not in overdue and _rows(overdue, "deadline") == 1
    assert "table-danger overdue" in overdue  # F29
    done = client.get("/admin/tasks/?status=done").text
    assert "Finished task" in done and "Late task" not in done and _rows(done, "deadline") == 0
    record_contact_outcome(deadline, user, ContactOutcome.made, deadline.version_id)
    db.session.commit()
    assert _rows(client.get("/admin/tasks/?status=done").text, "deadline") == 1
    assert late.completed_at is None


def test_complete_from_the_overview_puts_a_message_on_the_lead(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    task = make_task(lead, title="Return the keys")
    db.session.commit()
    overview = client.get("/admin/tasks/").text
    assert f'action="/admin/task/{task.id}/complete"' in overview
    response = client.post(
        f"/admin/task/{task.id}/complete",
        data={"version": task.version_id, "next": "/admin/tasks/?period=week"},
    )
    assert response.headers["Location"] == "/admin/tasks/?period=week"
    evil = make_task(lead)
    db.session.commit()
    bounced = client.post(f"/admin/task/{evil.id}/complete", data={"next": "//evil.example"})
    assert "evil.example" not in bounced.headers["Location"]
    page = unescape(client.get(f"/admin/leads/{lead.id}").text)
    assert f"Task “Return the keys” completed by {user.full_name} at" in page


def test_overview_runs_a_fixed_number_of_queries(client, login_as, count_queries):
    user = login_as("salesperson")

    def add(n):
        for _ in range(n):
            lead = make_lead(owner=user)
            make_task(lead)
            make_appointment(lead, owner=user)
        db.session.commit()

    add(2)
    with count_queries() as few:
        assert client.get("/admin/tasks/").status_code == 200
    add(8)
    with count_queries() as many:
        html = client.get("/admin/tasks/").text
    assert _rows(html, "task") == 10 and _rows(html, "test_drive") == 10
    assert len(many) == len(few)


def test_agenda_page_and_events_feed(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    task = make_task(lead, starts_at=utcnow() - timedelta(hours=2), duration_minutes=30)
    db.session.commit()
    agenda = client.get("/admin/tasks/agenda").text
    assert "/vendor/fullcalendar/index.global.min.js" in agenda and "cdn" not in agenda.lower()
    start = (utcnow() - timedelta(days=1)).isoformat()
    end = (utcnow() + timedelta(days=3)).isoformat()
    events = client.get(
        "/admin/tasks/events", query_string={"start": start, "end": end, "user_id": user.id}
    ).get_json()
    by_kind = {e["extendedProps"]["kind"]: e for e in events}
    assert by_kind["task"]["url"] == f"/admin/task/{task.id}"
    assert "agenda-overdue" in by_kind["task"]["classNames"]
    assert "end" in by_kind["task"] and "end" not in by_kind["deadline"]
    assert by_kind["deadline"]["url"] == f"/admin/leads/{lead.id}?tab=followup"
    later = client.get(
        "/admin/tasks/events",
        query_string={"start": (utcnow() + timedelta(days=30)).isoformat()},
    ).get_json()
    assert later == []


def test_vendor_route_serves_only_the_allow_list(client, login_as):
    response = client.get("/vendor/fullcalendar/index.global.min.js")
    assert response.status_code == 200 and b"FullCalendar" in response.data
    response.close()
    assert client.get("/vendor/preact/package.json").status_code == 404
    assert client.get("/vendor/../requirements.txt").status_code == 404


def test_task_overview_menu_needs_login(client):
    assert client.get("/admin/tasks/").status_code == 302


def test_deadlines_of_closed_leads_are_not_open_work(client, login_as):
    from carflow.models import LeadStatus

    user = login_as("salesperson")
    make_lead(owner=user, status=LeadStatus.lost)
    make_lead(owner=user)
    db.session.commit()
    assert _rows(client.get("/admin/tasks/").text, "deadline") == 1
    assert _rows(client.get("/admin/tasks/?status=all").text, "deadline") == 2


def test_list_pages_hold_every_item_once_in_order(client, login_as, monkeypatch):
    """Issue 8: the list is read 3 items at a time here (50 in use); items sharing a moment
    are ordered by kind then id, across the three kinds' queries."""
    monkeypatch.setattr("carflow.services.agenda.PAGE_SIZE", 3)
    user = login_as("salesperson")
    moment = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    expected = []
    for n in range(3):
        lead = make_lead(owner=user)
        deadline = db.session.query(Deadline).filter_by(lead_id=lead.id).one()
        deadline.due_at = moment + timedelta(hours=n)  # ties with the task below
        expected.append(("deadline", deadline.id, deadline.due_at))
        task = make_task(lead, starts_at=moment + timedelta(hours=n), title=f"Task {n}")
        expected.append(("task", task.id, task.starts_at))
        drive = make_appointment(lead, owner=user, starts_at=moment + timedelta(hours=n, minutes=5))
        expected.append(("test_drive", drive.id, drive.starts_at))
    db.session.commit()
    expected.sort(key=lambda item: (item[2], item[0], item[1]))
    seen, url, pages = [], "/admin/tasks/", 0
    while url:
        html = unescape(client.get(url).text)
        rows = re.findall(r'data-kind="(\w+)" data-id="(\d+)"', html)
        assert 0 < len(rows) <= 3
        seen += [(kind, int(item_id)) for kind, item_id in rows]
        match = re.search(r'rel="next" href="([^"#]+)"', html)
        url, pages = (match.group(1) if match else None), pages + 1
        assert pages < 10
    assert seen == [(kind, item_id) for kind, item_id, _ in expected]
    assert pages == 3


def test_deadlines_follow_the_lead_to_its_new_owner(client, login_as):
    """Issue 8: the overview reads a user's deadlines by their copy of the lead's owner,
    which every assignment (to a user or to the branch queue) keeps in step."""
    from carflow.services.leads import assign_lead

    user = login_as("sales_manager")
    colleague = make_user("salesperson", branch=user.branch)
    lead = make_lead(owner=user)
    db.session.commit()
    assert _rows(client.get("/admin/tasks/").text, "deadline") == 1
    assign_lead(lead, user, owner=colleague, version=lead.version_id)
    db.session.commit()
    assert db.session.query(Deadline).filter_by(lead_id=lead.id).one().owner_id == colleague.id
    assert _rows(client.get("/admin/tasks/").text, "deadline") == 0
    assert _rows(client.get(f"/admin/tasks/?user_id={colleague.id}").text, "deadline") == 1
    assign_lead(lead, user, branch=user.branch, version=lead.version_id)
    db.session.commit()
    assert db.session.query(Deadline).filter_by(lead_id=lead.id).one().owner_id is None
