"""Issue 15 in Chromium: an administrator creates an API key (shown once), the website form
is sent from the demo page (fetch, answer shown in place), a JSON lead is posted with the
key, and the lead's timeline links to the request as received. Screenshots at 1366 and
390 px wide in test-output/."""

from __future__ import annotations

import json
import re
import urllib.request

from sqlalchemy import select

from carflow.extensions import db
from carflow.models import Lead, LeadSource
from tests import factories
from tests.e2e.conftest import login

WIDTHS = (1366, 390)


def _shoot(page, screenshot_dir, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screenshot_dir / f"intake-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def _post_json_lead(base_url: str, key: str) -> dict:
    body = {
        "external_id": "e2e-1",
        "contact": {"first_name": "Eva", "last_name": "Janssens", "email": "eva@example.com"},
        "vehicles": [{"interest": "buy", "make": "Volvo", "model": "XC40"}],
        "comments": "<b>Is it still available?</b>",
    }
    request = urllib.request.Request(  # noqa: S310  (the test's own live server)
        f"{base_url}/api/v1/leads",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  # nosec B310
        assert response.status == 201
        return json.loads(response.read())


def test_api_key_website_form_and_raw_payload(app, live_server, page, screenshot_dir):
    branch = factories.make_branch("Gent", country="BE")
    factories.make_user("admin", branch=branch, email="admin@carflow.example")
    factories.make_lead_type("Purchase")
    factories.make_source("Website")
    db.session.commit()
    login(page, live_server, "admin@carflow.example")

    page.goto(f"{live_server}/admin/api-keys/")
    page.fill("#name", "Dealer website")
    source_id = db.session.scalar(select(LeadSource.id))
    page.select_option("#source", str(source_id))
    page.select_option("#branch", str(branch.id))
    page.fill("#allowed_origins", "https://www.garage.example")
    page.click("form.api-key-form button[type=submit]")
    key = page.inner_text(".new-api-key").strip()
    assert re.fullmatch(r"cfk_[A-Za-z0-9_-]{43}", key)
    _shoot(page, screenshot_dir, "key-created")

    page.click("text=Website form snippet")
    assert "carflow-lead-form" in page.inner_text(".form-snippet")
    _shoot(page, screenshot_dir, "key-page")

    page.click("text=Try the form on a demo page")
    page.fill("input[name=name]", "An Claes")
    page.fill("input[name=email]", "an@example.com")
    page.fill("input[name=phone]", "0470 12 34 56")
    page.fill("textarea[name=message]", "Can I test it on Saturday?")
    page.check("input[name=consent]")
    page.click("form.carflow-lead-form button[type=submit]")
    page.wait_for_selector(".intake-form-result.alert-success")
    assert "Thank you" in page.inner_text(".intake-form-result")
    _shoot(page, screenshot_dir, "website-form-sent")

    answer = _post_json_lead(live_server, key)
    assert answer["outcome"] == "created"
    leads = db.session.scalars(select(Lead).order_by(Lead.id)).all()
    assert [lead.contact.last_name for lead in leads] == ["Claes", "Janssens"]

    page.goto(answer["url"])
    page.click("text=Received through the JSON API")
    page.wait_for_selector(".intake-payload")
    payload = page.inner_text(".intake-payload")
    assert '"comments": "<b>Is it still available?</b>"' in payload  # shown, not rendered
    assert page.inner_text(".intake-channel") == "the JSON API"
    _shoot(page, screenshot_dir, "raw-payload")
