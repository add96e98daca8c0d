"""Issue 15 item 5 (F25 extended): a missed first-contact deadline is escalated to the
branch's sales managers, then the lead goes to the queue or the next person; counted in
opening hours, across a weekend; each step once, as a timeline event; e-mails received by
a real SMTP server in each manager's language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from carflow.extensions import db
from carflow.models import AccountSettings, BranchAssignment, Deadline, Event, LeadStatus, utcnow
from carflow.services.escalation import escalate_missed_deadlines
from carflow.unit_of_work import unit_of_work
from tests.factories import make_branch, make_lead, make_lead_type, make_user
from tests.queue import run_queued_jobs

WEEKDAYS = {day: [["08:30", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
FRIDAY_1730 = datetime(2026, 11, 27, 16, 30, tzinfo=UTC)  # 17:30 in Brussels


def _brussels(day: int, hour: int, minute: int) -> datetime:
    """A moment of November/December 2026 given in Brussels time (UTC+1)."""
    month, day = (11, day) if day > 15 else (12, day)
    return datetime(2026, month, day, hour - 1, minute, tzinfo=UTC)


def _setup(action="next"):
    AccountSettings.get().count_deadlines_in_opening_hours = True
    branch = make_branch("Ghent", opening_hours_sales=WEEKDAYS)
    setting = BranchAssignment(
        branch_id=branch.id,
        mode="round_robin",
        escalate_after_minutes=30,
        reassign_after_minutes=60,
        reassign_action=action,
    )
    db.session.add(setting)
    owner = make_user(branch=branch, first_name="Olga", last_name="Owner")
    other = make_user(branch=branch, first_name="Nina", last_name="Next")
    make_user("sales_manager", branch=branch, email="manon@carflow.example", language="fr")
    make_user("sales_manager", branch=branch, email="marc@carflow.example", language="nl")
    make_user("sales_manager", email="elsewhere@carflow.example")  # another branch
    lead = make_lead(
        owner=owner, branch=branch, lead_type=make_lead_type(delay_minutes=60), now=FRIDAY_1730
    )
    return lead, owner, other


def _run(now) -> dict:
    with unit_of_work():
        return escalate_missed_deadlines(now)


def _kinds(lead) -> list[str]:
    return list(
        db.session.scalars(
            select(Event.kind)
            .where(Event.lead_id == lead.id, Event.kind.like("escalat%"))
            .order_by(Event.id)
        )
    )


def test_escalation_across_a_weekend(app, smtp_server):
    lead, owner, other = _setup()
    deadline = db.session.scalar(select(Deadline).where(Deadline.lead_id == lead.id))
    # Friday 17:30 + 60 opening minutes = Monday 09:00 (30 minutes on Friday, 30 on Monday)
    assert deadline.due_at == _brussels(30, 9, 0)
    assert _run(_brussels(28, 12, 0)) == {"notified": 0, "reassigned": 0}  # Saturday
    assert _run(_brussels(30, 9, 29)) == {"notified": 0, "reassigned": 0}
    assert _run(_brussels(30, 9, 30)) == {"notified": 1, "reassigned": 0}
    assert _run(_brussels(30, 9, 45)) == {"notified": 0, "reassigned": 0}  # once
    run_queued_jobs(app)
    received = {m["to"][0]: m["message"] for m in smtp_server.messages}
    assert set(received) == {"manon@carflow.example", "marc@carflow.example"}
    assert received["manon@carflow.example"]["Subject"].startswith("Premier contact manqué")
    assert received["marc@carflow.example"]["Subject"].startswith("Eerste contact gemist")
    body = received["manon@carflow.example"].get_body(("plain",)).get_content()
    assert f"/admin/leads/{lead.id}" in body and "30/11/2026 09:00" in body

    assert _run(_brussels(30, 10, 29)) == {"notified": 0, "reassigned": 0}
    assert _run(_brussels(30, 10, 30)) == {"notified": 0, "reassigned": 1}
    db.session.expire_all()
    assert lead.owner == other
    assert _run(_brussels(30, 12, 0)) == {"notified": 0, "reassigned": 0}  # idempotent
    assert _kinds(lead) == ["escalated", "escalation_reassigned"]
    run_queued_jobs(app)
    assert smtp_server.messages[-1]["to"] == [other.email]  # the new owner is told


def test_back_to_the_branch_queue(app):
    lead, owner, _other = _setup(action="queue")
    _run(_brussels(30, 10, 30))  # both delays have passed: both steps in one run
    db.session.expire_all()
    assert lead.owner is None
    assert _kinds(lead) == ["escalated", "escalation_reassigned"]
    event = db.session.scalar(select(Event).where(Event.kind == "escalation_reassigned"))
    assert event.data == {"from_owner": "Olga Owner", "to_owner": None, "to_branch": "Ghent"}


def test_no_escalation_once_contact_is_made_or_the_lead_is_closed(app):
    lead, _owner, _other = _setup()
    deadline = db.session.scalar(select(Deadline).where(Deadline.lead_id == lead.id))
    deadline.closed_at = _brussels(30, 8, 45)
    closed, _o, _n = lead, None, None
    second = make_lead(owner=lead.owner, branch=lead.branch, now=FRIDAY_1730)
    second.status = LeadStatus.lost
    assert _run(_brussels(30, 12, 0)) == {"notified": 0, "reassigned": 0}
    assert _kinds(closed) == [] and _kinds(second) == []


def test_the_periodic_job_runs_every_five_minutes(app, smtp_server):
    from carflow.jobs import jobs_for

    jobs = jobs_for(app)
    periodic = jobs.escalate.task_class()
    assert periodic.validate_datetime(datetime(2026, 11, 30, 9, 5))
    assert not periodic.validate_datetime(datetime(2026, 11, 30, 9, 6))
    lead, _owner, _other = _setup()
    deadline = db.session.scalar(select(Deadline).where(Deadline.lead_id == lead.id))
    deadline.due_at = utcnow() - timedelta(days=10)
    db.session.commit()
    jobs.escalate()  # what the scheduler queues
    assert run_queued_jobs(app) >= 1
    assert _kinds(lead) == ["escalated", "escalation_reassigned"]
    assert {m["to"][0] for m in smtp_server.messages} >= {"manon@carflow.example"}


def test_without_sales_managers_the_branch_address_is_told(app, smtp_server):
    AccountSettings.get().count_deadlines_in_opening_hours = False
    branch = make_branch("Liège", lead_notification_email="leads-liege@carflow.example")
    db.session.add(BranchAssignment(branch_id=branch.id, escalate_after_minutes=10))
    lead = make_lead(owner=make_user(branch=branch), branch=branch, now=FRIDAY_1730)
    due = db.session.scalar(select(Deadline.due_at).where(Deadline.lead_id == lead.id))
    assert _run(due + timedelta(minutes=11)) == {"notified": 1, "reassigned": 0}
    run_queued_jobs(app)
    [received] = smtp_server.messages
    assert received["to"] == ["leads-liege@carflow.example"]
    assert received["message"]["Subject"].startswith("First contact missed: ")
    event = db.session.scalar(select(Event).where(Event.kind == "escalated"))
    assert event.data == {"notified": ["leads-liege@carflow.example"]}
