"""The dashboard's queries: a few grouped sums over the roll-up, one over the open leads.

A range is read as whole months from the monthly rows and the days before and after them
from the daily rows (short ranges, charted per week, read daily rows only): a one-year
range reads about twelve rows per branch/owner/type/source combination, whatever the
number of leads. The open pipeline reads the partial index `ix_lead_open_pipeline`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, literal_column, or_, select

from carflow.extensions import db
from carflow.models import Lead, LeadStatus
from carflow.models.report import (
    FIRST_RESPONSE_COLUMNS,
    NO_OWNER,
    ReportLostReason,
    ReportRollup,
)
from carflow.reports.filters import ReportFilter

TREND_COLUMNS = (
    "leads_in", "won", "lost", "closed_minutes", "offers_sent", "offers_sent_cents",
    "offers_accepted", "offers_accepted_cents", "trade_ins",
)  # fmt: skip
TEAM_COLUMNS = (
    "leads_in", "contacted", "test_driven", "offered", "won_cohort", "sla_due", "sla_met",
) + FIRST_RESPONSE_COLUMNS  # fmt: skip
AGE_BUCKETS = (7, 30, 90)  # open leads aged 0–7, 8–30, 31–90 and over 90 days


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def split_range(start: date, end: date, daily_only: bool) -> tuple[tuple | None, list]:
    """(first and last whole month in [start, end], or None; the day ranges around them)."""
    if daily_only:
        return None, [(start, end)]
    first = start if start.day == 1 else _next_month(start)
    last_end = _next_month(end) - timedelta(days=1)
    last = end.replace(day=1) if end == last_end else end.replace(day=1) - timedelta(days=1)
    last = last.replace(day=1)
    if first > last:
        return None, [(start, end)]
    days = []
    if start < first:
        days.append((start, first - timedelta(days=1)))
    if last < end.replace(day=1) or end != last_end:
        day_start = _next_month(last)
        if day_start <= end:
            days.append((day_start, end))
    return (first, last), days


def _range_condition(model, report_filter: ReportFilter):
    months, days = split_range(report_filter.start, report_filter.end, report_filter.weekly)
    parts = [and_(model.grain == "d", model.period.between(a, b)) for a, b in days]
    if months:
        parts.append(and_(model.grain == "m", model.period.between(*months)))
    return or_(*parts)


def _conditions(model, report_filter: ReportFilter) -> list:
    conditions = [_range_condition(model, report_filter)]
    for name, column in (
        ("branch_id", model.branch_id),
        ("owner_id", model.owner_key),
        ("lead_type_id", model.lead_type_id),
        ("source_id", model.source_id),
    ):
        value = getattr(report_filter, name)
        if value is not None:
            conditions.append(column == value)
    return conditions


def _sums(model, names):
    return [func.coalesce(func.sum(getattr(model, n)), 0).label(n) for n in names]


def trend_rows(report_filter: ReportFilter) -> list:
    """Per period and source: leads in, won, lost, days to close, offers, trade-ins."""
    query = (
        select(ReportRollup.period, ReportRollup.source_id, *_sums(ReportRollup, TREND_COLUMNS))
        .where(*_conditions(ReportRollup, report_filter))
        .group_by(ReportRollup.period, ReportRollup.source_id)
    )
    return db.session.execute(query).mappings().all()


def team_rows(report_filter: ReportFilter) -> list:
    """Per branch, owner and source: the funnel, the SLA and the first-response histogram."""
    model = ReportRollup
    query = (
        select(model.branch_id, model.owner_key, model.source_id, *_sums(model, TEAM_COLUMNS))
        .where(*_conditions(model, report_filter))
        .group_by(model.branch_id, model.owner_key, model.source_id)
    )
    return db.session.execute(query).mappings().all()


def lost_reason_rows(report_filter: ReportFilter) -> list:
    """(reason id or 0, leads lost) in the range."""
    model = ReportLostReason
    query = (
        select(model.reason_key, func.sum(model.lost))
        .where(*_conditions(model, report_filter))
        .group_by(model.reason_key)
    )
    return db.session.execute(query).all()


@dataclass(frozen=True)
class PipelineRow:
    owner_id: int | None
    ages: tuple[int, ...]  # open leads per AGE_BUCKETS band (youngest first)
    overdue: int  # open leads whose next deadline has passed


def pipeline_rows(report_filter: ReportFilter, now: datetime) -> list[PipelineRow]:
    """Open leads now (not the period: the pipeline is today's), by owner and age band."""
    limits = [now - timedelta(days=d) for d in AGE_BUCKETS]
    bands = [func.sum(case((Lead.created_at >= limits[0], 1), else_=0))]
    bands += [
        func.sum(case((and_(Lead.created_at < newer, Lead.created_at >= older), 1), else_=0))
        for newer, older in zip(limits, limits[1:], strict=False)
    ]
    bands.append(func.sum(case((Lead.created_at < limits[-1], 1), else_=0)))
    overdue = func.sum(case((Lead.next_deadline_at < now, 1), else_=0))
    # A literal, not a bound parameter: only then may the planner use the partial index.
    is_open = Lead.status == literal_column(f"'{LeadStatus.open.value}'")
    query = select(Lead.owner_id, *bands, overdue).where(is_open)
    for name, column in (
        ("branch_id", Lead.branch_id),
        ("owner_id", Lead.owner_id),
        ("lead_type_id", Lead.lead_type_id),
        ("source_id", Lead.source_id),
    ):
        value = getattr(report_filter, name)
        if value == NO_OWNER and name == "owner_id":
            query = query.where(Lead.owner_id.is_(None))
        elif value is not None:
            query = query.where(column == value)
    rows = db.session.execute(query.group_by(Lead.owner_id)).all()
    return [
        PipelineRow(row[0], tuple(int(n or 0) for n in row[1:-1]), int(row[-1] or 0))
        for row in rows
    ]
