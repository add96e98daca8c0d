"""The task overview (F27–F29): deadlines, tasks and test drives of one agenda.

At most six queries, whatever the data: for each kind, one narrow query of the next
(id, moment) keys, scoped with `permissions.scope_leads`; then, for each kind on the page,
one query of its rows. Deadlines are targets (a due moment only), tasks have a start and a
duration, test drives are appointments on a lead.

The list is read a page at a time (issue 8): each kind's keys seek past the cursor
(moment, kind, id), one page plus one; the three are merged by that key, so a page is exact
whatever the mix of kinds, and no query grows with the agenda (partial indexes on a user's
open deadlines and tasks, `deadline.owner_id` copying the lead's owner).
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, false, or_, select, tuple_
from sqlalchemy.orm import aliased, contains_eager, joinedload

from carflow.extensions import db
from carflow.models import (
    Contact,
    Deadline,
    Lead,
    LeadStatus,
    Task,
    TestDrive,
    User,
    Vehicle,
)
from carflow.models.contact import contact_display_name
from carflow.models.user import person_name
from carflow.models.vehicle import vehicle_title
from carflow.permissions import can, scope_leads
from carflow.services.opening_hours import local_day_bounds
from carflow.services.tasks import is_task_overdue, task_end
from carflow.sql import ids_parameter

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
    lead: Lead | LeadRef | None  # tasks: the ORM lead (permission checks); others: id and code
    user_name: str
    record: object  # the task (its version for the Complete button); None for the others


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
    if not 1 <= item_id <= 2**31 - 1 or not 1900 <= at.year <= 2100:
        return None
    return at, kind, item_id


def _scoped(query, viewer, branch_id):
    query = scope_leads(query, viewer)
    if branch_id is not None:
        query = query.where(Lead.branch_id == branch_id)
    return query


def _deadline_keys(viewer, flt: AgendaFilter, start, end, now):
    query = select(Deadline.id, Deadline.due_at).join(Deadline.lead)
    query = _scoped(query, viewer, flt.branch_id)
    if flt.user_id is not None:
        query = query.where(Deadline.owner_id == flt.user_id)  # = the lead's owner
    if (window := _in_window(Deadline.due_at, start, end)) is not None:
        query = query.where(window)
    if flt.status in ("open", "overdue"):  # a won or lost lead's deadlines are moot
        query = query.where(Deadline.closed_at.is_(None), Lead.status == LeadStatus.open)
    if flt.status == "overdue":
        query = query.where(Deadline.due_at < now)
    elif flt.status == "done":
        query = query.where(Deadline.closed_at.is_not(None))
    return query


@dataclass(frozen=True)
class LeadRef:
    """The lead of a deadline or test drive row: what the list links to."""

    id: int
    code: str


def _rows_of(statement_for, ids) -> list:
    """Plain rows of a statement built once per database kind, for these ids."""
    statement = statement_for(db.session.get_bind().dialect.name)
    return db.session.connection().execute(statement, {"ids": list(ids)}).all()


@functools.cache
def _deadline_rows_statement(dialect: str):
    """The deadlines of `:ids` with lead code, contact and owner names (built once)."""
    owner = aliased(User)
    return (
        select(
            Deadline.id,
            Deadline.kind,
            Deadline.due_at,
            Deadline.closed_at,
            Lead.id,
            Lead.code,
            Contact.kind,
            Contact.first_name,
            Contact.last_name,
            owner.first_name,
            owner.last_name,
        )  # fmt: skip
        .join(Lead, Lead.id == Deadline.lead_id)
        .join(Contact, Contact.id == Lead.contact_id)
        .outerjoin(owner, owner.id == Lead.owner_id)
        .where(ids_parameter(Deadline.id, dialect))
    )


def _deadline_items(ids, now) -> list[AgendaItem]:
    """The chosen deadlines as plain rows (lead code, contact and owner names)."""
    rows = _rows_of(_deadline_rows_statement, ids)
    items = []
    for row in rows:
        (deadline_id, kind, due_at, closed_at, lead_id, code, contact_kind, first, last,
         owner_first, owner_last) = row  # fmt: skip
        items.append(
            AgendaItem(
                "deadline",
                deadline_id,
                f"{kind.label} · {contact_display_name(contact_kind, first, last)}",
                due_at,
                None,
                None,
                closed_at is None and due_at < now,
                closed_at is not None,
                LeadRef(lead_id, code),
                person_name(owner_first, owner_last),
                None,
            )
        )
    return items


def _task_keys(viewer, flt: AgendaFilter, start, end, now):
    query = select(Task.id, Task.starts_at).outerjoin(Task.lead)
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
    return query


def _task_items(ids, now) -> list[AgendaItem]:
    query = (
        select(Task)
        .outerjoin(Task.lead)
        .options(contains_eager(Task.lead).joinedload(Lead.contact), joinedload(Task.assignee))
        .where(Task.id.in_(ids))
    )
    return [
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


def _test_drive_keys(viewer, flt: AgendaFilter, start, end, now):
    query = select(TestDrive.id, TestDrive.starts_at).join(TestDrive.lead)
    query = _scoped(query, viewer, flt.branch_id)
    if flt.status == "overdue":
        query = query.where(false())  # an appointment is never overdue
    if flt.user_id is not None:
        query = query.where(TestDrive.owner_id == flt.user_id)
    if (window := _in_window(TestDrive.starts_at, start, end)) is not None:
        query = query.where(window)
    if flt.status == "open":
        query = query.where(TestDrive.ends_at >= now)
    elif flt.status == "done":
        query = query.where(TestDrive.ends_at < now)
    return query


@functools.cache
def _test_drive_rows_statement(dialect: str):
    """The test drives of `:ids` with vehicle, lead code, contact and owner names."""
    owner = aliased(User)
    return (
        select(
            TestDrive.id,
            TestDrive.starts_at,
            TestDrive.ends_at,
            Lead.id,
            Lead.code,
            Vehicle.make,
            Vehicle.model,
            Vehicle.version,
            Contact.kind,
            Contact.first_name,
            Contact.last_name,
            owner.first_name,
            owner.last_name,
        )  # fmt: skip
        .join(Lead, Lead.id == TestDrive.lead_id)
        .join(Contact, Contact.id == Lead.contact_id)
        .join(Vehicle, Vehicle.id == TestDrive.vehicle_id)
        .outerjoin(owner, owner.id == TestDrive.owner_id)
        .where(ids_parameter(TestDrive.id, dialect))
    )


def _test_drive_items(ids, now) -> list[AgendaItem]:
    """The chosen test drives as plain rows (vehicle, lead code, contact and owner names)."""
    rows = _rows_of(_test_drive_rows_statement, ids)
    items = []
    for row in rows:
        (drive_id, starts_at, ends_at, lead_id, code, make, model, version, contact_kind, first,
         last, owner_first, owner_last) = row  # fmt: skip
        vehicle = vehicle_title(make, model, version)
        items.append(
            AgendaItem(
                "test_drive",
                drive_id,
                f"{vehicle} · {contact_display_name(contact_kind, first, last)}",
                starts_at,
                ends_at,
                int((ends_at - starts_at).total_seconds() // 60),
                False,
                ends_at < now,
                LeadRef(lead_id, code),
                person_name(owner_first, owner_last),
                None,
            )
        )
    return items


# kind → (the matching (id, moment) rows, the items of chosen ids, the model); KINDS order.
_KINDS = {
    "deadline": (_deadline_keys, _deadline_items, Deadline),
    "task": (_task_keys, _task_items, Task),
    "test_drive": (_test_drive_keys, _test_drive_items, TestDrive),
}
# kind → the action that must be allowed to list it (F33: Pro has no test drives)
_KIND_ACTIONS = {"deadline": "task.view", "task": "task.view", "test_drive": "test_drive.view"}


def _kinds_for(viewer) -> dict:
    """The kinds `viewer` may see under the account's edition and their permissions."""
    return {kind: parts for kind, parts in _KINDS.items() if can(viewer, _KIND_ACTIONS[kind])}


def _load(viewer, flt: AgendaFilter, tz_name: str, now: datetime, after, limit, keep=None):
    """Items in (moment, kind, id) order after the cursor: each kind's next `limit` keys
    (one narrow query each), merged, the first `keep` kept (all when None); then the kept
    items of each kind (one query each). Returns how many keys each kind had, and the items."""
    today = now.astimezone(ZoneInfo(tz_name or "UTC")).date()
    start, end = flt.window(tz_name, today)
    keys, counts = [], []
    kinds = _kinds_for(viewer)
    for kind, (key_query, _, model) in kinds.items():
        query = key_query(viewer, flt, start, end, now)
        moment = query.selected_columns[1]
        if (seek := _after(kind, moment, model.id, after)) is not None:
            query = query.where(seek)
        rows = db.session.execute(query.order_by(moment, model.id).limit(limit)).all()
        counts.append(len(rows))
        keys += [(at, kind, item_id) for item_id, at in rows]
    chosen = sorted(keys)[:keep]
    items = []
    for kind, (_, load_items, _) in kinds.items():
        ids = [item_id for _, k, item_id in chosen if k == kind]
        items += load_items(ids, now) if ids else []
    items.sort(key=_order)
    if flt.status == "overdue":  # a task is overdue once it has ended, not when it starts
        items = [i for i in items if i.overdue]
    return counts, items


def _order(item: AgendaItem):
    return (item.moment, item.kind, item.id)


def load_agenda(viewer, flt: AgendaFilter, tz_name: str, now: datetime) -> list[AgendaItem]:
    """Deadlines, tasks and test drives matching `flt`, by moment; the calendar's feed,
    bounded by its window and ITEM_LIMIT per kind (at most 6 queries)."""
    return _load(viewer, flt, tz_name, now, None, ITEM_LIMIT)[1]


@dataclass
class AgendaPage:
    items: list[AgendaItem]
    next_cursor: str | None


def load_agenda_page(
    viewer, flt: AgendaFilter, tz_name: str, now: datetime, after=None, size: int | None = None
) -> AgendaPage:
    """One page of the list after the cursor `after` ((moment, kind, id) or None), by
    moment (at most 6 queries: each kind's next size+1 keys, then the page's items)."""
    size = size or PAGE_SIZE
    counts, items = _load(viewer, flt, tz_name, now, after, size + 1, keep=size + 1)
    more = len(items) > size or any(count > size for count in counts)
    items = items[:size]
    return AgendaPage(items, encode_agenda_cursor(items[-1]) if more and items else None)
