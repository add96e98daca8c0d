"""Issue 13: the time-zone picker filters as the user types (real Chromium)."""

from playwright.sync_api import expect

from tests.e2e.conftest import login


def test_time_zone_filter_narrows_the_list(page, live_server, e2e_user, screenshot_dir):
    login(page, live_server, "manager@carflow.example")
    page.goto(f"{live_server}/admin/profile/")
    box = page.get_by_role("searchbox", name="Filter: type a city or region")
    box.fill("new york")
    select = page.locator("select[name=timezone]")
    visible = select.locator("option:not([hidden])")
    expect(visible).to_have_count(2)  # the chosen zone stays, plus New York
    expect(visible.nth(1)).to_have_attribute("value", "America/New_York")
    select.select_option("America/New_York")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Save").first.click()
    expect(page.locator(".alert-success")).to_contain_text("Changes saved.")
    expect(page.locator("select[name=timezone]")).to_have_value("America/New_York")
    page.screenshot(path=str(screenshot_dir / "profile-time-zone.png"))
