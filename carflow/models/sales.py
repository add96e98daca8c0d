"""The sales items of a lead: trade-ins, offers and test drives (F10–F12)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carflow.extensions import db
from carflow.models.contact import Contact
from carflow.models.enums import Fuel, Gearbox, OfferStatus, enum_column
from carflow.models.lead import Lead
from carflow.models.types import UTCDateTime, utcnow
from carflow.models.user import User
from carflow.models.vehicle import Vehicle

MONEY = Numeric(12, 2)


class TradeIn(db.Model):
    """The customer's car the dealer may take back (F10)."""

    __tablename__ = "trade_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"), index=True)
    make: Mapped[str] = mapped_column(String(60))
    model: Mapped[str] = mapped_column(String(60))
    version: Mapped[str | None] = mapped_column(String(120))
    vin: Mapped[str | None] = mapped_column(String(17), index=True)
    plate: Mapped[str | None] = mapped_column(String(20), index=True)
    first_registration: Mapped[date | None] = mapped_column(Date)
    mileage: Mapped[int | None] = mapped_column(Integer)
    fuel: Mapped[Fuel | None] = mapped_column(enum_column(Fuel))
    gearbox: Mapped[Gearbox | None] = mapped_column(enum_column(Gearbox))
    color: Mapped[str | None] = mapped_column(String(40))
    condition_notes: Mapped[str | None] = mapped_column(Text)
    estimated_value: Mapped[Decimal | None] = mapped_column(MONEY)
    offered_value: Mapped[Decimal | None] = mapped_column(MONEY)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    lead: Mapped[Lead] = relationship()
    photos: Mapped[list[TradeInPhoto]] = relationship(
        back_populates="trade_in", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def title(self) -> str:
        return " ".join(p for p in (self.make, self.model, self.version) if p)

    def __str__(self) -> str:
        return f"{self.title} ({self.plate})" if self.plate else self.title


class TradeInPhoto(db.Model):
    """A photo of a trade-in, stored like documents (generated name, outside web root)."""

    __tablename__ = "trade_in_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    trade_in_id: Mapped[int] = mapped_column(ForeignKey("trade_in.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    trade_in: Mapped[TradeIn] = relationship(back_populates="photos")


class Offer(db.Model):
    """A priced proposal for a stock or free-text vehicle (F11). Amounts are exact."""

    __tablename__ = "offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"), index=True)
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicle.id"), index=True)
    vehicle_description: Mapped[str | None] = mapped_column(String(255))
    list_price: Mapped[Decimal] = mapped_column(MONEY)
    discount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    trade_in_id: Mapped[int | None] = mapped_column(ForeignKey("trade_in.id"))
    trade_in_deduction: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    net_amount: Mapped[Decimal] = mapped_column(MONEY)
    vat_amount: Mapped[Decimal] = mapped_column(MONEY)
    total_amount: Mapped[Decimal] = mapped_column(MONEY)
    # When a migration recomputed stored totals under the corrected VAT rule (issue 13).
    totals_corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_until: Mapped[date | None] = mapped_column(Date)
    status: Mapped[OfferStatus] = mapped_column(enum_column(OfferStatus), default=OfferStatus.draft)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    lead: Mapped[Lead] = relationship()
    vehicle: Mapped[Vehicle | None] = relationship()
    trade_in: Mapped[TradeIn | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def vehicle_title(self) -> str:
        return self.vehicle.title if self.vehicle else (self.vehicle_description or "")

    @property
    def amount_payable(self) -> Decimal:
        """The total incl. VAT minus the trade-in value (F11: the trade-in is a payment)."""
        return self.total_amount - (self.trade_in_deduction or Decimal("0.00"))


class TestDrive(db.Model):
    """A booked drive of a stock vehicle by a contact of the lead (F12)."""

    __tablename__ = "test_drive"
    __test__ = False  # not a pytest class

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"), index=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id"))
    driver_contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    licence_number: Mapped[str | None] = mapped_column(String(40))
    mileage_out: Mapped[int | None] = mapped_column(Integer)
    mileage_in: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    lead: Mapped[Lead] = relationship()
    vehicle: Mapped[Vehicle] = relationship()
    driver: Mapped[Contact] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])

    __mapper_args__ = {"version_id_col": version_id}
    __table_args__ = (
        Index("ix_test_drive_vehicle_period", "vehicle_id", "starts_at", "ends_at"),
        # A user's coming drives (task overview, issue 8): an index range on ends_at.
        Index("ix_test_drive_owner_ends", "owner_id", "ends_at"),
    )
