"""Branches, users and the audit log of account administration."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carflow.extensions import db
from carflow.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    pass


class Branch(db.Model):
    """A location of the dealer group: address, contact data, opening hours."""

    __tablename__ = "branch"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(120))
    country: Mapped[str | None] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    lead_notification_email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(254))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")
    # {"mon": [["08:30", "12:00"], ["13:00", "18:00"]], ...}; empty = always open
    opening_hours_sales: Mapped[dict | None] = mapped_column(JSON)
    opening_hours_aftersales: Mapped[dict | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __str__(self) -> str:
        return self.name


def new_session_token() -> str:
    """A random token; changing it ends every session of the user."""
    return secrets.token_urlsafe(24)


def person_name(first_name: str | None, last_name: str | None) -> str:
    """'First Last': `User.full_name` for rows read as columns."""
    return f"{first_name or ''} {last_name or ''}".strip()


class User(UserMixin, db.Model):
    """A member of staff. Permissions = role preset + granted - revoked."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(30), default="salesperson")
    permissions_granted: Mapped[list] = mapped_column(JSON, default=list)
    permissions_revoked: Mapped[list] = mapped_column(JSON, default=list)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), index=True)
    language: Mapped[str] = mapped_column(String(5), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(Integer, default=1)
    # Automatic assignment (issue 15): no new leads while absent (dates inclusive), and at
    # most this many open leads (None: the branch's limit).
    absent_from: Mapped[date | None] = mapped_column(Date)
    absent_until: Mapped[date | None] = mapped_column(Date)
    max_open_leads: Mapped[int | None] = mapped_column(Integer)

    branch: Mapped[Branch | None] = relationship()

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def full_name(self) -> str:
        return person_name(self.first_name, self.last_name)

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled users cannot log in
        return bool(self.active)

    def get_id(self) -> str:
        """Session id: user id + session token, so a token change ends old sessions."""
        return f"{self.id}:{self.session_token}"

    def __str__(self) -> str:
        return self.full_name


class AuditLog(db.Model):
    """Account administration history: who changed which user or setting, when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    details: Mapped[dict | None] = mapped_column(JSON)
    message: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    target_user: Mapped[User | None] = relationship(foreign_keys=[target_user_id])
