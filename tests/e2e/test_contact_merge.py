"""Issue 15 item 2 in real Chromium: from the contact page, "Merge with…", pick the other
contact with the search picker, compare side by side, confirm; at 1366 and 390 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from carflow.extensions import db
from carflow.models import Contact, Lead
from tests.e2e.conftest import login
from tests.factories import make_contact, make_lead


def submit(page, locator) -> None:
    """Click a link or button that loads a new page, and wait for its load."""
    with page.expect_navigation(wait_until="load"):
        locator.click()


@pytest.mark.parametrize("width", [1366, 390])
def test_merge_two_contacts_from_the_contact_page(
    page, live_server, e2e_user, screenshot_dir, width
):
    kept = make_contact(first_name="Sofie", last_name="Claes", email="sofie@example.com")
    merged = make_contact(
        first_name="Sofie",
        last_name="Claes-Janssens",
        email="sofie.claes@work.example",
        city="Leuven",
    )
    kept_lead = make_lead(owner=e2e_user, contact=kept)
    moved_lead = make_lead(owner=e2e_user, contact=merged)
    db.session.commit()
    ids = (kept.id, merged.id, moved_lead.id)
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})

    login(page, live_server, "manager@carflow.example")
    page.goto(f"{live_server}/admin/contacts/{ids[0]}")
    submit(page, page.get_by_role("link", name=re.compile("Merge with")))
    box = page.locator("#merge-search")
    box.fill("Claes-Jan")
    option = page.get_by_role("option", name=re.compile("Claes-Janssens"))
    expect(option).to_be_visible()
    option.click()
    expect(page.locator("#merge-picked")).to_contain_text("Claes-Janssens")
    page.screenshot(path=str(screenshot_dir / f"contact-merge-pick-{width}.png"), full_page=True)
    submit(page, page.get_by_role("button", name="Compare"))

    table = page.locator("table.contact-merge-table")
    expect(table.locator("tr.merge-row-city")).to_contain_text("Leuven")
    expect(page.locator(".merge-leads-kept")).to_contain_text(kept_lead.code)
    expect(page.locator(".merge-leads-merged")).to_contain_text(moved_lead.code)
    page.get_by_label("sofie.claes@work.example").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(screenshot_dir / f"contact-merge-preview-{width}.png"), full_page=True)
    submit(page, page.get_by_role("button", name="Merge the contacts"))

    assert page.url.endswith(f"/admin/contacts/{ids[0]}")
    expect(page.locator(".alert-success")).to_contain_text("The contacts were merged.")
    expect(page.locator("section.contact-leads")).to_contain_text(moved_lead.code)
    page.screenshot(path=str(screenshot_dir / f"contact-merge-done-{width}.png"), full_page=True)
    db.session.expire_all()
    assert db.session.get(Contact, ids[1]) is None
    assert db.session.get(Lead, ids[2]).contact_id == ids[0]
    assert db.session.get(Contact, ids[0]).email == "sofie.claes@work.example"
