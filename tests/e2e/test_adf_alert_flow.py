"""Issue 15 acceptance: an ADF lead is posted → the round robin gives it to a salesperson
→ she receives the new-lead e-mail (real SMTP server, in her language) → she follows its
link → the lead page shows the channel, and its link opens the raw payload. Real Chromium,
screenshots at 1366 px and 390 px."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

from playwright.sync_api import expect

from carflow.extensions import db
from carflow.intake.api_keys import create_api_key
from carflow.models import BranchAssignment
from tests import factories
from tests.e2e.conftest import login
from tests.queue import run_queued_jobs

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "adf"


def _post_adf(base_url: str, key: str) -> dict:
    request = urllib.request.Request(  # noqa: S310  the live server on 127.0.0.1
        f"{base_url}/api/v1/leads/adf",
        data=(SAMPLES / "buy_used.xml").read_bytes(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/xml"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        assert answer.status == 201
        return json.loads(answer.read())


def test_adf_lead_to_owner_email_to_lead_page(page, live_server, app, smtp_server, screenshot_dir):
    branch = factories.make_branch("Gent", country="BE")
    for name in ("Purchase", "Sale", "Trade-in", "Lease"):
        factories.make_lead_type(name)
    source = factories.make_source("AutoScout24")
    sofie = factories.make_user(
        "salesperson",
        branch=branch,
        email="sofie@carflow.example",
        language="nl",
        first_name="Sofie",
    )
    db.session.add(BranchAssignment(branch_id=branch.id, mode="round_robin"))
    _key, plain = create_api_key(None, "AutoScout24", source, branch)
    db.session.commit()
    smtp_server.configure(live_server.app)

    answer = _post_adf(live_server, plain)
    assert run_queued_jobs(live_server.app) >= 1
    [mail] = [m for m in smtp_server.messages if m["to"] == ["sofie@carflow.example"]]
    assert mail["message"]["Subject"].startswith(f"Nieuwe lead voor u: {answer['code']}, ")
    body = mail["message"].get_body(("plain",)).get_content()
    link = re.search(r"Open de lead: (http://\S+)", body).group(1)
    assert link.endswith(f"/admin/leads/{answer['id']}")

    login(page, live_server, sofie.email)
    page.goto(link)
    expect(page.locator("body")).to_contain_text(answer["code"])
    expect(page.locator("body")).to_contain_text("Peeters")
    expect(page.locator("body")).to_contain_text("Sofie")  # the owner the rotation chose
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(screenshot_dir / "adf-alert-lead-page-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(screenshot_dir / "adf-alert-lead-page-390.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.locator("a[href*='/admin/lead-intake/']").first.click()
    expect(page.locator("body")).to_contain_text('<vehicle interest="buy" status="used">')
    page.screenshot(path=str(screenshot_dir / "adf-alert-raw-payload-1366.png"), full_page=True)
