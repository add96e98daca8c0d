"""F31/F19/F32 in real Chromium: the administrator creates a salesperson with limited
permissions; that salesperson sees only their branch's leads and the allowed buttons."""

import re

import pytest
from flask_babel import lazy_gettext as _l
from playwright.sync_api import expect

from carflow.extensions import db
from carflow.lead_page_parts import LEAD_ACTIONS, register_lead_action
from tests.e2e.conftest import login
from tests.factories import make_branch, make_contact, make_lead, make_user


@pytest.fixture
def probe_actions():
    """Two action-bar buttons gated like real ones: a note (allowed), a status (revoked)."""
    register_lead_action(
        "probe_note", _l("Probe note"), "fa-sticky-note", "lead.note", "lead_page.page", 990
    )
    register_lead_action(
        "probe_status", _l("Probe status"), "fa-flag", "lead.change_status", "lead_page.page", 991
    )
    yield
    LEAD_ACTIONS.pop("probe_note", None)
    LEAD_ACTIONS.pop("probe_status", None)


def test_admin_creates_a_limited_salesperson_who_sees_only_what_is_allowed(
    page, live_server, app, screenshot_dir, probe_actions
):
    brussels, ghent = make_branch("Brussels"), make_branch("Ghent")
    make_user("admin", branch=brussels, email="admin@carflow.example", first_name="Ada")
    colleague = make_user("salesperson", branch=brussels)
    own = make_lead(owner=colleague, branch=brussels, contact=make_contact(last_name="Local"))
    other = make_lead(
        owner=make_user("salesperson", branch=ghent),
        branch=ghent,
        contact=make_contact(last_name="Faraway"),
    )
    db.session.commit()

    login(page, live_server, "admin@carflow.example")
    page.goto(f"{live_server}/admin/users/")
    page.get_by_role("link", name="New user").click()
    # Its script (static/js/users.js) must be running before the role is chosen: a click
    # does not wait for the next page to load (a busy machine chose it too early).
    page.wait_for_url("**/admin/users/new/")
    page.fill("input[name=first_name]", "Sara")
    page.fill("input[name=last_name]", "Limited")
    page.fill("input[name=email]", "sara@carflow.example")
    page.fill("input[name=password]", "sara-secret-pw")
    page.select_option("select[name=branch_id]", label="Brussels")
    # Choosing a preset ticks its permissions (static/js/users.js) …
    page.select_option("select[name=role]", "receptionist")
    expect(page.locator("#perm-edit_leads")).not_to_be_checked()
    page.select_option("select[name=role]", "salesperson")
    expect(page.locator("#perm-edit_leads")).to_be_checked()
    expect(page.locator("#perm-change_status")).to_be_checked()
    # … and the administrator revokes one of them.
    page.uncheck("#perm-change_status")
    page.screenshot(path=str(screenshot_dir / "users-new-limited.png"), full_page=True)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("Sara Limited")
    revoked = page.locator("li[data-perm=change_status]")
    expect(revoked).to_contain_text("revoked")
    expect(page.locator(".audit-log")).to_contain_text("User created")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")

    login(page, live_server, "sara@carflow.example", "sara-secret-pw")
    page.goto(f"{live_server}/admin/lead/")
    expect(page.get_by_role("link", name=own.code)).to_be_visible()
    expect(page.get_by_role("link", name=other.code)).to_have_count(0)
    expect(page.get_by_role("link", name="Users")).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "salesperson-overview.png"), full_page=True)

    page.get_by_role("link", name=own.code).click()
    page.wait_for_url(f"**/admin/leads/{own.id}**")
    expect(page.locator(".action-probe_note")).to_be_visible()
    expect(page.locator(".action-probe_status")).to_have_count(0)
    expect(page.locator(".status-button")).to_have_count(0)  # the lead page's Status button
    status_like = re.compile(r"^\s*(change\s+)?status\b", re.I)
    expect(page.get_by_role("button", name=status_like)).to_have_count(0)
    expect(page.get_by_role("link", name=status_like)).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "salesperson-lead-page.png"), full_page=True)

    response = page.goto(f"{live_server}/admin/leads/{other.id}")
    assert response.status == 404
    response = page.goto(f"{live_server}/admin/users/")
    assert response.status == 403
    expect(page.locator(".error-page")).to_contain_text("permission")


def test_switching_to_the_go_edition_hides_leads_for_everyone(
    page, live_server, app, screenshot_dir
):
    branch = make_branch("Brussels")
    make_user("admin", branch=branch, email="boss@carflow.example")
    db.session.commit()
    login(page, live_server, "boss@carflow.example")
    expect(page.get_by_role("link", name="Leads", exact=True)).to_be_visible()
    page.goto(f"{live_server}/admin/account/")
    expect(page.locator(".edition-matrix")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "account-settings.png"), full_page=True)
    page.select_option("select[name=edition]", "go")
    page.once("dialog", lambda dialog: dialog.accept())  # static/js/carflow.js data-confirm
    page.get_by_role("button", name="Change edition").click()
    expect(page.locator(".current-edition")).to_have_text("Go")
    expect(page.get_by_role("link", name="Leads", exact=True)).to_have_count(0)
    response = page.goto(f"{live_server}/admin/lead/")
    assert response.status == 403
