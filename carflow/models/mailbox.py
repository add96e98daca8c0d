"""The intake mailbox polled over IMAP for ADF e-mails, and the messages it bounced
(issue 15, item 1: ADF by e-mail)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carflow.extensions import db
from carflow.models.types import UTCDateTime, utcnow

SECURITY_CHOICES = ("tls", "starttls", "plain")


class IntakeMailbox(db.Model):
    """The one row of mailbox settings (id = 1). The password is write-only in the UI.

    `security`: "tls" (IMAPS, port 993), "starttls" (port 143 upgraded) or "plain"
    (tests and a local server only)."""

    __tablename__ = "intake_mailbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    host: Mapped[str | None] = mapped_column(String(200))
    port: Mapped[int] = mapped_column(Integer, default=993)
    security: Mapped[str] = mapped_column(String(10), default="tls")
    username: Mapped[str | None] = mapped_column(String(200))
    password: Mapped[str | None] = mapped_column(String(500))
    folder: Mapped[str] = mapped_column(String(200), default="INBOX")
    processed_folder: Mapped[str] = mapped_column(String(200), default="Processed")
    bounce_folder: Mapped[str] = mapped_column(String(200), default="Bounced")
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id", ondelete="SET NULL"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("lead_source.id", ondelete="SET NULL"))
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    branch = relationship("Branch")
    source = relationship("LeadSource")

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def is_configured(self) -> bool:
        """Enabled, with a host and a user: the periodic job polls only then."""
        return bool(self.enabled and self.host and self.username)

    @classmethod
    def get(cls) -> IntakeMailbox:
        """The settings row, created with defaults on first use."""
        row = db.session.get(cls, 1)
        if row is None:
            row = cls(id=1)
            db.session.add(row)
            db.session.flush()
        return row


class EmailRejection(db.Model):
    """An e-mail that could not become a lead: why, and where it went (bounce folder,
    or back to the MTA for the pipe). One row per message."""

    __tablename__ = "email_rejection"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    channel: Mapped[str] = mapped_column(String(20))
    message_key: Mapped[str] = mapped_column(String(300), unique=True)
    sender: Mapped[str | None] = mapped_column(String(300))
    subject: Mapped[str | None] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text)
