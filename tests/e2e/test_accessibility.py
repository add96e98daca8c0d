"""Issue 13: axe-core (WCAG 2.1 AA rules) finds no serious or critical violation on the
pages a salesperson and an administrator use, with each modal open; results are stored as
JSON next to the screenshots in test-output/."""

from __future__ import annotations

import pytest

from carflow.extensions import db
from tests.e2e.axe import axe_violations, describe
from tests.e2e.conftest import login
from tests.factories import make_contact, make_lead, make_task


@pytest.fixture
def seeded(e2e_user):
    lead = make_lead(owner=e2e_user, contact=make_contact(first_name="Eva", last_name="Maes"))
    make_task(lead, assignee=e2e_user, title="Call back")
    db.session.commit()
    return lead


def _check(page, name, screenshot_dir, failures):
    found = axe_violations(page, name, screenshot_dir)
    if found:
        failures.append(f"{name} ({page.url}):\n{describe(found)}")


PAGES = [
    ("overview", "/admin/lead/"),
    ("lead-new", "/admin/lead/new/"),
    ("contacts", "/admin/contact/"),
    ("tasks", "/admin/tasks/"),
    ("agenda", "/admin/tasks/agenda"),
    ("stock", "/admin/stock/"),
    ("account", "/admin/account/"),
    ("branches", "/admin/branches/"),
    ("deadline-settings", "/admin/settings/deadlines/"),
    ("users", "/admin/users/"),
    ("profile", "/admin/profile/"),
    ("lead-types", "/admin/lead_type/"),
    ("lead-sources", "/admin/lead_source/"),
    ("lost-reasons", "/admin/lost_reason/"),
    ("lead-type-edit", "/admin/lead_type/edit/?id=1"),
]


def test_pages_have_no_serious_accessibility_violations(
    page, live_server, e2e_user, seeded, screenshot_dir
):
    page.emulate_media(reduced_motion="reduce")  # no fade: colours measured as shown
    login(page, live_server, "manager@carflow.example")
    failures: list[str] = []
    for name, path in PAGES:
        page.goto(live_server + path)
        page.wait_for_load_state("load")
        _check(page, name, screenshot_dir, failures)
    for tab in ("details", "followup", "contacts"):
        page.goto(f"{live_server}/admin/leads/{seeded.id}?tab={tab}")
        _check(page, f"lead-{tab}", screenshot_dir, failures)
    page.goto(f"{live_server}/admin/contacts/{seeded.contact_id}")
    _check(page, "contact-page", screenshot_dir, failures)
    page.goto(f"{live_server}/admin/leads/{seeded.id}")
    for button, modal in (("Note", "#modal-note"), ("Assign", "#modal-assign")):
        page.get_by_role("button", name=button).click()
        page.locator(modal).wait_for(state="visible")
        _check(page, f"lead-modal-{modal[7:]}", screenshot_dir, failures)
        page.keyboard.press("Escape")
        page.locator(modal).wait_for(state="hidden")
    page.locator("#status-button").click()
    page.get_by_role("button", name="Lost…").click()
    page.locator("#modal-status").wait_for(state="visible")
    _check(page, "lead-modal-status", screenshot_dir, failures)
    page.keyboard.press("Escape")
    page.locator("#modal-status").wait_for(state="hidden")
    page.get_by_role("button", name="Note").click()  # a flash message and its close button
    page.get_by_role("textbox", name="Note").fill("Called back")
    with page.expect_navigation(wait_until="load"):
        page.locator("#modal-note").get_by_role("button", name="Add note").click()
    page.locator(".alert-success").wait_for(state="visible")
    _check(page, "lead-flash", screenshot_dir, failures)
    assert not failures, "\n\n".join(failures)
