"""Stock vehicles offered and test-driven on leads."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carflow.extensions import db
from carflow.models.enums import Fuel, Gearbox, VehicleStatus, enum_column
from carflow.models.types import UTCDateTime, utcnow
from carflow.models.user import Branch


def vehicle_title(make: str | None, model: str | None, version: str | None) -> str:
    """'Make Model Version': `Vehicle.title` for rows read as columns."""
    return " ".join(p for p in (make, model, version) if p)


class Vehicle(db.Model):
    """A car in stock (F11, F12)."""

    __tablename__ = "vehicle"

    id: Mapped[int] = mapped_column(primary_key=True)
    stock_number: Mapped[str] = mapped_column(String(30), unique=True)
    make: Mapped[str] = mapped_column(String(60), index=True)
    model: Mapped[str] = mapped_column(String(60))
    version: Mapped[str | None] = mapped_column(String(120))
    vin: Mapped[str | None] = mapped_column(String(17), unique=True)
    plate: Mapped[str | None] = mapped_column(String(20), index=True)
    first_registration: Mapped[date | None] = mapped_column(Date)
    mileage: Mapped[int | None] = mapped_column(Integer)
    fuel: Mapped[Fuel | None] = mapped_column(enum_column(Fuel))
    gearbox: Mapped[Gearbox | None] = mapped_column(enum_column(Gearbox))
    color: Mapped[str | None] = mapped_column(String(40))
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    status: Mapped[VehicleStatus] = mapped_column(
        enum_column(VehicleStatus), default=VehicleStatus.in_stock, index=True
    )
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    branch: Mapped[Branch | None] = relationship()

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def title(self) -> str:
        return vehicle_title(self.make, self.model, self.version)

    def __str__(self) -> str:
        return f"{self.stock_number} · {self.title}"
