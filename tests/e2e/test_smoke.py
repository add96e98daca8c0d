"""Foundation smoke test in real Chromium: log in, overview, filter, open a lead."""

from playwright.sync_api import expect

from carflow.extensions import db
from carflow.models import LeadStatus
from tests.e2e.conftest import login
from tests.factories import make_contact, make_lead


def test_login_overview_filter_and_open_a_lead(page, live_server, e2e_user, screenshot_dir):
    won = make_lead(owner=e2e_user, contact=make_contact(first_name="Eva", last_name="Winner"))
    won.status = LeadStatus.won
    open_lead = make_lead(owner=e2e_user, contact=make_contact(last_name="Opener"))
    db.session.commit()

    login(page, live_server, "manager@carflow.example")
    page.wait_for_url("**/admin/lead/**")
    expect(page.get_by_role("link", name=won.code)).to_be_visible()
    expect(page.get_by_role("link", name=open_lead.code)).to_be_visible()

    page.fill("input[name=search]", "Winner")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("link", name=won.code)).to_be_visible()
    expect(page.get_by_role("link", name=open_lead.code)).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "overview-search.png"), full_page=True)

    page.get_by_role("link", name=won.code).click()
    page.wait_for_url(f"**/admin/leads/{won.id}**")
    expect(page.locator("h1")).to_contain_text("Eva Winner")
