"""Intake pages (issue 15): the received request linked from the lead's timeline (scope,
escaping, pretty-printing), Settings › API keys (key shown once, revoke, origins, history)
and `flask carflow api-key create|revoke`."""

from __future__ import annotations

import re

from sqlalchemy import select

from carflow.extensions import db
from carflow.intake.api_keys import create_api_key, find_active_key, hash_key
from carflow.intake.incoming import IncomingContact, IncomingLead
from carflow.intake.service import receive_lead
from carflow.models import ApiKey, AuditLog, Lead
from carflow.unit_of_work import unit_of_work
from tests.factories import make_branch, make_lead_type, make_source, make_user

HOSTILE = '{"comments": "<script>alert(1)</script>", "contact": {"email": "a@b.be"}}'


def _received_lead(branch, raw=HOSTILE, content_type="application/json") -> Lead:
    make_lead_type("Purchase")
    source = make_source("Website")
    with unit_of_work():
        result = receive_lead(
            IncomingLead(contact=IncomingContact(email="a@b.be"), comments="<b>hi</b>"),
            channel="api",
            raw_payload=raw,
            content_type=content_type,
            branch=branch,
            source=source,
        )
    return db.session.get(Lead, result.lead_id)


def test_the_timeline_links_to_the_raw_payload_escaped_and_indented(client, login_as, branch):
    lead = _received_lead(branch)
    login_as("salesperson")
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert "Received through the JSON API (source: Website)" in page
    link = re.search(r'href="(/admin/lead-intake/\d+)"', page).group(1)
    response = client.get(link)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and lead.code in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "{\n  &#34;comments&#34;" in html or '{\n  "comments"' in html  # indented JSON
    assert "the JSON API" in html and "Website" in html


def test_xml_payloads_are_indented_and_bombs_shown_as_received(client, login_as, branch):
    lead = _received_lead(
        branch, raw="<adf><prospect><id>7</id></prospect></adf>", content_type="application/xml"
    )
    login_as("salesperson")
    html = client.get(f"/admin/lead-intake/{_intake_id(lead.id)}").get_data(as_text=True)
    assert "&lt;adf&gt;\n    &lt;prospect&gt;" in html or "&lt;prospect&gt;" in html
    from carflow.intake.raw_payload import pretty_payload

    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;&a;</x>'
    assert pretty_payload(bomb, "application/xml") == bomb
    assert pretty_payload("<a><b>1</b></a>", "application/xml").endswith("<a>\n  <b>1</b>\n</a>")


def _intake_id(lead_id: int) -> int:
    from carflow.models import LeadIntake

    return db.session.scalar(select(LeadIntake.id).where(LeadIntake.lead_id == lead_id))


def test_the_raw_payload_of_another_branch_is_404(client, login_as, branch):
    lead = _received_lead(make_branch("Elsewhere"))
    login_as("salesperson")
    assert client.get(f"/admin/lead-intake/{_intake_id(lead.id)}").status_code == 404
    login_as("sales_manager")  # sees every branch
    assert client.get(f"/admin/lead-intake/{_intake_id(lead.id)}").status_code == 200


def test_the_raw_payload_page_costs_few_queries(client, login_as, branch, count_queries):
    lead = _received_lead(branch)
    login_as("salesperson")
    url = f"/admin/lead-intake/{_intake_id(lead.id)}"
    client.get(url)
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    assert len(statements) <= 8, "\n".join(statements)


def _settings_setup(branch):
    make_source("Website")
    make_lead_type("Purchase")
    db.session.commit()


def test_an_admin_creates_a_key_shown_once_and_only_its_hash_is_kept(client, login_as, branch):
    _settings_setup(branch)
    admin = login_as("admin")
    from carflow.models import LeadSource

    source_id = db.session.scalars(select(LeadSource.id)).first()
    response = client.post(
        "/admin/api-keys/new",
        data={
            "name": "AutoScout24",
            "source": str(source_id),
            "branch": str(branch.id),
            "lead_type": "",
            "allowed_origins": "https://www.example.com/",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "shown only once" in html
    key = re.search(r"(cfk_[A-Za-z0-9_-]{40,})", html).group(1)
    row = db.session.scalars(select(ApiKey)).one()
    assert row.key_hash == hash_key(key) and key not in str(vars(row))
    assert row.allowed_origins == "https://www.example.com" and row.created_by_id == admin.id
    listing = client.get("/admin/api-keys/").get_data(as_text=True)
    assert row.prefix in listing and key not in listing
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "api_key_created")).one()
    assert entry.details["prefix"] == row.prefix


def test_creating_a_key_without_a_name_or_branch_is_refused_on_the_form(client, login_as, branch):
    _settings_setup(branch)
    login_as("admin")
    response = client.post("/admin/api-keys/new", data={"name": "", "source": "", "branch": ""})
    assert response.status_code == 400 and "This field is required" in response.get_data(
        as_text=True
    )
    assert db.session.scalars(select(ApiKey)).first() is None


def test_bad_origins_are_refused_on_the_form(client, login_as, branch):
    _settings_setup(branch)
    key, _plain = create_api_key(None, "Site", make_source(), branch)
    login_as("admin")
    response = client.post(
        f"/admin/api-keys/{key.id}",
        data={"version": key.version_id, "allowed_origins": "www.example.com/contact"},
    )
    assert response.status_code == 400 and "One origin per line" in response.get_data(as_text=True)
    saved = client.post(
        f"/admin/api-keys/{key.id}",
        data={
            "version": key.version_id,
            "allowed_origins": "https://A.example\nhttp://b.example:8080",
        },
    )
    assert saved.status_code == 302
    db.session.refresh(key)
    assert key.origins == ["https://a.example", "http://b.example:8080"]
    page = client.get(f"/admin/api-keys/{key.id}").get_data(as_text=True)
    assert f"/intake/website/{key.form_token}" in page
    assert "&lt;form method=&#34;post&#34;" in page  # the snippet as text to copy, not a form


def test_revoking_a_key_refuses_it_from_then_on(client, login_as, branch):
    key, plain = create_api_key(None, "Site", make_source(), branch)
    admin = login_as("admin")
    response = client.post(f"/admin/api-keys/{key.id}/revoke", data={"version": key.version_id})
    assert response.status_code == 302
    db.session.refresh(key)
    assert key.revoked_at is not None and key.revoked_by_id == admin.id
    assert find_active_key(plain) is None
    assert "Revoked" in client.get("/admin/api-keys/").get_data(as_text=True)


def test_salespeople_may_not_manage_keys(client, login_as, branch):
    login_as("salesperson")
    assert client.get("/admin/api-keys/").status_code == 403
    user = make_user("sales_manager", branch=branch)
    login_as(user=user)
    assert client.post("/admin/api-keys/new", data={"name": "x"}).status_code == 403


def test_the_cli_creates_a_key_printed_once_and_revokes_it(app, branch):
    make_source("Website")
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["carflow", "api-key", "create", "--source", "Website"])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert key.startswith("cfk_") and "not stored" in result.stderr
    row = db.session.scalars(select(ApiKey)).one()
    assert row.key_hash == hash_key(key) and row.branch_id == branch.id and row.name == "Website"
    unknown = runner.invoke(args=["carflow", "api-key", "create", "--source", "Nope"])
    assert unknown.exit_code != 0 and "No lead source named 'Nope'" in unknown.output
    revoked = runner.invoke(args=["carflow", "api-key", "revoke", row.prefix])
    assert revoked.exit_code == 0
    db.session.expire_all()
    assert find_active_key(key) is None
