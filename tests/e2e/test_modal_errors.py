"""Issue 13: a refused modal or contact form keeps the user where they were — the messages
appear in the open modal (or next to the inline form), what they typed stays, and the
corrected form then saves."""

import re

from playwright.sync_api import expect

from carflow.extensions import db
from tests.e2e.conftest import login
from tests.factories import make_contact, make_lead


def test_modal_and_contact_form_errors_stay_in_place(page, live_server, e2e_user, screenshot_dir):
    lead = make_lead(owner=e2e_user, contact=make_contact(first_name="Eva", last_name="Maes"))
    db.session.commit()
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server, "manager@carflow.example")
    page.goto(f"{live_server}/admin/leads/{lead.id}")
    lead_url = page.url

    # An empty note: the modal stays open with the message; nothing is navigated.
    page.get_by_role("button", name="Note").click()
    modal = page.locator("#modal-note")
    expect(modal).to_be_visible()
    modal.get_by_role("button", name="Add note").click()
    expect(modal.locator(".invalid-feedback")).to_have_text("Write the note.")
    expect(modal.get_by_role("textbox", name="Note")).to_have_class(
        "form-control is-invalid", timeout=5000
    )
    assert page.url == lead_url
    page.screenshot(path=str(screenshot_dir / "modal-error-1366.png"))
    modal.get_by_role("textbox", name="Note").fill("Called back, wants an offer")
    with page.expect_navigation(wait_until="load"):
        modal.get_by_role("button", name="Add note").click()
    expect(page.locator(".alert-success")).to_contain_text("Note added.")
    expect(page.locator(".timeline .event-note").first).to_contain_text("wants an offer")

    # Lost with "Other" and no explanation: the reason is asked for inside the modal.
    page.locator("#status-button").click()
    page.get_by_role("button", name="Lost…").click()
    status_modal = page.locator("#modal-status")
    status_modal.get_by_label("Reason (when lost)").select_option(value="other")
    status_modal.get_by_role("button", name="Mark as lost").click()
    expect(status_modal.locator(".invalid-feedback")).to_have_text("Explain the reason.")
    expect(status_modal).to_be_visible()

    # A new contact without a name, on the Contacts tab: the message is next to the field.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/admin/leads/{lead.id}?tab=contacts")
    page.get_by_role("button", name="New contact…").click()
    new_form = page.locator("#new-contact-form")
    expect(new_form).to_have_class(re.compile(r"\bshow\b"))  # opened, not still sliding
    new_form.get_by_label("Email").fill("someone@example.com")
    new_form.get_by_role("button", name="Create and link").click()
    expect(new_form.locator(".invalid-feedback")).to_contain_text("A name is required.")
    expect(new_form.get_by_label("Email")).to_have_value("someone@example.com")
    new_form.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "contact-form-error-390.png"))
    new_form.get_by_label("Last name / company name").fill("Maes-Peeters")
    with page.expect_navigation(wait_until="load"):
        new_form.get_by_role("button", name="Create and link").click()
    expect(page.locator(".alert-success")).to_contain_text("Contact created and linked.")
    expect(page.locator(".lead-contact").nth(1)).to_contain_text("Maes-Peeters")


def test_a_duplicate_new_contact_opens_the_warning_page(page, live_server, e2e_user):
    """The in-place display leaves a question (the duplicate warning) to the form page."""
    lead = make_lead(owner=e2e_user, contact=make_contact(first_name="Eva", last_name="Maes"))
    twin = make_contact(first_name="Jan", last_name="Peeters", email="jan@example.com")
    make_lead(owner=e2e_user, contact=twin)
    db.session.commit()
    login(page, live_server, "manager@carflow.example")
    page.goto(f"{live_server}/admin/leads/{lead.id}?tab=contacts")
    page.get_by_role("button", name="New contact…").click()
    new_form = page.locator("#new-contact-form")
    expect(new_form).to_have_class(re.compile(r"\bshow\b"))  # opened, not still sliding
    new_form.get_by_label("Last name / company name").fill("Peeters")
    new_form.get_by_label("Email").fill("JAN@example.com")
    with page.expect_navigation(wait_until="load"):
        new_form.get_by_role("button", name="Create and link").click()
    expect(page.locator(".duplicate-warning")).to_contain_text("Jan Peeters")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Use this contact").click()
    expect(page.locator(".alert-success")).to_contain_text("Contact linked.")
    expect(page.locator(".lead-contact").nth(1)).to_contain_text("Jan Peeters")
