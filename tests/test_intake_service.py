"""The intake service `receive_lead` (issue 15 items 1-2): leads created through the UI's
service, contacts matched by normalized e-mail and E.164 phone, "enquiry again" on an open
lead of the same type and branch within the window, replays of known requests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from carflow.extensions import db
from carflow.intake.api_keys import create_api_key
from carflow.intake.incoming import IncomingContact, IncomingLead, IncomingVehicle, IntakeError
from carflow.intake.service import RAW_PAYLOAD_MAX_CHARS, receive_lead
from carflow.models import Contact, Event, Lead, LeadIntake, LeadStatus, utcnow
from carflow.unit_of_work import unit_of_work
from tests.factories import make_branch, make_contact, make_lead_type, make_source, make_vehicle


@pytest.fixture
def setup(app):
    """A branch in Belgium, the demo's lead types, the Website source and an API key."""
    branch = make_branch("Gent", country="BE")
    types = {name: make_lead_type(name) for name in ("Purchase", "Sale", "Trade-in", "Lease")}
    source = make_source("Website")
    key, _plain = create_api_key(None, "Site", source, branch)
    db.session.commit()
    return {"branch": branch, "types": types, "source": source, "key": key}


def _incoming(**overrides) -> IncomingLead:
    contact = overrides.pop(
        "contact",
        IncomingContact(first_name="An", last_name="Claes", email="An.Claes@Example.com "),
    )
    return IncomingLead(contact=contact, **overrides)


def _receive(incoming, setup, **kwargs):
    kwargs.setdefault("api_key", setup["key"])
    with unit_of_work():
        return receive_lead(
            incoming, channel="api", raw_payload="{}", content_type="application/json", **kwargs
        )


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_new_lead_through_the_ui_service_with_its_channel_event(setup):
    vehicle = make_vehicle(stock_number="S-42", vin="WVWZZZ1KZAW000001")
    db.session.commit()
    incoming = _incoming(
        vehicles=(IncomingVehicle(interest="buy", vin="wvwzzz1kzaw000001"),),
        comments="Is it still available?",
    )
    result = _receive(incoming, setup)
    assert result.created and not result.enquiry_again and not result.replayed
    lead = db.session.get(Lead, result.lead_id)
    assert lead.code == result.lead_code and lead.code.startswith("L")
    assert lead.lead_type.name == "Purchase" and lead.source.name == "Website"
    assert lead.branch.name == "Gent" and lead.owner is None and lead.status == LeadStatus.open
    assert lead.contact.email == "an.claes@example.com" and lead.contact.last_name == "Claes"
    assert "stock S-42" in lead.comment and "Is it still available?" in lead.comment
    assert lead.next_deadline_at is not None  # the first-contact deadline of create_lead
    kinds = [e.kind for e in db.session.scalars(select(Event).where(Event.lead_id == lead.id))]
    assert set(kinds) >= {"lead_created", "lead_received"}
    received = db.session.scalars(select(Event).where(Event.kind == "lead_received")).one()
    intake = db.session.get(LeadIntake, received.ref_id)
    assert received.ref_type == "lead_intake" and intake.lead_id == lead.id
    assert intake.outcome == "created" and intake.channel == "api"
    assert vehicle.id  # matched by its VIN, in the summary


def test_contact_matched_by_phone_in_e164_read_in_the_branch_country(setup):
    existing = make_contact(email=None, phone="0470 12 34 56", mobile=None)
    db.session.commit()
    assert existing.phone_e164 == "+32470123456"
    contact = IncomingContact(last_name="Claes", phones=("0470/12 34 56",))
    result = _receive(_incoming(contact=contact), setup)
    assert db.session.get(Lead, result.lead_id).contact_id == existing.id
    assert _count(Contact) == 1


def test_contact_matched_by_email_in_any_case(setup):
    existing = make_contact(email="an.claes@example.com")
    db.session.commit()
    result = _receive(_incoming(), setup)
    assert db.session.get(Lead, result.lead_id).contact_id == existing.id


def test_a_new_contact_gets_e164_phones(setup):
    contact = IncomingContact(first_name="Jo", phones=("0475 11 22 33", "02 123 45 67"))
    result = _receive(_incoming(contact=contact), setup)
    created = db.session.get(Lead, result.lead_id).contact
    assert created.last_name == "Jo" and created.first_name is None
    assert (created.phone, created.mobile) == ("+32475112233", "+3221234567")
    assert created.phone_e164 == "+32475112233"


def test_enquiry_again_on_the_open_lead_of_the_same_type_and_branch(setup):
    first = _receive(_incoming(), setup)
    again = _receive(_incoming(comments="Call me tonight"), setup)
    assert again.enquiry_again and not again.created and again.lead_id == first.lead_id
    assert _count(Lead) == 1
    event = db.session.scalars(select(Event).where(Event.kind == "enquiry_again")).one()
    assert event.lead_id == first.lead_id and "Call me tonight" in event.data["summary"]
    assert db.session.get(LeadIntake, event.ref_id).outcome == "enquiry_again"


@pytest.mark.parametrize("change", ["closed", "other_type", "other_branch", "too_old"])
def test_no_enquiry_again_when(setup, change):
    first = _receive(_incoming(), setup)
    lead = db.session.get(Lead, first.lead_id)
    kwargs = {}
    incoming = _incoming()
    if change == "closed":
        lead.status = LeadStatus.lost
    elif change == "other_type":
        incoming = _incoming(vehicles=(IncomingVehicle(interest="sell"),))
    elif change == "other_branch":
        kwargs["branch"] = make_branch("Antwerpen", country="BE")
    else:
        lead.created_at = utcnow() - timedelta(days=31)
    db.session.commit()
    second = _receive(incoming, setup, **kwargs)
    assert second.created and second.lead_id != first.lead_id
    assert db.session.get(Lead, second.lead_id).contact_id == lead.contact_id


def test_same_idempotency_key_replays_the_first_result(setup):
    first = _receive(_incoming(), setup, idempotency_key="abc-1")
    again = _receive(_incoming(), setup, idempotency_key="abc-1")
    assert again.replayed and again.lead_id == first.lead_id and again.created
    assert _count(Lead) == 1 and _count(LeadIntake) == 1


def test_same_idempotency_key_with_another_body_is_refused(setup):
    _receive(_incoming(), setup, idempotency_key="abc-2")
    with pytest.raises(IntakeError) as refused, unit_of_work():
        receive_lead(
            _incoming(),
            channel="api",
            raw_payload='{"other": 1}',
            content_type="application/json",
            api_key=setup["key"],
            idempotency_key="abc-2",
        )
    assert refused.value.field == "Idempotency-Key"
    assert _count(LeadIntake) == 1


def test_same_external_id_replays_without_a_second_lead_or_event(setup):
    first = _receive(_incoming(external_id="portal-77"), setup)
    again = _receive(_incoming(external_id="portal-77", comments="resent"), setup)
    assert again.replayed and again.lead_id == first.lead_id
    assert _count(Lead) == 1 and _count(LeadIntake) == 1
    assert _count(Event) == db.session.scalar(
        select(func.count()).select_from(Event).where(Event.lead_id == first.lead_id)
    )


def test_external_ids_are_per_sender(setup):
    other, _plain = create_api_key(None, "Portal", make_source("Portal"), setup["branch"])
    db.session.commit()
    _receive(_incoming(external_id="x-1"), setup)
    second = _receive(_incoming(external_id="x-1"), setup, api_key=other)
    assert not second.replayed


@pytest.mark.parametrize(
    ("contact", "field"),
    [
        (IncomingContact(last_name="A"), "contact"),
        (IncomingContact(last_name="A", email="not-an-address"), "contact.email"),
        (IncomingContact(last_name="A", phones=("12",)), "contact.phones[0]"),
        (IncomingContact(last_name="A" * 121, email="a@b.be"), "contact.last_name"),
        (IncomingContact(last_name="A", email="a@b.be", country="Belgium"), "contact.country"),
    ],
)
def test_bad_contacts_are_refused_naming_the_field_and_store_nothing(setup, contact, field):
    with pytest.raises(IntakeError) as refused:
        _receive(_incoming(contact=contact), setup, idempotency_key="k")
    assert refused.value.field == field
    assert _count(Lead) == 0 and _count(LeadIntake) == 0 and _count(Contact) == 0


def test_unknown_interest_is_refused(setup):
    incoming = _incoming(vehicles=(IncomingVehicle(interest="rent"),))
    with pytest.raises(IntakeError) as refused:
        _receive(incoming, setup)
    assert refused.value.field == "vehicles[0].interest"


def test_a_huge_raw_payload_is_stored_capped(setup):
    with unit_of_work():
        result = receive_lead(
            _incoming(),
            channel="adf_email",
            raw_payload="x" * (RAW_PAYLOAD_MAX_CHARS + 10),
            content_type="message/rfc822",
            branch=setup["branch"],
            source=setup["source"],
        )
    intake = db.session.scalars(select(LeadIntake)).one()
    assert result.created and intake.api_key_id is None
    assert intake.sender == f"source:{setup['source'].id}"
    assert len(intake.raw_payload) < RAW_PAYLOAD_MAX_CHARS + 100
    assert intake.raw_payload.endswith("longer]")


def test_a_request_time_without_zone_is_read_in_the_branch_zone(setup):
    from datetime import datetime

    result = _receive(_incoming(requested_at=datetime(2026, 7, 1, 9, 30)), setup)
    event = db.session.scalars(
        select(Event).where(Event.lead_id == result.lead_id, Event.kind == "lead_received")
    ).one()
    assert event.data["requested_at"] == "2026-07-01T09:30:00+02:00"  # Europe/Brussels, summer
