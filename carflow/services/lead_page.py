"""Reading what the lead page shows, in a fixed number of queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from carflow.extensions import db
from carflow.models import Deadline, Event, Lead, LeadContact

TIMELINE_PAGE_SIZE = 50


def load_lead_for_page(lead_id: int) -> Lead | None:
    """The lead with its header relations (contact, owner, branch, type, source) loaded."""
    query = (
        select(Lead)
        .where(Lead.id == lead_id)
        .options(
            joinedload(Lead.contact),
            joinedload(Lead.owner),
            joinedload(Lead.branch),
            joinedload(Lead.lead_type),
            joinedload(Lead.source),
            joinedload(Lead.lost_reason),
        )
    )
    return db.session.scalar(query)


def load_timeline(lead: Lead, before_id: int | None = None, limit: int = TIMELINE_PAGE_SIZE):
    """Newest events first, `limit` at a time (keyset on (at, id)); returns (events, has_more)."""
    query = (
        select(Event)
        .where(Event.lead_id == lead.id)
        .options(joinedload(Event.actor))
        .order_by(Event.at.desc(), Event.id.desc())
        .limit(limit + 1)
    )
    if before_id is not None:
        anchor = db.session.get(Event, before_id)
        if anchor is not None and anchor.lead_id == lead.id:
            query = query.where(
                (Event.at < anchor.at) | ((Event.at == anchor.at) & (Event.id < anchor.id))
            )
    events = list(db.session.scalars(query))
    return events[:limit], len(events) > limit


def load_deadlines(lead: Lead) -> list[Deadline]:
    """All deadlines of the lead, open ones first, by due moment."""
    query = (
        select(Deadline)
        .where(Deadline.lead_id == lead.id)
        .options(joinedload(Deadline.set_by))
        .order_by(Deadline.closed_at.is_not(None), Deadline.due_at)
    )
    return list(db.session.scalars(query))


def load_linked_contacts(lead: Lead) -> list[LeadContact]:
    """The contacts linked to the lead besides the main one (one query, however many)."""
    query = (
        select(LeadContact)
        .where(LeadContact.lead_id == lead.id)
        .options(joinedload(LeadContact.contact))
        .order_by(LeadContact.position)
    )
    return list(db.session.scalars(query))
