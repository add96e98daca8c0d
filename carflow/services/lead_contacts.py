"""The contacts of a lead (F22): edit in place, link, create and link, unlink, make main."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from carflow.extensions import db
from carflow.models import Contact, Event, Lead, LeadContact, User
from carflow.services.contacts import create_contact, update_contact
from carflow.services.errors import ServiceError, check_version
from carflow.services.events import record_event
from carflow.timeline import field_labels, register_event_kind

RELATION_MAX_LENGTH = 60


def _describe_updated(data: dict) -> str:
    return _(
        "Contact %(contact)s updated (%(fields)s)",
        contact=data.get("contact", ""),
        fields=field_labels(data.get("fields")),
    )


def _describe_linked(data: dict) -> str:
    if data.get("relation"):
        return _(
            "Contact %(contact)s linked as %(relation)s",
            contact=data.get("contact", ""),
            relation=data["relation"],
        )
    return _("Contact %(contact)s linked", contact=data.get("contact", ""))


register_event_kind("contact_updated", "fa-address-card", _describe_updated)
register_event_kind("contact_linked", "fa-link", _describe_linked)
register_event_kind(
    "contact_unlinked",
    "fa-chain-broken",
    lambda d: _("Contact %(contact)s unlinked", contact=d.get("contact", "")),
)
register_event_kind(
    "main_contact_changed",
    "fa-star",
    lambda d: _(
        "Main contact changed from %(old)s to %(new)s", old=d.get("from", ""), new=d.get("to", "")
    ),
)


def _link_of(lead: Lead, contact: Contact) -> LeadContact | None:
    return db.session.scalar(
        select(LeadContact).where(
            LeadContact.lead_id == lead.id, LeadContact.contact_id == contact.id
        )
    )


def is_contact_of_lead(lead: Lead, contact: Contact) -> bool:
    """True when `contact` is the lead's main contact or linked to it."""
    return contact.id == lead.contact_id or _link_of(lead, contact) is not None


def _clean_relation(relation: str | None) -> str | None:
    clean = (relation or "").strip()
    if len(clean) > RELATION_MAX_LENGTH:
        raise ServiceError(
            _l("At most %(n)s characters, please.", n=RELATION_MAX_LENGTH), field="relation"
        )
    return clean or None


def update_lead_contact(lead: Lead, actor: User, contact: Contact, version=None, **fields) -> dict:
    """Edit a contact of the lead in place; logs the changed field names (none: no event)."""
    if not is_contact_of_lead(lead, contact):
        raise ServiceError(_l("This contact is not linked to the lead."))
    if version is not None:
        check_version(contact, version)
    changes = update_contact(contact, actor, **fields)
    if changes:
        data = {"contact": contact.display_name, "fields": sorted(changes)}
        record_event(lead, actor, "contact_updated", data, ref=contact)
    return changes


def link_contact(lead: Lead, actor: User, contact: Contact, relation: str | None = None) -> Event:
    """Link an existing contact to the lead, with its relation (spouse, company…)."""
    relation = _clean_relation(relation)
    if is_contact_of_lead(lead, contact):
        raise ServiceError(_l("This contact is already linked to the lead."), field="contact_id")
    positions = [link.position for link in lead.linked_contacts]
    db.session.add(
        LeadContact(
            lead_id=lead.id,
            contact_id=contact.id,
            relation=relation,
            position=max(positions, default=0) + 1,
        )
    )
    db.session.flush()
    db.session.expire(lead, ["linked_contacts"])
    data = {"contact": contact.display_name, "relation": relation}
    return record_event(lead, actor, "contact_linked", data, ref=contact)


def create_linked_contact(
    lead: Lead, actor: User, relation: str | None = None, **fields
) -> Contact:
    """Create a new contact (same rules as everywhere) and link it to the lead."""
    relation = _clean_relation(relation)
    contact = create_contact(actor, branch_id=lead.branch_id, **fields)
    link_contact(lead, actor, contact, relation)
    return contact


def unlink_contact(lead: Lead, actor: User, contact: Contact) -> Event:
    """Remove a linked contact from the lead (the main contact needs a successor first)."""
    if contact.id == lead.contact_id:
        raise ServiceError(
            _l("The main contact cannot be unlinked: make another contact the main one first.")
        )
    link = _link_of(lead, contact)
    if link is None:
        raise ServiceError(_l("This contact is not linked to the lead."))
    db.session.delete(link)
    db.session.flush()
    db.session.expire(lead, ["linked_contacts"])
    return record_event(lead, actor, "contact_unlinked", {"contact": contact.display_name})


def make_main_contact(lead: Lead, actor: User, contact: Contact, version=None) -> Event:
    """Make a linked contact the lead's main one; the former main contact stays linked."""
    if version is not None:
        check_version(lead, version)
    link = _link_of(lead, contact)
    if link is None:
        raise ServiceError(_l("Link the contact to the lead first."))
    old = lead.contact
    position = link.position
    db.session.delete(link)
    db.session.flush()
    db.session.add(LeadContact(lead_id=lead.id, contact_id=old.id, position=position))
    lead.contact = contact
    db.session.flush()
    db.session.expire(lead, ["linked_contacts"])
    data = {"from": old.display_name, "to": contact.display_name}
    return record_event(lead, actor, "main_contact_changed", data, ref=contact)
