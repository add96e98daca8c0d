"""Communication (F15): email the customer through a real SMTP server, never lose it.

The view stores the email as pending and queues it; `run_queued_jobs` plays the worker
here (the same SqliteHuey file a worker reads). tests/test_jobs.py runs a real worker.
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from carflow.extensions import db
from carflow.jobs import sweep_pending
from carflow.models import (
    Communication,
    CommunicationStatus,
    Event,
    LeadContact,
    OfferStatus,
)
from carflow.services.communications import (
    _claim,
    deliver_communication,
    queue_communication,
)
from carflow.services.errors import ServiceError
from tests.factories import make_branch, make_contact, make_lead, make_offer, make_user
from tests.queue import queued_count, run_queued_jobs


@pytest.fixture
def user(login_as):
    return login_as("salesperson", email="sam.seller@carflow.example")


@pytest.fixture
def lead(user):
    contact = make_contact(first_name="Eva", last_name="Janssens", email="eva@example.com")
    return make_lead(owner=user, contact=contact)


@pytest.fixture
def offer(lead, user):
    return make_offer(lead, user)


def _form(offer, **overrides) -> dict:
    data = {
        "recipients": ["eva@example.com"],
        "other_addresses": "",
        "offer_id": str(offer.id),
        "subject": "Your offer for the Golf",
        "body": "Dear Eva,\nplease find our offer attached.\nKind regards",
        "attach_quote": "y",
        "attach_purchase_order": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _post(client, lead, data):
    return client.post(f"/admin/communications/new/{lead.id}", data=data)


def _communications(lead) -> list[Communication]:
    query = select(Communication).where(Communication.lead_id == lead.id)
    return list(db.session.scalars(query.order_by(Communication.id)))


def _events(lead, kind: str) -> list[Event]:
    query = select(Event).where(Event.lead_id == lead.id, Event.kind == kind)
    return list(db.session.scalars(query))


def _pdf_digits(data: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\D", "", text)


def test_the_received_message_has_recipients_subject_body_and_both_pdfs(
    app, client, smtp_server, user, lead, offer
):
    link = LeadContact(lead_id=lead.id, contact=make_contact(email="tom@example.com"))
    db.session.add(link)
    data = _form(offer, recipients=["eva@example.com", "tom@example.com"])
    data["other_addresses"] = "boss@fleet.example, Boss@Fleet.example"
    response = _post(client, lead, data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/leads/{lead.id}?tab=details")
    [communication] = _communications(lead)
    assert communication.status == CommunicationStatus.pending and communication.attempts == 0
    assert smtp_server.messages == [] and queued_count(app) == 1  # not sent in the request
    page = client.get(f"/admin/leads/{lead.id}?tab=details").get_data(as_text=True)
    assert "The email is queued" in page  # the flash
    assert "Email “Your offer for the Golf” to" in page and "queued" in page
    item = client.get(f"/admin/communications/{communication.id}").get_data(as_text=True)
    assert "Queued" in item and "status-pending" in item

    assert run_queued_jobs(app) == 1
    [received] = smtp_server.messages
    assert sorted(received["to"]) == ["boss@fleet.example", "eva@example.com", "tom@example.com"]
    message = received["message"]
    assert message["Subject"] == "Your offer for the Golf"
    assert message["Reply-To"] == "sam.seller@carflow.example"
    body = message.get_body(("plain",)).get_content()
    assert "please find our offer attached." in body
    attachments = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert set(attachments) == {
        f"quote-{lead.code}-{offer.id}.pdf",
        f"purchase-order-{lead.code}-{offer.id}.pdf",
    }
    for pdf in attachments.values():
        assert pdf.startswith(b"%PDF")
        assert "2299000" in _pdf_digits(pdf)  # total 22,990.00

    [communication] = _communications(lead)
    assert communication.status == CommunicationStatus.sent
    assert communication.attempts == 1 and communication.error is None
    assert communication.message_id == message["Message-ID"]
    assert communication.sent_at is not None and communication.sender_id == user.id
    assert communication.attach_quote and communication.attach_purchase_order
    assert offer.status == OfferStatus.sent
    [event] = _events(lead, "communication_sent")
    assert (event.ref_type, event.ref_id, event.actor_id) == (
        "communication",
        communication.id,
        user.id,
    )

    page = client.get(f"/admin/leads/{lead.id}?tab=details").get_data(as_text=True)
    assert f"/admin/communications/{communication.id}" in page
    assert "Email “Your offer for the Golf” sent to" in page
    item = client.get(f"/admin/communications/{communication.id}").get_data(as_text=True)
    assert "please find our offer attached." in item and "communication-retry" not in item


def test_only_the_chosen_attachment_is_sent(app, client, smtp_server, lead, offer):
    _post(client, lead, _form(offer, attach_purchase_order=None))
    run_queued_jobs(app)
    message = smtp_server.messages[0]["message"]
    names = [part.get_filename() for part in message.iter_attachments()]
    assert names == [f"quote-{lead.code}-{offer.id}.pdf"]


@pytest.mark.parametrize(
    ("language", "greeting", "subject_start", "total"),
    [
        ("en", "Dear Eva Janssens,", "Your offer for", "€22,990.00"),
        ("fr", "Bonjour Eva Janssens,", "Votre offre pour", "22\u202f990,00\xa0€"),
        ("nl", "Beste Eva Janssens,", "Uw offerte voor", "€\xa022.990,00"),
    ],
)
def test_the_form_is_prefilled_in_the_customer_language(
    client, lead, offer, language, greeting, subject_start, total
):
    lead.contact.language = language
    page = client.get(f"/admin/communications/new/{lead.id}").get_data(as_text=True)
    assert f'value="{subject_start} Volkswagen Golf 8 1.5 eTSI' in page
    assert greeting in page and total in page
    assert re.search(r'<input checked[^>]*value="eva@example.com"', page)
    assert f'<option selected value="{offer.id}"' in page


def test_smtp_down_marks_failed_after_the_last_try_then_retry_sends_exactly_once(
    app, client, smtp_server, user, lead, offer
):
    smtp_server.stop()
    response = _post(client, lead, _form(offer))
    assert response.status_code == 302
    assert run_queued_jobs(app) == 3  # CARFLOW_MAIL_TRIES in TestConfig
    [communication] = _communications(lead)
    assert communication.status == CommunicationStatus.failed
    assert "unreachable" in communication.error and communication.attempts == 3
    assert offer.status == OfferStatus.draft
    [failed] = _events(lead, "communication_failed")  # one event, after the last try
    assert "unreachable" in failed.data["reason"]
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert "could not be sent: mail server" in page
    item = client.get(f"/admin/communications/{communication.id}").get_data(as_text=True)
    assert "communication-retry" in item and "unreachable" in item and "Failed" in item

    smtp_server.start()
    response = client.post(f"/admin/communications/{communication.id}/retry")
    assert response.status_code == 302
    assert communication.status == CommunicationStatus.pending and smtp_server.messages == []
    item = client.get(f"/admin/communications/{communication.id}").get_data(as_text=True)
    assert "The email is queued again" in item and "Queued" in item
    assert run_queued_jobs(app) == 1
    assert communication.status == CommunicationStatus.sent and communication.attempts == 4
    assert len(smtp_server.messages) == 1
    assert offer.status == OfferStatus.sent
    assert len(_events(lead, "communication_sent")) == 1

    # A second click, and the sweep, send nothing more.
    client.post(f"/admin/communications/{communication.id}/retry")
    item = client.get(f"/admin/communications/{communication.id}").get_data(as_text=True)
    assert "This email was already sent or is being sent." in item
    assert run_queued_jobs(app) == 0
    assert sweep_pending() == {"sent": 0, "failed": 0, "skipped": 0}
    assert len(smtp_server.messages) == 1 and communication.attempts == 4


def test_a_failed_try_stays_queued_with_its_reason_until_the_last(
    app, client, smtp_server, user, lead, offer
):
    smtp_server.stop()
    _post(client, lead, _form(offer))
    huey = __import__("carflow.jobs", fromlist=["jobs_for"]).jobs_for(app).huey
    huey.execute(huey.dequeue())  # the first of three tries
    [communication] = _communications(lead)
    assert communication.status == CommunicationStatus.pending and communication.attempts == 1
    assert _events(lead, "communication_failed") == []
    item = client.get(f"/admin/communications/{communication.id}").get_data(as_text=True)
    assert "Queued" in item and "it is tried again automatically" in item
    assert queued_count(app) == 1  # the retry
    smtp_server.start()
    assert run_queued_jobs(app) == 1
    assert communication.status == CommunicationStatus.sent and communication.attempts == 2
    assert len(smtp_server.messages) == 1


def test_send_pending_command_sends_failed_ones_once(app, client, smtp_server, lead, offer):
    smtp_server.stop()
    _post(client, lead, _form(offer))
    _post(client, lead, _form(offer, subject="Second"))
    run_queued_jobs(app)
    assert [c.status for c in _communications(lead)] == [CommunicationStatus.failed] * 2
    smtp_server.start()

    runner = app.test_cli_runner()
    result = runner.invoke(args=["carflow", "send-pending"])
    assert result.exit_code == 0, result.output
    assert "2 sent, 0 failed" in result.output
    assert sorted(m["message"]["Subject"] for m in smtp_server.messages) == [
        "Second",
        "Your offer for the Golf",
    ]
    result = runner.invoke(args=["carflow", "send-pending"])
    assert "0 sent, 0 failed" in result.output
    assert len(smtp_server.messages) == 2
    db.session.expire_all()
    assert [c.status for c in _communications(lead)] == [CommunicationStatus.sent] * 2


def test_a_refused_recipient_fails_at_once_without_retrying(app, client, smtp_server, lead, offer):
    smtp_server.handler.refuse.add("eva@example.com")
    _post(client, lead, _form(offer))
    assert run_queued_jobs(app) == 1  # a 5xx refusal is final: no retry
    [communication] = _communications(lead)
    assert communication.status == CommunicationStatus.failed and communication.attempts == 1
    assert "refused" in communication.error and "eva@example.com" in communication.error
    assert smtp_server.messages == []
    assert offer.status == OfferStatus.draft


def test_a_stale_sender_cannot_claim_or_send_again(app, smtp_server, user, lead, offer):
    communication = queue_communication(
        lead, user, offer, ["eva@example.com"], "Hello", "Body", attach_quote=False
    )
    db.session.commit()
    assert deliver_communication(communication, user) is True
    db.session.commit()
    assert deliver_communication(communication, user, seen=0) is None
    assert not _claim(communication.id, 0)  # sent: nothing to claim
    db.session.execute(
        update(Communication)
        .where(Communication.id == communication.id)
        .values(status=CommunicationStatus.failed)
    )
    assert not _claim(communication.id, 0)  # retryable, but a sender saw an older attempt
    assert _claim(communication.id, 1)
    db.session.rollback()
    assert len(smtp_server.messages) == 1


def test_two_senders_at_once_send_each_email_exactly_once(app, smtp_server, user, lead, offer):
    import threading

    for n in range(4):
        queue_communication(lead, user, offer, ["eva@example.com"], f"Mail {n}", "Body")
    db.session.commit()
    barrier, results = threading.Barrier(2), []

    def sender():
        with app.app_context():
            barrier.wait()
            results.append(sweep_pending(min_age=0))
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    subjects = sorted(m["message"]["Subject"] for m in smtp_server.messages)
    assert subjects == ["Mail 0", "Mail 1", "Mail 2", "Mail 3"]
    assert sum(r["sent"] for r in results) == 4
    db.session.expire_all()
    assert all(
        c.status == CommunicationStatus.sent and c.attempts == 1 for c in _communications(lead)
    )


def test_without_an_offer_there_is_no_button_and_the_post_is_refused(
    client, smtp_server, lead, user
):
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert "action-communication" not in page
    response = client.post(
        f"/admin/communications/new/{lead.id}",
        data={"recipients": ["eva@example.com"], "subject": "Hi", "body": "x", "offer_id": "1"},
    )
    assert response.status_code == 302
    assert _communications(lead) == [] and smtp_server.messages == []
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert "Create an offer on this lead before emailing the customer." in page
    with pytest.raises(ServiceError):
        queue_communication(lead, user, None, ["eva@example.com"], "Hi", "x")


def test_the_button_appears_once_there_is_an_offer(client, lead, offer):
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert "action-communication" in page
    assert f"/admin/communications/new/{lead.id}" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("subject", "Hello\r\nBcc: victim@evil.example", "Line breaks are not allowed"),
        ("subject", "Hello\nBcc: victim@evil.example", "Line breaks are not allowed"),
        ("other_addresses", "a@example.com\r\nBcc: victim@evil.example", "Line breaks"),
        ("other_addresses", "not-an-address", "is not a valid email address"),
        ("recipients", ["eva@example.com\r\nBcc: victim@evil.example"], "is not a valid choice"),
        ("recipients", [], "Choose at least one recipient."),
        ("subject", "", "Give the email a subject."),
        ("body", "", "Write the message."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    client, smtp_server, lead, offer, field, value, message
):
    response = _post(client, lead, _form(offer, **{field: value}))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _communications(lead) == [] and smtp_server.messages == []


def test_header_injection_is_refused_by_the_service_too(app, user, lead, offer):
    with pytest.raises(ServiceError, match="Line breaks"):
        queue_communication(
            lead, user, offer, ["eva@example.com"], "Hi\r\nBcc: x@evil.example", "b"
        )
    with pytest.raises(ServiceError, match="Line breaks"):
        queue_communication(lead, user, offer, ["eva@example.com\nBcc: x@evil.example"], "Hi", "b")


def test_an_offer_of_another_lead_is_refused(client, smtp_server, user, lead, offer):
    other_offer = make_offer(make_lead(owner=user))
    response = _post(client, lead, _form(offer, offer_id=str(other_offer.id)))
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    assert _communications(lead) == []


def test_other_branches_get_404_and_read_only_users_cannot_send(
    client, login_as, smtp_server, user, lead, offer
):
    communication = queue_communication(lead, user, offer, ["eva@example.com"], "Hi", "Body")
    communication.status = CommunicationStatus.failed
    db.session.commit()
    login_as(user=make_user("salesperson", branch=make_branch()))
    assert client.get(f"/admin/communications/{communication.id}").status_code == 404
    assert client.post(f"/admin/communications/{communication.id}/retry").status_code == 404
    assert client.get(f"/admin/communications/new/{lead.id}").status_code == 404

    login_as("read_only")
    item = client.get(f"/admin/communications/{communication.id}")
    assert item.status_code == 200 and "communication-retry" not in item.get_data(as_text=True)
    assert client.post(f"/admin/communications/{communication.id}/retry").status_code == 403
    assert client.post(f"/admin/communications/new/{lead.id}", data=_form(offer)).status_code == 403
    assert "action-communication" not in client.get(f"/admin/leads/{lead.id}").get_data(
        as_text=True
    )
    assert smtp_server.messages == []
