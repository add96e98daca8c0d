"""Filters and free-text search of the leads overview (F2)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from flask import g, has_request_context
from flask_admin.contrib.sqla.filters import BaseSQLAFilter, DateTimeBetweenFilter, FilterEqual
from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from sqlalchemy import literal_column, select, union_all

from carflow.extensions import db
from carflow.i18n import language_params, localized_name_column
from carflow.models import (
    Branch,
    Lead,
    LeadSource,
    LeadStatus,
    LeadType,
    User,
    utcnow,
)
from carflow.models.user import person_name

CHOICE_KINDS = ("owner", "branch", "type", "source")


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """Owners, branches, types and sources of the filter widgets: one query per request."""
    if not has_request_context():
        return {}  # Flask-Admin builds its cache at start-up; refreshed per request
    cached = g.get("lead_filter_choices")
    if cached is None:
        cached = g.lead_filter_choices = _load_filter_choices()
    return cached


def choice_names() -> dict[str, dict[int, str]]:
    """The same choices by id ({'owner': {7: 'Jan Peeters'}, …}), for the overview's rows."""
    choices = filter_choices()
    return {kind: {int(k): v for k, v in choices.get(kind, ())} for kind in CHOICE_KINDS}


def _choice_rows(kind: str, model, first, second):
    return select(
        literal_column(f"'{kind}'").label("kind"),
        model.id.label("id"),
        first.label("first"),
        second.label("second"),
    )


@cache
def _filter_choices_query():
    """Built once: constructing the union costs more than running it."""
    rows = union_all(
        _choice_rows("owner", User, User.first_name, User.last_name),
        _choice_rows("branch", Branch, Branch.name, Branch.name),
        _choice_rows("type", LeadType, localized_name_column(LeadType), LeadType.name),
        _choice_rows("source", LeadSource, localized_name_column(LeadSource), LeadSource.name),
    ).subquery()
    return select(rows).order_by(rows.c.kind, rows.c.second, rows.c.id)


def _load_filter_choices() -> dict[str, list[tuple[str, str]]]:
    choices: dict[str, list[tuple[str, str]]] = {k: [] for k in CHOICE_KINDS}
    rows = db.session.connection().execute(_filter_choices_query(), language_params())
    for kind, id_, first, second in rows:
        label = person_name(first, second) if kind == "owner" else first
        choices[kind].append((str(id_), label))
    return choices


def _options(kind: str):
    return lambda: filter_choices().get(kind, [])


class IntEqualFilter(FilterEqual):
    """Equality on an integer foreign key; refuses non-numbers instead of erroring."""

    def validate(self, value):
        return str(value).isdigit()

    def clean(self, value):
        return int(value)


class StatusFilter(FilterEqual):
    def clean(self, value):
        return LeadStatus(value)

    def validate(self, value):
        return value in {s.value for s in LeadStatus}


def _local_day_bounds(now: datetime) -> tuple[datetime, datetime]:
    """Start and end of the user's current day, in UTC (DST-safe through zoneinfo)."""
    tz = ZoneInfo(str(get_timezone()))
    local_day = now.astimezone(tz).date()
    start = datetime.combine(local_day, time.min, tzinfo=tz)
    end = datetime.combine(local_day + timedelta(days=1), time.min, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


class DeadlineStateFilter(BaseSQLAFilter):
    """F2: next deadline overdue, or due today (in the user's time zone)."""

    def __init__(self, name):
        super().__init__(
            Lead.next_deadline_at,
            name,
            options=(("overdue", _l("Overdue")), ("today", _l("Due today"))),
        )

    def validate(self, value):
        return value in {"overdue", "today"}

    def apply(self, query, value, alias=None):
        now = utcnow()
        is_open = Lead.status == LeadStatus.open
        if value == "overdue":
            return query.filter(is_open, Lead.next_deadline_at < now)
        start, end = _local_day_bounds(now)
        return query.filter(is_open, Lead.next_deadline_at >= start, Lead.next_deadline_at < end)

    def operation(self):
        return _l("is")


class LocalDateTimeBetweenFilter(DateTimeBetweenFilter):
    """Flask-Admin's between filter, its naive 'YYYY-MM-DD HH:MM:SS' values read in the
    user's time zone (UTCDateTime refuses naive datetimes: that was a 500)."""

    def clean(self, value):
        zone = ZoneInfo(str(get_timezone()))
        return [moment.replace(tzinfo=zone).astimezone(UTC) for moment in super().clean(value)]


def apply_filters(query, lead_filters, active):
    """The active filters (Flask-Admin's validated `(index, name, value)` triples, indexes
    into `lead_filters`: the view's `column_filters`, all filter objects) applied through
    each filter's public `clean` and `apply`. Every lead filter is on a column of the lead
    itself, so no join is needed."""
    for index, _name, value in active:
        flt = lead_filters[index]
        query = flt.apply(query, flt.clean(value))
    return query


def filter_groups(view, lead_filters) -> dict[str, list[dict]]:
    """The "Add filter" menu's data, as Flask-Admin's list template reads it, built per
    request from each filter's public API: the owner, branch, type and source choices are
    read fresh (Flask-Admin keeps the ones it saw at start-up, before any request)."""
    groups: dict[str, list[dict]] = {}
    for index, flt in enumerate(lead_filters):
        options = flt.get_options(view)
        groups.setdefault(str(flt.name), []).append(
            {
                "index": index,
                "arg": view.get_filter_arg(index, flt),
                "operation": str(flt.operation()),
                "options": [(k, str(v)) for k, v in options] if options else None,
                "type": flt.data_type,
            }
        )
    return groups


LEAD_FILTERS = [
    StatusFilter(Lead.status, _l("Status"), options=LeadStatus.choices),
    IntEqualFilter(Lead.owner_id, _l("Owner"), options=_options("owner")),
    IntEqualFilter(Lead.branch_id, _l("Branch"), options=_options("branch")),
    IntEqualFilter(Lead.lead_type_id, _l("Type"), options=_options("type")),
    IntEqualFilter(Lead.source_id, _l("Source"), options=_options("source")),
    DeadlineStateFilter(_l("Deadline")),
    LocalDateTimeBetweenFilter(Lead.created_at, _l("Created")),
    LocalDateTimeBetweenFilter(Lead.last_activity_at, _l("Last activity")),
]
