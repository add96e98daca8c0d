"""The search index of the leads overview: normalized terms pointing at leads (F2)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from carflow.extensions import db
from carflow.models.types import UTCDateTime


class LeadSearchTerm(db.Model):
    """One searchable word of a lead: a contact name, email, phone digits, code, plate or VIN.

    Terms are lower-case ASCII letters and digits only, so a prefix is a plain index range
    (`term >= 'pee' AND term < 'pef'`) on SQLite and PostgreSQL alike. Kept in sync by
    `carflow.services.search.reindex_lead` / `reindex_contact`.

    `lead_created_at` copies the lead's creation time (it never changes), so a search in the
    default order (newest first) reads one index range, (term, lead_created_at, lead_id),
    without visiting the leads: its cost no longer grows with the number of matches.
    """

    __tablename__ = "lead_search"

    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"), primary_key=True)
    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    lead_created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_lead_search_term_created", "term", "lead_created_at", "lead_id"),)
