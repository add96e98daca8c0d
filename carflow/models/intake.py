"""Leads that arrive by themselves (issue 15): API keys and the record of each intake."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carflow.extensions import db
from carflow.models.settings import LeadSource, LeadType
from carflow.models.types import UTCDateTime, utcnow
from carflow.models.user import Branch, User

#: Intake channels, as stored in `LeadIntake.channel`.
CHANNELS = ("api", "adf_http", "adf_email", "website")
#: What an intake did, as stored in `LeadIntake.outcome`.
OUTCOMES = ("created", "enquiry_again")


class ApiKey(db.Model):
    """A key given to one sender of leads (a portal, the dealer's website, a script).

    Only the SHA-256 of the key is stored: a 32-byte random key needs no slow hash, and
    the key itself is shown once, when it is created. `prefix` (its first characters)
    tells keys apart in lists. The key's source, branch and optional lead type are the
    defaults of the leads it sends. `form_token` (public, in the website form's URL) and
    `allowed_origins` (one origin per line, for CORS) serve the website form.
    """

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    form_token: Mapped[str] = mapped_column(String(32), unique=True)
    allowed_origins: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[int] = mapped_column(ForeignKey("lead_source.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"))
    lead_type_id: Mapped[int | None] = mapped_column(ForeignKey("lead_type.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    source: Mapped[LeadSource] = relationship()
    branch: Mapped[Branch] = relationship()
    lead_type: Mapped[LeadType | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def origins(self) -> list[str]:
        """The allowed origins of the website form, one per line."""
        return [o.strip() for o in (self.allowed_origins or "").splitlines() if o.strip()]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LeadIntake(db.Model):
    """One request received on an intake channel and what it did to which lead.

    `sender` scopes the sender's own ids: "key:<api key id>" or "source:<source id>"
    (channels without a key). The unique pairs (sender, external_id) and (sender,
    idempotency_key) make a retry find the first request's row instead of making a
    second lead; NULL ids are never equal, so requests without them are not limited.
    `lead_id` is set in the same transaction that inserts the row (the row is written
    first, so that a concurrent retry waits on it); a committed row always has a lead.
    `raw_payload` is the body as received, capped (see `RAW_PAYLOAD_MAX_CHARS`).
    """

    __tablename__ = "lead_intake"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    sender: Mapped[str] = mapped_column(String(40))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(200))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    payload_sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str | None] = mapped_column(String(120))
    raw_payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[str | None] = mapped_column(String(20))

    api_key: Mapped[ApiKey | None] = relationship()

    __table_args__ = (
        UniqueConstraint("sender", "external_id", name="uq_lead_intake_sender_external_id"),
        UniqueConstraint("sender", "idempotency_key", name="uq_lead_intake_sender_idempotency_key"),
        Index("ix_lead_intake_received_at", "received_at"),
    )
