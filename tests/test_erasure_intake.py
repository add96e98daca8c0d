"""Issue 17 × issue 15: erasing a person who came in through an intake channel, was
announced by e-mail and had a duplicate contact merged into them leaves none of their
values anywhere: not in the request as received, the alert e-mails nor the merge's
audit entry. The rows themselves stay (replays, reports)."""

from __future__ import annotations

from sqlalchemy import select

from carflow.extensions import db
from carflow.intake.incoming import IncomingContact, IncomingLead, IncomingVehicle
from carflow.intake.service import receive_lead
from carflow.models import AuditLog, BranchAssignment, Lead, LeadAlert, LeadIntake
from carflow.services.contact_merge import merge_contacts
from carflow.services.erasure import ERASED, erase_contact
from carflow.unit_of_work import unit_of_work
from tests.factories import make_contact, make_lead_type, make_source, make_user
from tests.test_erasure import _every_stored_text

VALUES = ("Wauters", "Griet", "griet.wauters@example.be", "0478 12 34 56", "+32478123456")


def _received(branch):
    incoming = IncomingLead(
        contact=IncomingContact(
            first_name="Griet",
            last_name="Wauters",
            email="griet.wauters@example.be",
            phones=("0478 12 34 56",),
        ),
        vehicles=(IncomingVehicle(interest="buy", make="Volvo", model="XC40"),),
        comments="Griet Wauters would like a test drive",
        external_id="web-77",
    )
    with unit_of_work():
        return receive_lead(
            incoming,
            channel="website",
            raw_payload='{"name": "Griet Wauters", "email": "griet.wauters@example.be", '
            '"phone": "0478 12 34 56"}',
            content_type="application/json",
            branch=db.session.merge(branch),
            source=make_source("Website"),
        )


def test_erasure_clears_intake_alerts_and_merge_audit(app, branch):
    make_lead_type("Purchase")
    make_user("salesperson", branch=branch, email="seller@carflow.example")
    admin = make_user("admin", branch=branch)
    db.session.add(BranchAssignment(branch_id=branch.id, mode="round_robin"))
    db.session.commit()
    result = _received(branch)
    intake = db.session.scalars(select(LeadIntake)).one()
    contact = db.session.get(Lead, intake.lead_id).contact
    assert "griet.wauters@example.be" in intake.raw_payload
    assert db.session.scalars(select(LeadAlert)).all(), "the new-lead alert was written"
    duplicate = make_contact(last_name="Wauters", first_name="G.", email="gw@example.be")
    db.session.commit()
    with unit_of_work():
        merge_contacts(admin, contact.id, duplicate.id, contact.version_id, duplicate.version_id)
    assert "Wauters" in str(db.session.scalars(select(AuditLog)).one().details)

    with unit_of_work():
        erase_contact(admin, db.session.get(type(contact), contact.id), reason="request")

    stored = _every_stored_text()
    for value in (*VALUES, "gw@example.be"):
        assert value.lower() not in stored, value
    intake = db.session.get(LeadIntake, intake.id)
    assert intake.raw_payload == ERASED and intake.lead_id == result.lead_id
    assert all(alert.body == "" for alert in db.session.scalars(select(LeadAlert)))
    audit = db.session.scalars(select(AuditLog)).one()
    assert audit.details["kept"] == {"id": contact.id, "erased": True}
