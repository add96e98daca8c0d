"""Stock vehicles: VIN check, search for pickers, reservation (F11, F12)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from carflow.extensions import db
from carflow.models import Offer, OfferStatus, Vehicle, VehicleStatus
from carflow.services.errors import ServiceError

VIN_RE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
SEARCH_LIMIT = 20


def normalize_vin(vin: str | None, field: str = "vin") -> str | None:
    """The VIN upper-cased without spaces; refused unless 17 characters without I, O, Q."""
    if vin is None or not vin.strip():
        return None
    value = re.sub(r"[\s-]", "", vin).upper()
    if not VIN_RE.match(value):
        raise ServiceError(
            _l("A VIN has 17 letters and digits (never I, O or Q)."),
            field=field,
        )
    return value


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_vehicles(query: str, limit: int = SEARCH_LIMIT) -> list[Vehicle]:
    """At most `limit` vehicles whose stock number, make, model, plate or VIN match every word."""
    words = [w for w in (query or "").split() if w][:5]
    if not words:
        return []
    stmt = select(Vehicle)
    for word in words:
        pattern = _like(word)
        stmt = stmt.where(
            or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (
                        Vehicle.stock_number,
                        Vehicle.make,
                        Vehicle.model,
                        Vehicle.version,
                        Vehicle.plate,
                        Vehicle.vin,
                    )
                )
            )
        )
    stmt = stmt.order_by(Vehicle.status, Vehicle.make, Vehicle.model, Vehicle.id).limit(limit)
    return list(db.session.scalars(stmt))


def lock_vehicle(vehicle_id: int | None) -> Vehicle | None:
    """The vehicle, row-locked until commit on PostgreSQL (serializes bookings/reservations)."""
    if vehicle_id is None:
        return None
    stmt = select(Vehicle).where(Vehicle.id == vehicle_id)
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return db.session.scalars(stmt).first()


def accepted_offer_for(vehicle: Vehicle, excluding_id: int | None = None) -> Offer | None:
    """Another accepted offer holding `vehicle`, if any."""
    stmt = select(Offer).where(Offer.vehicle_id == vehicle.id, Offer.status == OfferStatus.accepted)
    if excluding_id is not None:
        stmt = stmt.where(Offer.id != excluding_id)
    return db.session.scalars(stmt.limit(1)).first()


def reserve_vehicle_for(vehicle: Vehicle, offer: Offer) -> None:
    """Reserve `vehicle` for accepted `offer`; refused when sold or held by another offer."""
    if vehicle.status == VehicleStatus.sold:
        raise ServiceError(_l("This vehicle is already sold."), field="status")
    other = accepted_offer_for(vehicle, excluding_id=offer.id)
    if other is not None:
        raise ServiceError(
            _l(
                "This vehicle is already reserved by accepted offer #%(id)s (lead %(code)s).",
                id=other.id,
                code=other.lead.code,
            ),
            field="status",
        )
    vehicle.status = VehicleStatus.reserved


def release_vehicle_of(vehicle: Vehicle, offer: Offer) -> None:
    """Put a reserved vehicle back in stock when no other accepted offer holds it."""
    if vehicle.status == VehicleStatus.reserved and accepted_offer_for(vehicle, offer.id) is None:
        vehicle.status = VehicleStatus.in_stock
