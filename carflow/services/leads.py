"""Leads: creation and the changes made from the lead page."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import gettext as _

from carflow.extensions import db
from carflow.models import Branch, Contact, Lead, LeadSource, LeadStatus, LeadType, User, utcnow
from carflow.services.deadlines import set_first_contact_deadline
from carflow.services.events import record_event
from carflow.services.search import reindex_lead
from carflow.timeline import register_event_kind

register_event_kind(
    "lead_created",
    "fa-plus-circle",
    lambda d: _("Lead created for %(contact)s", contact=d.get("contact", "")),
)


def format_lead_code(lead_id: int, created_at: datetime) -> str:
    """The human system code, e.g. L2026-000123."""
    return f"L{created_at.year}-{lead_id:06d}"


def create_lead(
    actor: User | None,
    contact: Contact,
    lead_type: LeadType,
    source: LeadSource,
    branch: Branch,
    owner: User | None = None,
    comment: str | None = None,
    now: datetime | None = None,
) -> Lead:
    """Create a lead with its system code, `created` event and first-contact deadline (F4, F25)."""
    now = now or utcnow()
    lead = Lead(
        code=f"~{secrets.token_hex(8)}",  # placeholder until the id is known
        status=LeadStatus.open,
        lead_type=lead_type,
        source=source,
        contact=contact,
        owner=owner,
        branch=branch,
        created_by_id=actor.id if actor else None,
        comment=(comment or "").strip() or None,
        created_at=now,
        last_activity_at=now,
    )
    db.session.add(lead)
    db.session.flush()
    lead.code = format_lead_code(lead.id, now)
    record_event(lead, actor, "lead_created", {"contact": contact.display_name}, at=now)
    set_first_contact_deadline(lead, actor, now)
    reindex_lead(lead.id)
    db.session.flush()
    return lead
