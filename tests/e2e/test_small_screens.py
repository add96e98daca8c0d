"""Issue 13: on a 390 px phone the overview needs no sideways scrolling for its first
columns, the lead header takes at most half the first screen, and every action is
reachable. Screenshots at 390 and 1366 px go to test-output/."""

from __future__ import annotations

from playwright.sync_api import expect

from carflow.extensions import db
from tests.e2e.conftest import login
from tests.factories import make_contact, make_lead

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}


def _leads(owner, count=6):
    names = [("Eva", "Maes"), ("Jan", "Peeters"), ("Lotte", "Mertens"), ("Bram", "Claes")]
    return [
        make_lead(owner=owner, contact=make_contact(first_name=first, last_name=f"{last}{i}"))
        for i, (first, last) in enumerate((names * count)[:count])
    ]


def test_overview_on_a_phone_shows_each_lead_readably(page, live_server, e2e_user, screenshot_dir):
    leads = _leads(e2e_user)
    db.session.commit()
    login(page, live_server, "manager@carflow.example")
    for name, size in (("390", PHONE), ("1366", LAPTOP)):
        page.set_viewport_size(size)
        page.goto(f"{live_server}/admin/lead/")
        page.screenshot(path=str(screenshot_dir / f"overview-{name}.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/admin/lead/")
    first = page.locator("table tbody tr").first
    expect(first).to_contain_text(leads[-1].code)
    # The code and the contact of a row are on the screen without scrolling sideways.
    for cell in (".col-code", ".col-contact", ".col-status"):
        box = first.locator(cell).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, cell
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width} px)"


def test_lead_page_on_a_phone(page, live_server, e2e_user, screenshot_dir):
    lead = make_lead(owner=e2e_user, contact=make_contact(first_name="Eva", last_name="Maes"))
    db.session.commit()
    login(page, live_server, "manager@carflow.example")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/admin/leads/{lead.id}")
    page.screenshot(path=str(screenshot_dir / "lead-page-390.png"))
    page.screenshot(path=str(screenshot_dir / "lead-page-390-full.png"), full_page=True)
    header = page.locator("section.lead-header").bounding_box()
    assert header["height"] <= PHONE["height"] / 2, f"header is {header['height']} px high"
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width} px)"
    for name in ("Trade-in", "Offer", "Test drive", "Note", "Document", "Task", "Assign"):
        action = page.locator(".lead-actions").get_by_role("button", name=name)
        if action.count() == 0:
            action = page.locator(".lead-actions").get_by_role("link", name=name)
        action.scroll_into_view_if_needed()
        expect(action).to_be_visible()
    page.get_by_role("button", name="Note").click()
    expect(page.locator("#modal-note")).to_be_visible()
