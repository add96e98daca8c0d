"""Personal data (issue 17): consent history, privacy settings, the privacy audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carflow.extensions import db
from carflow.models.types import UTCDateTime, utcnow
from carflow.models.user import User


class ConsentRecord(db.Model):
    """One consent decision of a contact for one channel and purpose (append-only).

    The current state of (contact, channel, purpose) is its latest row (highest `at`, then
    `id`), read on the index below; rows are never changed, only added (erasure removes them).
    """

    __tablename__ = "consent_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"))
    channel: Mapped[str] = mapped_column(String(10))  # email, phone, sms, post
    purpose: Mapped[str] = mapped_column(String(12))  # marketing, service
    granted: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(40))  # form, phone, website, intake:<name>…
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str | None] = mapped_column(Text)

    recorded_by: Mapped[User | None] = relationship()

    __table_args__ = (
        Index("ix_consent_record_latest", "contact_id", "channel", "purpose", "at", "id"),
    )


class PrivacySettings(db.Model):
    """The one row (id = 1) of the personal-data settings.

    `retention_years`: contacts without activity for that long are anonymized by the daily
    retention job (None: off). `legal_hold_years`: a won lead or an accepted offer younger
    than that keeps its contact from being erased.
    """

    __tablename__ = "privacy_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    retention_years: Mapped[int | None] = mapped_column(Integer)
    legal_hold_years: Mapped[int] = mapped_column(Integer, default=7)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version_id}

    @classmethod
    def get(cls) -> PrivacySettings:
        """The settings row, created with defaults on first use."""
        row = db.session.get(cls, 1)
        if row is None:
            row = cls(id=1, retention_years=None, legal_hold_years=7)
            db.session.add(row)
            db.session.flush()
        return row


class PrivacyLog(db.Model):
    """The audit log of subject-access exports and erasures. It holds no personal data:
    the contact's id, who, when, what (`action`), a reason category from a fixed list and
    counts of what was exported or erased — never a name or a free text."""

    __tablename__ = "privacy_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # export, erasure
    reason: Mapped[str | None] = mapped_column(String(30))
    counts: Mapped[dict | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship()
