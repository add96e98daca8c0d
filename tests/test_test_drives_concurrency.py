"""F12 on PostgreSQL: two bookings racing for one vehicle are serialized by the row lock."""

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from carflow.extensions import db
from carflow.models import Lead, TestDrive, User
from carflow.services.errors import ServiceError
from carflow.services.test_drives import TestDriveData, book_test_drive
from tests.factories import make_lead, make_user, make_vehicle

START = datetime(2026, 12, 1, 9, tzinfo=UTC)
END = datetime(2026, 12, 1, 10, tzinfo=UTC)


def test_concurrent_overlapping_bookings_one_wins(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serializes all writes")
    user = make_user()
    first, second = make_lead(owner=user), make_lead(owner=user)
    vehicle = make_vehicle()
    db.session.commit()
    ids = (user.id, second.id, second.contact_id, vehicle.id)
    outcome = {}

    def rival():
        with app.test_request_context():
            actor = db.session.get(User, ids[0])
            lead = db.session.get(Lead, ids[1])
            data = TestDriveData(
                vehicle_id=ids[3], driver_contact_id=ids[2], starts_at=START, ends_at=END
            )
            try:
                book_test_drive(lead, actor, data)
                db.session.commit()
                outcome["result"] = "booked"
            except ServiceError as error:
                db.session.rollback()
                outcome["result"] = str(error.message)
            finally:
                db.session.remove()

    data = TestDriveData(
        vehicle_id=vehicle.id, driver_contact_id=first.contact_id, starts_at=START, ends_at=END
    )
    with app.test_request_context():
        book_test_drive(first, user, data)  # holds the vehicle row lock until commit
        thread = threading.Thread(target=rival)
        thread.start()
        time.sleep(0.5)  # let the rival reach the lock (the result never depends on it)
        db.session.commit()
        thread.join(timeout=30)
    assert "is already booked" in outcome["result"]
    assert db.session.scalar(select(func.count()).select_from(TestDrive)) == 1
