"""F16, F28: the Task button, the task page (edit, complete, reopen), the lead message."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from carflow.extensions import db
from carflow.models import Event, Task, utcnow
from tests.factories import make_branch, make_lead, make_task, make_user


def test_task_button_schedules_a_task_for_the_lead(client, login_as):
    user = login_as("salesperson")
    colleague = make_user("salesperson", branch=user.branch, first_name="Anna")
    make_user("salesperson", branch=make_branch(), first_name="Outsider")
    lead = make_lead(owner=user)
    db.session.commit()

    page = client.get(f"/admin/leads/{lead.id}").text
    assert f"/admin/task/new/{lead.id}" in page  # the Task button

    form = client.get(f"/admin/task/new/{lead.id}")
    assert form.status_code == 200
    assert "Anna" in form.text and "Outsider" not in form.text  # only users who see the lead
    response = client.post(
        f"/admin/task/new/{lead.id}",
        data={
            "title": "Prepare the trade-in valuation",
            "assignee_id": colleague.id,
            "starts_at": "2026-12-02T10:00",
            "duration": "45",
            "description": "Bring the Golf papers",
        },
    )
    assert response.status_code == 302
    task = db.session.scalar(select(Task))
    assert task.lead_id == lead.id and task.assignee_id == colleague.id
    assert task.starts_at == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # Brussels CET
    assert task.duration_minutes == 45 and task.branch_id == lead.branch_id
    assert "scheduled for" in client.get(f"/admin/leads/{lead.id}").text


def test_task_form_refuses_bad_input(client, login_as):
    user = login_as("salesperson")
    outsider = make_user("salesperson", branch=make_branch())
    lead = make_lead(owner=user)
    db.session.commit()
    base = {"title": "Call", "starts_at": "2026-12-02T10:00", "duration": "30"}
    missing = client.post(f"/admin/task/new/{lead.id}", data={**base, "title": ""})
    assert missing.status_code == 400
    foreign = client.post(f"/admin/task/new/{lead.id}", data={**base, "assignee_id": outsider.id})
    assert foreign.status_code == 400
    zero = client.post(
        f"/admin/task/new/{lead.id}", data={**base, "assignee_id": user.id, "duration": "0"}
    )
    assert zero.status_code == 400
    assert db.session.scalar(select(Task)) is None


def test_task_page_edit_complete_and_reopen(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    task = make_task(lead, title="Send brochure")
    db.session.commit()

    page = client.get(f"/admin/task/{task.id}")
    assert page.status_code == 200 and "Send brochure" in page.text and "30 min" in page.text
    local_start = task.starts_at.astimezone(ZoneInfo("Europe/Brussels"))
    assert f'value="{local_start:%Y-%m-%dT%H:%M}"' in page.text  # the user's wall clock
    edited = client.post(
        f"/admin/task/{task.id}",
        data={
            "title": "Send the brochure",
            "assignee_id": user.id,
            "starts_at": "2026-12-03T15:00",
            "duration": "20",
            "version": task.version_id,
        },
    )
    assert edited.status_code == 302
    db.session.refresh(task)
    assert task.title == "Send the brochure" and task.duration_minutes == 20

    stale = client.post(
        f"/admin/task/{task.id}",
        data={
            "title": "X",
            "assignee_id": user.id,
            "starts_at": "2026-12-03T15:00",
            "duration": "20",
            "version": 1,
        },
    )
    assert stale.status_code == 409 and "Someone else changed" in stale.text

    assert (
        client.post(
            f"/admin/task/{task.id}/complete", data={"version": task.version_id}
        ).status_code
        == 302
    )
    db.session.refresh(task)
    assert task.completed_at is not None and task.completed_by_id == user.id
    lead_page = client.get(f"/admin/leads/{lead.id}").text
    assert f"Task “Send the brochure” completed by {user.full_name} at" in lead_page

    assert (
        client.post(f"/admin/task/{task.id}/reopen", data={"version": task.version_id}).status_code
        == 302
    )
    db.session.refresh(task)
    assert task.completed_at is None
    kinds = [e.kind for e in db.session.scalars(select(Event).where(Event.lead_id == lead.id))]
    assert {"task_scheduled", "task_updated", "task_completed", "task_reopened"} <= set(kinds)


def test_timeline_links_to_the_task_page(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    task = make_task(lead)
    db.session.commit()
    assert f'href="/admin/task/{task.id}"' in client.get(f"/admin/leads/{lead.id}").text


def test_task_of_another_branch_is_not_found(client, login_as):
    login_as("salesperson")
    stranger = make_user("salesperson", branch=make_branch())
    task = make_task(make_lead(owner=stranger))
    db.session.commit()
    assert client.get(f"/admin/task/{task.id}").status_code == 404
    assert client.post(f"/admin/task/{task.id}/complete", data={}).status_code == 404
    assert client.get(f"/admin/task/new/{task.lead_id}").status_code == 404
    db.session.refresh(task)
    assert task.completed_at is None


def test_read_only_user_may_view_but_not_change(client, login_as):
    user = login_as("read_only")
    lead = make_lead(branch=user.branch)
    task = make_task(lead, assignee=make_user(branch=user.branch))
    db.session.commit()
    page = client.get(f"/admin/task/{task.id}")
    assert page.status_code == 200 and "task-complete" not in page.text
    assert client.post(f"/admin/task/{task.id}/complete", data={}).status_code == 403
    assert f"/admin/task/new/{lead.id}" not in client.get(f"/admin/leads/{lead.id}").text


def test_completing_twice_is_refused(client, login_as):
    user = login_as("salesperson")
    task = make_task(make_lead(owner=user), starts_at=utcnow() - timedelta(days=1))
    db.session.commit()
    client.post(f"/admin/task/{task.id}/complete", data={})
    again = client.post(f"/admin/task/{task.id}/complete", data={}, follow_redirects=True)
    assert "completed already" in again.text
