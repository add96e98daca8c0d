"""Leads: creation and the changes made from the lead page."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from carflow.converters import is_valid_id
from carflow.extensions import db
from carflow.models import (
    Branch,
    Contact,
    Event,
    Lead,
    LeadSource,
    LeadStatus,
    LeadType,
    LostReason,
    User,
    utcnow,
)
from carflow.services.deadlines import (
    close_open_deadlines,
    follow_lead_owner,
    set_first_contact_deadline,
    set_reopen_deadline,
)
from carflow.services.errors import ServiceError, check_version
from carflow.services.events import record_event
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
    db.session.flush()  # the search sync indexes the new lead just before the commit
    return lead


# --- Changes made from the lead page (F13, F17, F18, F20) ---------------------------------

NOTE_MAX_LENGTH = 5000
COMMENT_MAX_LENGTH = 5000
LOST_REASON_TEXT_MAX_LENGTH = 500
OTHER_REASON = "other"  # the lost-reason choice "Other": the explanation is then required


def _status_label(value: str | None) -> str:
    try:
        return str(LeadStatus(value).label)
    except ValueError:
        return value or ""


def _describe_status(data: dict) -> str:
    old, new = _status_label(data.get("from")), _status_label(data.get("to"))
    if data.get("from") in ("won", "lost") and data.get("to") == "open":
        text = _("Lead reopened (was %(old)s)", old=old)
    else:
        text = _("Status changed from %(old)s to %(new)s", old=old, new=new)
    if data.get("reason"):
        text += " — " + _("reason: %(reason)s", reason=data["reason"])
    return text


def _describe_assigned(data: dict) -> str:
    if data.get("to_owner"):
        return _(
            "Assigned to %(owner)s (%(branch)s)",
            owner=data["to_owner"],
            branch=data.get("to_branch", ""),
        )
    return _("Assigned to the %(branch)s branch queue", branch=data.get("to_branch", ""))


def _describe_comment(data: dict) -> str:
    text = data.get("text") or ""
    if not text:
        return _("Comment cleared")
    short = text if len(text) <= 200 else text[:199] + "…"
    return _("Comment changed: %(text)s", text=short)


register_event_kind("status_changed", "fa-flag", _describe_status)
register_event_kind("assigned", "fa-user-plus", _describe_assigned)
register_event_kind("comment_changed", "fa-comment", _describe_comment)


def _check_lead_version(lead: Lead, version) -> None:
    if version is not None:
        check_version(lead, version)


def _clean_text(text: str | None, max_length: int, field: str, required: bool) -> str | None:
    clean = (text or "").strip()
    if required and not clean:
        raise ServiceError(_l("This field is required."), field=field)
    if len(clean) > max_length:
        raise ServiceError(_l("At most %(n)s characters, please.", n=max_length), field=field)
    return clean or None


def add_note(lead: Lead, actor: User, text: str) -> Event:
    """F13: add a free-text note to the lead's timeline."""
    clean = _clean_text(text, NOTE_MAX_LENGTH, "note", required=True)
    return record_event(lead, actor, "note", {"text": clean})


def _chosen_lost_reason(choice: LostReason | int | str | None) -> LostReason | None:
    """The lost reason chosen: a LostReason, its id (an int or digits, as a form sends
    it), or None / "" / OTHER_REASON for none from the list. An id no longer found is
    none (the explanation alone must then say why)."""
    if choice is None or isinstance(choice, LostReason):
        return choice
    raw = str(choice).strip()
    if not raw or raw == OTHER_REASON:
        return None
    if not is_valid_id(raw):
        raise ServiceError(_l("Choose a reason from the list."), field="lost_reason")
    return db.session.get(LostReason, int(raw))


def _lost_reason_text(lost_reason: LostReason | None, text: str | None) -> str:
    clean = _clean_text(text, LOST_REASON_TEXT_MAX_LENGTH, "lost_reason_text", required=False)
    if lost_reason is None and not clean:
        raise ServiceError(_l("Say why the lead was lost."), field="lost_reason")
    if lost_reason is not None and not lost_reason.active:
        raise ServiceError(_l("Choose a reason from the list."), field="lost_reason")
    return ", ".join(p for p in (lost_reason.name if lost_reason else None, clean) if p)


def _set_lost_reason(
    lead: Lead, status: LeadStatus, choice: LostReason | int | str | None, text: str | None
) -> str | None:
    """Record why a lead is lost (cleared for any other status); the event's wording."""
    if status != LeadStatus.lost:
        lead.lost_reason = None
        lead.lost_reason_text = None
        return None
    lost_reason = _chosen_lost_reason(choice)
    reason = _lost_reason_text(lost_reason, text)
    lead.lost_reason = lost_reason
    lead.lost_reason_text = (text or "").strip() or None
    return reason


def change_status(
    lead: Lead,
    actor: User,
    status: LeadStatus | str,
    lost_reason: LostReason | int | str | None = None,
    lost_reason_text: str | None = None,
    version=None,
) -> Event:
    """F18: set In progress / Won / Lost (Lost needs a reason); reopening is logged too.

    `lost_reason` is a LostReason, its id, or OTHER_REASON ("Other": the explanation
    `lost_reason_text` is then required)."""
    if lost_reason == OTHER_REASON and not (lost_reason_text or "").strip():
        raise ServiceError(_l("Explain the reason."), field="lost_reason_text")
    try:
        status = LeadStatus(status)
    except ValueError:
        raise ServiceError(_l("Choose a status."), field="status") from None
    _check_lead_version(lead, version)
    old = lead.status
    if status == old:
        raise ServiceError(
            _l("The lead is already '%(status)s'.", status=status.label), field="status"
        )
    reason = _set_lost_reason(lead, status, lost_reason, lost_reason_text)
    lead.status = status
    lead.closed_at = None if status == LeadStatus.open else utcnow()
    db.session.flush()
    data = {"from": old.value, "to": status.value, "reason": reason}
    if status != LeadStatus.open:
        data["deadlines_closed"] = close_open_deadlines(lead, lead.closed_at)
    event = record_event(lead, actor, "status_changed", data)
    if status == LeadStatus.open:  # reopened: a follow-up deadline, never "No deadline"
        set_reopen_deadline(lead, actor, utcnow())
    return event


def assign_lead(
    lead: Lead, actor: User, owner: User | None = None, branch: Branch | None = None, version=None
) -> Event:
    """F17: give the lead to an active user (and their branch) or to a branch's queue."""
    _check_lead_version(lead, version)
    if owner is not None:
        if not owner.active:
            raise ServiceError(_l("Choose an active user."), field="assignee")
        new_branch = owner.branch or branch or lead.branch
    elif branch is not None:
        if not branch.active:
            raise ServiceError(_l("Choose an active branch."), field="assignee")
        new_branch = branch
    else:
        raise ServiceError(_l("Choose a user or a branch."), field="assignee")
    if owner == lead.owner and new_branch == lead.branch:
        raise ServiceError(_l("The lead is already assigned there."), field="assignee")
    data = {
        "from_owner": lead.owner.full_name if lead.owner else None,
        "from_branch": lead.branch.name,
        "to_owner": owner.full_name if owner else None,
        "to_branch": new_branch.name,
    }
    lead.owner = owner
    lead.branch = new_branch
    db.session.flush()
    follow_lead_owner(lead)
    return record_event(lead, actor, "assigned", data)


def update_comment(lead: Lead, actor: User, text: str | None, version=None) -> Event | None:
    """F20: replace the lead's standing comment; refused when edited meanwhile."""
    _check_lead_version(lead, version)
    clean = _clean_text(text, COMMENT_MAX_LENGTH, "comment", required=False)
    if clean == lead.comment:
        return None
    lead.comment = clean
    db.session.flush()
    return record_event(lead, actor, "comment_changed", {"text": clean or ""})
