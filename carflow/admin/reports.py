"""Menu "Reports" (issue 16): the dashboard, its tables and their CSV / XLSX exports.

Read-only pages: no unit of work. The filter comes from the URL and is scoped by
`permissions.report_scope` before any query (a salesperson sees only their own figures,
exports included).
"""

from __future__ import annotations

from flask import abort, request, url_for
from flask_admin import expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from carflow.admin.base import SecuredBaseView
from carflow.admin.lead_filters import filter_choices
from carflow.extensions import db
from carflow.models import Branch, User, utcnow
from carflow.permissions import can, refuse, report_scope, scope_branches, users_in_scope
from carflow.reports.dashboard import load_dashboard
from carflow.reports.filters import PERIODS, parse_filter, scoped, today_in
from carflow.reports.numbers import display_rows
from carflow.tabular import csv_response, xlsx_response

PERIOD_LABELS = {
    "this_month": _l("This month"),
    "last_month": _l("Last month"),
    "this_year": _l("This year"),
    "last_12_months": _l("Last 12 months"),
    "custom": _l("Custom range"),
}
EXPORT_FORMATS = ("csv", "xlsx")


def _current_filter():
    report_filter = parse_filter(request.args, today_in(current_user.timezone))
    return scoped(report_filter, current_user)


def _choices() -> dict:
    """Branches and owners the viewer may pick (none when forced), types and sources."""
    branch_forced, owner_forced = report_scope(current_user)
    choices = filter_choices()
    branch_ids = set(db.session.scalars(scope_branches(select(Branch.id), current_user)))
    users = db.session.scalars(select(User).order_by(User.last_name, User.first_name)).all()
    return {
        "branch": []
        if branch_forced
        else [c for c in choices["branch"] if int(c[0]) in branch_ids],
        "owner": []
        if owner_forced
        else [(str(u.id), u.full_name) for u in users_in_scope(current_user, users)],
        "type": choices["type"],
        "source": choices["source"],
    }


class ReportsView(SecuredBaseView):
    """The dashboard (`/admin/reports/`) and `/admin/reports/export/<table>.<format>`."""

    required_action = "report.view"

    @expose("/")
    def index(self):
        report_filter = _current_filter()
        dashboard = load_dashboard(report_filter, utcnow())
        return self.render(
            "admin/reports/index.html",
            dashboard=dashboard,
            chart_data=dashboard.chart_data(),
            display_rows=display_rows,
            flt=report_filter,
            periods=[(p, PERIOD_LABELS[p]) for p in PERIODS],
            choices=_choices(),
            may_export=can(current_user, "report.export"),
            export_url=lambda key, fmt: url_for(
                ".export", key=key, fmt=fmt, **report_filter.query_args()
            ),
        )

    @expose("/export/<key>.<fmt>")
    def export(self, key: str, fmt: str):
        """One table of the dashboard as CSV or XLSX (formula-safe cells, tabular.py)."""
        if not can(current_user, "report.export"):
            refuse("report.export")
        if fmt not in EXPORT_FORMATS:
            abort(404)
        report_filter = _current_filter()
        dashboard = load_dashboard(report_filter, utcnow())
        table = dashboard.table(key)
        if table is None:
            abort(404)
        filename = f"carflow-{key}-{report_filter.start}-{report_filter.end}.{fmt}"
        respond = csv_response if fmt == "csv" else xlsx_response
        return respond(filename, table.headers, table.rows)


def register_report_views(admin) -> None:
    """Menu "Reports"."""
    admin.add_view(ReportsView(name=_l("Reports"), endpoint="reports", url="/admin/reports"))
