"""Contacts: the people and companies leads come from."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from carflow.extensions import db
from carflow.intake.normalize import normalize_phone
from carflow.models.enums import ContactKind, Salutation, enum_column
from carflow.models.types import UTCDateTime, utcnow


def contact_display_name(kind, first_name: str | None, last_name: str) -> str:
    """'First Last', or the company name: `Contact.display_name` for rows read as columns."""
    if kind == ContactKind.company or not first_name:
        return last_name
    return f"{first_name} {last_name}"


class Contact(db.Model):
    """A person or a company. At least one of email / phone / mobile is required."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ContactKind] = mapped_column(enum_column(ContactKind), default=ContactKind.person)
    salutation: Mapped[Salutation | None] = mapped_column(enum_column(Salutation))
    first_name: Mapped[str | None] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(120), index=True)  # company name for companies
    company_registration: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40), index=True)
    mobile: Mapped[str | None] = mapped_column(String(40), index=True)
    # `phone` and `mobile` in E.164, kept at every flush (below): intake matches on them.
    phone_e164: Mapped[str | None] = mapped_column(String(20), index=True)
    mobile_e164: Mapped[str | None] = mapped_column(String(20), index=True)
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(120))
    country: Mapped[str | None] = mapped_column(String(2))
    language: Mapped[str] = mapped_column(String(5), default="en")
    vat_percentage: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    vat_number: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str | None] = mapped_column(Text)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def display_name(self) -> str:
        """Name as shown everywhere: 'First Last' or the company name."""
        return contact_display_name(self.kind, self.first_name, self.last_name)

    def __str__(self) -> str:
        return self.display_name


@event.listens_for(Contact, "before_insert")
@event.listens_for(Contact, "before_update")
def _normalize_phones(mapper, connection, contact: Contact) -> None:
    """Keep `phone_e164` / `mobile_e164` in step with the typed numbers, whoever writes the
    contact (issue 15): read in the contact's country, else Belgium; unreadable: None."""
    contact.phone_e164 = normalize_phone(contact.phone, contact.country)
    contact.mobile_e164 = normalize_phone(contact.mobile, contact.country)
