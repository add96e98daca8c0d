"""Issue 15 item 4: a new lead notifies its owner (or the branch's queue address) by
e-mail in the recipient's language, with a link to the lead page; the automatic reply
to the customer is sent within the branch's opening hours or held until it opens.
Every message is received by a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from carflow.extensions import db
from carflow.models import AutoReply, BranchAssignment, Event, LeadAlert
from carflow.services.alert_mail import deliver_alert
from carflow.services.lead_alerts import (
    announce_enquiry_again,
    announce_new_lead,
    fill_placeholders,
    queue_auto_reply,
)
from carflow.services.leads import add_note
from carflow.unit_of_work import unit_of_work
from tests.factories import make_branch, make_contact, make_lead, make_user
from tests.queue import run_queued_jobs

WEEKDAYS = {day: [["08:30", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def _body(received) -> str:
    return received["message"].get_body(("plain",)).get_content().replace("\r\n", "\n")


def _announce(lead) -> None:
    with unit_of_work():
        announce_new_lead(lead)


def test_the_owner_is_told_in_french_with_a_link(app, smtp_server):
    app.config["CARFLOW_BASE_URL"] = "https://crm.dealer.example"
    owner = make_user(email="chloe@carflow.example", language="fr", first_name="Chloé")
    lead = make_lead(owner=owner, contact=make_contact(first_name="Jan", last_name="Peeters"))
    _announce(lead)
    assert run_queued_jobs(app) == 1
    [received] = smtp_server.messages
    assert received["to"] == ["chloe@carflow.example"]
    subject = received["message"]["Subject"]
    assert subject == f"Nouveau lead pour vous\u00a0: {lead.code}, Jan Peeters"
    body = _body(received)
    assert "Un nouveau lead vous a été attribué." in body
    assert f"https://crm.dealer.example/admin/leads/{lead.id}" in body
    alert = db.session.scalar(select(LeadAlert))
    assert alert.sent_at is not None and alert.attempts == 1


def test_a_queued_lead_goes_to_the_branch_address_in_that_users_language(app, smtp_server):
    branch = make_branch("Gent", lead_notification_email="leads-gent@carflow.example")
    make_user(email="leads-gent@carflow.example", language="nl", branch=branch)
    lead = make_lead(branch=branch)
    _announce(lead)
    run_queued_jobs(app)
    [received] = smtp_server.messages
    assert received["to"] == ["leads-gent@carflow.example"]
    assert received["message"]["Subject"].startswith("Nieuwe lead in de wachtrij van Gent")
    assert f"/admin/leads/{lead.id}" in _body(received)


def test_english_for_an_english_owner(app, smtp_server):
    owner = make_user(email="emma@carflow.example", language="en")
    lead = make_lead(owner=owner)
    _announce(lead)
    run_queued_jobs(app)
    [received] = smtp_server.messages
    assert received["message"]["Subject"].startswith("New lead for you: ")
    assert "A new lead was assigned to you." in _body(received)


def test_a_failed_alert_is_kept_and_sent_by_the_sweep(app, smtp_server):
    from carflow.alert_jobs import sweep_lead_alerts

    owner = make_user(email="late@carflow.example")
    lead = make_lead(owner=owner)
    smtp_server.stop()
    _announce(lead)
    run_queued_jobs(app)
    alert = db.session.scalar(select(LeadAlert))
    assert alert.sent_at is None and alert.attempts == 1 and alert.error
    smtp_server.start()
    alert.not_before = datetime(2026, 1, 1, tzinfo=UTC)  # due long ago
    db.session.commit()
    assert sweep_lead_alerts()["sent"] == 1
    assert [m["to"] for m in smtp_server.messages] == [["late@carflow.example"]]
    assert sweep_lead_alerts()["sent"] == 0  # never twice


def _auto_reply_branch():
    branch = make_branch("Namur", opening_hours_sales=WEEKDAYS, phone="+32 81 00 00 00")
    db.session.add(BranchAssignment(branch_id=branch.id, mode="queue", auto_reply=True))
    db.session.add_all(
        [
            AutoReply(
                language="fr",
                subject="Merci {first_name}, {branch}",
                body="Bonjour {name},\nVotre demande {lead_code} est bien reçue. {unknown}\n"
                "Tél. {branch_phone}",
            ),
            AutoReply(language="en", subject="Thank you {first_name}", body="Hello {name}"),
        ]
    )
    return branch


def test_the_auto_reply_waits_for_the_branch_to_open(app, smtp_server):
    branch = _auto_reply_branch()
    contact = make_contact(first_name="Léa", last_name="Dubois", language="fr")
    saturday = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
    lead = make_lead(branch=branch, contact=contact, now=saturday)
    with unit_of_work():
        assert queue_auto_reply(lead, now=saturday)
    alert = db.session.scalar(select(LeadAlert).where(LeadAlert.kind == "auto_reply"))
    assert alert.not_before == datetime(2026, 11, 30, 7, 30, tzinfo=UTC)  # Monday 08:30
    assert alert.subject == "Merci Léa, Namur"
    event = db.session.scalar(
        select(Event).where(Event.lead_id == lead.id, Event.kind == "auto_reply_queued")
    )
    assert event.data["to"] == contact.email and event.data["not_before"]
    with unit_of_work():
        assert deliver_alert(alert, now=datetime(2026, 11, 30, 7, 0, tzinfo=UTC)) is None
    assert smtp_server.messages == []
    with unit_of_work():
        assert deliver_alert(alert, now=datetime(2026, 11, 30, 7, 31, tzinfo=UTC)) is True
    [received] = smtp_server.messages
    assert received["to"] == [contact.email]
    body = _body(received)
    assert f"Votre demande {lead.code} est bien reçue. {{unknown}}" in body
    assert "Bonjour Léa Dubois" in body and "+32 81 00 00 00" in body


def test_within_opening_hours_the_reply_goes_at_once(app, smtp_server):
    branch = _auto_reply_branch()
    contact = make_contact(first_name="Ann", language="de")  # no German template: English
    tuesday = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    lead = make_lead(branch=branch, contact=contact, now=tuesday)
    with unit_of_work():
        queue_auto_reply(lead, now=tuesday)
    alert = db.session.scalar(select(LeadAlert).where(LeadAlert.kind == "auto_reply"))
    assert alert.not_before == tuesday and alert.subject == "Thank you Ann"


def test_no_auto_reply_unless_the_branch_sends_them(app):
    lead = make_lead(branch=make_branch())
    with unit_of_work():
        assert not queue_auto_reply(lead)
    assert db.session.scalar(select(LeadAlert)) is None


def test_enquiry_again_notifies_the_owner(app, smtp_server):
    owner = make_user(email="owner@carflow.example", language="en")
    lead = make_lead(owner=owner)
    event = add_note(lead, owner, "Customer asked for a test drive on Saturday")
    with unit_of_work():
        announce_enquiry_again(lead, event)
    run_queued_jobs(app)
    [received] = smtp_server.messages
    assert received["message"]["Subject"].startswith("The customer asked again: ")
    assert "Customer asked for a test drive on Saturday" in _body(received)


def test_placeholders_are_only_the_documented_ones():
    text = fill_placeholders("{name} {0} {name.__class__} {}", {"name": "Jan"})
    assert text == "Jan {0} {name.__class__} {}"


def test_an_alert_for_later_waits_in_the_queues_schedule(app, smtp_server):
    from datetime import timedelta

    from carflow.jobs import jobs_for
    from carflow.models import utcnow
    from carflow.services.alert_mail import queue_alert

    lead = make_lead(owner=make_user())
    with unit_of_work():
        queue_alert(
            lead, "auto_reply", "c@example.com", "en", "Hi", "Body", utcnow() + timedelta(hours=2)
        )
    run_queued_jobs(app)  # the worker puts it on the schedule
    assert smtp_server.messages == []
    assert jobs_for(app).huey.scheduled_count() == 1
    assert db.session.scalar(select(LeadAlert)).sent_at is None
