"""The lead, its linked contacts and its timeline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carflow.extensions import db
from carflow.models.contact import Contact
from carflow.models.enums import LeadStatus, enum_column
from carflow.models.settings import LeadSource, LeadType, LostReason
from carflow.models.types import UTCDateTime, utcnow
from carflow.models.user import Branch, User


class Lead(db.Model):
    """A prospect who wants to buy, sell or trade in a car.

    `owner_id` is None when the lead waits in its branch's queue (F17).
    `next_deadline_at` is the earliest open deadline, kept by the deadline services.
    The three counters feed the header's blue box (F8) without a query per item.
    """

    __tablename__ = "lead"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[LeadStatus] = mapped_column(enum_column(LeadStatus), default=LeadStatus.open)
    lost_reason_id: Mapped[int | None] = mapped_column(ForeignKey("lost_reason.id"))
    lost_reason_text: Mapped[str | None] = mapped_column(Text)
    lead_type_id: Mapped[int] = mapped_column(ForeignKey("lead_type.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("lead_source.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    trade_in_count: Mapped[int] = mapped_column(Integer, default=0)
    offer_count: Mapped[int] = mapped_column(Integer, default=0)
    test_drive_count: Mapped[int] = mapped_column(Integer, default=0)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    lead_type: Mapped[LeadType] = relationship()
    source: Mapped[LeadSource] = relationship()
    contact: Mapped[Contact] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    branch: Mapped[Branch] = relationship()
    lost_reason: Mapped[LostReason | None] = relationship()
    linked_contacts: Mapped[list[LeadContact]] = relationship(
        back_populates="lead", cascade="all, delete-orphan", order_by="LeadContact.position"
    )

    __mapper_args__ = {"version_id_col": version_id}
    __table_args__ = (
        Index("ix_lead_created_at_id", "created_at", "id"),
        Index("ix_lead_last_activity_at_id", "last_activity_at", "id"),
        Index("ix_lead_next_deadline_at_id", "next_deadline_at", "id"),
        Index("ix_lead_status_created_at", "status", "created_at", "id"),
        Index("ix_lead_owner_created_at", "owner_id", "created_at", "id"),
        Index("ix_lead_owner_status_created_at", "owner_id", "status", "created_at", "id"),
        Index("ix_lead_branch_created_at", "branch_id", "created_at", "id"),
        # seek pagination of the overview's sorts on related names (F3)
        Index("ix_lead_type_created_at", "lead_type_id", "created_at", "id"),
        Index("ix_lead_source_created_at", "source_id", "created_at", "id"),
        Index("ix_lead_contact_created_at", "contact_id", "created_at", "id"),
    )

    def __str__(self) -> str:
        return self.code


class LeadContact(db.Model):
    """Another contact linked to a lead (spouse, company, co-driver…), F22."""

    __tablename__ = "lead_contact"

    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), primary_key=True, index=True)
    relation: Mapped[str | None] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, default=0)

    lead: Mapped[Lead] = relationship(back_populates="linked_contacts")
    contact: Mapped[Contact] = relationship()


class Event(db.Model):
    """One line of a lead's timeline and its audit trail (F13, F20, F34).

    `kind` names what happened ("status_changed", "note", "offer_created"…), `data`
    holds its parameters; the text is rendered in the reader's language at display
    time (see `carflow.timeline`). `ref_type`/`ref_id` point at the linked item.
    Written only by services, in the same transaction as the change.
    """

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict | None] = mapped_column(JSON)
    ref_type: Mapped[str | None] = mapped_column(String(30))
    ref_id: Mapped[int | None] = mapped_column(Integer)

    actor: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_event_lead_at_id", "lead_id", "at", "id"),)
