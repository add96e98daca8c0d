"""Trade-ins (F10, F8): pages, validation, photos, counts, timeline, branch scope."""

import io
from decimal import Decimal

from sqlalchemy import func, select

from carflow.extensions import db
from carflow.models import Event, Lead, TradeIn, TradeInPhoto
from tests.factories import make_branch, make_lead, make_offer, make_trade_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FORM = {
    "make": "Peugeot",
    "model": "308",
    "version_name": "SW",
    "vin": "vf3lbhnzhms123456",
    "plate": "1-TRD-001",
    "first_registration": "2019-05-01",
    "mileage": "98000",
    "fuel": "diesel",
    "gearbox": "manual",
    "color": "Grey",
    "condition_notes": "Scratch on the rear bumper",
    "estimated_value": "7000.00",
    "offered_value": "6500.00",
}


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_add_trade_in_with_photo_counts_and_logs(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    data = FORM | {"photos": [(io.BytesIO(PNG), "front.png")]}
    response = client.post(
        f"/admin/trade-ins/new/{lead.id}", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/leads/{lead.id}?tab=details")
    trade_in = db.session.scalars(select(TradeIn)).one()
    assert trade_in.vin == "VF3LBHNZHMS123456"
    assert trade_in.offered_value == Decimal("6500.00")
    assert trade_in.fuel.value == "diesel" and trade_in.version == "SW"
    assert [p.original_filename for p in trade_in.photos] == ["front.png"]
    assert db.session.get(Lead, lead.id).trade_in_count == 1
    event = db.session.scalars(select(Event).where(Event.kind == "trade_in_added")).one()
    assert (event.ref_type, event.ref_id) == ("trade_in", trade_in.id)
    page = client.get(f"/admin/leads/{lead.id}")
    assert f"/admin/trade-ins/{trade_in.id}".encode() in page.data
    listing = client.get(f"/admin/trade-ins/lead/{lead.id}")
    assert b"Peugeot 308 SW" in listing.data and b"1-TRD-001" in listing.data

    photo = trade_in.photos[0]
    download = client.get(f"/admin/trade-ins/photo/{photo.id}")
    assert download.data == PNG
    assert download.headers["Content-Disposition"].startswith("attachment")
    download.close()


def test_bad_input_is_refused_and_nothing_stored(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    response = client.post(f"/admin/trade-ins/new/{lead.id}", data=FORM | {"vin": "ABC"})
    assert b"never I, O or Q" in response.data
    response = client.post(f"/admin/trade-ins/new/{lead.id}", data=FORM | {"offered_value": "-5"})
    assert b"The amount cannot be negative." in response.data
    response = client.post(
        f"/admin/trade-ins/new/{lead.id}",
        data=FORM | {"photos": [(io.BytesIO(b"<html><script>x</script>"), "evil.png")]},
        content_type="multipart/form-data",
    )
    assert b"evil.png" in response.data and b"cannot be uploaded" in response.data
    assert _count(TradeIn) == 0 and _count(TradeInPhoto) == 0
    assert db.session.get(Lead, lead.id).trade_in_count == 0


def test_edit_with_version_and_delete(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    trade_in = make_trade_in(lead, user)
    page = client.get(f"/admin/trade-ins/{trade_in.id}")
    assert b"Delete trade-in" in page.data and b'value="Peugeot"' in page.data
    stale = FORM | {"version": "0"}
    response = client.post(f"/admin/trade-ins/{trade_in.id}", data=stale)
    assert b"Someone else changed this record" in response.data
    fresh = FORM | {"version": str(trade_in.version_id), "model": "3008"}
    assert client.post(f"/admin/trade-ins/{trade_in.id}", data=fresh).status_code == 302
    assert db.session.get(TradeIn, trade_in.id).model == "3008"
    assert client.post(f"/admin/trade-ins/{trade_in.id}/delete").status_code == 302
    assert _count(TradeIn) == 0
    assert db.session.get(Lead, lead.id).trade_in_count == 0
    kinds = db.session.scalars(select(Event.kind).where(Event.lead_id == lead.id)).all()
    assert {"trade_in_added", "trade_in_updated", "trade_in_deleted"} <= set(kinds)


def test_trade_in_used_by_an_offer_cannot_be_deleted(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    trade_in = make_trade_in(lead, user)
    make_offer(lead, user, trade_in_id=trade_in.id)
    client.post(f"/admin/trade-ins/{trade_in.id}/delete")
    assert _count(TradeIn) == 1
    assert db.session.get(Lead, lead.id).trade_in_count == 1


def test_other_branch_gets_404_and_read_only_gets_403(client, login_as):
    owner = login_as("salesperson")
    lead = make_lead(owner=owner)
    trade_in = make_trade_in(lead, owner)
    db.session.commit()
    login_as("salesperson", branch_=make_branch())
    for url in (
        f"/admin/trade-ins/{trade_in.id}",
        f"/admin/trade-ins/lead/{lead.id}",
        f"/admin/trade-ins/new/{lead.id}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/admin/trade-ins/{trade_in.id}/delete").status_code == 404
    login_as("read_only", branch_=lead.branch)
    assert client.get(f"/admin/trade-ins/{trade_in.id}").status_code == 200
    assert b"Delete trade-in" not in client.get(f"/admin/trade-ins/{trade_in.id}").data
    assert client.post(f"/admin/trade-ins/{trade_in.id}", data=FORM).status_code == 403
    assert client.get(f"/admin/trade-ins/new/{lead.id}").status_code == 403
    assert _count(TradeIn) == 1
