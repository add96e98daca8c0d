"""Issue 15 (ADF): the intake mailbox settings page, and an ADF lead posted over HTTP
opened from the API's answer, in real Chromium at 1366 px and 390 px."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from playwright.sync_api import expect

from carflow.extensions import db
from carflow.intake.api_keys import create_api_key
from carflow.models.mailbox import EmailRejection
from tests import factories
from tests.e2e.conftest import login

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "adf"


def _admin():
    branch = factories.make_branch("Gent", country="BE")
    admin = factories.make_user("admin", branch=branch, email="admin@carflow.example")
    source = factories.make_source("AutoScout24")
    for name in ("Purchase", "Sale", "Trade-in", "Lease"):
        factories.make_lead_type(name)
    return admin, branch, source


def test_admin_sets_up_the_intake_mailbox(page, live_server, app, screenshot_dir):
    _admin()
    db.session.add(
        EmailRejection(
            channel="imap",
            message_key="email:<ooo@portal.example>",
            sender="leads@portal.example",
            subject="Out of office",
            reason="no ADF document found in the message",
        )
    )
    db.session.commit()
    login(page, live_server, "admin@carflow.example")
    page.goto(f"{live_server}/admin/settings/intake-mailbox/")
    page.get_by_label("Poll this mailbox every minute").check()
    page.get_by_label("IMAP server").fill("imap.dealer.example")
    page.get_by_label("User").fill("leads@dealer.example")
    page.get_by_label("Password", exact=True).fill("s3cret-Imap-pass")
    page.get_by_label("Folder for processed messages").fill("Processed")
    page.get_by_label("Folder for refused messages").fill("Bounced")
    page.get_by_label("Branch receiving the leads").select_option(label="Gent")
    page.get_by_label("Source of the leads").select_option(label="AutoScout24")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Save").click()
    expect(page.locator(".alert-success")).to_contain_text("Mailbox settings saved.")
    expect(page.get_by_text("A password is stored.")).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    expect(page.locator(".mailbox-rejections")).to_contain_text(
        "no ADF document found in the message"
    )
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(screenshot_dir / "intake-mailbox-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(screenshot_dir / "intake-mailbox-390.png"), full_page=True)


def test_an_adf_lead_posted_over_http_opens_on_its_lead_page(
    page, live_server, app, screenshot_dir
):
    admin, branch, source = _admin()
    _key, plain = create_api_key(None, "AutoScout24", source, branch)
    db.session.commit()
    request = urllib.request.Request(  # noqa: S310  the live server on 127.0.0.1
        f"{live_server}/api/v1/leads/adf",
        data=(SAMPLES / "buy_used.xml").read_bytes(),
        headers={"Authorization": f"Bearer {plain}", "Content-Type": "application/xml"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        assert answer.status == 201

        body = json.loads(answer.read())
    login(page, live_server, "admin@carflow.example")
    page.goto(body["url"])
    expect(page.locator("body")).to_contain_text(body["code"])
    expect(page.locator("body")).to_contain_text("Peeters")
    expect(page.locator("body")).to_contain_text("ADF over HTTP")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(screenshot_dir / "adf-lead-page-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(screenshot_dir / "adf-lead-page-390.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("link", name="Received through ADF over HTTP").click()
    expect(page.locator("body")).to_contain_text('<vehicle interest="buy" status="used">')
    expect(page.locator("body")).to_contain_text("AS24-778812")
    page.screenshot(path=str(screenshot_dir / "adf-raw-payload-1366.png"), full_page=True)
