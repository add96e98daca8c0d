"""The task overview (F27–F29): deadlines, tasks and test drives of one agenda.

Three queries, whatever the data: one per kind, each with its lead and contact joined
and scoped with `permissions.scope_leads`. Deadlines are targets (a due moment only),
tasks have a start and a duration, test drives are appointments on a lead.

The list is read a page at a time (issue 8): each kind's query seeks past the cursor
(moment, kind, id) and reads one page plus one; the three are merged by that key, so a
page is exact whatever the mix of kinds and no query grows with the agenda.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select, tuple_
from sqlalchemy.orm import contains_eager, joinedload

from carflow.extensions import db
from carflow.models import Deadline, Lead, LeadStatus, Task, TestDrive
from carflow.permissions import scope_leads
from carflow.services.opening_hours import local_day_bounds
from carflow.services.tasks import is_task_overdue, task_end

STATUSES = ("open", "overdue", "done", "all")
PERIODS = ("all", "today", "week", "range")
ITEM_LIMIT = 300  # the calendar's window, per kind
PAGE_SIZE = 50  # the list, all kinds together
KINDS = ("deadline", "task", "test_drive")  # the tie order of items at the same moment


@dataclass
class AgendaFilter:
    """What the overview shows; `user_id` None = every user in scope."""

    user_id: int | None = None
    branch_id: int | None = None
    period: str = "all"
    date_from: date | None = None
    date_to: date | None = None
    status: str = "open"
    start: datetime | None = field(default=None)  # explicit window (calendar)
    end: datetime | None = field(default=None)

    def window(self, tz_name: str, today: date) -> tuple[datetime | None, datetime | None]:
        """The [start, end) UTC window of the period, in the user's time zone."""
        if self.start is not None or self.end is not None:
            return self.start, self.end
        if self.period == "today":
            return local_day_bounds(today, tz_name)
        if self.period == "week":
            return local_day_bounds(today - timedelta(days=today.weekday()), tz_name, days=7)
        if self.period == "range" and (self.date_from or self.date_to):
            start = local_day_bounds(self.date_from, tz_name)[0] if self.date_from else None
            end = local_day_bounds(self.date_to, tz_name)[1] if self.date_to else None
            return start, end
        return None, None


@dataclass
class AgendaItem:
    """One row of the overview (and one calendar event)."""

    kind: str  # "deadline" | "task" | "test_drive"
    id: int
    title: str
    moment: datetime  # due moment (deadline) or start (task, test drive)
    end: datetime | None
    duration_minutes: int | None
    overdue: bool
    done: bool
    lead: Lead | None
    user_name: str
    record: object


def _in_window(column, start, end):
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return and_(*conditions) if conditions else None


def _after(kind: str, moment, id_column, after):
    """Rows of `kind` that come after the cursor (moment, kind, id) in the merged order."""
    if after is None:
        return None
    at, after_kind, after_id = after
    if kind > after_kind:
        return moment >= at
    if kind < after_kind:
        return moment > at
    return tuple_(moment, id_column) > tuple_(at, after_id)


def encode_agenda_cursor(item: AgendaItem) -> str:
    """A URL-safe token for the position of an item in the list."""
    raw = json.dumps([item.moment.isoformat(), item.kind, item.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_agenda_cursor(token: str | None):
    """(moment, kind, id) from a token, or None when absent or malformed."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        moment, kind, item_id = json.loads(raw)
        at = datetime.fromisoformat(moment)
    except (ValueError, TypeError, binascii.Error):
        return None
    if at.tzinfo is None or kind not in KINDS or not isinstance(item_id, int):
        return None
    return at, kind, item_id


def _scoped(query, viewer, branch_id):
    query = scope_leads(query, viewer)
    if branch_id is not None:
        query = query.where(Lead.branch_id == branch_id)
    return query


def _deadlines(viewer, flt: AgendaFilter, start, end, now, after, limit) -> list[AgendaItem]:
    query = (
        select(Deadline)
        .join(Deadline.lead)
        .options(contains_eager(Deadline.lead).joinedload(Lead.contact))
        .options(contains_eager(Deadline.lead).joinedload(Lead.owner))
    )
    query = _scoped(query, viewer, flt.branch_id)
    if flt.user_id is not None:
        query = query.where(Lead.owner_id == flt.user_id)
    if (window := _in_window(Deadline.due_at, start, end)) is not None:
        query = query.where(window)
    if flt.status in ("open", "overdue"):  # a won or lost lead's deadlines are moot
        query = query.where(Deadline.closed_at.is_(None), Lead.status == LeadStatus.open)
    if flt.status == "overdue":
        query = query.where(Deadline.due_at < now)
    elif flt.status == "done":
        query = query.where(Deadline.closed_at.is_not(None))
    if (seek := _after("deadline", Deadline.due_at, Deadline.id, after)) is not None:
        query = query.where(seek)
    query = query.order_by(Deadline.due_at, Deadline.id).limit(limit)
    return [
        AgendaItem(
            "deadline",
            d.id,
            f"{d.kind.label} · {d.lead.contact.display_name}",
            d.due_at,
            None,
            None,
            d.closed_at is None and d.due_at < now,
            d.closed_at is not None,
            d.lead,
            d.lead.owner.full_name if d.lead.owner else "",
            d,
        )
        for d in db.session.scalars(query).unique()
    ]


def _tasks(viewer, flt: AgendaFilter, start, end, now, after, limit) -> list[AgendaItem]:
    query = (
        select(Task)
        .outerjoin(Task.lead)
        .options(contains_eager(Task.lead).joinedload(Lead.contact), joinedload(Task.assignee))
    )
    scope = scope_leads(select(Lead.id), viewer).whereclause
    if scope is not None:
        query = query.where(or_(and_(Task.lead_id.is_(None), Task.assignee_id == viewer.id), scope))
    if flt.branch_id is not None:
        query = query.where(Task.branch_id == flt.branch_id)
    if flt.user_id is not None:
        query = query.where(Task.assignee_id == flt.user_id)
    if (window := _in_window(Task.starts_at, start, end)) is not None:
        query = query.where(window)
    if flt.status in ("open", "overdue"):
        query = query.where(Task.completed_at.is_(None))
    if flt.status == "overdue":
        query = query.where(Task.starts_at < now)
    elif flt.status == "done":
        query = query.where(Task.completed_at.is_not(None))
    if (seek := _after("task", Task.starts_at, Task.id, after)) is not None:
        query = query.where(seek)
    query = query.order_by(Task.starts_at, Task.id).limit(limit)
    items = [
        AgendaItem(
            "task",
            t.id,
            t.title,
            t.starts_at,
            task_end(t),
            t.duration_minutes,
            is_task_overdue(t, now),
            t.completed_at is not None,
            t.lead,
            t.assignee.full_name,
            t,
        )
        for t in db.session.scalars(query).unique()
    ]
    return [i for i in items if i.overdue] if flt.status == "overdue" else items


def _test_drives(viewer, flt: AgendaFilter, start, end, now, after, limit) -> list[AgendaItem]:
    if flt.status == "overdue":
        return []
    query = (
        select(TestDrive)
        .join(TestDrive.lead)
        .options(
            contains_eager(TestDrive.lead).joinedload(Lead.contact),
            joinedload(TestDrive.vehicle),
            joinedload(TestDrive.owner),
        )
    )
    query = _scoped(query, viewer, flt.branch_id)
    if flt.user_id is not None:
        query = query.where(TestDrive.owner_id == flt.user_id)
    if (window := _in_window(TestDrive.starts_at, start, end)) is not None:
        query = query.where(window)
    if flt.status == "open":
        query = query.where(TestDrive.ends_at >= now)
    elif flt.status == "done":
        query = query.where(TestDrive.ends_at < now)
    if (seek := _after("test_drive", TestDrive.starts_at, TestDrive.id, after)) is not None:
        query = query.where(seek)
    query = query.order_by(TestDrive.starts_at, TestDrive.id).limit(limit)
    return [
        AgendaItem(
            "test_drive",
            t.id,
            f"{t.vehicle.title} · {t.lead.contact.display_name}",
            t.starts_at,
            t.ends_at,
            int((t.ends_at - t.starts_at).total_seconds() // 60),
            False,
            t.ends_at < now,
            t.lead,
            t.owner.full_name if t.owner else "",
            t,
        )
        for t in db.session.scalars(query).unique()
    ]


def _load(viewer, flt: AgendaFilter, tz_name: str, now: datetime, after, limit):
    today = now.astimezone(ZoneInfo(tz_name or "UTC")).date()
    start, end = flt.window(tz_name, today)
    kinds = [
        loader(viewer, flt, start, end, now, after, limit)
        for loader in (_deadlines, _tasks, _test_drives)
    ]
    return kinds, sorted((i for items in kinds for i in items), key=_order)


def _order(item: AgendaItem):
    return (item.moment, item.kind, item.id)


def load_agenda(viewer, flt: AgendaFilter, tz_name: str, now: datetime) -> list[AgendaItem]:
    """Deadlines, tasks and test drives matching `flt`, by moment (3 queries); the
    calendar's feed, bounded by its window and ITEM_LIMIT per kind."""
    return _load(viewer, flt, tz_name, now, None, ITEM_LIMIT)[1]


@dataclass
class AgendaPage:
    items: list[AgendaItem]
    next_cursor: str | None


def load_agenda_page(
    viewer, flt: AgendaFilter, tz_name: str, now: datetime, after=None, size: int | None = None
) -> AgendaPage:
    """One page of the list after the cursor `after` ((moment, kind, id) or None), by
    moment (3 queries of at most size+1 rows each)."""
    size = size or PAGE_SIZE
    kinds, merged = _load(viewer, flt, tz_name, now, after, size + 1)
    items = merged[:size]
    more = len(merged) > size or any(len(rows) > size for rows in kinds)
    return AgendaPage(items, encode_agenda_cursor(items[-1]) if more and items else None)
