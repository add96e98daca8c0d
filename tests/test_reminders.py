"""Issue 6 §5: `flask carflow remind` mails each user a digest, received by a real SMTP server."""

from datetime import timedelta

from sqlalchemy import select

from carflow.extensions import db
from carflow.models import Deadline, utcnow
from tests.factories import make_contact, make_lead, make_lead_type, make_task, make_user


def _set_due(lead, due):
    deadline = db.session.scalar(select(Deadline).where(Deadline.lead_id == lead.id))
    deadline.due_at = due
    return deadline


def test_remind_command_sends_each_user_their_digest(app, smtp_server):
    now = utcnow()
    anna = make_user("salesperson", first_name="Anna", email="anna@carflow.example")
    idle = make_user("salesperson", email="idle@carflow.example")
    gone = make_user("salesperson", email="gone@carflow.example", active=False)
    overdue_lead = make_lead(owner=anna, contact=make_contact(last_name="Overdue"))
    _set_due(overdue_lead, now - timedelta(hours=5))
    later_lead = make_lead(owner=anna, contact=make_contact(last_name="Later"))
    _set_due(later_lead, now + timedelta(days=3))
    make_task(later_lead, assignee=anna, title="Late call", starts_at=now - timedelta(hours=2))
    make_task(later_lead, assignee=anna, title="Next month", starts_at=now + timedelta(days=30))
    done = make_task(
        later_lead, assignee=anna, title="Done task", starts_at=now - timedelta(hours=1)
    )
    done.completed_at = now
    _set_due(make_lead(owner=gone), now - timedelta(hours=1))
    make_lead(owner=idle, lead_type=make_lead_type(delay_minutes=3 * 24 * 60))  # not today
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["carflow", "remind"])
    assert result.exit_code == 0, result.output
    assert "Reminders sent: 1, failed: 0." in result.output

    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received["to"] == ["anna@carflow.example"]
    message = received["message"]
    assert message["Subject"] == "Carflow: 1 deadline(s), 1 task(s), 2 overdue"
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert body.startswith("Hello Anna,")
    deadlines, tasks = body.split("\nTasks\n")
    assert "OVERDUE" in deadlines and overdue_lead.code in deadlines
    assert later_lead.code not in deadlines  # due in 3 days
    assert "OVERDUE" in tasks and "Late call" in tasks
    assert "Next month" not in body and "Done task" not in body


def test_remind_counts_refused_recipients(app, smtp_server):
    user = make_user("salesperson", email="refused@carflow.example")
    _set_due(make_lead(owner=user), utcnow() - timedelta(minutes=1))
    db.session.commit()
    smtp_server.handler.refuse.add("refused@carflow.example")
    result = app.test_cli_runner().invoke(args=["carflow", "remind"])
    assert result.exit_code == 1
    assert "Reminders sent: 0, failed: 1." in result.output


def test_the_worker_sends_the_digest_from_the_queue(app, smtp_server):
    from carflow.jobs import jobs_for
    from tests.queue import run_queued_jobs

    user = make_user("salesperson", email="queued@carflow.example")
    _set_due(make_lead(owner=user), utcnow() - timedelta(minutes=1))
    db.session.commit()
    jobs_for(app).send_reminders()  # what the scheduler queues on weekdays at 07:30
    assert run_queued_jobs(app) == 1
    [received] = smtp_server.messages
    assert received["to"] == ["queued@carflow.example"]
    assert received["message"]["Subject"].startswith("Carflow: 1 deadline(s)")
