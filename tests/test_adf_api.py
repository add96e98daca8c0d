"""POST /api/v1/leads/adf through the real stack (issue 15, item 1: ADF/XML over HTTP):
the samples become the right leads or the right refusals, with the JSON answers of the
JSON endpoint; idempotency by Idempotency-Key and by ADF <id>; content types; size."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from carflow.extensions import db
from carflow.intake.api_keys import create_api_key
from carflow.models import Event, Lead, LeadIntake
from tests.factories import make_branch, make_lead_type, make_source, make_vehicle

URL = "/api/v1/leads/adf"
SAMPLES = Path(__file__).parent / "data" / "adf"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


@pytest.fixture
def api(app, client):
    """The demo's lead types, the AutoScout24 source and a key of the Gent branch."""
    branch = make_branch("Gent", country="BE")
    for name in ("Purchase", "Sale", "Trade-in", "Lease"):
        make_lead_type(name)
    key, plain = create_api_key(None, "AutoScout24", make_source("AutoScout24"), branch)
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def _post(client, headers, data: bytes, content_type="application/xml", **extra):
    return client.post(URL, data=data, headers={**headers, **extra}, content_type=content_type)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_buy_used_becomes_a_lead_matched_to_the_stock(client, api, count_queries):
    make_vehicle(stock_number="ST-10452", vin="WVWZZZCDZMW012345")
    db.session.commit()
    with count_queries() as queries:
        response = _post(client, api, sample("buy_used.xml"))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["outcome"] == "created" and body["code"].startswith("L")
    lead = db.session.get(Lead, body["id"])
    assert lead.lead_type.name == "Purchase" and lead.branch.name == "Gent"
    assert lead.contact.email == "sophie.peeters@example.be"
    assert lead.contact.last_name == "Peeters"
    assert "ST-10452" in (lead.comment or "")
    intake = db.session.scalars(select(LeadIntake)).one()
    assert intake.channel == "adf_http" and intake.external_id == "AS24-778812"
    assert intake.raw_payload.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert intake.content_type == "application/xml"
    received = db.session.scalars(select(Event).where(Event.kind == "lead_received")).one()
    assert received.data["channel"] == "adf_http"
    assert len(queries) <= 46  # the JSON endpoint's statements + the stock match


def test_statements_per_adf_lead_do_not_grow_with_data(client, api, count_queries):
    def post(n: int) -> int:
        data = sample("buy_used.xml").replace(b"AS24-778812", f"AS24-{n}".encode())
        data = data.replace(b"Sophie.Peeters@", f"person{n}@".encode())
        with count_queries() as queries:
            assert _post(client, api, data).status_code == 201
        return len(queries)

    post(0)  # warm-up
    first = post(1)
    for n in range(2, 12):
        post(n)
    assert post(12) == first


@pytest.mark.parametrize(
    ("name", "lead_type"),
    [
        ("sell.xml", "Sale"),
        ("trade_in.xml", "Purchase"),
        ("lease.xml", "Lease"),
        ("missing_names.xml", "Purchase"),
        ("several_phones.xml", "Purchase"),
        ("pi_before_declaration_bom.xml", "Purchase"),
    ],
)
def test_real_shaped_samples_become_leads(client, api, name, lead_type):
    response = _post(client, api, sample(name), content_type="text/xml")
    assert response.status_code == 201, response.json
    lead = db.session.get(Lead, response.json["id"])
    assert lead.lead_type.name == lead_type


def test_several_phones_voice_and_mobile_kept_in_e164(client, api):
    response = _post(client, api, sample("several_phones.xml"))
    contact = db.session.get(Lead, response.json["id"]).contact
    assert (contact.phone, contact.mobile) == ("+3225550000", "+32475112233")


def test_requestdate_without_zone_is_read_in_the_branch_zone(client, api):
    response = _post(client, api, sample("trade_in.xml"))
    event = db.session.scalars(select(Event).where(Event.kind == "lead_received")).one()
    assert response.status_code == 201
    requested = datetime.fromisoformat(event.data["requested_at"])
    assert requested.astimezone(UTC) == datetime(2026, 11, 28, 9, 15, tzinfo=UTC)


def test_replays_by_adf_id_and_by_idempotency_key(client, api):
    first = _post(client, api, sample("buy_used.xml"))
    again = _post(client, api, sample("buy_used.xml"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    keyed = _post(client, api, sample("sell.xml"), **{"Idempotency-Key": "k-1"})
    keyed_again = _post(client, api, sample("sell.xml"), **{"Idempotency-Key": "k-1"})
    assert (keyed.status_code, keyed_again.status_code) == (201, 200)
    assert _count(Lead) == 2


@pytest.mark.parametrize(
    ("name", "status", "field", "text"),
    [
        ("invalid.xml", 400, "adf", "not well-formed XML"),
        ("billion_laughs.xml", 400, "adf", "DTDs and entities are not accepted"),
        ("external_entity.xml", 400, "adf", "DTDs and entities are not accepted"),
        ("two_prospects.xml", 422, "adf/prospect", "2 prospects in one document"),
        ("no_contact_means.xml", 422, "prospect/customer/contact/name", "cannot be contacted"),
    ],
)
def test_refusals_store_nothing(client, api, name, status, field, text):
    response = _post(client, api, sample(name))
    assert response.status_code == status
    (error,) = response.json["errors"]
    assert error["field"] == field and text in error["message"]
    assert _count(Lead) == 0 and _count(LeadIntake) == 0


def test_wrong_type_size_and_key(client, api, app):
    wrong_type = _post(client, api, sample("sell.xml"), content_type="application/json")
    assert wrong_type.status_code == 415
    assert wrong_type.json["errors"][0]["field"] == "Content-Type"
    adf_type = _post(client, api, sample("sell.xml"), content_type="application/x-adf+xml")
    assert adf_type.status_code == 201
    big = b"<adf>" + b" " * int(app.config["INTAKE_API_MAX_BYTES"]) + b"</adf>"
    too_big = _post(client, api, big)
    assert too_big.status_code == 413 and too_big.json["errors"]
    no_key = client.post(URL, data=sample("sell.xml"), content_type="application/xml")
    assert no_key.status_code == 401
    assert _count(Lead) == 1


def test_the_openapi_document_describes_the_adf_endpoint(client):
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/leads/adf"]["post"]
    content = operation["requestBody"]["content"]
    assert content["application/xml"]["schema"] == {"type": "string"}
    assert set(content) == {"application/xml", "text/xml", "application/x-adf+xml"}
    assert {"201", "200", "400", "413", "415", "422"} <= set(operation["responses"])
