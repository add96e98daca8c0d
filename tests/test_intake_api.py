"""POST /api/v1/leads through the real stack (issue 15 item 1): happy paths, every refusal
with its field, idempotency, API-key authentication, size and type limits, query count."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from carflow.extensions import db
from carflow.intake.api_keys import create_api_key, revoke_api_key
from carflow.models import ApiKey, Contact, Lead, LeadIntake
from tests.factories import make_branch, make_lead_type, make_source

URL = "/api/v1/leads"
LEAD = {
    "external_id": "site-1001",
    "contact": {
        "first_name": "An",
        "last_name": "Claes",
        "email": "an.claes@example.com",
        "phones": ["0470 12 34 56"],
        "language": "nl",
    },
    "vehicles": [{"interest": "buy", "status": "used", "make": "Volvo", "model": "XC40"}],
    "comments": "Is it still available?",
    "requested_at": "2026-11-29T10:15:00+01:00",
}


@pytest.fixture
def api(app, client):
    """The demo's lead types, a Website source and a key of the Gent branch."""
    branch = make_branch("Gent", country="BE")
    for name in ("Purchase", "Sale", "Trade-in", "Lease"):
        make_lead_type(name)
    key, plain = create_api_key(None, "Dealer site", make_source("Website"), branch)
    db.session.commit()
    return {"key": key, "plain": plain, "headers": {"Authorization": f"Bearer {plain}"}}


def _post(client, api, body=None, headers=None, **kwargs):
    all_headers = {**api["headers"], **(headers or {})}
    if "data" not in kwargs:
        kwargs["json"] = LEAD if body is None else body
    return client.post(URL, headers=all_headers, **kwargs)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_lead_is_created_with_its_code_url_and_outcome(client, api):
    response = _post(client, api)
    assert response.status_code == 201, response.json
    body = response.json
    lead = db.session.get(Lead, body["id"])
    assert body == {
        "id": lead.id,
        "code": lead.code,
        "url": f"http://localhost/admin/leads/{lead.id}",
        "outcome": "created",
    }
    assert lead.contact.phone == "+32470123456" and lead.contact.language == "nl"
    assert lead.source.name == "Website" and lead.branch.name == "Gent"
    intake = db.session.scalars(select(LeadIntake)).one()
    assert json.loads(intake.raw_payload) == LEAD and intake.content_type == "application/json"
    assert db.session.get(ApiKey, api["key"].id).last_used_at is not None


def test_the_x_api_key_header_works_too(client, api):
    response = client.post(URL, json=LEAD, headers={"X-Api-Key": api["plain"]})
    assert response.status_code == 201 and response.json["outcome"] == "created"


def test_same_idempotency_key_twice_gives_one_lead_and_the_same_answer(client, api):
    body = {**LEAD, "external_id": None}
    first = _post(client, api, body, headers={"Idempotency-Key": "req-1"})
    second = _post(client, api, body, headers={"Idempotency-Key": "req-1"})
    assert first.status_code == 201 and second.status_code == 200
    assert second.json == first.json and second.headers["Idempotent-Replayed"] == "true"
    assert _count(Lead) == 1


def test_same_external_id_twice_gives_one_lead(client, api):
    first = _post(client, api)
    second = _post(client, api, {**LEAD, "comments": "sent again"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json == first.json and _count(Lead) == 1 and _count(LeadIntake) == 1


def test_a_second_request_of_the_contact_is_an_enquiry_again(client, api):
    first = _post(client, api)
    second = _post(client, api, {**LEAD, "external_id": "site-1002"})
    assert second.status_code == 201
    assert second.json["outcome"] == "enquiry_again" and second.json["id"] == first.json["id"]
    assert _count(Lead) == 1 and _count(LeadIntake) == 2


def test_a_reused_idempotency_key_with_another_body_is_422(client, api):
    _post(client, api, headers={"Idempotency-Key": "k"})
    response = _post(
        client, api, {**LEAD, "external_id": "other"}, headers={"Idempotency-Key": "k"}
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "Idempotency-Key"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"contact": None}, "contact"),
        ({"contact": {"last_name": "X"}}, "contact"),
        ({"contact": {"last_name": "X", "email": "nope"}}, "contact.email"),
        ({"contact": {"last_name": "X", "phones": ["1"]}}, "contact.phones[0]"),
        ({"contact": {"last_name": "X", "phones": [12]}}, "contact.phones[0]"),
        ({"contact": {"last_name": "X", "phones": "0470"}}, "contact.phones"),
        ({"contact": {"last_name": 5, "email": "a@b.be"}}, "contact.last_name"),
        ({"contact": {"last_name": "X" * 121, "email": "a@b.be"}}, "contact.last_name"),
        ({"contact": {"email": "a@b.be", "country": "BEL"}}, "contact.country"),
        ({"contact": {"email": "a@b.be", "age": 3}}, "contact.age"),
        ({"vehicles": [{"interest": "rent"}]}, "vehicles[0].interest"),
        ({"vehicles": [{"year": 1800}]}, "vehicles[0].year"),
        ({"vehicles": [{"year": True}]}, "vehicles[0].year"),
        ({"vehicles": {"make": "VW"}}, "vehicles"),
        ({"vehicles": [{}] * 11}, "vehicles"),
        ({"requested_at": "yesterday"}, "requested_at"),
        ({"consent": "yes"}, "consent"),
        ({"external_id": "x" * 201}, "external_id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_every_bad_field_is_422_naming_it_and_nothing_is_stored(client, api, change, field):
    response = _post(client, api, {**LEAD, **change})
    assert response.status_code == 422, response.json
    assert response.json["errors"][0]["field"] == field
    assert response.json["errors"][0]["message"]
    assert _count(Lead) == 0 and _count(Contact) == 0 and _count(LeadIntake) == 0


@pytest.mark.parametrize("data", [b"{", b"", b"\xff\xfe{", b"[" * 50000, b"1e999999"])
def test_a_body_that_is_not_json_is_400(client, api, data):
    response = _post(client, api, data=data, content_type="application/json")
    assert response.status_code in (400, 422), response.data
    assert response.json["errors"][0]["message"]


@pytest.mark.parametrize("data", [b"[]", b"42", b'"lead"', b"null"])
def test_json_that_is_not_an_object_is_refused(client, api, data):
    response = _post(client, api, data=data, content_type="application/json")
    assert response.status_code == 422 and response.json["errors"][0]["field"] == "body"


def test_wrong_content_type_is_415(client, api):
    response = _post(client, api, data="first_name=An", content_type="text/plain")
    assert response.status_code == 415
    assert response.json["errors"][0]["field"] == "Content-Type"


def test_a_body_over_the_limit_is_413_json(client, api, app):
    app.config["INTAKE_API_MAX_BYTES"] = 1000
    body = {**LEAD, "comments": "x" * 2000}
    response = _post(client, api, body)
    assert response.status_code == 413 and response.is_json
    assert "larger than the limit" in response.json["errors"][0]["message"]
    assert _count(Lead) == 0


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer cfk_wrong"}, {"Authorization": "Basic abc"}, {"X-Api-Key": ""}],
)
def test_without_a_valid_key_it_is_401_with_a_challenge(client, api, headers):
    response = client.post(URL, json=LEAD, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json["errors"][0]["field"] == "Authorization"
    assert _count(Lead) == 0


def test_a_revoked_key_is_refused(client, api):
    revoke_api_key(None, api["key"])
    db.session.commit()
    response = _post(client, api)
    assert (
        response.status_code == 401
        and 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    )


def test_the_rate_limit_counts_per_key(make_app):
    app = make_app(RATELIMIT_ENABLED=True, INTAKE_API_RATE_LIMIT="2 per minute")
    from tests.conftest import IsolatedClient

    app.test_client_class = IsolatedClient
    with app.app_context():
        branch = make_branch("Gent", country="BE")
        make_lead_type("Purchase")
        source = make_source("Website")
        _key, plain = create_api_key(None, "One", source, branch)
        _other, other_plain = create_api_key(None, "Two", source, branch)
        db.session.commit()
        client = app.test_client()
        codes = [
            client.post(URL, json=LEAD, headers={"X-Api-Key": plain}).status_code for _ in range(3)
        ]
        assert codes == [201, 200, 429]
        limited = client.post(URL, json=LEAD, headers={"X-Api-Key": plain})
        assert limited.is_json and limited.json["errors"][0]["message"]
        other = client.post(URL, json=LEAD, headers={"X-Api-Key": other_plain})
        assert other.status_code == 201
        db.session.remove()


def test_the_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "http://localhost/api/v1"}]
    post = document["paths"]["/leads"]["post"]
    assert set(post["responses"]) >= {"200", "201", "400", "401", "413", "415", "422", "429"}
    contact = document["components"]["schemas"]["Contact"]["properties"]
    assert contact["last_name"]["maxLength"] == 120


def test_one_api_lead_costs_a_bounded_number_of_sql_statements(client, api, count_queries):
    _post(client, api, {**LEAD, "external_id": "warm-up", "contact": {"email": "w@x.be"}})
    with count_queries() as statements:
        response = _post(client, api)
    assert response.status_code == 201
    # 43 on SQLite: key (with branch, source, type), replay check, type, claim (savepoint),
    # 2 contact lookups + insert, create_lead (lead, events, deadline), the search terms
    # written once before the commit, intake update; the hook: assignment rules and the
    # branch's rotation row (issue 15 item 3), the new-lead alert (item 4); the reports'
    # roll-up of the new lead (issue 16: its facts read back, two upserts). Independent of
    # the data.
    assert len(statements) <= 43, "\n".join(statements)
