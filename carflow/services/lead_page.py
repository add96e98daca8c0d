"""Reading what the lead page shows, in a fixed number of queries.

The statements are built once (`functools.cache`) with bound parameters: building an
SQLAlchemy statement costs more than running these small queries (issue 8).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from carflow.extensions import db
from carflow.models import (
    Branch,
    Deadline,
    Event,
    Lead,
    LeadContact,
    LeadSource,
    LeadType,
    LostReason,
    User,
)
from carflow.models.user import person_name

TIMELINE_PAGE_SIZE = 50


@cache
def _lead_query():
    return (
        select(Lead)
        .where(Lead.id == bindparam("lead_id"))
        .options(joinedload(Lead.contact), joinedload(Lead.owner))
    )


@cache
def _references_query(with_lost_reason: bool):
    """A lead's branch, type, source (and lost reason) rows by primary key; each ON names
    the branch row too, so the statement reads as the joins it is (no cartesian product)."""
    this_branch = Branch.id == bindparam("branch_id")
    query = (
        select(Branch, LeadType, LeadSource)
        .join(LeadType, and_(this_branch, LeadType.id == bindparam("type_id")))
        .join(LeadSource, and_(this_branch, LeadSource.id == bindparam("source_id")))
        .where(this_branch)
    )
    if with_lost_reason:
        query = query.add_columns(LostReason).join(
            LostReason, and_(this_branch, LostReason.id == bindparam("reason_id"))
        )
    return query


def load_lead_for_page(lead_id: int) -> Lead | None:
    """The lead with its header relations (contact, owner, branch, type, source, lost reason).

    Two queries: the lead with its contact and owner, then its branch, type, source and lost
    reason by primary key, set on the lead as loaded. One seven-table join cost PostgreSQL
    more to plan (~1.5 ms) than both queries to run.
    """
    lead = db.session.scalar(_lead_query(), {"lead_id": lead_id})
    if lead is None:
        return None
    references = _references_query(lead.lost_reason_id is not None)
    values = {
        "branch_id": lead.branch_id,
        "type_id": lead.lead_type_id,
        "source_id": lead.source_id,
        "reason_id": lead.lost_reason_id,
    }
    row = db.session.execute(references, values).one()
    for name, value in zip(("branch", "lead_type", "source", "lost_reason"), row, strict=False):
        set_committed_value(lead, name, value)
    return lead


@dataclass(slots=True)
class TimelineEntry:
    """One event as the timeline shows it (read as plain columns: 50 ORM events with their
    actors cost more than the page's SQL)."""

    id: int
    at: datetime
    kind: str
    data: dict | None
    ref_type: str | None
    ref_id: int | None
    actor_name: str | None


@cache
def _timeline_query(after_anchor: bool):
    """Built once per shape: events of `:lead_id` newest first, `:limit` rows, optionally
    older than the anchor (`:anchor_at`, `:anchor_id`)."""
    query = (
        select(
            Event.id,
            Event.at,
            Event.kind,
            Event.data,
            Event.ref_type,
            Event.ref_id,
            User.first_name,
            User.last_name,
        )
        .outerjoin(User, User.id == Event.actor_id)
        .where(Event.lead_id == bindparam("lead_id"))
        .order_by(Event.at.desc(), Event.id.desc())
        .limit(bindparam("limit"))
    )
    if after_anchor:
        at, event_id = bindparam("anchor_at", type_=Event.at.type), bindparam("anchor_id")
        query = query.where((Event.at < at) | ((Event.at == at) & (Event.id < event_id)))
    return query


def load_timeline(lead: Lead, before_id: int | None = None, limit: int = TIMELINE_PAGE_SIZE):
    """Newest events first, `limit` at a time (keyset on (at, id)); returns (entries, has_more)."""
    values = {"lead_id": lead.id, "limit": limit + 1}
    anchor = db.session.get(Event, before_id) if before_id is not None else None
    if anchor is not None and anchor.lead_id == lead.id:
        values.update(anchor_at=anchor.at, anchor_id=anchor.id)
    query = _timeline_query("anchor_at" in values)
    entries = [
        TimelineEntry(*row[:6], None if row[6] is None else person_name(row[6], row[7]))
        for row in db.session.connection().execute(query, values)
    ]
    return entries[:limit], len(entries) > limit


@cache
def _deadlines_query():
    return (
        select(Deadline)
        .where(Deadline.lead_id == bindparam("lead_id"))
        .options(joinedload(Deadline.set_by))
        .order_by(Deadline.closed_at.is_not(None), Deadline.due_at)
    )


def load_deadlines(lead: Lead) -> list[Deadline]:
    """All deadlines of the lead, open ones first, by due moment."""
    return list(db.session.scalars(_deadlines_query(), {"lead_id": lead.id}))


@cache
def _linked_contacts_query():
    return (
        select(LeadContact)
        .where(LeadContact.lead_id == bindparam("lead_id"))
        .options(joinedload(LeadContact.contact))
        .order_by(LeadContact.position)
    )


def load_linked_contacts(lead: Lead) -> list[LeadContact]:
    """The contacts linked to the lead besides the main one (one query, however many)."""
    return list(db.session.scalars(_linked_contacts_query(), {"lead_id": lead.id}))
