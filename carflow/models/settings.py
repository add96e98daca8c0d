"""Account settings: edition, legal identity, lead types, sources, lost reasons."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from carflow.extensions import db
from carflow.models.enums import Edition, enum_column

DEFAULT_FIRST_CONTACT_DELAY_MINUTES = 24 * 60


class AccountSettings(db.Model):
    """The one row of account-wide settings (id = 1)."""

    __tablename__ = "account_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition: Mapped[Edition] = mapped_column(enum_column(Edition), default=Edition.expert)
    company_name: Mapped[str] = mapped_column(String(200), default="Carflow dealer")
    official_name: Mapped[str | None] = mapped_column(String(200))
    vat_number: Mapped[str | None] = mapped_column(String(40))
    bank: Mapped[str | None] = mapped_column(String(120))
    iban: Mapped[str | None] = mapped_column(String(40))
    bic: Mapped[str | None] = mapped_column(String(20))
    logo_stored_name: Mapped[str | None] = mapped_column(String(80))
    default_vat_rate: Mapped[str] = mapped_column(String(8), default="21.00")
    # "Settings > Stock > Specific > Purchase - Opportunity deadlines" default (F25)
    default_first_contact_delay_minutes: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_FIRST_CONTACT_DELAY_MINUTES
    )
    count_deadlines_in_opening_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    # Delay of the follow-up deadline set when a lost lead is reopened (issue 13);
    # None: the lead type's first-contact delay (F25) applies.
    reopen_follow_up_minutes: Mapped[int | None] = mapped_column(Integer)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version_id}

    @classmethod
    def get(cls) -> AccountSettings:
        """The settings row, created with defaults on first use."""
        row = db.session.get(cls, 1)
        if row is None:
            row = cls(id=1)
            db.session.add(row)
            db.session.flush()
        return row


class LeadType(db.Model):
    """Purchase, sale, trade-in… each with its own first-contact delay (F26)."""

    __tablename__ = "lead_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    name_fr: Mapped[str | None] = mapped_column(String(80))  # empty: `name` is shown
    name_nl: Mapped[str | None] = mapped_column(String(80))
    first_contact_delay_minutes: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def __str__(self) -> str:
        return self.name


class LeadSource(db.Model):
    """Where leads come from: showroom, website, a media partner…"""

    __tablename__ = "lead_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    name_fr: Mapped[str | None] = mapped_column(String(80))
    name_nl: Mapped[str | None] = mapped_column(String(80))
    is_media_partner: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def __str__(self) -> str:
        return self.name


class LostReason(db.Model):
    """The configurable list offered when a lead is marked lost (F18)."""

    __tablename__ = "lost_reason"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    name_fr: Mapped[str | None] = mapped_column(String(120))
    name_nl: Mapped[str | None] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def __str__(self) -> str:
        return self.name
