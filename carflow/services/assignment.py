"""Automatic assignment of new leads (issue 15 item 3).

`assign_new_lead` runs inside the unit of work that creates a lead: the first matching
`AssignmentRule` (channel / source / lead type) may move the lead to another branch; then
the branch's mode applies: round robin among the branch's users who may own leads
(`permissions.may_own_leads`: never read-only or reception), skipping users absent today
and users at their open-lead limit, or the branch queue. Every outcome is a timeline event
naming the rule.

Concurrency: the branch's `BranchAssignment` row is the rotation; it is read with
`SELECT … FOR UPDATE` (PostgreSQL), so concurrent leads of one branch take turns; SQLite
serializes writers (the lead's INSERT already holds the write lock).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, select

from carflow.extensions import db
from carflow.models import (
    AssignmentRule,
    Branch,
    BranchAssignment,
    Deadline,
    DeadlineKind,
    Lead,
    LeadStatus,
    User,
    utcnow,
)
from carflow.models.assignment import MODE_ROUND_ROBIN
from carflow.permissions import may_own_leads
from carflow.services.deadlines import (
    compute_due_at,
    first_contact_delay_minutes,
    follow_lead_owner,
    refresh_next_deadline,
)
from carflow.services.events import record_event
from carflow.timeline import register_event_kind


def _rule_name(data: dict) -> str:
    if data.get("rule"):
        return data["rule"]
    if data.get("mode") == MODE_ROUND_ROBIN:
        return _("%(branch)s, round robin", branch=data.get("to_branch", ""))
    return _("%(branch)s, queue", branch=data.get("to_branch", ""))


def _describe_auto_assigned(data: dict) -> str:
    if data.get("to_owner"):
        return _(
            "Assigned to %(owner)s by rule '%(rule)s'",
            owner=data["to_owner"],
            rule=_rule_name(data),
        )
    text = _(
        "Left in the %(branch)s branch queue by rule '%(rule)s'",
        branch=data.get("to_branch", ""),
        rule=_rule_name(data),
    )
    if data.get("nobody_available"):
        text += " — " + _("nobody available")
    return text


register_event_kind("auto_assigned", "fa-random", _describe_auto_assigned)


def branch_assignment(branch_id: int, lock: bool = False) -> BranchAssignment | None:
    """The branch's assignment settings (None: queue, no limits); `lock`: FOR UPDATE."""
    query = select(BranchAssignment).where(BranchAssignment.branch_id == branch_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(query)


def matching_rule(lead: Lead, channel: str | None) -> AssignmentRule | None:
    """The first active rule (by position) whose channel, source and lead type fit."""
    rules = db.session.scalars(
        select(AssignmentRule)
        .where(AssignmentRule.active)
        .order_by(AssignmentRule.position, AssignmentRule.id)
    )
    for rule in rules:
        if rule.channel and rule.channel != channel:
            continue
        if rule.source_id is not None and rule.source_id != lead.source_id:
            continue
        if rule.lead_type_id is not None and rule.lead_type_id != lead.lead_type_id:
            continue
        return rule
    return None


def is_absent(user: User, day: date) -> bool:
    """True when `day` is within the user's absence (dates inclusive; open ends allowed)."""
    if user.absent_from is None and user.absent_until is None:
        return False
    starts = user.absent_from or date.min
    ends = user.absent_until or date.max
    return starts <= day <= ends


def open_lead_counts(user_ids: list[int]) -> dict[int, int]:
    """{user id: number of open leads owned} in one grouped query."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(Lead.owner_id, func.count())
        .where(Lead.owner_id.in_(user_ids), Lead.status == LeadStatus.open)
        .group_by(Lead.owner_id)
    )
    return dict(rows.all())


def eligible_users(
    branch: Branch, setting: BranchAssignment | None, now: datetime, exclude=()
) -> list[User]:
    """The branch's users who may take a new lead now, in rotation (id) order."""
    users = db.session.scalars(
        select(User).where(User.branch_id == branch.id, User.active).order_by(User.id)
    ).all()
    today = now.astimezone(ZoneInfo(branch.timezone or "UTC")).date()
    candidates = [
        u
        for u in users
        if u.id not in exclude and may_own_leads(u, branch.id) and not is_absent(u, today)
    ]
    counts = open_lead_counts([u.id for u in candidates])
    branch_limit = setting.max_open_leads if setting is not None else None
    available = []
    for user in candidates:
        limit = user.max_open_leads if user.max_open_leads is not None else branch_limit
        if limit is None or counts.get(user.id, 0) < limit:
            available.append(user)
    return available


def next_in_rotation(users: list[User], last_user_id: int | None) -> User | None:
    """The first user after `last_user_id` in id order, wrapping around."""
    if not users:
        return None
    if last_user_id is not None:
        for user in users:
            if user.id > last_user_id:
                return user
    return users[0]


def pick_round_robin(
    branch: Branch, setting: BranchAssignment, now: datetime, exclude=()
) -> User | None:
    """Take the next available user of the branch's rotation and move the rotation on.

    The caller holds the setting row's lock (`branch_assignment(…, lock=True)`)."""
    user = next_in_rotation(eligible_users(branch, setting, now, exclude), setting.last_user_id)
    if user is not None:
        setting.last_user_id = user.id
        db.session.flush()
    return user


def follow_branch_hours(lead: Lead) -> None:
    """A new lead moved to another branch: its first-contact deadline is counted in the
    new branch's opening hours (when deadlines count in opening hours)."""
    due_at = compute_due_at(
        lead.branch, lead.created_at, first_contact_delay_minutes(lead.lead_type)
    )
    deadlines = db.session.scalars(
        select(Deadline).where(
            Deadline.lead_id == lead.id,
            Deadline.kind == DeadlineKind.first_contact,
            Deadline.closed_at.is_(None),
        )
    ).all()
    for deadline in deadlines:
        if deadline.due_at != due_at:
            data = {"kind": deadline.kind.value, "old": deadline.due_at.isoformat()}
            deadline.due_at = due_at
            record_event(lead, None, "deadline_moved", {**data, "due": due_at.isoformat()})
    refresh_next_deadline(lead)


def assign_new_lead(lead: Lead, *, channel: str | None, actor=None) -> None:
    """Apply the assignment rules and the branch's mode to a new lead (owner None),
    and write the timeline event naming the rule (issue 15 item 3)."""
    now = utcnow()
    rule = matching_rule(lead, channel)
    if rule is not None and rule.branch_id != lead.branch_id:
        lead.branch = rule.branch
        db.session.flush()
        follow_branch_hours(lead)
    setting = branch_assignment(lead.branch_id, lock=True)
    mode = setting.mode if setting is not None else "queue"
    data = {
        "rule": rule.name if rule is not None else None,
        "mode": mode,
        "channel": channel,
        "to_branch": lead.branch.name,
        "to_owner": None,
    }
    if setting is not None and mode == MODE_ROUND_ROBIN and lead.owner_id is None:
        owner = pick_round_robin(lead.branch, setting, now)
        if owner is None:
            data["nobody_available"] = True
        else:
            lead.owner = owner
            db.session.flush()
            follow_lead_owner(lead)
            data["to_owner"] = owner.full_name
            data["owner_id"] = owner.id
    record_event(lead, actor, "auto_assigned", data)
