"""Tasks (F16, F28): scheduled work with a start, a planned duration and a page of its own.

Completing a task writes "Task … completed by … at …" on its lead's timeline.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from carflow.extensions import db
from carflow.models import Lead, Task, User, utcnow
from carflow.permissions import can_see_lead, may_own_leads
from carflow.services.errors import ServiceError, check_version
from carflow.services.events import record_event
from carflow.timeline import register_event_kind, register_item_endpoint

MAX_DURATION_MINUTES = 60 * 24 * 14


def _fmt(value: str | None) -> str:
    from carflow.i18n import fmt_datetime

    try:
        return fmt_datetime(datetime.fromisoformat(value)) if value else ""
    except ValueError:
        return value or ""


register_event_kind(
    "task_scheduled",
    "fa-tasks",
    lambda d: _(
        "Task “%(title)s” scheduled for %(user)s at %(start)s",
        title=d.get("title", ""),
        user=d.get("assignee", ""),
        start=_fmt(d.get("start")),
    ),
)
register_event_kind(
    "task_updated", "fa-pencil", lambda d: _("Task “%(title)s” changed", title=d.get("title", ""))
)
register_event_kind(
    "task_completed",
    "fa-check-square-o",
    lambda d: _(
        "Task “%(title)s” completed by %(user)s at %(at)s",
        title=d.get("title", ""),
        user=d.get("by", ""),
        at=_fmt(d.get("at")),
    ),
)
register_event_kind(
    "task_reopened",
    "fa-undo",
    lambda d: _(
        "Task “%(title)s” reopened by %(user)s", title=d.get("title", ""), user=d.get("by")
    ),
)
register_item_endpoint("task", "task_page.page")


def task_end(task: Task) -> datetime:
    """The planned end: start + planned duration."""
    return task.starts_at + timedelta(minutes=task.duration_minutes or 0)


def is_task_overdue(task: Task, now: datetime) -> bool:
    """F29: an open task whose planned end has passed."""
    return task.completed_at is None and task_end(task) < now


def eligible_assignees(lead: Lead | None) -> list[User]:
    """Active users who may own leads in the lead's branch (anyone active without a lead)."""
    users = db.session.scalars(
        select(User).where(User.active).order_by(User.last_name, User.first_name)
    )
    return [u for u in users if lead is None or may_own_leads(u, lead.branch_id)]


def _check_fields(lead, title: str, assignee: User | None, starts_at, duration: int) -> None:
    if not (title or "").strip():
        raise ServiceError(_l("Give the task a title."), field="title")
    if assignee is None or not assignee.active:
        raise ServiceError(_l("Choose an active user."), field="assignee_id")
    if lead is not None and not can_see_lead(assignee, lead):
        raise ServiceError(_l("This user may not see this lead."), field="assignee_id")
    if lead is not None and not may_own_leads(assignee, lead.branch_id):
        raise ServiceError(
            _l("This user may not work on leads of this branch."), field="assignee_id"
        )
    if starts_at is None or starts_at.tzinfo is None:
        raise ServiceError(_l("Give a start moment."), field="starts_at")
    if duration is None or not 1 <= duration <= MAX_DURATION_MINUTES:
        raise ServiceError(_l("A duration is between 1 minute and 14 days."), field="duration")


def schedule_task(
    lead: Lead | None,
    actor: User,
    title: str,
    assignee: User,
    starts_at: datetime,
    duration_minutes: int,
    description: str = "",
) -> Task:
    """F16: schedule a task for a lead (shown in the task overview of the assignee)."""
    _check_fields(lead, title, assignee, starts_at, duration_minutes)
    task = Task(
        lead_id=lead.id if lead else None,
        branch_id=lead.branch_id if lead else assignee.branch_id,
        title=title.strip(),
        description=(description or "").strip() or None,
        assignee_id=assignee.id,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        created_by_id=actor.id,
        created_at=utcnow(),
    )
    db.session.add(task)
    db.session.flush()
    if lead is not None:
        data = {"title": task.title, "assignee": assignee.full_name, "start": starts_at.isoformat()}
        record_event(lead, actor, "task_scheduled", data, ref=task)
    return task


def update_task(
    task: Task,
    actor: User,
    version,
    title: str,
    assignee: User,
    starts_at: datetime,
    duration_minutes: int,
    description: str = "",
) -> None:
    """Edit a task from its page (version-checked)."""
    check_version(task, version)
    _check_fields(task.lead, title, assignee, starts_at, duration_minutes)
    task.title = title.strip()
    task.assignee_id = assignee.id
    task.starts_at = starts_at
    task.duration_minutes = duration_minutes
    task.description = (description or "").strip() or None
    db.session.flush()
    if task.lead is not None:
        record_event(task.lead, actor, "task_updated", {"title": task.title}, ref=task)


def complete_task(task: Task, actor: User, version=None, now: datetime | None = None) -> None:
    """F16: mark a task done; its lead's timeline says who completed it and when."""
    if version is not None:
        check_version(task, version)
    if task.completed_at is not None:
        raise ServiceError(_l("This task is completed already."))
    now = now or utcnow()
    task.completed_at = now
    task.completed_by_id = actor.id
    db.session.flush()
    if task.lead is not None:
        data = {"title": task.title, "by": actor.full_name, "at": now.isoformat()}
        record_event(task.lead, actor, "task_completed", data, ref=task, at=now)


def reopen_task(task: Task, actor: User, version=None) -> None:
    """Open a completed task again."""
    if version is not None:
        check_version(task, version)
    if task.completed_at is None:
        raise ServiceError(_l("This task is open already."))
    task.completed_at = None
    task.completed_by_id = None
    db.session.flush()
    if task.lead is not None:
        data = {"title": task.title, "by": actor.full_name}
        record_event(task.lead, actor, "task_reopened", data, ref=task)
