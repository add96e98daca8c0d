"""Tasks (scheduled work with a page of their own) and deadlines (targets), F16, F21, F25–F29."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carflow.extensions import db
from carflow.models.enums import ContactOutcome, DeadlineKind, enum_column
from carflow.models.lead import Lead
from carflow.models.types import UTCDateTime, utcnow
from carflow.models.user import User


class Task(db.Model):
    """Work planned for a user: a start and a planned duration."""

    __tablename__ = "task"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    assignee_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=30)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    lead: Mapped[Lead | None] = relationship()
    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    __mapper_args__ = {"version_id_col": version_id}
    __table_args__ = (
        Index("ix_task_assignee_starts_at", "assignee_id", "starts_at"),
        # A user's open tasks in start order (task overview, issue 8): an ordered index range
        # (partial: PostgreSQL does not order by the columns after an IS NULL condition).
        Index(
            "ix_task_assignee_open_starts",
            "assignee_id",
            "starts_at",
            "id",
            sqlite_where=text("completed_at IS NULL"),
            postgresql_where=text("completed_at IS NULL"),
        ),
    )


class Deadline(db.Model):
    """A target moment on a lead: no start, no duration, no page of its own (F27)."""

    __tablename__ = "deadline"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"))
    kind: Mapped[DeadlineKind] = mapped_column(
        enum_column(DeadlineKind), default=DeadlineKind.first_contact
    )
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[ContactOutcome] = mapped_column(
        enum_column(ContactOutcome), default=ContactOutcome.not_yet
    )
    outcome_note: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The lead's owner, copied so that a user's open deadlines are one index range (the
    # task overview, issue 8); set with the deadline and on every assignment.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    lead: Mapped[Lead] = relationship()
    set_by: Mapped[User | None] = relationship(foreign_keys=[set_by_id])

    __mapper_args__ = {"version_id_col": version_id}
    __table_args__ = (
        Index("ix_deadline_lead_due", "lead_id", "due_at"),
        Index("ix_deadline_due_open", "due_at", "closed_at"),
        # A user's open deadlines in due order (task overview, issue 8), as for tasks.
        Index(
            "ix_deadline_owner_open_due",
            "owner_id",
            "due_at",
            "id",
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
    )

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
