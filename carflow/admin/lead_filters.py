"""Filters and free-text search of the leads overview (F2)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import has_request_context
from flask_admin.contrib.sqla.filters import BaseSQLAFilter, DateTimeBetweenFilter, FilterEqual
from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from carflow.extensions import db
from carflow.models import (
    Branch,
    Lead,
    LeadSource,
    LeadStatus,
    LeadType,
    User,
    utcnow,
)


def _options(model, label):
    def load():
        if not has_request_context():
            return []  # Flask-Admin builds its cache at start-up; refreshed per request
        rows = db.session.execute(select(model.id, label).order_by(label)).all()
        return [(str(row[0]), row[1]) for row in rows]

    return load


def _user_options():
    if not has_request_context():
        return []
    rows = db.session.execute(
        select(User.id, User.first_name, User.last_name).order_by(User.last_name)
    ).all()
    return [(str(r.id), f"{r.first_name} {r.last_name}") for r in rows]


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


LEAD_FILTERS = [
    StatusFilter(Lead.status, _l("Status"), options=LeadStatus.choices),
    IntEqualFilter(Lead.owner_id, _l("Owner"), options=_user_options),
    IntEqualFilter(Lead.branch_id, _l("Branch"), options=_options(Branch, Branch.name)),
    IntEqualFilter(Lead.lead_type_id, _l("Type"), options=_options(LeadType, LeadType.name)),
    IntEqualFilter(Lead.source_id, _l("Source"), options=_options(LeadSource, LeadSource.name)),
    DeadlineStateFilter(_l("Deadline")),
    DateTimeBetweenFilter(Lead.created_at, _l("Created")),
    DateTimeBetweenFilter(Lead.last_activity_at, _l("Last activity")),
]
