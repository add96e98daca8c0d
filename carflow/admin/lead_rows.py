"""The overview's 50 rows, read as plain values (issue 8).

Loading 50 ORM leads with five joined relations, then formatting each cell through
Flask-Admin's per-cell macros, cost several times the SQL; these rows are tuples, written
out by one Jinja loop (`templates/admin/lead/_overview_rows.html`), which escapes every text.
"""

from __future__ import annotations

from sqlalchemy import select

from carflow.admin.lead_filters import choice_names
from carflow.extensions import db
from carflow.i18n import short_datetime_formatter
from carflow.models import Contact, Lead, LeadStatus, utcnow
from carflow.models.contact import contact_display_name
from carflow.sql import ids_parameter
from carflow.url_patterns import id_urls

_STATEMENTS: dict[str, object] = {}

COLUMNS = (
    "code",
    "contact",
    "owner",
    "branch",
    "lead_type",
    "source",
    "status",
    "next_deadline_at",
    "created_at",
    "last_activity_at",
)


class OverviewRow:
    """One overview row as plain values; relations are their display texts, moments are
    also given as the reader's short date and time (`*_text`), with the row's links."""

    __slots__ = ("id", "code", "status", "next_deadline_at", "created_at", "last_activity_at",
                 "contact", "contact_id", "owner", "branch", "lead_type", "source",
                 "overdue", "deadline_text", "created_text", "activity_text", "lead_url",
                 "contact_url", "status_value")  # fmt: skip

    def __init__(self, row, names, now, fmt, urls):
        (self.id, self.code, self.status, self.next_deadline_at, self.created_at,
         self.last_activity_at, kind, first, last, owner_id, branch_id, type_id,
         source_id, self.contact_id) = row  # fmt: skip
        self.contact = contact_display_name(kind, first, last)
        self.owner = names["owner"].get(owner_id) if owner_id is not None else None
        self.branch = names["branch"].get(branch_id, "")
        self.lead_type = names["type"].get(type_id, "")
        self.source = names["source"].get(source_id, "")
        deadline = self.next_deadline_at  # F29: an open lead past its deadline shows in red
        self.overdue = deadline is not None and self.status == LeadStatus.open and deadline < now
        self.deadline_text, self.created_text = fmt(deadline), fmt(self.created_at)
        self.activity_text = fmt(self.last_activity_at)
        self.lead_url, self.contact_url = urls[0][self.id], urls[1][self.contact_id]
        self.status_value = self.status.value


def _rows_statement(dialect: str):
    """The rows query for a list of lead ids (`:ids`), built once per database kind.

    Only the lead and its contact: the names of owners, branches, types and sources come
    from the filter choices the page reads anyway (a six-table join cost PostgreSQL ~3 ms
    of planning). The ids are one parameter (`carflow.sql.ids_parameter`).
    """
    statement = _STATEMENTS.get(dialect)
    if statement is not None:
        return statement
    statement = (
        select(
            Lead.id,
            Lead.code,
            Lead.status,
            Lead.next_deadline_at,
            Lead.created_at,
            Lead.last_activity_at,
            Contact.kind,
            Contact.first_name,
            Contact.last_name,
            Lead.owner_id,
            Lead.branch_id,
            Lead.lead_type_id,
            Lead.source_id,
            Lead.contact_id,
        )  # fmt: skip
        .join(Contact, Contact.id == Lead.contact_id)
        .where(ids_parameter(Lead.id, dialect))
    )
    _STATEMENTS[dialect] = statement
    return statement


def load_rows(ids) -> list[OverviewRow]:
    """The page's rows with their relations' names (one query, plus the filter choices)."""
    names = choice_names()
    statement = _rows_statement(db.session.get_bind().dialect.name)
    rows = db.session.connection().execute(statement, {"ids": list(ids)})
    now, fmt = utcnow(), short_datetime_formatter()
    urls = id_urls("lead_page.page", "lead_id"), id_urls("contact_page.page", "contact_id")
    return [OverviewRow(row, names, now, fmt, urls) for row in rows]
