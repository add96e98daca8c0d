"""Issue 17 item 1: consent per channel and purpose, as an append-only history; shown and
recorded on the contact page and the lead page; marketing e-mails need it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from carflow.extensions import db
from carflow.models import Communication, Event, LeadStatus, utcnow
from carflow.models.privacy import ConsentRecord
from carflow.services.consent import consent_grid, has_consent, record_consent
from carflow.services.errors import ServiceError
from tests.factories import make_contact, make_lead, make_offer, make_user


def _state(page: str, channel: str, purpose: str) -> str:
    """The state a page's consent grid shows for one channel and purpose."""
    found = re.search(
        rf'data-channel="{channel}" data-purpose="{purpose}"\s+data-state="(\w+)"', page
    )
    assert found, (channel, purpose)
    return found.group(1)


def _cell(contact_id: int, channel: str, purpose: str):
    return next(c for c in consent_grid(contact_id) if (c.channel, c.purpose) == (channel, purpose))


def test_the_history_is_appended_and_the_latest_decision_counts(app, branch):
    user = make_user(branch=branch)
    contact = make_contact()
    lead = make_lead(owner=user, contact=contact)
    closed = make_lead(owner=user, contact=contact, status=LeadStatus.lost)
    assert not has_consent(contact.id, "email", "marketing")
    assert _cell(contact.id, "email", "marketing").granted is None

    first = record_consent(
        user, contact, channel="email", purpose="marketing", granted=True, source="phone"
    )
    record_consent(
        None, contact, channel="email", purpose="marketing", granted=False, source="website"
    )
    # A decision dated earlier (an imported paper form) does not override a later one.
    record_consent(
        user,
        contact,
        channel="email",
        purpose="marketing",
        granted=True,
        source="form",
        at=utcnow() - timedelta(days=30),
    )
    rows = db.session.scalars(select(ConsentRecord).order_by(ConsentRecord.id)).all()
    assert [(r.granted, r.source) for r in rows] == [
        (True, "phone"),
        (False, "website"),
        (True, "form"),
    ]
    assert rows[0] is first and first.recorded_by_id == user.id and rows[1].recorded_by_id is None
    assert not has_consent(contact.id, "email", "marketing")
    cell = _cell(contact.id, "email", "marketing")
    assert (cell.granted, cell.source, cell.recorded_by) == (False, "website", None)
    assert _cell(contact.id, "sms", "marketing").granted is None
    # A timeline line on the open lead only.
    kinds = db.session.scalars(select(Event.kind).where(Event.lead_id == lead.id)).all()
    assert kinds.count("consent_recorded") == 3
    assert (
        "consent_recorded"
        not in db.session.scalars(select(Event.kind).where(Event.lead_id == closed.id)).all()
    )


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("channel", {"channel": "fax"}),
        ("purpose", {"purpose": "profiling"}),
        ("source", {"source": "guess"}),
        ("note", {"note": "x" * 501}),
    ],
)
def test_bad_values_are_refused_on_their_field(app, field, values):
    contact = make_contact()
    arguments = {
        "channel": "email",
        "purpose": "service",
        "granted": True,
        "source": "phone",
    } | values
    with pytest.raises(ServiceError) as refusal:
        record_consent(None, contact, **arguments)
    assert refusal.value.field == field


def test_intake_channels_name_themselves(app):
    contact = make_contact()
    record_consent(
        None, contact, channel="email", purpose="marketing", granted=True, source="intake:api"
    )
    assert has_consent(contact.id, "email", "marketing")


def test_recording_a_consent_on_the_contact_page(client, login_as):
    user = login_as("salesperson")
    contact = make_contact(branch_id=user.branch_id)
    lead = make_lead(owner=user, contact=contact)
    page = client.get(f"/admin/contacts/{contact.id}").get_data(as_text=True)
    assert "consent-grid" in page and "Not recorded" in page and "consent-form" in page
    response = client.post(
        f"/admin/privacy/contacts/{contact.id}/consent",
        data={
            "consent-channel": "email",
            "consent-purpose": "marketing",
            "consent-state": "granted",
            "consent-source": "in_person",
            "consent-note": "Signed at the showroom",
            "consent-next": f"/admin/contacts/{contact.id}",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/contacts/{contact.id}")
    page = client.get(f"/admin/contacts/{contact.id}").get_data(as_text=True)
    assert "Consent recorded." in page
    assert _state(page, "email", "marketing") == "granted"
    assert _state(page, "email", "service") == "none" and "In person" in page
    assert "Signed at the showroom" in page and user.full_name in page
    timeline = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert "Consent granted: Email, Marketing" in timeline


@pytest.mark.parametrize(
    ("channel", "message"),
    [
        ("email", "Choose where the consent comes from."),
        # Found by the form fuzzer in CI: the form's fields carry a prefix ("consent-"),
        # and the refusal of a NUL byte looked the field up by its prefixed name (a 500).
        ("\x00", "Remove the control characters"),
    ],
)
def test_a_refused_consent_form_comes_back_with_its_message(client, login_as, channel, message):
    user = login_as("salesperson")
    contact = make_contact(branch_id=user.branch_id)
    response = client.post(
        f"/admin/privacy/contacts/{contact.id}/consent",
        data={"consent-channel": channel, "consent-purpose": "marketing", "consent-state": "x"},
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalars(select(ConsentRecord)).all() == []


def test_read_only_users_see_the_grid_but_cannot_record(client, login_as):
    user = login_as("read_only")
    contact = make_contact(branch_id=user.branch_id)
    record_consent(None, contact, channel="post", purpose="service", granted=True, source="form")
    page = client.get(f"/admin/contacts/{contact.id}").get_data(as_text=True)
    assert 'data-state="granted"' in page and "consent-form" not in page
    response = client.post(
        f"/admin/privacy/contacts/{contact.id}/consent",
        data={"consent-channel": "email", "consent-purpose": "service"},
    )
    assert response.status_code == 403


def test_the_lead_page_contacts_tab_shows_and_records_the_main_contacts_consent(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    page = client.get(f"/admin/leads/{lead.id}?tab=contacts").get_data(as_text=True)
    assert "lead-consent" in page and "consent-grid" in page
    assert f'value="/admin/leads/{lead.id}?tab=contacts"' in page
    response = client.post(
        f"/admin/privacy/contacts/{lead.contact_id}/consent",
        data={
            "consent-channel": "sms",
            "consent-purpose": "service",
            "consent-state": "withdrawn",
            "consent-source": "phone",
            "consent-next": f"/admin/leads/{lead.id}?tab=contacts",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/leads/{lead.id}?tab=contacts")
    page = client.get(f"/admin/leads/{lead.id}?tab=contacts").get_data(as_text=True)
    assert _state(page, "sms", "service") == "withdrawn"


def test_an_outside_next_address_is_not_followed(client, login_as):
    user = login_as("salesperson")
    contact = make_contact(branch_id=user.branch_id)
    response = client.post(
        f"/admin/privacy/contacts/{contact.id}/consent",
        data={
            "consent-channel": "sms",
            "consent-purpose": "service",
            "consent-state": "granted",
            "consent-source": "phone",
            "consent-next": "https://evil.example/",
        },
    )
    assert response.status_code == 302 and "evil" not in response.headers["Location"]


def _compose(client, lead, offer, purpose: str | None):
    data = {
        "recipients": [lead.contact.email],
        "offer_id": str(offer.id),
        "subject": "Spring promotion",
        "body": "Our new models are in.",
    }
    if purpose is not None:
        data["purpose"] = purpose
    return client.post(f"/admin/communications/new/{lead.id}", data=data)


def test_marketing_emails_need_email_marketing_consent(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    offer = make_offer(lead, user)
    page = client.get(f"/admin/communications/new/{lead.id}").get_data(as_text=True)
    assert 'name="purpose"' in page and "Marketing: needs the recipients" in page

    refused = _compose(client, lead, offer, "marketing")
    assert refused.status_code in (200, 400)  # the compose page again, with the message
    text = refused.get_data(as_text=True)
    assert "needs the recipient" in text and lead.contact.email in text
    assert db.session.scalars(select(Communication)).all() == []

    # A service e-mail (the default: an offer the customer asked for) needs no consent.
    assert _compose(client, lead, offer, None).status_code == 302
    # With consent, marketing goes out too.
    record_consent(
        user, lead.contact, channel="email", purpose="marketing", granted=True, source="phone"
    )
    assert _compose(client, lead, offer, "marketing").status_code == 302
    assert len(db.session.scalars(select(Communication)).all()) == 2
    queued = db.session.scalars(
        select(Event.data).where(Event.kind == "communication_queued")
    ).all()
    assert [d.get("purpose") for d in queued] == [None, "marketing"]


def test_a_marketing_email_to_an_address_of_no_contact_is_refused(app, branch):
    from carflow.services.communications import queue_communication

    user = make_user(branch=branch)
    lead = make_lead(owner=user)
    offer = make_offer(lead, user)
    record_consent(
        user, lead.contact, channel="email", purpose="marketing", granted=True, source="phone"
    )
    with pytest.raises(ServiceError, match="stranger@example.com") as refusal:
        queue_communication(
            lead,
            user,
            offer,
            [lead.contact.email],
            "Promo",
            "Hello",
            other_addresses="stranger@example.com",
            purpose="marketing",
        )
    assert refusal.value.field == "purpose"


def test_the_contact_page_runs_a_fixed_number_of_queries(client, login_as, count_queries):
    user = login_as("salesperson")
    few, many = make_contact(branch_id=user.branch_id), make_contact(branch_id=user.branch_id)
    record_consent(user, few, channel="email", purpose="service", granted=True, source="phone")
    for channel in ("email", "sms", "phone", "post"):
        for granted in (True, False, True):
            record_consent(
                user, many, channel=channel, purpose="marketing", granted=granted, source="form"
            )
    db.session.commit()

    def queries(contact) -> int:
        with count_queries() as statements:
            assert client.get(f"/admin/contacts/{contact.id}").status_code == 200
        return len(statements)

    queries(few)  # warm-up
    assert queries(many) == queries(few)
