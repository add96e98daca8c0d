"""The reports' roll-up (issue 16): daily and monthly counters per lead dimension.

`ReportRollup` holds one row per (grain, period, branch, owner, lead type, source), its key:
grain "d" rows count one local day of the lead's branch, grain "m" rows one month, so a
one-year range reads about twelve rows per combination whatever the number of leads.
`ReportLostReason` splits the lost leads by reason the same way. `ReportLead` keeps, per
lead, what it last added to the roll-up (so a change subtracts exactly that) and its
first-response time in opening-hour minutes. Maintained by `carflow.reports.rollup` in
the transaction that changes the lead; `flask carflow rebuild-reports` recomputes it all.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, BigInteger, Date, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from carflow.extensions import db
from carflow.models.lead import Lead

# First-response histogram: bucket i holds minutes in [EDGES[i], EDGES[i + 1]), the last
# one everything from EDGES[-1] on. Percentiles interpolate inside a bucket.
FIRST_RESPONSE_EDGES = (
    0, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 960, 1440, 2880, 5760,
)  # fmt: skip
FIRST_RESPONSE_COLUMNS = tuple(f"fr_{i}" for i in range(len(FIRST_RESPONSE_EDGES)))

COUNTER_COLUMNS = (
    "leads_in",  # leads created (cohort counters below: by the lead's creation day)
    "contacted",  # ... with a contact made
    "test_driven",  # ... with a test drive
    "offered",  # ... with an offer sent (not a draft)
    "won_cohort",  # ... won now
    "sla_due",  # ... whose first-contact deadline is decided (contact made, or closed)
    "sla_met",  # ... contact made by the first-contact deadline
    "won",  # leads won that day (by closing day)
    "lost",  # leads lost that day
    "closed_minutes",  # creation-to-close minutes of the leads won or lost that day
    "offers_sent",  # offers made that day, not drafts (by the offer's creation day)
    "offers_sent_cents",
    "offers_accepted",
    "offers_accepted_cents",
    "trade_ins",  # trade-ins taken that day
)
ROLLUP_COLUMNS = COUNTER_COLUMNS + FIRST_RESPONSE_COLUMNS
DIMENSIONS = ("branch_id", "owner_key", "lead_type_id", "source_id")
NO_OWNER = 0  # owner_key of a lead waiting in its branch's queue


def _counter() -> Mapped[int]:
    return mapped_column(BigInteger, default=0, server_default="0", nullable=False)


class ReportRollup(db.Model):
    """Counters of one day ("d") or month ("m") for one branch/owner/type/source."""

    __tablename__ = "report_rollup"

    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    period: Mapped[date] = mapped_column(Date, primary_key=True)
    branch_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    owner_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    lead_type_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)

    locals().update({name: _counter() for name in ROLLUP_COLUMNS})

    __table_args__ = (
        Index("ix_report_rollup_owner", "owner_key", "grain", "period"),
        Index("ix_report_rollup_branch", "branch_id", "grain", "period"),
        {"sqlite_with_rowid": False},  # SQLite keeps the rows in key order: a range is contiguous
    )


class ReportLostReason(db.Model):
    """Leads lost in one day or month, per reason (0: an explanation only)."""

    __tablename__ = "report_lost_reason"

    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    period: Mapped[date] = mapped_column(Date, primary_key=True)
    branch_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    owner_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    lead_type_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    reason_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    lost: Mapped[int] = _counter()

    __table_args__ = ({"sqlite_with_rowid": False},)


class ReportLead(db.Model):
    """What one lead last added to the roll-up (no foreign key: a deleted lead's row is
    what lets its figures be subtracted)."""

    __tablename__ = "report_lead"

    lead_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    first_response_minutes: Mapped[int | None] = mapped_column(Integer)
    facts: Mapped[dict] = mapped_column(JSON)


# The open pipeline (open leads by owner and age, overdue ones): an index-only range over
# the open leads, declared here so that the lead's own module stays untouched.
Index(
    "ix_lead_open_pipeline",
    Lead.owner_id,
    Lead.created_at,
    Lead.next_deadline_at,
    Lead.branch_id,
    Lead.lead_type_id,
    Lead.source_id,
    sqlite_where=text("status = 'open'"),
    postgresql_where=text("status = 'open'"),
)
