"""Automatic assignment, alerts and escalation of new leads (issue 15, items 3–5).

`BranchAssignment` is a branch's setting row (mode, limits, escalation delays) and also
its round-robin rotation: `last_user_id` is moved under `SELECT … FOR UPDATE`, so two
leads arriving together never go to the same person by a race. `AssignmentRule` sends
leads of a channel / source / lead type to a branch. `AutoReply` is the customer's
automatic answer per language. `LeadAlert` is the outbox of alert e-mails: a row is
committed with the lead, the job sends it after the commit (or when the branch opens).
`LeadEscalation` records which escalation steps a missed deadline has had (once each).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carflow.extensions import db
from carflow.models.lead import Lead
from carflow.models.settings import LeadSource, LeadType
from carflow.models.types import UTCDateTime, utcnow
from carflow.models.user import Branch

MODE_ROUND_ROBIN = "round_robin"
MODE_QUEUE = "queue"
REASSIGN_QUEUE = "queue"
REASSIGN_NEXT = "next"


class BranchAssignment(db.Model):
    """A branch's assignment mode, open-lead limit, escalation delays and rotation."""

    __tablename__ = "branch_assignment"

    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(20), default=MODE_QUEUE)
    max_open_leads: Mapped[int | None] = mapped_column(Integer)  # per user; None: no limit
    # Escalation (F25 extended), in opening minutes after the first-contact deadline.
    escalate_after_minutes: Mapped[int | None] = mapped_column(Integer)  # None: off
    reassign_after_minutes: Mapped[int | None] = mapped_column(Integer)  # after the first
    reassign_action: Mapped[str] = mapped_column(String(20), default=REASSIGN_QUEUE)
    auto_reply: Mapped[bool] = mapped_column(Boolean, default=False)
    last_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # the rotation
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    branch: Mapped[Branch] = relationship()

    __mapper_args__ = {"version_id_col": version_id}


class AssignmentRule(db.Model):
    """Leads of a channel / source / lead type (empty: any) go to `branch`; first match wins."""

    __tablename__ = "assignment_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[str | None] = mapped_column(String(30))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("lead_source.id"))
    lead_type_id: Mapped[int | None] = mapped_column(ForeignKey("lead_type.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    source: Mapped[LeadSource | None] = relationship()
    lead_type: Mapped[LeadType | None] = relationship()
    branch: Mapped[Branch] = relationship()

    def __str__(self) -> str:
        return self.name


class AutoReply(db.Model):
    """The automatic reply to a new lead's customer, in one language."""

    __tablename__ = "auto_reply"

    language: Mapped[str] = mapped_column(String(5), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version_id}


class LeadAlert(db.Model):
    """One alert e-mail about a lead (new lead, enquiry again, escalation, auto-reply)."""

    __tablename__ = "lead_alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    recipient: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5), default="en")
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)

    lead: Mapped[Lead] = relationship()

    __table_args__ = (Index("ix_lead_alert_unsent", "sent_at", "not_before"),)


class LeadEscalation(db.Model):
    """The escalation steps taken for one missed first-contact deadline (each once)."""

    __tablename__ = "lead_escalation"

    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadline.id"), primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"), index=True)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reassigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
