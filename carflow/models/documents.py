"""Files on a lead and emails sent to the customer (F14, F15)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carflow.extensions import db
from carflow.models.enums import CommunicationStatus, enum_column
from carflow.models.lead import Lead
from carflow.models.sales import Offer
from carflow.models.types import UTCDateTime, utcnow
from carflow.models.user import User


class Document(db.Model):
    """An uploaded file, stored outside the web root under `stored_name`."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    original_filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    lead: Mapped[Lead] = relationship()
    uploaded_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version_id}


class Communication(db.Model):
    """An email to the customer; stored before sending so it is never lost."""

    __tablename__ = "communication"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"), index=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offer.id"))
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recipients: Mapped[list] = mapped_column(JSON, default=list)
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    attach_quote: Mapped[bool] = mapped_column(Boolean, default=False)
    attach_purchase_order: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[CommunicationStatus] = mapped_column(
        enum_column(CommunicationStatus), default=CommunicationStatus.pending, index=True
    )
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    lead: Mapped[Lead] = relationship()
    offer: Mapped[Offer | None] = relationship()
    sender: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version_id}
