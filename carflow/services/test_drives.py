"""Test drives of a lead (F12): no overlapping bookings of one vehicle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from carflow.extensions import db
from carflow.i18n import fmt_datetime
from carflow.models import Lead, LeadContact, TestDrive
from carflow.services.errors import ServiceError, check_version
from carflow.services.events import bump_item_count, record_event
from carflow.services.stock import lock_vehicle


@dataclass
class TestDriveData:
    """What the test-drive form submits (times are aware UTC datetimes)."""

    __test__ = False

    vehicle_id: int | None = None
    driver_contact_id: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    licence_number: str | None = None
    mileage_out: int | None = None
    mileage_in: int | None = None
    notes: str | None = None


def lead_contact_ids(lead: Lead) -> list[int]:
    """The contacts who may drive: the lead's main contact, then its linked contacts."""
    linked = db.session.scalars(
        select(LeadContact.contact_id)
        .where(LeadContact.lead_id == lead.id)
        .order_by(LeadContact.position)
    )
    return [lead.contact_id] + [c for c in linked if c != lead.contact_id]


def find_overlap(vehicle_id: int, starts_at, ends_at, excluding_id=None) -> TestDrive | None:
    """A booking of the vehicle that overlaps [starts_at, ends_at), if any."""
    stmt = select(TestDrive).where(
        TestDrive.vehicle_id == vehicle_id,
        TestDrive.starts_at < ends_at,
        TestDrive.ends_at > starts_at,
    )
    if excluding_id is not None:
        stmt = stmt.where(TestDrive.id != excluding_id)
    return db.session.scalars(stmt.order_by(TestDrive.starts_at).limit(1)).first()


def _check(lead: Lead, data: TestDriveData, excluding_id=None):
    vehicle = lock_vehicle(data.vehicle_id)
    if vehicle is None:
        raise ServiceError(_l("Unknown vehicle: pick one from the stock."), field="vehicle_id")
    if data.driver_contact_id not in lead_contact_ids(lead):
        raise ServiceError(_l("The driver must be a contact of this lead."), field="driver")
    if data.starts_at is None or data.ends_at is None:
        raise ServiceError(_l("Start and end are required."), field="starts_at")
    if data.ends_at <= data.starts_at:
        raise ServiceError(_l("The end must be after the start."), field="ends_at")
    for name in ("mileage_out", "mileage_in"):
        if (getattr(data, name) or 0) < 0:
            raise ServiceError(_l("The mileage cannot be negative."), field=name)
    out, back = data.mileage_out, data.mileage_in
    if out is not None and back is not None and back < out:
        raise ServiceError(
            _l("The mileage in cannot be lower than the mileage out."), field="mileage_in"
        )
    conflict = find_overlap(vehicle.id, data.starts_at, data.ends_at, excluding_id)
    if conflict is not None:
        raise ServiceError(
            _l(
                "%(vehicle)s is already booked from %(start)s to %(end)s (lead %(code)s).",
                vehicle=str(vehicle),
                start=fmt_datetime(conflict.starts_at),
                end=fmt_datetime(conflict.ends_at),
                code=conflict.lead.code,
            ),
            field="starts_at",
        )
    return vehicle


def _apply(drive: TestDrive, vehicle, data: TestDriveData) -> None:
    drive.vehicle = vehicle
    drive.driver_contact_id = data.driver_contact_id
    drive.starts_at, drive.ends_at = data.starts_at, data.ends_at
    drive.licence_number = (data.licence_number or "").strip() or None
    drive.mileage_out, drive.mileage_in = data.mileage_out, data.mileage_in
    drive.notes = (data.notes or "").strip() or None


def _summary(drive: TestDrive) -> dict:
    return {"vehicle": str(drive.vehicle), "starts_at": drive.starts_at.isoformat()}


def book_test_drive(lead: Lead, actor, data: TestDriveData) -> TestDrive:
    """Book a test drive owned by `actor` (it shows in their task overview)."""
    vehicle = _check(lead, data)
    drive = TestDrive(lead=lead, owner_id=actor.id, created_by_id=actor.id)
    _apply(drive, vehicle, data)
    db.session.add(drive)
    db.session.flush()
    bump_item_count(lead, "test_drive_count", 1)
    record_event(lead, actor, "test_drive_booked", _summary(drive), ref=drive)
    return drive


def update_test_drive(drive: TestDrive, actor, data: TestDriveData, version) -> TestDrive:
    """Change a booking (the overlap rule still holds)."""
    check_version(drive, version)
    vehicle = _check(drive.lead, data, excluding_id=drive.id)
    _apply(drive, vehicle, data)
    db.session.flush()
    record_event(drive.lead, actor, "test_drive_updated", _summary(drive), ref=drive)
    return drive


def delete_test_drive(drive: TestDrive, actor) -> None:
    """Cancel a booking."""
    lead = drive.lead
    summary = _summary(drive)
    db.session.delete(drive)
    db.session.flush()
    bump_item_count(lead, "test_drive_count", -1)
    record_event(lead, actor, "test_drive_deleted", summary)
