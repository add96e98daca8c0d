"""Settings lists (lead types, sources, lost reasons): edit a record keeping its unique name."""

from sqlalchemy import select

from carflow.extensions import db
from carflow.models import LeadType
from tests.factories import make_lead_type


def test_edit_lead_type_keeps_its_unique_name(client, login_as):
    login_as("admin")
    lead_type = make_lead_type("Purchase", delay_minutes=60)
    make_lead_type("Sale")
    db.session.commit()
    response = client.post(
        f"/admin/lead_type/edit/?id={lead_type.id}",
        data={"name": "Purchasing", "first_contact_delay_minutes": "90", "position": "0"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    edited = db.session.get(LeadType, lead_type.id)
    # The delay is set in one place only (the deadline settings): not from this form.
    assert edited.name == "Purchasing" and edited.first_contact_delay_minutes == 60
    listing = client.get("/admin/lead_type/")
    assert listing.status_code == 200 and "1:00" in listing.text
    assert "First-contact delay (hours:minutes)" in listing.text


def test_duplicate_lead_type_name_is_refused(client, login_as):
    login_as("admin")
    make_lead_type("Purchase")
    lead_type = make_lead_type("Sale")
    db.session.commit()
    response = client.post(
        f"/admin/lead_type/edit/?id={lead_type.id}", data={"name": "Purchase", "position": "0"}
    )
    assert response.status_code == 200
    assert b"Already exists" in response.data
    names = db.session.scalars(select(LeadType.name).order_by(LeadType.name)).all()
    assert names == ["Purchase", "Sale"]
