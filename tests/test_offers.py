"""Offers (F11, F8): exact totals, validation, status and reservation, scope, PDFs."""

from decimal import Decimal

from sqlalchemy import func, select

from carflow.extensions import db
from carflow.models import AccountSettings, Event, Lead, Offer, OfferStatus, Vehicle, VehicleStatus
from tests.factories import make_branch, make_lead, make_offer, make_trade_in, make_vehicle

FORM = {
    "vehicle_description": "Golf 8 Life 1.5 TSI",
    "list_price": "20000.00",
    "discount": "1000.00",
    "trade_in_id": "None",
    "vat_rate": "21",
    "valid_until": "2026-12-31",
    "notes": "Winter tyres included",
}


def _count():
    return db.session.scalar(select(func.count()).select_from(Offer))


def test_create_offer_with_stock_vehicle_and_trade_in(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    trade_in = make_trade_in(lead, user, offered_value=Decimal("5000.50"))
    vehicle = make_vehicle()
    page = client.get(f"/admin/offers/new/{lead.id}")
    assert b"/admin/stock/search" in page.data and vehicle.stock_number.encode() not in page.data
    form = FORM | {
        "vehicle_id": str(vehicle.id),
        "vehicle_description": "",
        "trade_in_id": str(trade_in.id),
    }
    response = client.post(f"/admin/offers/new/{lead.id}", data=form)
    assert response.status_code == 302
    offer = db.session.scalars(select(Offer)).one()
    assert offer.vehicle_id == vehicle.id and offer.trade_in_id == trade_in.id
    assert offer.trade_in_deduction == Decimal("5000.50")  # defaults to the offered value
    # F11: VAT on the price after discount; the trade-in is deducted after VAT
    assert offer.net_amount == Decimal("19000.00")
    assert offer.vat_amount == Decimal("3990.00")
    assert offer.total_amount == Decimal("22990.00")
    assert offer.amount_payable == Decimal("17989.50")
    assert offer.status == OfferStatus.draft
    assert db.session.get(Lead, lead.id).offer_count == 1
    event = db.session.scalars(select(Event).where(Event.kind == "offer_created")).one()
    assert (event.ref_type, event.ref_id) == ("offer", offer.id)
    assert f"/admin/offers/{offer.id}".encode() in client.get(f"/admin/leads/{lead.id}").data
    listing = client.get(f"/admin/offers/lead/{lead.id}")
    assert b"22,990.00" in listing.data and b"17,989.50" in listing.data


def test_default_vat_rate_comes_from_settings(client, login_as):
    user = login_as("salesperson")
    AccountSettings.get().default_vat_rate = "6.00"
    lead = make_lead(owner=user)
    page = client.get(f"/admin/offers/new/{lead.id}")
    assert b'value="6.00"' in page.data


def test_refusals_store_nothing(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    other_trade_in = make_trade_in(make_lead(owner=user), user)
    url = f"/admin/offers/new/{lead.id}"
    cases = [
        (FORM | {"list_price": "-1"}, b"The amount cannot be negative."),
        (FORM | {"discount": "20000.01"}, b"The discount cannot exceed the price."),
        (FORM | {"vehicle_id": "999999"}, b"Unknown vehicle"),
        (FORM | {"vehicle_id": "abc"}, b"Unknown vehicle"),
        (FORM | {"vehicle_description": ""}, b"Pick a stock vehicle or describe the vehicle."),
        (FORM | {"trade_in_id": str(other_trade_in.id)}, b"Pick one of this lead"),
        (
            FORM | {"trade_in_id": str(other_trade_in.id), "trade_in_deduction": "1"},
            b"Pick one of this lead",
        ),
    ]
    own = make_trade_in(lead, user)
    cases.append(
        (
            FORM | {"trade_in_id": str(own.id), "trade_in_deduction": "22990.01"},
            b"cannot exceed the total including VAT",
        )
    )
    for form, message in cases:
        response = client.post(url, data=form)
        assert response.status_code == 400, form
        assert message in response.data, message
    assert _count() == 0
    assert db.session.get(Lead, lead.id).offer_count == 0


def test_accepting_reserves_vehicle_and_prompts_won(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    vehicle = make_vehicle()
    offer = make_offer(lead, user, vehicle_id=vehicle.id, vehicle_description=None)
    rival = make_offer(make_lead(owner=user), user, vehicle_id=vehicle.id)
    db.session.commit()
    response = client.post(
        f"/admin/offers/{offer.id}/status",
        data={"status": "accepted", "version": offer.version_id},
        follow_redirects=True,
    )
    assert b"Mark the lead as won?" in response.data
    assert db.session.get(Offer, offer.id).status == OfferStatus.accepted
    assert db.session.get(Vehicle, vehicle.id).status == VehicleStatus.reserved
    response = client.post(
        f"/admin/offers/{rival.id}/status",
        data={"status": "accepted", "version": rival.version_id},
        follow_redirects=True,
    )
    assert f"already reserved by accepted offer #{offer.id}".encode() in response.data
    assert db.session.get(Offer, rival.id).status == OfferStatus.draft
    # declining the accepted offer releases the car
    offer = db.session.get(Offer, offer.id)
    client.post(
        f"/admin/offers/{offer.id}/status", data={"status": "declined", "version": offer.version_id}
    )
    assert db.session.get(Vehicle, vehicle.id).status == VehicleStatus.in_stock


def test_sold_vehicle_cannot_be_accepted(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    vehicle = make_vehicle(status=VehicleStatus.sold)
    offer = make_offer(lead, user, vehicle_id=vehicle.id)
    db.session.commit()
    client.post(
        f"/admin/offers/{offer.id}/status", data={"status": "accepted", "version": offer.version_id}
    )
    assert db.session.get(Offer, offer.id).status == OfferStatus.draft


def test_edit_delete_only_draft(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    offer = make_offer(lead, user)
    db.session.commit()
    form = FORM | {"version": str(offer.version_id), "list_price": "30000"}
    assert client.post(f"/admin/offers/{offer.id}", data=form).status_code == 302
    assert db.session.get(Offer, offer.id).total_amount == Decimal("35090.00")
    stale = client.post(f"/admin/offers/{offer.id}", data=form | {"version": "0"})
    assert b"Someone else changed this record" in stale.data
    offer = db.session.get(Offer, offer.id)
    client.post(
        f"/admin/offers/{offer.id}/status", data={"status": "sent", "version": offer.version_id}
    )
    client.post(f"/admin/offers/{offer.id}/delete")
    assert _count() == 1
    offer = db.session.get(Offer, offer.id)
    client.post(
        f"/admin/offers/{offer.id}/status", data={"status": "draft", "version": offer.version_id}
    )
    assert b"Delete offer" in client.get(f"/admin/offers/{offer.id}").data
    client.post(f"/admin/offers/{offer.id}/delete")
    assert _count() == 0
    assert db.session.get(Lead, lead.id).offer_count == 0


def test_pdf_download_and_scope(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    offer = make_offer(lead, user)
    db.session.commit()
    for kind, prefix in (("quote", "quote"), ("purchase_order", "purchase-order")):
        response = client.get(f"/admin/offers/{offer.id}/pdf/{kind}")
        assert response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF")
        disposition = response.headers["Content-Disposition"]
        assert disposition == f'attachment; filename="{prefix}-{lead.code}-{offer.id}.pdf"'
    assert client.get(f"/admin/offers/{offer.id}/pdf/invoice").status_code == 404
    login_as("salesperson", branch_=make_branch())
    for url in (
        f"/admin/offers/{offer.id}",
        f"/admin/offers/{offer.id}/pdf/quote",
        f"/admin/offers/lead/{lead.id}",
        f"/admin/offers/new/{lead.id}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/admin/offers/{offer.id}/delete").status_code == 404
    assert (
        client.post(f"/admin/offers/{offer.id}/status", data={"status": "sent"}).status_code == 404
    )
    assert _count() == 1


def test_read_only_user_sees_the_offer_without_its_actions(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    offer = make_offer(lead, user)
    db.session.commit()
    login_as("read_only", branch_=lead.branch)
    page = client.get(f"/admin/offers/{offer.id}")
    assert page.status_code == 200
    assert b"Quote preview (PDF)" in page.data
    assert b"Delete offer" not in page.data and b"Set status:" not in page.data
    assert b"Save offer" not in page.data
    status = {"status": "accepted", "version": offer.version_id}
    assert client.post(f"/admin/offers/{offer.id}/status", data=status).status_code == 403
    assert client.post(f"/admin/offers/{offer.id}/delete").status_code == 403
    assert client.post(f"/admin/offers/{offer.id}", data=FORM).status_code == 403
    assert client.get(f"/admin/offers/new/{lead.id}").status_code == 403
    assert db.session.get(Offer, offer.id).status == OfferStatus.draft
