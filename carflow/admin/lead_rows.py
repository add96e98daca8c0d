"""The overview's 50 rows: read as plain values and written out once (issue 8).

Loading 50 ORM leads with five joined relations, then formatting each cell through
Flask-Admin's per-cell macros, cost several times the SQL; these rows are tuples and
each `<tr>` is written with the URL prefix, badges and date formatter computed once.
Every user text goes through `escape` here (tests/test_security_escaping.py).
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select

from carflow.admin.lead_filters import choice_names
from carflow.extensions import db
from carflow.i18n import short_datetime_formatter
from carflow.models import Contact, Lead, LeadStatus, utcnow
from carflow.models.contact import contact_display_name
from carflow.sql import ids_parameter

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
    """One overview row as plain values; relations are their display texts."""

    __slots__ = ("id", "code", "status", "next_deadline_at", "created_at", "last_activity_at",
                 "contact", "contact_id", "owner", "branch", "lead_type", "source")  # fmt: skip

    def __init__(self, row, names):
        (self.id, self.code, self.status, self.next_deadline_at, self.created_at,
         self.last_activity_at, kind, first, last, owner_id, branch_id, type_id,
         source_id, self.contact_id) = row  # fmt: skip
        self.contact = contact_display_name(kind, first, last)
        self.owner = names["owner"].get(owner_id) if owner_id is not None else None
        self.branch = names["branch"].get(branch_id, "")
        self.lead_type = names["type"].get(type_id, "")
        self.source = names["source"].get(source_id, "")


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
    return [OverviewRow(row, names) for row in rows]


def row_html(rows: list[OverviewRow]) -> list[Markup]:
    """Each row's `<tr>`, cells in COLUMNS order; every user text is escaped here."""
    fmt = short_datetime_formatter()
    lead_url = str(escape(url_for("lead_page.page", lead_id=0)[:-1]))
    contact_url = str(escape(url_for("contact_page.page", contact_id=0)[:-1]))
    queue = str(Markup('<span class="text-muted">{}</span>').format(_("Branch queue")))
    badges = {
        status: str(
            Markup('<span class="badge badge-{} status-badge">{}</span>').format(
                status.color, status.label
            )
        )
        for status in LeadStatus
    }
    now = utcnow()
    overdue = '<span class="text-danger font-weight-bold overdue">{}</span>'
    html = []
    for row in rows:
        deadline = row.next_deadline_at
        deadline_text = escape(fmt(deadline))
        if deadline is not None and row.status == LeadStatus.open and deadline < now:
            deadline_text = overdue.format(deadline_text)
        owner = escape(row.owner) if row.owner is not None else queue
        html.append(Markup(
            f'<tr><td class="col-code"><a href="{lead_url}{int(row.id)}">'
            f"{escape(row.code)}</a></td>"
            f'<td class="col-contact"><a href="{contact_url}{int(row.contact_id)}">'
            f"{escape(row.contact)}</a></td>"
            f'<td class="col-owner">{owner}</td>'
            f'<td class="col-branch">{escape(row.branch)}</td>'
            f'<td class="col-lead_type">{escape(row.lead_type)}</td>'
            f'<td class="col-source">{escape(row.source)}</td>'
            f'<td class="col-status">{badges[row.status]}</td>'
            f'<td class="col-next_deadline_at">{deadline_text}</td>'
            f'<td class="col-created_at">{escape(fmt(row.created_at))}</td>'
            f'<td class="col-last_activity_at">{escape(fmt(row.last_activity_at))}</td></tr>'
        ))  # fmt: skip
    return html
