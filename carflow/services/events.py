"""Writing the timeline: every change to a lead goes through `record_event`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from carflow.extensions import db
from carflow.models import Event, Lead, utcnow


def record_event(
    lead: Lead,
    actor,
    kind: str,
    data: dict | None = None,
    ref=None,
    at: datetime | None = None,
) -> Event:
    """Add an event to `lead`'s timeline and move its last activity (F13, F34).

    `ref` is the item the event is about (trade-in, offer…): its table name and id
    are stored so the timeline can link to it. `last_activity_at` is moved with a
    plain UPDATE so that it does not bump the lead's version (a note must not make
    a colleague's open edit form stale).
    """
    at = at or utcnow()
    if ref is not None and ref.id is None:
        db.session.flush()
    event = Event(
        lead_id=lead.id,
        at=at,
        actor_id=actor.id if actor is not None else None,
        kind=kind,
        data=data or {},
        ref_type=ref.__tablename__ if ref is not None else None,
        ref_id=ref.id if ref is not None else None,
    )
    db.session.add(event)
    db.session.execute(
        update(Lead)
        .where(Lead.id == lead.id, Lead.last_activity_at < at)
        .values(last_activity_at=at)
        .execution_options(synchronize_session=False)
    )
    if lead.last_activity_at is None or lead.last_activity_at < at:
        db.session.expire(lead, ["last_activity_at"])
    db.session.flush()
    return event


def bump_item_count(lead: Lead, counter: str, delta: int) -> None:
    """Change one of the header counters (trade_in_count, offer_count, test_drive_count)."""
    column = getattr(Lead, counter)
    db.session.execute(
        update(Lead)
        .where(Lead.id == lead.id)
        .values({counter: column + delta})
        .execution_options(synchronize_session=False)
    )
    db.session.expire(lead, [counter])
