"""Issue 14 item 8 in real Chromium: a lead-page modal's fields arrive when it opens; the
first field has the focus, the submit button works, and the shell looks right at 1366 and
390 px (screenshots lead-modal-assign-*.png)."""

import pytest
from playwright.sync_api import expect

from carflow.extensions import db
from tests.e2e.conftest import login
from tests.factories import make_branch, make_contact, make_lead, make_user


@pytest.mark.parametrize("width", [1366, 390])
def test_the_assign_modal_loads_its_fields_when_opened(
    page, live_server, e2e_user, screenshot_dir, width
):
    lead = make_lead(owner=e2e_user, contact=make_contact(first_name="Eva", last_name="Maes"))
    make_user(branch=make_branch("Ghent"), first_name="Greta", last_name="Gent")
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, "manager@carflow.example")
    page.goto(f"{live_server}/admin/leads/{lead.id}")
    modal = page.locator("#modal-assign")
    expect(modal.locator("select[name=assignee]")).to_have_count(0)  # not on the page

    page.locator(".action-assign").click()
    select = modal.get_by_label("Assign to")
    expect(select).to_be_focused()
    expect(modal.get_by_role("button", name="Assign")).to_be_enabled()
    page.screenshot(path=str(screenshot_dir / f"lead-modal-assign-{width}.png"))
    select.select_option(label="Greta Gent (Ghent)")
    with page.expect_navigation(wait_until="load"):
        modal.get_by_role("button", name="Assign").click()
    expect(page.locator("section.lead-header .lead-owner")).to_contain_text("Greta Gent · Ghent")
