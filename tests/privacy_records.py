"""Issue 17: one contact with every kind of record, made through the services.

Shared by the subject access and erasure tests. `Person` keeps the values to look for.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta

from werkzeug.datastructures import FileStorage

from carflow.extensions import db
from carflow.models import Contact, Lead, User, utcnow
from carflow.services.communications import send_communication
from carflow.services.consent import record_consent
from carflow.services.contacts import edit_contact
from carflow.services.documents import upload_document
from carflow.services.lead_contacts import link_contact
from carflow.services.leads import add_note, update_comment
from carflow.services.trade_ins import add_trade_in
from tests.factories import (
    make_contact,
    make_lead,
    make_offer,
    make_task,
    make_test_drive,
    make_user,
    make_vehicle,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@dataclass
class Person:
    """The contact, their leads and the personal values recorded about them."""

    contact: Contact
    owner: User
    lead: Lead
    second_lead: Lead
    other_lead: Lead  # another person's lead the contact is linked to
    spouse: Contact
    document_names: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)


def make_person(branch, owner: User | None = None) -> Person:
    """A contact with leads, a note, a comment, a trade-in with photo, an offer, a test
    drive with licence number, a task, an e-mail, a document, consents, relations."""
    owner = owner or make_user("salesperson", branch=branch)
    values = {
        "first_name": "Annelies",
        "last_name": "Vandersmissen",
        "email": "annelies.vds@example.org",
        "phone": "+32 470 99 88 77",
        "mobile": "+32 471 55 66 77",
        "plate": "1-QRS-987",
        "vin": "VF3ABCDEF12345678",
        "licence": "B7766554433",
        "street": "Kerkstraat 12",
    }
    contact = make_contact(
        first_name=values["first_name"],
        last_name=values["last_name"],
        email=values["email"],
        phone=values["phone"],
        mobile=values["mobile"],
        street=values["street"],
        postal_code="1000",
        city="Brussel",
        country="BE",
        vat_number="BE0123456789",
        notes="Annelies prefers calls after 6 pm",
        language="nl",
        branch_id=branch.id,
    )
    lead = make_lead(owner=owner, branch=branch, contact=contact)
    second_lead = make_lead(owner=owner, branch=branch, contact=contact)
    update_comment(lead, owner, "Annelies Vandersmissen wants a blue estate")
    add_note(lead, owner, "Called Annelies on +32 470 99 88 77")
    photo = FileStorage(io.BytesIO(PNG), filename="annelies-car.png")
    trade_in = add_trade_in(
        lead,
        owner,
        {"make": "Peugeot", "model": "308", "plate": values["plate"], "vin": values["vin"]},
        [photo],
    )
    offer = make_offer(lead, owner, notes="Price agreed with Annelies")
    start = utcnow() + timedelta(days=2)
    make_test_drive(
        lead,
        make_vehicle(branch=branch),
        start,
        start + timedelta(hours=1),
        actor=owner,
        licence_number=values["licence"],
        notes="Annelies drove well",
    )
    make_task(lead, owner, title="Call Annelies back", description="about the 308")
    send_communication(
        lead,
        owner,
        offer=offer,
        recipients=[values["email"]],
        subject="Your offer, Annelies",
        body="Dear Annelies Vandersmissen,\nhere is your offer.",
    )
    document = upload_document(lead, owner, io.BytesIO(PDF), "id-annelies.pdf", "ID of Annelies")
    record_consent(
        owner, contact, channel="email", purpose="marketing", granted=True, source="phone"
    )
    record_consent(owner, contact, channel="sms", purpose="service", granted=False, source="form")
    spouse = make_contact(first_name="Bart", last_name="Claes", branch_id=branch.id)
    link_contact(lead, owner, spouse, "spouse")
    other_lead = make_lead(owner=owner, branch=branch, contact=make_contact(branch_id=branch.id))
    link_contact(other_lead, owner, contact, "co-driver")
    edit_contact(contact, owner, contact.version_id, city="Leuven")
    db.session.flush()
    person = Person(contact, owner, lead, second_lead, other_lead, spouse, values=values)
    person.document_names = [document.stored_name, trade_in.photos[0].stored_name]
    return person
