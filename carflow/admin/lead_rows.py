"""The overview's 50 rows: read as plain values and formatted once (issue 8).

Loading 50 ORM leads with five joined relations, then formatting each cell through
Flask-Admin's per-cell macros, cost several times the SQL; these rows are tuples and
their cells are built with the URL prefix, badges and date formatter computed once.
Every user text is escaped here or by the template's autoescape (no `|safe`).
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import aliased

from carflow.extensions import db
from carflow.i18n import short_datetime_formatter
from carflow.models import Branch, Contact, Lead, LeadSource, LeadStatus, LeadType, User, utcnow
from carflow.models.enums import ContactKind

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
                 "contact", "owner", "branch", "lead_type", "source")  # fmt: skip

    def __init__(self, row):
        (self.id, self.code, self.status, self.next_deadline_at, self.created_at,
         self.last_activity_at, kind, first, last, owner_first, owner_last, self.branch,
         self.lead_type, self.source) = row  # fmt: skip
        self.contact = last if kind == ContactKind.company or not first else f"{first} {last}"
        has_owner = owner_first is not None or owner_last is not None
        self.owner = f"{owner_first or ''} {owner_last or ''}".strip() if has_owner else None


def load_rows(ids) -> list[OverviewRow]:
    """The page's rows with their relations' names, in one query."""
    owner = aliased(User)
    query = (
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
            owner.first_name,
            owner.last_name,
            Branch.name,
            LeadType.name,
            LeadSource.name,
        )  # fmt: skip
        .join(Contact, Contact.id == Lead.contact_id)
        .outerjoin(owner, owner.id == Lead.owner_id)
        .join(Branch, Branch.id == Lead.branch_id)
        .join(LeadType, LeadType.id == Lead.lead_type_id)
        .join(LeadSource, LeadSource.id == Lead.source_id)
        .where(Lead.id.in_(ids))
    )
    return [OverviewRow(row) for row in db.session.execute(query)]


def row_cells(rows: list[OverviewRow]) -> list[list[tuple[str, object]]]:
    """(column, value) pairs per row, in COLUMNS order; values are escaped text or Markup."""
    fmt = short_datetime_formatter()
    lead_url = escape(url_for("lead_page.page", lead_id=0)[:-1])
    queue = Markup('<span class="text-muted">{}</span>').format(_("Branch queue"))
    badges = {
        status: Markup('<span class="badge badge-{} status-badge">{}</span>').format(
            status.color, status.label
        )
        for status in LeadStatus
    }
    now = utcnow()
    cells = []
    for row in rows:
        deadline = row.next_deadline_at
        deadline_text = escape(fmt(deadline))
        if deadline is not None and row.status == LeadStatus.open and deadline < now:
            deadline_text = Markup(
                f'<span class="text-danger font-weight-bold overdue">{deadline_text}</span>'
            )
        link = Markup(f'<a href="{lead_url}{int(row.id)}">{escape(row.code)}</a>')
        cells.append([
            ("code", link), ("contact", row.contact), ("owner", row.owner or queue),
            ("branch", row.branch), ("lead_type", row.lead_type), ("source", row.source),
            ("status", badges[row.status]), ("next_deadline_at", deadline_text),
            ("created_at", fmt(row.created_at)), ("last_activity_at", fmt(row.last_activity_at)),
        ])  # fmt: skip
    return cells
