"""The dashboard: every report of a filter, with names, labels and drill-down links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from urllib.parse import urlencode

from flask import url_for
from flask_babel import format_date
from sqlalchemy import select

from carflow.admin.lead_filters import LEAD_FILTERS, choice_names
from carflow.extensions import db
from carflow.i18n import language_params, localized_name_column
from carflow.models import LeadStatus, LostReason
from carflow.reports import figures, queries
from carflow.reports.figures import Table
from carflow.reports.filters import ReportFilter

# The overview's filters (carflow/admin/lead_filters.py) by the lead column they filter:
# their position in LEAD_FILTERS is the `flt…_<index>` of the overview's URL.
_FILTERED_COLUMNS = {
    "status": "status",
    "owner": "owner_id",
    "branch": "branch_id",
    "type": "lead_type_id",
    "source": "source_id",
    "deadline": "next_deadline_at",
    "created": "created_at",
}


@cache
def _overview_index() -> dict[str, int]:
    keys = [f.column.key for f in LEAD_FILTERS]
    return {name: keys.index(column) for name, column in _FILTERED_COLUMNS.items()}


@dataclass
class Dashboard:
    filter: ReportFilter
    tables: list[Table]

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)

    def chart_data(self) -> dict:
        """{table key: chart} for reports.js."""
        return {t.key: t.chart for t in self.tables if t.chart}


def _lost_reason_names() -> dict[int, str]:
    query = select(LostReason.id, localized_name_column(LostReason))
    return dict(db.session.connection().execute(query, language_params()).all())


class OverviewLinks:
    """URLs of the leads overview with the dashboard's filter and one more condition."""

    def __init__(self, report_filter: ReportFilter) -> None:
        self.filter = report_filter
        self.base = url_for("lead.index_view")  # once: a page has a hundred links

    def url(self, **conditions) -> str:
        """The overview with the filter's dimensions, overridden by `conditions`."""
        merged = {
            "branch": self.filter.branch_id,
            "owner": self.filter.owner_id,
            "type": self.filter.lead_type_id,
            "source": self.filter.source_id,
        }
        merged.update(conditions)
        args = {}
        for position, (name, value) in enumerate(
            (k, v) for k, v in merged.items() if v is not None
        ):
            args[f"flt{position}_{_overview_index()[name]}"] = value
        return f"{self.base}?{urlencode(args)}"

    @staticmethod
    def created_between(first: date, last: date) -> str:
        """'start to end' in the overview's format (read in the user's time zone)."""
        return f"{first:%Y-%m-%d} 00:00:00 to {last:%Y-%m-%d} 23:59:59"

    def bucket(self, bucket: date, source_id: int) -> str:
        """Leads created in a chart bucket (within the range) from one source."""
        if self.filter.weekly:
            last = bucket + timedelta(days=6)
        else:
            last = (bucket.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        first, last = max(bucket, self.filter.start), min(last, self.filter.end)
        return self.url(source=source_id, created=self.created_between(first, last))

    def pipeline(self, owner_id: int | None, overdue: bool) -> str:
        """Open leads of one owner (the queue: the owner filter is left out), maybe overdue."""
        conditions = {"status": LeadStatus.open.value, "owner": owner_id}
        if overdue:
            conditions["deadline"] = "overdue"
        return self.url(**conditions)


def _labels(keys: list[date], weekly: bool) -> list[str]:
    if weekly:
        return [format_date(k, "d MMM") for k in keys]
    return [format_date(k, "MMM yyyy") for k in keys]


STATUS_COLORS = {"won": LeadStatus.won.color, "lost": LeadStatus.lost.color}


def load_dashboard(report_filter: ReportFilter, now: datetime) -> Dashboard:
    """Every report of the (already scoped) filter: six queries whatever the data size."""
    names = choice_names()
    links = OverviewLinks(report_filter)
    keys, totals, by_source = figures.trend_by_bucket(
        queries.trend_rows(report_filter), report_filter
    )
    labels = _labels(keys, report_filter.weekly)
    by_branch_owner, by_owner, by_team_source, overall = figures.team_totals(
        queries.team_rows(report_filter)
    )
    tables = [
        figures.leads_in_table(keys, by_source, labels, names["source"], links.bucket),
        figures.first_response_table(by_branch_owner, overall, names),
        figures.funnel_table(by_team_source, by_owner, overall, names),
        figures.won_lost_table(keys, totals, labels, STATUS_COLORS),
        figures.lost_reasons_table(queries.lost_reason_rows(report_filter), _lost_reason_names()),
        figures.pipeline_table(queries.pipeline_rows(report_filter, now), names, links.pipeline),
        figures.offers_table(keys, totals, labels),
    ]
    return Dashboard(report_filter, tables)
