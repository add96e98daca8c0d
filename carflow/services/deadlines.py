"""Deadlines: targets on a lead, and the lead's current (earliest open) deadline."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from carflow.extensions import db
from carflow.models import AccountSettings, Deadline, DeadlineKind, Lead, LeadType
from carflow.services.events import record_event
from carflow.timeline import register_event_kind

register_event_kind(
    "deadline_added", "fa-clock-o", lambda d: _("Deadline set for %(due)s", due=d.get("due", ""))
)


def first_contact_delay_minutes(lead_type: LeadType) -> int:
    """F25–F26: the maximum delay for the first contact, per lead type or the default."""
    if lead_type.first_contact_delay_minutes is not None:
        return lead_type.first_contact_delay_minutes
    return AccountSettings.get().default_first_contact_delay_minutes


def compute_due_at(branch, start: datetime, minutes: int) -> datetime:
    """The moment `minutes` after `start` (counted in the branch's opening hours when set)."""
    return start + timedelta(minutes=minutes)


def refresh_next_deadline(lead: Lead) -> None:
    """Keep `lead.next_deadline_at` equal to its earliest open deadline (F7, overview)."""
    db.session.flush()
    lead.next_deadline_at = db.session.scalar(
        select(func.min(Deadline.due_at)).where(
            Deadline.lead_id == lead.id, Deadline.closed_at.is_(None)
        )
    )


def add_deadline(
    lead: Lead, actor, due_at: datetime, kind: DeadlineKind = DeadlineKind.follow_up
) -> Deadline:
    """Add a deadline to a lead and log it."""
    deadline = Deadline(lead_id=lead.id, kind=kind, due_at=due_at, set_by_id=actor and actor.id)
    db.session.add(deadline)
    db.session.flush()
    refresh_next_deadline(lead)
    record_event(
        lead, actor, "deadline_added", {"due": due_at.isoformat(), "kind": kind.value}, ref=deadline
    )
    return deadline


def set_first_contact_deadline(lead: Lead, actor, now: datetime) -> Deadline:
    """F25: the default deadline to contact a new lead's contact person."""
    minutes = first_contact_delay_minutes(lead.lead_type)
    due_at = compute_due_at(lead.branch, now, minutes)
    return add_deadline(lead, actor, due_at, DeadlineKind.first_contact)
