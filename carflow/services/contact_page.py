"""What the contact page shows (issue 13): the contact's leads, linked leads and documents.

Three statements whatever the number of leads, each scoped to the leads the reader may
see (F32); rows are plain values, as the overview reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from carflow.extensions import db
from carflow.models import Branch, Contact, Document, Lead, LeadContact, LeadStatus, LeadType, User
from carflow.models.user import person_name
from carflow.permissions import scope_leads


@dataclass(frozen=True)
class ContactLeadRow:
    """One lead of the contact: what its row shows (relation: when linked, not main)."""

    id: int
    code: str
    status: LeadStatus
    created_at: datetime
    lead_type: str
    branch: str
    owner: str | None
    relation: str | None = None


@dataclass(frozen=True)
class ContactDocumentRow:
    """One document of one of the contact's visible leads."""

    id: int
    title: str
    size: int
    uploaded_at: datetime
    lead_id: int
    lead_code: str


def _lead_rows_query(*extra_columns):
    return (
        select(
            Lead.id,
            Lead.code,
            Lead.status,
            Lead.created_at,
            LeadType.name,
            Branch.name,
            User.first_name,
            User.last_name,
            *extra_columns,
        )
        .join(LeadType, LeadType.id == Lead.lead_type_id)
        .join(Branch, Branch.id == Lead.branch_id)
        .outerjoin(User, User.id == Lead.owner_id)
        .order_by(Lead.created_at.desc(), Lead.id.desc())
    )


def _lead_row(row, relation=None) -> ContactLeadRow:
    lead_id, code, status, created_at, lead_type, branch, first, last = row[:8]
    owner = person_name(first, last) if (first or last) else None
    return ContactLeadRow(lead_id, code, status, created_at, lead_type, branch, owner, relation)


def load_main_leads(contact: Contact, user) -> list[ContactLeadRow]:
    """The leads `contact` is the main contact of, among those `user` may see; newest first."""
    query = scope_leads(_lead_rows_query().where(Lead.contact_id == contact.id), user)
    return [_lead_row(row) for row in db.session.execute(query)]


def load_linked_leads(contact: Contact, user) -> list[ContactLeadRow]:
    """The leads `contact` is linked to (spouse, company…), with the relation; newest first."""
    query = scope_leads(
        _lead_rows_query(LeadContact.relation)
        .join(LeadContact, LeadContact.lead_id == Lead.id)
        .where(LeadContact.contact_id == contact.id),
        user,
    )
    return [_lead_row(row, relation=row[8]) for row in db.session.execute(query)]


def load_contact_documents(contact: Contact, user) -> list[ContactDocumentRow]:
    """The documents of every lead of the contact (main or linked) that `user` may see."""
    linked = select(LeadContact.lead_id).where(LeadContact.contact_id == contact.id)
    leads = scope_leads(
        select(Lead.id).where(or_(Lead.contact_id == contact.id, Lead.id.in_(linked))), user
    )
    query = (
        select(
            Document.id,
            Document.title,
            Document.size,
            Document.uploaded_at,
            Lead.id,
            Lead.code,
        )
        .join(Lead, Lead.id == Document.lead_id)
        .where(Document.lead_id.in_(leads))
        .order_by(Document.uploaded_at.desc(), Document.id.desc())
    )
    return [ContactDocumentRow(*row) for row in db.session.execute(query)]
