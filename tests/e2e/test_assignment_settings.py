"""Issue 15 items 3–5 in real Chromium: the administrator sets a branch to round robin with
escalation, at 1366 and 390 px (screenshots)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from carflow.extensions import db
from carflow.models import BranchAssignment
from tests.e2e.conftest import login
from tests.factories import make_user


@pytest.mark.parametrize("width", [1366, 390])
def test_admin_sets_round_robin_and_escalation(page, live_server, e2e_user, screenshot_dir, width):
    make_user("admin", branch=e2e_user.branch, email="admin@carflow.example")
    db.session.commit()
    branch_id = e2e_user.branch_id
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
    login(page, live_server, "admin@carflow.example")
    page.goto(f"{live_server}/admin/branch_assignment/new/")
    page.select_option("select[name=branch]", str(branch_id), force=True)
    page.select_option("select[name=mode]", "round_robin", force=True)
    page.fill("input[name=max_open_leads]", "20")
    page.fill("input[name=escalate_after_minutes]", "30")
    page.fill("input[name=reassign_after_minutes]", "60")
    page.select_option("select[name=reassign_action]", "next", force=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(screenshot_dir / f"assignment-settings-{width}.png"), full_page=True)
    with page.expect_navigation(wait_until="load"):
        page.locator("input[type=submit][value=Save]").click()
    expect(page.locator("table")).to_contain_text("Round robin")
    page.screenshot(path=str(screenshot_dir / f"assignment-list-{width}.png"), full_page=True)
    db.session.expire_all()
    setting = db.session.get(BranchAssignment, branch_id)
    assert (setting.mode, setting.escalate_after_minutes, setting.reassign_action) == (
        "round_robin",
        30,
        "next",
    )
