"""The search index follows every change, whichever service made it (F2)."""

from datetime import timedelta

from carflow.extensions import db
from carflow.models import utcnow
from carflow.services.lead_contacts import create_linked_contact, unlink_contact
from carflow.services.trade_ins import delete_trade_in
from tests.factories import (
    make_lead,
    make_offer,
    make_test_drive,
    make_trade_in,
    make_user,
    make_vehicle,
)


def _codes(client, term):
    import re

    page = client.get("/admin/lead/", query_string={"search": term}).get_data(as_text=True)
    return re.findall(r">(L\d{4}-\d{6})</a>", page)


def test_trade_in_offer_and_test_drive_plates_become_searchable(client, login_as):
    user = login_as("sales_manager")
    lead = make_lead(owner=user)
    trade_in = make_trade_in(lead, user, plate="1-TRD-111")
    make_offer(lead, user, vehicle_id=make_vehicle(plate="2-OFR-222").id)
    start = utcnow() + timedelta(days=1)
    make_test_drive(lead, make_vehicle(plate="3-DRV-333"), start, start + timedelta(hours=1))
    db.session.commit()
    for plate in ("1TRD", "2-OFR-222", "3drv333"):
        assert _codes(client, plate) == [lead.code], plate
    delete_trade_in(trade_in, user)
    db.session.commit()
    assert _codes(client, "1TRD") == []


def test_linked_contacts_are_searchable_until_unlinked(client, login_as):
    user = login_as("sales_manager")
    lead = make_lead(owner=user)
    db.session.commit()
    from carflow.models import Lead

    lead = db.session.get(Lead, lead.id)
    contact = create_linked_contact(
        lead, user, relation="spouse", last_name="Zwanepoel", email="z@example.com"
    )
    db.session.commit()
    assert _codes(client, "zwanep") == [lead.code]
    lead = db.session.get(Lead, lead.id)
    unlink_contact(lead, user, contact)
    db.session.commit()
    assert _codes(client, "zwanep") == []


def test_failed_transaction_leaves_the_index_alone(app):
    lead = make_lead(owner=make_user())
    db.session.commit()
    make_trade_in(lead, lead.owner, plate="9-RLB-999")
    db.session.rollback()
    db.session.commit()
    from sqlalchemy import func, select

    from carflow.models import LeadSearchTerm

    count = db.session.scalar(
        select(func.count()).select_from(LeadSearchTerm).where(LeadSearchTerm.term == "9rlb999")
    )
    assert count == 0
