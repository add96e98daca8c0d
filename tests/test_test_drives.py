"""Test drives (F12, F8): user time zone, overlap refusal, driver, mileage, scope."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from carflow.extensions import db
from carflow.models import Event, Lead, LeadContact, TestDrive
from tests.factories import make_branch, make_contact, make_lead, make_test_drive, make_vehicle


def _count():
    return db.session.scalar(select(func.count()).select_from(TestDrive))


def _form(vehicle, lead, **overrides):
    values = {
        "vehicle_id": str(vehicle.id),
        "driver": str(lead.contact_id),
        "starts_at": "2026-12-01T10:00",
        "ends_at": "2026-12-01T11:00",
        "licence_number": "B-123456",
        "mileage_out": "1200",
        "mileage_in": "1230",
        "notes": "Wants to try the motorway",
    }
    values.update(overrides)
    return values


def test_book_in_user_time_zone_stored_utc(client, login_as):
    user = login_as("salesperson")  # Europe/Brussels: UTC+1 in December
    lead = make_lead(owner=user)
    vehicle = make_vehicle()
    response = client.post(f"/admin/test-drives/new/{lead.id}", data=_form(vehicle, lead))
    assert response.status_code == 302
    drive = db.session.scalars(select(TestDrive)).one()
    assert drive.starts_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert drive.ends_at == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert drive.owner_id == user.id and drive.driver_contact_id == lead.contact_id
    assert db.session.get(Lead, lead.id).test_drive_count == 1
    event = db.session.scalars(select(Event).where(Event.kind == "test_drive_booked")).one()
    assert (event.ref_type, event.ref_id) == ("test_drive", drive.id)
    page = client.get(f"/admin/test-drives/{drive.id}")
    assert b'value="2026-12-01T10:00"' in page.data  # shown back in local time
    assert f"/admin/test-drives/{drive.id}".encode() in client.get(f"/admin/leads/{lead.id}").data
    assert b"B-123456" not in client.get(f"/admin/test-drives/lead/{lead.id}").data
    assert vehicle.make.encode() in client.get(f"/admin/test-drives/lead/{lead.id}").data


def test_linked_contact_may_drive_but_not_a_stranger(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    partner = make_contact(first_name="Sofie")
    db.session.add(LeadContact(lead_id=lead.id, contact_id=partner.id, relation="partner"))
    stranger = make_contact()
    vehicle = make_vehicle()
    page = client.get(f"/admin/test-drives/new/{lead.id}")
    assert b"Sofie" in page.data and stranger.last_name.encode() not in page.data
    bad = client.post(
        f"/admin/test-drives/new/{lead.id}", data=_form(vehicle, lead, driver=str(stranger.id))
    )
    assert b"The driver must be a contact of this lead." in bad.data
    ok = client.post(
        f"/admin/test-drives/new/{lead.id}", data=_form(vehicle, lead, driver=str(partner.id))
    )
    assert ok.status_code == 302
    assert db.session.scalars(select(TestDrive)).one().driver_contact_id == partner.id


def test_refusals_store_nothing(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    vehicle = make_vehicle()
    url = f"/admin/test-drives/new/{lead.id}"
    cases = [
        (_form(vehicle, lead, ends_at="2026-12-01T09:00"), b"The end must be after the start."),
        (_form(vehicle, lead, mileage_in="1100"), b"The mileage in cannot be lower"),
        (_form(vehicle, lead, vehicle_id="424242"), b"Unknown vehicle"),
        (_form(vehicle, lead, vehicle_id=""), b"Unknown vehicle"),
        (_form(vehicle, lead, mileage_out="-3"), b"The mileage cannot be negative."),
        (_form(vehicle, lead, starts_at="tomorrow"), b"Not a valid datetime value."),
    ]
    for form, message in cases:
        response = client.post(url, data=form)
        assert response.status_code == 400
        assert message in response.data, message
    assert _count() == 0
    assert db.session.get(Lead, lead.id).test_drive_count == 0


def test_overlap_is_refused_naming_the_conflict(client, login_as):
    user = login_as("salesperson")
    first_lead = make_lead(owner=user)
    lead = make_lead(owner=user)
    vehicle = make_vehicle()
    make_test_drive(
        first_lead,
        vehicle,
        datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
    )
    url = f"/admin/test-drives/new/{lead.id}"
    response = client.post(
        url, data=_form(vehicle, lead, starts_at="2026-12-01T10:30", ends_at="2026-12-01T12:00")
    )
    assert b"is already booked from" in response.data
    assert first_lead.code.encode() in response.data
    assert b"10:00" in response.data and b"11:00" in response.data  # the conflict, local time
    assert _count() == 1
    # back to back is fine, and another vehicle is fine
    ok = client.post(
        url, data=_form(vehicle, lead, starts_at="2026-12-01T11:00", ends_at="2026-12-01T12:00")
    )
    assert ok.status_code == 302
    other = make_vehicle()
    assert client.post(url, data=_form(other, lead)).status_code == 302
    assert _count() == 3


def test_edit_keeps_the_overlap_rule_and_delete_counts(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    vehicle = make_vehicle()
    early = make_test_drive(
        lead, vehicle, datetime(2026, 12, 1, 9, tzinfo=UTC), datetime(2026, 12, 1, 10, tzinfo=UTC)
    )
    late = make_test_drive(
        lead, vehicle, datetime(2026, 12, 1, 13, tzinfo=UTC), datetime(2026, 12, 1, 14, tzinfo=UTC)
    )
    db.session.commit()
    # moving itself within its own slot is no conflict
    same = _form(vehicle, lead, starts_at="2026-12-01T10:15", ends_at="2026-12-01T10:45")
    same["version"] = str(early.version_id)
    assert client.post(f"/admin/test-drives/{early.id}", data=same).status_code == 302
    early = db.session.get(TestDrive, early.id)
    clash = _form(vehicle, lead, starts_at="2026-12-01T14:30", ends_at="2026-12-01T15:30")
    clash["version"] = str(early.version_id)
    assert b"is already booked" in client.post(f"/admin/test-drives/{early.id}", data=clash).data
    assert client.post(f"/admin/test-drives/{late.id}/delete").status_code == 302
    assert _count() == 1
    assert db.session.get(Lead, lead.id).test_drive_count == 1


def test_other_branch_gets_404(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    drive = make_test_drive(
        lead,
        make_vehicle(),
        datetime(2026, 12, 1, 9, tzinfo=UTC),
        datetime(2026, 12, 1, 10, tzinfo=UTC),
    )
    db.session.commit()
    login_as("salesperson", branch_=make_branch())
    for url in (
        f"/admin/test-drives/{drive.id}",
        f"/admin/test-drives/lead/{lead.id}",
        f"/admin/test-drives/new/{lead.id}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/admin/test-drives/{drive.id}/delete").status_code == 404
    assert _count() == 1


def test_edition_without_test_drives_offers_no_button_and_refuses(client, login_as):
    from carflow.models import AccountSettings, Edition

    user = login_as("salesperson")
    lead = make_lead(owner=user)
    AccountSettings.get().edition = Edition.pro
    db.session.commit()
    page = client.get(f"/admin/leads/{lead.id}")
    assert b"action-trade_in" in page.data and b"action-offer" in page.data
    assert b"action-test_drive" not in page.data
    assert client.get(f"/admin/test-drives/new/{lead.id}").status_code == 403
