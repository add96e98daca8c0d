"""Failed sign-ins per (account, client address): the growing login delay (issue 12)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from carflow.extensions import db
from carflow.models.types import UTCDateTime


class LoginFailure(db.Model):
    """Consecutive failed sign-ins of one email from one address, and until when the pair
    must wait. Keyed by a hash of (email, address): no address book of attempts is kept.
    A successful sign-in deletes the row."""

    __tablename__ = "login_failure"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
