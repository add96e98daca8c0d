"""What each list exports: its header and its rows, read in batches (issue 17 item 5).

The rows come from the list's own query (scope, filters, search and sort as the page shows
them): the overview's keyset pages, the model lists' `get_list(..., execute=False)` read
with `yield_per`, the task overview's pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user
from sqlalchemy.orm import joinedload

from carflow.admin.exports import BATCH, local_time
from carflow.admin.lead_rows import load_rows
from carflow.extensions import db
from carflow.models import Lead, Vehicle, utcnow
from carflow.permissions import scope_leads
from carflow.services.overview import fetch_page
from carflow.services.search import search_leads


def _zone() -> ZoneInfo:
    return ZoneInfo(current_user.timezone)


def overview_table(view):
    """The leads overview with its filters, search and sort (every page, not only one)."""
    args = view.list_arguments()
    query = view.with_list_filters(scope_leads(db.session.query(Lead), current_user), args.filters)
    column, desc = (args.sort_column, args.sort_desc) if args.sort_column else ("created_at", True)
    search = search_leads(args.search) if args.search else None
    header = [_("Code"), _("Contact"), _("Owner"), _("Branch"), _("Type"), _("Source"),
              _("Status"), _("Next deadline"), _("Created"), _("Last activity")]  # fmt: skip

    def rows() -> Iterator[list]:
        zone, cursor = _zone(), None
        while True:
            page = fetch_page(query, column, desc, after=cursor, page_size=BATCH, search=search)
            by_id = {row.id: row for row in load_rows(page.rows)} if page.rows else {}
            for lead_id in page.rows:
                row = by_id.get(lead_id)
                if row is not None:
                    yield _overview_cells(row, zone)
            db.session.expunge_all()  # nothing kept from one batch to the next
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    return header, rows()


def _overview_cells(row, zone) -> list:
    return [
        row.code, row.contact, row.owner or "", row.branch, row.lead_type, row.source,
        str(row.status.label), local_time(row.next_deadline_at, zone),
        local_time(row.created_at, zone), local_time(row.last_activity_at, zone),
    ]  # fmt: skip


CONTACT_COLUMNS = ("last_name", "first_name", "email", "phone", "mobile", "street",
                   "postal_code", "city", "country", "language")  # fmt: skip


def contacts_table(view):
    """The contacts list (scope, search, sort) with the address."""
    header = [_("Name"), _("First name"), _("Email"), _("Phone"), _("Mobile"), _("Street"),
              _("Postal code"), _("City"), _("Country"), _("Language")]  # fmt: skip
    query = view.list_query()

    def rows() -> Iterator[list]:
        result = db.session.execute(query.statement.execution_options(yield_per=BATCH))
        try:
            for contact in result.scalars():
                yield [getattr(contact, name) for name in CONTACT_COLUMNS]
        finally:
            result.close()  # also when the download is interrupted

    return header, rows()


def stock_table(view):
    """The stock list (search, filters, sort) with every vehicle field."""
    header = [_("Stock number"), _("Make"), _("Model"), _("Version"), _("VIN"), _("Plate"),
              _("First registration"), _("Mileage"), _("Fuel"), _("Gearbox"), _("Color"),
              _("Price"), _("Status"), _("Branch")]  # fmt: skip
    query = view.list_query().options(joinedload(Vehicle.branch))

    def rows() -> Iterator[list]:
        result = db.session.execute(query.statement.execution_options(yield_per=BATCH))
        try:
            yield from (_vehicle_cells(v) for v in result.scalars())
        finally:
            result.close()  # also when the download is interrupted

    return header, rows()


def _vehicle_cells(v) -> list:
    return [
        v.stock_number, v.make, v.model, v.version, v.vin, v.plate, v.first_registration,
        v.mileage, v.fuel and str(v.fuel.label), v.gearbox and str(v.gearbox.label), v.color,
        v.price, str(v.status.label), v.branch.name if v.branch else "",
    ]  # fmt: skip


def tasks_table(view):
    """The task overview with its filters (user, branch, period, status)."""
    from carflow.admin.task_overview import filter_from_request
    from carflow.services.agenda import decode_agenda_cursor, load_agenda_page

    flt, now = filter_from_request(), utcnow()
    kinds = {"deadline": _("Deadline"), "task": _("Task"), "test_drive": _("Test drive")}
    header = [_("Kind"), _("Due / start"), _("Duration"), _("What"), _("Lead"), _("User"),
              _("Status")]  # fmt: skip

    def state(item) -> str:
        if item.done:
            return pgettext("task", "Done")
        return pgettext("task", "Overdue") if item.overdue else ""

    def rows() -> Iterator[list]:
        zone, after = _zone(), None
        while True:
            page = load_agenda_page(current_user, flt, current_user.timezone, now, after, BATCH)
            for item in page.items:
                yield [
                    kinds[item.kind], local_time(item.moment, zone), item.duration_minutes,
                    item.title, item.lead.code if item.lead else "", item.user_name, state(item),
                ]  # fmt: skip
            if not page.next_cursor:
                return
            after = decode_agenda_cursor(page.next_cursor)

    return header, rows()


TABLES = {
    "leads": overview_table,
    "contacts": contacts_table,
    "stock": stock_table,
    "tasks": tasks_table,
}
