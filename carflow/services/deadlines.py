"""Deadlines: targets on a lead, and the lead's current (earliest open) deadline.

F7 (countdown), F21 (follow-up tab), F25–F26 (first-contact delay), F29 (overdue).
Every change writes a timeline event and re-computes `lead.next_deadline_at`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from carflow.extensions import db
from carflow.models import (
    AccountSettings,
    AuditLog,
    ContactOutcome,
    Deadline,
    DeadlineKind,
    Lead,
    LeadType,
    utcnow,
)
from carflow.services.errors import ServiceError, check_version
from carflow.services.events import record_event
from carflow.services.opening_hours import add_opening_minutes
from carflow.timeline import register_event_kind

MAX_DELAY_MINUTES = 60 * 24 * 90


def _fmt(value: str | None) -> str:
    from carflow.i18n import fmt_datetime

    if not value:
        return ""
    try:
        return fmt_datetime(datetime.fromisoformat(value))
    except ValueError:
        return value


def _kind_label(data: dict) -> str:
    try:
        return str(DeadlineKind(data.get("kind")).label)
    except ValueError:
        return ""


def _with_note(text: str, data: dict) -> str:
    return f"{text}: {data['note']}" if data.get("note") else text


register_event_kind(
    "deadline_added",
    "fa-clock-o",
    lambda d: _("Deadline (%(kind)s) set for %(due)s", kind=_kind_label(d), due=_fmt(d.get("due"))),
)
register_event_kind(
    "deadline_moved",
    "fa-calendar",
    lambda d: _with_note(
        _(
            "Deadline (%(kind)s) moved from %(old)s to %(due)s",
            kind=_kind_label(d),
            old=_fmt(d.get("old")),
            due=_fmt(d.get("due")),
        ),
        d,
    ),
)
register_event_kind(
    "deadline_contact_made",
    "fa-check-circle",
    lambda d: _with_note(_("Contact made (deadline %(kind)s closed)", kind=_kind_label(d)), d),
)
register_event_kind(
    "deadline_contact_not_made",
    "fa-times-circle",
    lambda d: _with_note(_("No contact (deadline %(kind)s stays open)", kind=_kind_label(d)), d),
)


def first_contact_delay_minutes(lead_type: LeadType) -> int:
    """F25–F26: the maximum delay for the first contact, per lead type or the default."""
    if lead_type.first_contact_delay_minutes is not None:
        return lead_type.first_contact_delay_minutes
    return AccountSettings.get().default_first_contact_delay_minutes


def compute_due_at(branch, start: datetime, minutes: int) -> datetime:
    """The moment `minutes` after `start` (counted in the branch's opening hours when set)."""
    settings = AccountSettings.get()
    if settings.count_deadlines_in_opening_hours and branch is not None:
        return add_opening_minutes(branch.opening_hours_sales, branch.timezone, start, minutes)
    return start + timedelta(minutes=minutes)


def is_overdue(deadline: Deadline, now: datetime) -> bool:
    """F29: an open deadline whose due moment has passed (due exactly now is not overdue)."""
    return deadline.closed_at is None and deadline.due_at < now


def refresh_next_deadline(lead: Lead) -> None:
    """Keep `lead.next_deadline_at` equal to its earliest open deadline (F7, overview).

    Written with a plain UPDATE so that it does not bump the lead's version: a deadline
    change must not make a colleague's open edit form of the lead stale.
    """
    db.session.flush()
    value = db.session.scalar(
        select(func.min(Deadline.due_at)).where(
            Deadline.lead_id == lead.id, Deadline.closed_at.is_(None)
        )
    )
    db.session.execute(
        update(Lead)
        .where(Lead.id == lead.id)
        .values(next_deadline_at=value)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(lead, "next_deadline_at", value)


def close_open_deadlines(lead: Lead, now: datetime) -> int:
    """Close every open deadline of a lead that was won or lost; returns how many."""
    closed = db.session.execute(
        update(Deadline)
        .where(Deadline.lead_id == lead.id, Deadline.closed_at.is_(None))
        .values(closed_at=now)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    refresh_next_deadline(lead)
    return closed


def follow_lead_owner(lead: Lead) -> None:
    """Copy the lead's owner onto its deadlines (after an assignment): the task overview
    reads a user's open deadlines by `Deadline.owner_id`."""
    db.session.execute(
        update(Deadline)
        .where(Deadline.lead_id == lead.id)
        .values(owner_id=lead.owner_id)
        .execution_options(synchronize_session="fetch")
    )


def add_deadline(
    lead: Lead,
    actor,
    due_at: datetime,
    kind: DeadlineKind = DeadlineKind.follow_up,
    now: datetime | None = None,
) -> Deadline:
    """Add a deadline to a lead and log it."""
    if due_at.tzinfo is None:
        raise ServiceError(_l("The due moment needs a time zone."), field="due_at")
    deadline = Deadline(
        lead_id=lead.id,
        kind=kind,
        due_at=due_at,
        outcome=ContactOutcome.not_yet,
        set_by_id=actor and actor.id,
        owner_id=lead.owner_id,
        created_at=now or utcnow(),
    )
    db.session.add(deadline)
    db.session.flush()
    refresh_next_deadline(lead)
    record_event(
        lead,
        actor,
        "deadline_added",
        {"due": due_at.isoformat(), "kind": kind.value},
        ref=deadline,
        at=now,
    )
    return deadline


def set_first_contact_deadline(lead: Lead, actor, now: datetime) -> Deadline:
    """F25: the default deadline to contact a new lead's contact person."""
    minutes = first_contact_delay_minutes(lead.lead_type)
    due_at = compute_due_at(lead.branch, now, minutes)
    return add_deadline(lead, actor, due_at, DeadlineKind.first_contact, now=now)


def reopen_delay_minutes(lead: Lead) -> int:
    """The follow-up delay after reopening: the setting, else the first-contact delay."""
    minutes = AccountSettings.get().reopen_follow_up_minutes
    return minutes if minutes is not None else first_contact_delay_minutes(lead.lead_type)


def set_reopen_deadline(lead: Lead, actor, now: datetime) -> Deadline:
    """A reopened lead gets a follow-up deadline (counted in opening hours when set)."""
    due_at = compute_due_at(lead.branch, now, reopen_delay_minutes(lead))
    return add_deadline(lead, actor, due_at, DeadlineKind.follow_up, now=now)


def move_deadline(deadline: Deadline, actor, due_at: datetime, version, note: str = "") -> None:
    """F21: change an open deadline's due moment."""
    check_version(deadline, version)
    if deadline.closed_at is not None:
        raise ServiceError(_l("This deadline is closed: add a new one instead."))
    old = deadline.due_at
    deadline.due_at = due_at
    refresh_next_deadline(deadline.lead)
    data = {"kind": deadline.kind.value, "old": old.isoformat(), "due": due_at.isoformat()}
    if note.strip():
        data["note"] = note.strip()
    record_event(deadline.lead, actor, "deadline_moved", data, ref=deadline)


def record_contact_outcome(
    deadline: Deadline,
    actor,
    outcome: ContactOutcome,
    version,
    note: str = "",
    new_due_at: datetime | None = None,
    now: datetime | None = None,
) -> None:
    """F21: contact made (closes the deadline) or not made (stays open, may be moved)."""
    check_version(deadline, version)
    if deadline.closed_at is not None:
        raise ServiceError(_l("This deadline is closed already."))
    if outcome not in (ContactOutcome.made, ContactOutcome.not_made):
        raise ServiceError(_l("Choose whether contact was made."), field="outcome")
    now = now or utcnow()
    deadline.outcome = outcome
    deadline.outcome_note = note.strip() or None
    data = {"kind": deadline.kind.value, "note": note.strip()}
    if outcome is ContactOutcome.made:
        deadline.closed_at = now
        kind = "deadline_contact_made"
    else:
        kind = "deadline_contact_not_made"
        if new_due_at is not None:
            data.update(old=deadline.due_at.isoformat(), due=new_due_at.isoformat())
            deadline.due_at = new_due_at
    refresh_next_deadline(deadline.lead)
    record_event(deadline.lead, actor, kind, data, ref=deadline, at=now)


_UNCHANGED = object()


def update_deadline_settings(
    actor,
    default_minutes: int,
    per_type: dict[int, int | None],
    count_in_opening_hours: bool,
    version,
    reopen_minutes=_UNCHANGED,
) -> AccountSettings:
    """F26: the account default delay, each lead type's delay and 'count in opening hours';
    the reopen follow-up delay (None: the first-contact delay applies).

    Only leads created afterwards are affected: existing deadlines are left as they are.
    """
    settings = AccountSettings.get()
    check_version(settings, version)
    if reopen_minutes is _UNCHANGED:
        reopen_minutes = settings.reopen_follow_up_minutes
    for minutes in [default_minutes, reopen_minutes, *per_type.values()]:
        if minutes is not None and not 1 <= minutes <= MAX_DELAY_MINUTES:
            raise ServiceError(_l("A delay is between 1 minute and 90 days."))
    settings.default_first_contact_delay_minutes = default_minutes
    settings.count_deadlines_in_opening_hours = bool(count_in_opening_hours)
    settings.reopen_follow_up_minutes = reopen_minutes
    types = db.session.scalars(select(LeadType).where(LeadType.id.in_(list(per_type))))
    for lead_type in types:
        lead_type.first_contact_delay_minutes = per_type[lead_type.id]
    details = {
        "default_minutes": default_minutes,
        "per_type": {str(k): v for k, v in per_type.items()},
        "count_in_opening_hours": bool(count_in_opening_hours),
        "reopen_minutes": reopen_minutes,
    }
    db.session.add(
        AuditLog(actor_id=actor and actor.id, action="deadline_settings_changed", details=details)
    )
    db.session.flush()
    return settings
