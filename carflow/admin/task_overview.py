"""The task overview (F27–F29): tasks, deadlines and test drives in one list or calendar.

Filters: user (default: me), branch, today / this week / a date range, open / overdue /
done. The agenda view (FullCalendar, served from /vendor) reads `events` as JSON.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import jsonify, request, url_for
from flask_admin import expose
from flask_login import current_user
from sqlalchemy import select

from carflow.admin.base import SecuredBaseView
from carflow.admin.exports import ExportMixin
from carflow.converters import is_valid_id
from carflow.extensions import db
from carflow.models import Branch, User, utcnow
from carflow.permissions import scope_branches, users_in_scope
from carflow.safe_form import FIRST_DATE, LAST_DATE
from carflow.services.agenda import (
    PERIODS,
    STATUSES,
    AgendaFilter,
    AgendaItem,
    decode_agenda_cursor,
    load_agenda,
    load_agenda_page,
)
from carflow.url_patterns import id_urls


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if is_valid_id(value) else None


def _date_arg(name: str) -> date | None:
    try:
        day = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return day if FIRST_DATE <= day <= LAST_DATE else None


def _moment_arg(name: str) -> datetime | None:
    """A calendar boundary (ISO 8601, with or without offset: naive = user's zone)."""
    from carflow.services.opening_hours import local_to_utc

    try:
        value = datetime.fromisoformat(request.args.get(name, "").replace("Z", "+00:00"))
    except ValueError:
        return None
    if not FIRST_DATE <= value.date() <= LAST_DATE:
        return None
    return local_to_utc(value, current_user.timezone)


def filter_from_request() -> AgendaFilter:
    """The filter of the query string; user defaults to the current user ('' = everyone)."""
    user_arg = request.args.get("user_id")
    period = request.args.get("period", "all")
    status = request.args.get("status", "open")
    return AgendaFilter(
        user_id=current_user.id if user_arg is None else _int_arg("user_id"),
        branch_id=_int_arg("branch_id"),
        period=period if period in PERIODS else "all",
        date_from=_date_arg("date_from"),
        date_to=_date_arg("date_to"),
        status=status if status in STATUSES else "open",
    )


def item_url(item: AgendaItem) -> str:
    """Deadline → its lead's Follow-up tab (F27); task → its page; test drive → its lead."""
    if item.kind == "task":
        return id_urls("task_page.page", "id")[item.id]
    tab = "followup" if item.kind == "deadline" else "details"
    return id_urls("lead_page.page", "lead_id", tab=tab)[item.lead.id]


def _filter_choices():
    """Users and branches offered in the filters (2 queries)."""
    users = db.session.scalars(
        select(User).where(User.active).order_by(User.last_name, User.first_name)
    ).all()
    branches = scope_branches(select(Branch).where(Branch.active), current_user)
    branches = db.session.scalars(branches.order_by(Branch.name)).all()
    return users_in_scope(current_user, users), branches


class TaskOverviewView(ExportMixin, SecuredBaseView):
    """Menu "Tasks": the list, the agenda, and the calendar's JSON feed."""

    required_action = "task.view"
    export_name = "tasks"
    export_action = "task.export"

    def _context(self, flt: AgendaFilter) -> dict:
        users, branches = _filter_choices()
        return dict(flt=flt, users=users, branches=branches, item_url=item_url, now=utcnow())

    @expose("/")
    def index(self):
        flt = filter_from_request()
        now = utcnow()
        after = decode_agenda_cursor(request.args.get("after"))
        page = load_agenda_page(current_user, flt, current_user.timezone, now, after)
        args = {k: v for k, v in request.args.items() if k != "after"}
        return self.render(
            "admin/tasks/overview.html",
            items=page.items,
            first_url=url_for(".index", **args) if after else None,
            next_url=page.next_cursor and url_for(".index", after=page.next_cursor, **args),
            **self._context(flt),
        )

    @expose("/agenda")
    def agenda(self):
        """Day / week agenda (FullCalendar) fed by `events`."""
        flt = filter_from_request()
        return self.render("admin/tasks/agenda.html", **self._context(flt))

    @expose("/events")
    def events(self):
        """JSON for FullCalendar: the items between `start` and `end`."""
        flt = filter_from_request()
        flt.status = request.args.get("status", "all")
        if flt.status not in STATUSES:
            flt.status = "all"
        flt.start, flt.end = _moment_arg("start"), _moment_arg("end")
        now = utcnow()
        items = load_agenda(current_user, flt, current_user.timezone, now)
        return jsonify([_event(item) for item in items])


def _event(item: AgendaItem) -> dict:
    classes = [f"agenda-{item.kind.replace('_', '-')}"]
    if item.overdue:
        classes.append("agenda-overdue")
    if item.done:
        classes.append("agenda-done")
    event = {
        "id": f"{item.kind}-{item.id}",
        "title": item.title,
        "start": item.moment.isoformat(),
        "url": item_url(item),
        "classNames": classes,
        "extendedProps": {"kind": item.kind, "overdue": item.overdue, "done": item.done},
    }
    if item.end is not None:
        event["end"] = item.end.isoformat()
    return event
