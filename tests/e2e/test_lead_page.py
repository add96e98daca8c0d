"""The lead page in real Chromium: note, assign, lost with a reason, tabs, contact edit."""

import re

from playwright.sync_api import expect

from carflow.extensions import db
from tests.e2e.conftest import login
from tests.factories import make_branch, make_contact, make_lead, make_user


def submit(page, locator) -> None:
    """Click a control that loads a new page (a form post, a tab), and wait for its load."""
    with page.expect_navigation(wait_until="load"):
        locator.click()


def test_lead_page_flow(page, live_server, e2e_user, screenshot_dir):
    lead = make_lead(owner=e2e_user, contact=make_contact(first_name="Eva", last_name="Maes"))
    make_user(branch=make_branch("Ghent"), first_name="Greta", last_name="Gent")
    make_contact(first_name="Jan", last_name="Spouseman")
    db.session.commit()
    page.set_viewport_size({"width": 1366, "height": 900})  # laptop width (F24)

    login(page, live_server, "manager@carflow.example")
    submit(page, page.get_by_role("link", name=lead.code))
    assert f"/admin/leads/{lead.id}" in page.url
    header = page.locator("section.lead-header")
    expect(header).to_have_class(re.compile(r"\bbg-primary\b"))
    expect(page.locator(".deadline-box .countdown")).to_contain_text("left")
    page.screenshot(path=str(screenshot_dir / "lead-page-open.png"), full_page=True)

    # F13: a note through the modal.
    page.get_by_role("button", name="Note").click()
    expect(page.locator("#modal-note")).to_be_visible()
    page.get_by_role("textbox", name="Note").fill("Customer wants a test drive on Saturday")
    submit(page, page.locator("#modal-note").get_by_role("button", name="Add note"))
    expect(page.locator(".timeline .event-note").first).to_contain_text("test drive on Saturday")

    # F17: assign to a colleague of another branch.
    page.get_by_role("button", name="Assign").click()
    page.get_by_label("Assign to").select_option(label="Greta Gent (Ghent)")
    submit(page, page.locator("#modal-assign").get_by_role("button", name="Assign"))
    expect(header.locator(".lead-owner")).to_contain_text("Greta Gent · Ghent")

    # F18: lost with a reason; the header color follows.
    page.locator("#status-button").click()
    page.get_by_role("button", name="Lost…").click()
    page.get_by_label("Reason (when lost)").select_option(label="Bought elsewhere")
    submit(page, page.locator("#modal-status").get_by_role("button", name="Mark as lost"))
    expect(header).to_have_class(re.compile(r"\bbg-danger\b"))
    expect(page.locator("#status-button")).to_have_class(re.compile(r"\bbtn-danger\b"))
    expect(header).to_contain_text("Bought elsewhere")
    page.screenshot(path=str(screenshot_dir / "lead-page-lost.png"), full_page=True)

    # F23: the tab is in the URL and survives a reload.
    submit(page, page.get_by_role("tab", name="Contacts"))
    assert page.url.endswith("tab=contacts")
    page.reload()
    expect(page.get_by_role("tab", name="Contacts")).to_have_attribute("aria-selected", "true")

    # F22: edit the main contact in place.
    page.get_by_role("button", name="Edit Eva Maes").click()
    card = page.locator(f"#contact-{lead.contact_id}")
    # The edit form slides open; clicking "Save contact" while it still moves sent nothing
    # once on a loaded machine (issue 14): wait until it is fully shown.
    expect(card.locator(".collapse")).to_have_class(re.compile(r"\bshow\b"))
    card.get_by_label("City").fill("Leuven")
    submit(page, card.get_by_role("button", name="Save contact"))
    expect(page.locator(".alert-success")).to_contain_text("Contact saved.")
    expect(card).to_contain_text("Leuven")

    # F22: link an existing contact found by the search, with its relation.
    page.get_by_role("combobox", name="Search an existing contact (name, email or phone)").fill(
        "Spouse"
    )
    page.get_by_role("option", name=re.compile("Jan Spouseman")).click()
    page.locator(".contact-link-form").get_by_label("Relation to the lead").fill("Spouse")
    submit(page, page.get_by_role("button", name="Link contact"))
    expect(page.locator(".lead-contact").nth(1)).to_contain_text("Jan Spouseman")
    expect(page.locator(".lead-contact").nth(1).locator(".contact-relation")).to_have_text("Spouse")
    page.screenshot(path=str(screenshot_dir / "lead-page-contacts.png"), full_page=True)
    expect(page.get_by_role("tab", name="Contacts")).to_have_attribute("aria-selected", "true")

    # Reopen, then won: each change logged, the color follows.
    page.locator("#status-button").click()
    submit(page, page.get_by_role("button", name="In progress"))
    expect(header).to_have_class(re.compile(r"\bbg-primary\b"))
    page.locator("#status-button").click()
    submit(page, page.get_by_role("button", name="Won"))
    expect(header).to_have_class(re.compile(r"\bbg-success\b"))
    page.screenshot(path=str(screenshot_dir / "lead-page-won.png"), full_page=True)
    submit(page, page.get_by_role("tab", name="Details"))
    expect(page.locator(".timeline")).to_contain_text("Lead reopened (was Lost)")
    expect(page.locator(".timeline")).to_contain_text("Contact Eva Maes updated (city)")
    expect(page.locator(".timeline")).to_contain_text("Contact Jan Spouseman linked as Spouse")
