"""The dashboard's filters: period (in the user's time zone), branch, owner, type, source.

They live in the URL (`?period=this_year&branch_id=2…`) so a view can be bookmarked and
shared. `scoped()` then forces what the viewer may not choose (permissions.report_scope):
a salesperson's owner is always themselves, whatever the URL says.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from carflow.converters import is_valid_id
from carflow.models import utcnow
from carflow.permissions import report_scope

PERIODS = ("this_month", "last_month", "this_year", "last_12_months", "custom")
MAX_DAYS = 3 * 366  # a custom range is cut to three years: the cost stays bounded
WEEKLY_UP_TO_DAYS = 92  # up to a quarter the charts count per week, beyond it per month


@dataclass(frozen=True)
class ReportFilter:
    """What the dashboard shows: local days [start, end] and optional dimensions."""

    period: str
    start: date
    end: date
    branch_id: int | None = None
    owner_id: int | None = None
    lead_type_id: int | None = None
    source_id: int | None = None

    @property
    def weekly(self) -> bool:
        """Short ranges are charted per week, longer ones per month."""
        return (self.end - self.start).days < WEEKLY_UP_TO_DAYS

    def query_args(self, **changes) -> dict[str, str]:
        """The URL arguments that give this filter back (with `changes`)."""
        args = {"period": self.period}
        if self.period == "custom":
            args.update(date_from=self.start.isoformat(), date_to=self.end.isoformat())
        for name in ("branch_id", "owner_id", "lead_type_id", "source_id"):
            if getattr(self, name) is not None:
                args[name] = str(getattr(self, name))
        args.update({k: str(v) for k, v in changes.items() if v is not None})
        return args


def today_in(tz_name: str, now: datetime | None = None) -> date:
    """The user's current local day."""
    return (now or utcnow()).astimezone(ZoneInfo(tz_name or "UTC")).date()


def period_bounds(period: str, today: date) -> tuple[date, date]:
    """[start, end] local days of a named period (custom: this year, until given)."""
    first_of_month = today.replace(day=1)
    if period == "this_month":
        return first_of_month, today
    if period == "last_month":
        end = first_of_month - timedelta(days=1)
        return end.replace(day=1), end
    if period == "last_12_months":
        # the twelve whole months before this one: November 2025 to October 2026 in November
        start = first_of_month.replace(year=first_of_month.year - 1)
        return start, first_of_month - timedelta(days=1)
    return today.replace(month=1, day=1), today


def _int(args, name: str) -> int | None:
    value = str(args.get(name, ""))
    return int(value) if is_valid_id(value) else None


def _day(args, name: str) -> date | None:
    try:
        day = date.fromisoformat(str(args.get(name, "")))
    except ValueError:
        return None
    return day if date(2000, 1, 1) <= day <= date(2100, 12, 31) else None


def parse_filter(args, today: date) -> ReportFilter:
    """The filter of the query string; anything unreadable falls back to a default."""
    period = args.get("period", "this_year")
    period = period if period in PERIODS else "this_year"
    start, end = period_bounds(period, today)
    if period == "custom":
        start = _day(args, "date_from") or start
        end = _day(args, "date_to") or end
        if end < start:
            start, end = end, start
        start = max(start, end - timedelta(days=MAX_DAYS))
    return ReportFilter(
        period=period,
        start=start,
        end=end,
        branch_id=_int(args, "branch_id"),
        owner_id=_int(args, "owner_id"),
        lead_type_id=_int(args, "lead_type_id"),
        source_id=_int(args, "source_id"),
    )


def scoped(report_filter: ReportFilter, user) -> ReportFilter:
    """The filter with the viewer's forced branch / owner (see permissions.report_scope)."""
    branch_id, owner_id = report_scope(user)
    if branch_id is not None:
        report_filter = replace(report_filter, branch_id=branch_id)
    if owner_id is not None:
        report_filter = replace(report_filter, owner_id=owner_id)
    return report_filter
