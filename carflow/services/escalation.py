"""Escalation of missed first-contact deadlines (issue 15 item 5, F25 extended).

Per branch (`BranchAssignment`): when a lead's open first-contact deadline is missed by
`escalate_after_minutes` (counted in the branch's sales opening hours), the branch's sales
managers are e-mailed, once; `reassign_after_minutes` later (opening hours again) the lead
goes back to the branch queue or to the next person of the round robin
(`reassign_action`). Each step is a timeline event and is recorded in `LeadEscalation`, so
running again does nothing more. Run every 5 minutes by the job queue.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from carflow.extensions import db
from carflow.models import (
    BranchAssignment,
    Deadline,
    DeadlineKind,
    Lead,
    LeadEscalation,
    LeadStatus,
    User,
    utcnow,
)
from carflow.models.assignment import REASSIGN_NEXT
from carflow.services.alert_mail import language_of, lead_url, queue_alert, render_alert
from carflow.services.assignment import branch_assignment, pick_round_robin
from carflow.services.deadlines import follow_lead_owner
from carflow.services.events import record_event
from carflow.services.lead_alerts import notify_lead_recipient, queue_recipient
from carflow.services.opening_hours import add_opening_minutes
from carflow.timeline import register_event_kind


def _describe_escalated(data: dict) -> str:
    names = ", ".join(data.get("notified") or []) or "—"
    return _("First-contact deadline missed: sales managers notified (%(names)s)", names=names)


def _describe_reassigned(data: dict) -> str:
    if data.get("to_owner"):
        return _(
            "First contact still missing: lead passed from %(old)s to %(new)s",
            old=data.get("from_owner") or "—",
            new=data["to_owner"],
        )
    return _(
        "First contact still missing: lead put back in the %(branch)s branch queue",
        branch=data.get("to_branch", ""),
    )


register_event_kind("escalated", "fa-bell", _describe_escalated)
register_event_kind("escalation_reassigned", "fa-share", _describe_reassigned)


def _pending(now: datetime):
    """(deadline, lead, setting, escalation or None) rows that may need a step now."""
    return db.session.execute(
        select(Deadline, Lead, BranchAssignment, LeadEscalation)
        .join(Lead, Lead.id == Deadline.lead_id)
        .join(BranchAssignment, BranchAssignment.branch_id == Lead.branch_id)
        .outerjoin(LeadEscalation, LeadEscalation.deadline_id == Deadline.id)
        .where(
            Deadline.kind == DeadlineKind.first_contact,
            Deadline.closed_at.is_(None),
            Deadline.due_at < now,
            Lead.status == LeadStatus.open,
            BranchAssignment.escalate_after_minutes.is_not(None),
            or_(
                LeadEscalation.notified_at.is_(None),
                and_(
                    LeadEscalation.reassigned_at.is_(None),
                    BranchAssignment.reassign_after_minutes.is_not(None),
                ),
            ),
        )
        .order_by(Deadline.due_at, Deadline.id)
    ).all()


def _after(lead: Lead, start: datetime, minutes: int) -> datetime:
    branch = lead.branch
    return add_opening_minutes(branch.opening_hours_sales, branch.timezone, start, minutes)


def branch_managers(branch_id: int) -> list[User]:
    """The active sales managers of a branch who have an e-mail address."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.branch_id == branch_id, User.active, User.role == "sales_manager")
            .order_by(User.id)
        )
    )


def _due_text(due: datetime, language: str, timezone: str) -> str:
    zone = ZoneInfo(timezone or "UTC")
    return format_datetime(due, "short", tzinfo=zone, locale=language_of(language))


def notify_managers(lead: Lead, deadline: Deadline) -> list[str]:
    """E-mail the branch's sales managers (else its queue address); their names."""
    recipients = [
        (m.email, m.language, m.timezone, m.full_name)
        for m in branch_managers(lead.branch_id)
        if m.email
    ]
    if not recipients:
        address, language = queue_recipient(lead.branch)
        if address:
            recipients = [(address, language, lead.branch.timezone, address)]
    for address, language, timezone, _name in recipients:
        subject, body = render_alert(
            "lead_escalation",
            language,
            lead=lead,
            link=lead_url(lead),
            due=_due_text(deadline.due_at, language, timezone),
        )
        queue_alert(lead, "escalation", address, language, subject, body)
    return [name for *_rest, name in recipients]


def reassign_missed_lead(lead: Lead, setting: BranchAssignment, now: datetime) -> dict:
    """Take the lead from its owner: to the next person of the round robin or the queue."""
    previous = lead.owner
    owner = None
    if setting.reassign_action == REASSIGN_NEXT:
        locked = branch_assignment(lead.branch_id, lock=True)
        exclude = {previous.id} if previous is not None else set()
        owner = pick_round_robin(lead.branch, locked, now, exclude=exclude)
    data = {
        "from_owner": previous.full_name if previous else None,
        "to_owner": owner.full_name if owner else None,
        "to_branch": lead.branch.name,
    }
    lead.owner = owner
    db.session.flush()
    follow_lead_owner(lead)
    record_event(lead, None, "escalation_reassigned", data, at=now)
    notify_lead_recipient(lead, "lead_new", "new_lead")
    return data


def _escalation_row(deadline: Deadline, row: LeadEscalation | None) -> LeadEscalation:
    if row is None:
        row = LeadEscalation(deadline_id=deadline.id, lead_id=deadline.lead_id)
        db.session.add(row)
    return row


def _reassign_due(lead, setting, escalation, notify_at: datetime, now: datetime) -> bool:
    if setting.reassign_after_minutes is None or escalation.reassigned_at is not None:
        return False
    return now >= _after(lead, notify_at, setting.reassign_after_minutes)


def escalate_one(deadline, lead, setting, escalation, now: datetime) -> tuple[bool, bool]:
    """The steps due now for one missed deadline: (notified, reassigned)."""
    notify_at = _after(lead, deadline.due_at, setting.escalate_after_minutes)
    if now < notify_at:
        return False, False
    notified = reassigned = False
    if escalation is None or escalation.notified_at is None:
        escalation = _escalation_row(deadline, escalation)
        names = notify_managers(lead, deadline)
        escalation.notified_at = now
        record_event(lead, None, "escalated", {"notified": names}, ref=deadline, at=now)
        notified = True
    if _reassign_due(lead, setting, escalation, notify_at, now):
        reassign_missed_lead(lead, setting, now)
        escalation.reassigned_at = now
        reassigned = True
    db.session.flush()
    return notified, reassigned


def escalate_missed_deadlines(now: datetime | None = None) -> dict:
    """Take the escalation steps that are due (the caller commits); returns counts."""
    now = now or utcnow()
    counts = {"notified": 0, "reassigned": 0}
    for deadline, lead, setting, escalation in _pending(now):
        notified, reassigned = escalate_one(deadline, lead, setting, escalation, now)
        counts["notified"] += notified
        counts["reassigned"] += reassigned
    return counts
