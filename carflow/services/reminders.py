"""The reminder digest (for cron): each user's overdue and today's deadlines and tasks.

Deadlines are those of the leads a user owns; tasks those assigned to the user.
"Today" is the user's own day in the user's time zone. Sent through carflow.mailer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from carflow.extensions import db
from carflow.mailer import MailError, build_message, deliver
from carflow.models import Deadline, Lead, LeadStatus, Task, User, utcnow
from carflow.services.opening_hours import local_day_bounds
from carflow.services.tasks import is_task_overdue

log = logging.getLogger(__name__)


@dataclass
class Digest:
    user: User
    deadlines: list[Deadline] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.deadlines and not self.tasks


def collect_digests(now: datetime) -> list[Digest]:
    """One digest per active user with something overdue or due today (3 queries)."""
    users = {u.id: Digest(u) for u in db.session.scalars(select(User).where(User.active))}
    horizon = max(
        (local_day_bounds(_local_today(d.user, now), d.user.timezone)[1] for d in users.values()),
        default=now,
    )
    deadlines = db.session.scalars(
        select(Deadline)
        .join(Deadline.lead)
        .options(joinedload(Deadline.lead).joinedload(Lead.contact))
        .where(
            Deadline.closed_at.is_(None),
            Deadline.due_at < horizon,
            Lead.owner_id.in_(list(users)),
            Lead.status == LeadStatus.open,
        )
        .order_by(Deadline.due_at)
    )
    for deadline in deadlines:
        digest = users[deadline.lead.owner_id]
        if deadline.due_at < _end_of_today(digest.user, now):
            digest.deadlines.append(deadline)
    tasks = db.session.scalars(
        select(Task)
        .options(joinedload(Task.lead).joinedload(Lead.contact))
        .where(
            Task.completed_at.is_(None),
            Task.starts_at < horizon,
            Task.assignee_id.in_(list(users)),
        )
        .order_by(Task.starts_at)
    )
    for task in tasks:
        digest = users[task.assignee_id]
        if task.starts_at < _end_of_today(digest.user, now):
            digest.tasks.append(task)
    return [d for d in users.values() if not d.empty and d.user.email]


def _local_today(user: User, now: datetime):
    return now.astimezone(ZoneInfo(user.timezone or "UTC")).date()


def _end_of_today(user: User, now: datetime) -> datetime:
    return local_day_bounds(_local_today(user, now), user.timezone)[1]


def _when(value: datetime, user: User) -> str:
    return format_datetime(
        value, "short", tzinfo=ZoneInfo(user.timezone or "UTC"), locale=user.language or "en"
    )


def digest_text(digest: Digest, now: datetime) -> str:
    """The plain-text body of one user's digest."""
    user = digest.user
    lines = [_("Hello %(name)s,", name=user.first_name), "", _("Your Carflow reminders:"), ""]
    if digest.deadlines:
        lines.append(_("Deadlines"))
        for d in digest.deadlines:
            mark = _("OVERDUE") + " " if d.due_at < now else ""
            who = d.lead.contact.display_name
            lines.append(f"- {mark}{_when(d.due_at, user)} {d.kind.label}: {d.lead.code} {who}")
        lines.append("")
    if digest.tasks:
        lines.append(_("Tasks"))
        for t in digest.tasks:
            mark = _("OVERDUE") + " " if is_task_overdue(t, now) else ""
            lead = f" ({t.lead.code} {t.lead.contact.display_name})" if t.lead else ""
            lines.append(f"- {mark}{_when(t.starts_at, user)} {t.title}{lead}")
        lines.append("")
    return "\n".join(lines)


def send_reminders(actor=None, now: datetime | None = None) -> tuple[int, int]:
    """Email each user with overdue or today's items their digest; returns (sent, failed)."""
    now = now or utcnow()
    sent = failed = 0
    for digest in collect_digests(now):
        overdue = sum(d.due_at < now for d in digest.deadlines) + sum(
            is_task_overdue(t, now) for t in digest.tasks
        )
        with force_locale(digest.user.language or "en"):
            subject = _(
                "Carflow: %(d)s deadline(s), %(t)s task(s), %(o)s overdue",
                d=len(digest.deadlines),
                t=len(digest.tasks),
                o=overdue,
            )
            body = digest_text(digest, now)
        message = build_message(subject, [digest.user.email], body)
        try:
            deliver(message)
        except MailError as error:
            log.warning("reminder to %s not sent: %s", digest.user.email, error.reason)
            failed += 1
        else:
            sent += 1
    return sent, failed
