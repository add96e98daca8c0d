"""Exports of the lists as CSV or XLSX (issue 17 item 5): the overview with its filters,
search and sort, contacts, stock and tasks.

Each list view mixes in `ExportMixin` and says how to read its rows (`export_table`).
The rows are read in batches (keyset pages of the overview, `yield_per` for the model
lists) and written through `carflow.tabular` (streamed CSV; XLSX in constant memory,
cells that look like formulas escaped). Scope: the list's own query, so an export never
holds more than the list shows. Permission: the list's `….export` action (administrators
and sales managers). Every export is logged in the AuditLog (who, which list, filters,
format, rows).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from flask import abort, request
from flask_admin import expose
from flask_login import current_user

from carflow.admin.list_args import ListArguments, list_arguments
from carflow.models import AuditLog
from carflow.permissions import can, refuse
from carflow.services.users import write_audit
from carflow.tabular import csv_response, xlsx_response
from carflow.unit_of_work import run_action

FORMATS = ("csv", "xlsx")
BATCH = 1000


def local_time(value, zone: ZoneInfo):
    """A UTC moment as the user's wall-clock time (spreadsheets keep no time zone)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(zone).replace(tzinfo=None)
    return value


def _log_export(list_name: str, fmt: str) -> int:
    args = request.args.to_dict()
    entry = write_audit(
        current_user,
        "data_exported",
        details={"list": list_name, "format": fmt, "filters": args, "rows": None},
    )
    return entry.id


def _record_rows(entry_id: int, count: int) -> None:
    from carflow.extensions import db

    entry = db.session.get(AuditLog, entry_id)
    if entry is not None:
        entry.details = {**entry.details, "rows": count}


def _counted(rows: Iterable, entry_id: int) -> Iterator:
    """The rows, then the number written recorded on the export's log line."""
    count = 0
    for row in rows:
        count += 1
        yield row
    run_action(partial(_record_rows, entry_id, count))


def export_response(list_name: str, fmt: str, header: list[str], rows: Iterable):
    """The download: the export logged first, its row count once written."""
    if fmt not in FORMATS:
        abort(404)
    entry_id, error = run_action(partial(_log_export, list_name, fmt))
    if error is not None:
        abort(409)
    filename = f"{list_name}-{datetime.now(ZoneInfo(current_user.timezone)):%Y%m%d-%H%M}.{fmt}"
    rows = _counted(rows, entry_id)
    if fmt == "csv":
        return csv_response(filename, header, rows)
    return xlsx_response(filename, header, rows)


class ExportMixin:
    """`/export/csv` and `/export/xlsx` on a list view; `export_table()` gives the header
    and the rows (a generator reading in batches)."""

    export_name = "export"
    export_action = "lead.export"  # permissions.ACTIONS

    def list_arguments(self) -> ListArguments:
        """The list's search, filters and sort, as its page reads them from the URL."""
        return list_arguments(self, request.args)

    def list_query(self):
        """The query of a model list as the page shows it (scope, search, filters, sort)
        without paging: Flask-Admin's public `get_list(..., execute=False, page_size=0)`."""
        args = self.list_arguments()
        return self.get_list(
            0,
            args.sort_column,
            args.sort_desc,
            args.search,
            args.filters,
            execute=False,
            page_size=0,
        )[1]

    def export_table(self) -> tuple[list[str], Iterable]:
        from carflow.admin.export_tables import TABLES

        return TABLES[self.export_name](self)

    @expose("/export/<fmt>/")  # replaces Flask-Admin's own export route (it redirects)
    def export(self, fmt: str):
        """The list as a CSV or XLSX download (permission `export_action`)."""
        if not can(current_user, self.export_action):
            refuse(self.export_action)
        if fmt not in FORMATS:
            abort(404)
        header, rows = self.export_table()
        return export_response(self.export_name, fmt, header, rows)
