"""The dealer's website form (issue 15 item 1): a plain post gets the thank-you page, fetch()
gets JSON, a honeypot pretends, CORS only for the key's origins, a rate limit per address."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from carflow.extensions import db
from carflow.intake.api_keys import create_api_key, revoke_api_key
from carflow.models import Contact, Lead, LeadIntake
from tests.conftest import IsolatedClient
from tests.factories import make_branch, make_lead_type, make_source

SITE = "https://www.garage-claes.be"
FORM = {
    "name": "An Claes",
    "email": "an@example.com",
    "phone": "0470 12 34 56",
    "vehicle": "The red Volvo XC40",
    "message": "Can I test it on Saturday?",
    "consent": "yes",
    "website": "",
}


def _setup():
    branch = make_branch("Gent", country="BE")
    for name in ("Purchase", "Sale"):
        make_lead_type(name)
    key, _plain = create_api_key(
        None, "Dealer site", make_source("Website"), branch, allowed_origins=SITE
    )
    db.session.commit()
    return key, f"/intake/website/{key.form_token}"


@pytest.fixture
def form(app, client):
    return _setup()


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_plain_post_makes_a_lead_and_shows_the_thank_you_page(client, form):
    key, url = form
    response = client.post(url, data=FORM, headers={"Accept-Language": "fr"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{url}/thanks")
    lead = db.session.scalars(select(Lead)).one()
    assert lead.contact.first_name == "An" and lead.contact.last_name == "Claes"
    assert lead.contact.phone == "+32470123456" and lead.contact.language == "fr"
    assert "The red Volvo XC40" in lead.comment and "Saturday" in lead.comment
    assert lead.source.name == "Website" and lead.lead_type.name == "Purchase"
    intake = db.session.scalars(select(LeadIntake)).one()
    assert intake.channel == "website" and "consent=yes" in intake.raw_payload
    page = client.get(response.headers["Location"], headers={"Accept-Language": "fr"})
    assert page.status_code == 200 and "Merci" in page.get_data(as_text=True)


def test_a_ticked_consent_box_records_email_marketing_consent(client, form):
    """Issue 17 item 1: the website form's box is recorded as consent (source: the
    intake channel); an unticked box records nothing and withdraws nothing."""
    from carflow.models import ConsentRecord
    from carflow.services.consent import has_consent

    client.post(form[1], data=FORM)
    client.post(form[1], data={**FORM, "consent": "", "email": "bo@example.com", "phone": ""})
    records = db.session.scalars(select(ConsentRecord)).all()
    assert [(r.channel, r.purpose, r.granted, r.source) for r in records] == [
        ("email", "marketing", True, "intake:website")
    ]
    assert records[0].recorded_by_id is None
    assert has_consent(records[0].contact_id, "email", "marketing")
    assert len(db.session.scalars(select(Lead)).all()) == 2


def test_fetch_from_an_allowed_origin_gets_json_and_cors_headers(client, form):
    _key, url = form
    response = client.post(url, data=FORM, headers={"Origin": SITE, "Accept": "application/json"})
    assert response.status_code == 201 and response.json["ok"] is True
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert "Origin" in response.headers["Vary"]
    assert _count(Lead) == 1


def test_the_preflight_answers_allowed_origins_only(client, form):
    _key, url = form
    allowed = client.options(url, headers={"Origin": SITE, "Access-Control-Request-Method": "POST"})
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == SITE
    assert "POST" in allowed.headers["Access-Control-Allow-Methods"]
    other = client.options(
        url, headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert other.status_code == 204 and "Access-Control-Allow-Origin" not in other.headers


def test_a_post_from_another_origin_is_refused_and_stores_nothing(client, form):
    _key, url = form
    response = client.post(
        url, data=FORM, headers={"Origin": "https://evil.example", "Accept": "application/json"}
    )
    assert response.status_code == 403 and response.json["errors"][0]["field"] == "Origin"
    assert "Access-Control-Allow-Origin" not in response.headers
    assert _count(Lead) == 0


def test_a_filled_honeypot_pretends_success_and_stores_nothing(client, form):
    _key, url = form
    response = client.post(url, data={**FORM, "website": "http://spam.example"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/thanks")
    fetched = client.post(
        url, data={**FORM, "website": "x"}, headers={"Accept": "application/json"}
    )
    assert fetched.status_code == 201 and fetched.json["ok"] is True
    assert _count(Lead) == 0 and _count(Contact) == 0 and _count(LeadIntake) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "", "phone": ""}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"phone": "12", "email": ""}, "phone"),
        ({"name": "x" * 201}, "name"),
        ({"message": "x" * 5001}, "message"),
        ({"interest": "rent"}, "interest"),
    ],
)
def test_bad_fields_are_refused_with_the_field_and_store_nothing(client, form, change, field):
    _key, url = form
    response = client.post(url, data={**FORM, **change}, headers={"Accept": "application/json"})
    assert response.status_code == 400 and response.json["errors"][0]["field"] == field
    page = client.post(url, data={**FORM, **change})
    assert page.status_code == 400 and "was not sent" in page.get_data(as_text=True)
    assert _count(Lead) == 0 and _count(Contact) == 0


def test_an_unknown_or_revoked_form_is_404(client, form):
    key, url = form
    assert client.post("/intake/website/nope", data=FORM).status_code == 404
    revoke_api_key(None, key)
    db.session.commit()
    response = client.post(url, data=FORM, headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.json["errors"]


def test_an_oversized_form_is_413(client, form):
    response = client.post(
        form[1], data={**FORM, "message": "x" * 40000}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 413 and response.json["errors"]


def test_the_rate_limit_counts_per_address(make_app):
    app = make_app(RATELIMIT_ENABLED=True, INTAKE_FORM_RATE_LIMIT="2 per minute")
    app.test_client_class = IsolatedClient
    with app.app_context():
        _key, url = _setup()
        client = app.test_client()
        json_headers = {"Accept": "application/json"}

        def post(address):
            return client.post(
                url, data=FORM, headers=json_headers, environ_base={"REMOTE_ADDR": address}
            )

        codes = [post("192.0.2.1").status_code for _ in range(3)]
        assert codes == [201, 201, 429]
        assert post("192.0.2.1").json["errors"][0]["message"]
        assert post("192.0.2.2").status_code == 201
        db.session.remove()


def test_the_demo_page_shows_the_form_without_inline_script(client, form):
    _key, url = form
    page = client.get(f"{url}/demo")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'class="carflow-lead-form"' in html
    assert f'action="http://localhost{url}"' in html and 'name="website"' in html
    assert "js/intake_form.js" in html and "<script>" not in html
