"""The contact page in real Chromium (issue 13): Contacts menu → contact → its leads → a lead,
at laptop width and on a phone."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

from carflow.extensions import db
from carflow.models import LeadStatus
from carflow.services.documents import upload_document
from carflow.services.lead_contacts import link_contact
from tests.e2e.conftest import login
from tests.factories import make_contact, make_lead

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def submit(page, locator) -> None:
    """Click a link or button that loads a new page, and wait for its load."""
    with page.expect_navigation(wait_until="load"):
        locator.click()


def _open_contacts_menu(page, width: int) -> None:
    """The menu's Contacts entry; on a phone the menu is behind the navbar toggler."""
    toggler = page.locator(".navbar-toggler")
    if width < 992 and toggler.is_visible():
        toggler.click()
    submit(page, page.get_by_role("link", name="Contacts", exact=True))


@pytest.mark.parametrize("width", [1366, 390])
def test_contacts_menu_to_contact_page_to_a_lead(
    page, live_server, e2e_user, screenshot_dir, width
):
    eva = make_contact(
        first_name="Eva",
        last_name="Maes",
        email="eva.maes@example.com",
        phone="+32 2 123 45 67",
        street="Rue Haute 12",
        postal_code="1000",
        city="Brussels",
    )
    first = make_lead(owner=e2e_user, contact=eva)
    second = make_lead(owner=e2e_user, contact=eva)
    second.status = LeadStatus.won
    spouse_lead = make_lead(owner=e2e_user)
    link_contact(spouse_lead, e2e_user, eva, "Spouse")
    upload_document(first, e2e_user, io.BytesIO(PDF), "id.pdf", "Identity card")
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})

    login(page, live_server, "manager@carflow.example")
    _open_contacts_menu(page, width)
    assert "/admin/contact/" in page.url
    submit(page, page.get_by_role("link", name="Maes", exact=True))
    assert page.url.endswith(f"/admin/contacts/{eva.id}")

    expect(page.get_by_role("heading", name="Eva Maes")).to_be_visible()
    expect(page.locator(".contact-email")).to_have_attribute("href", "mailto:eva.maes@example.com")
    leads = page.locator("section.contact-leads")
    expect(leads.locator("tr.contact-lead")).to_have_count(2)
    expect(leads.get_by_role("link", name=first.code)).to_be_visible()
    expect(leads.locator(".status-badge.badge-success")).to_have_text("Won")
    linked = page.locator("section.contact-linked-leads")
    expect(linked.locator(".contact-lead-relation")).to_have_text("Spouse")
    expect(page.locator("section.contact-documents")).to_contain_text("Identity card")
    # Nothing wider than the screen (the tables scroll inside their own box).
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(screenshot_dir / f"contact-page-{width}.png"), full_page=True)

    page.get_by_role("button", name="Edit").click()
    expect(page.locator("#contact-edit")).to_have_class(re.compile(r"\bcollapse show\b"))
    page.screenshot(path=str(screenshot_dir / f"contact-page-edit-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    submit(page, leads.get_by_role("link", name=first.code))
    assert page.url.endswith(f"/admin/leads/{first.id}")
    header_link = page.locator("section.lead-header .lead-contact-name a")
    expect(header_link).to_have_text("Eva Maes")
    submit(page, header_link)  # and back to the contact from the lead's header
    assert page.url.endswith(f"/admin/contacts/{eva.id}")


def test_new_lead_duplicate_warning_then_use_this_contact(
    page, live_server, e2e_user, screenshot_dir
):
    eva = make_contact(first_name="Eva", last_name="Maes", email="eva.maes@example.com")
    make_lead(owner=e2e_user, contact=eva)
    db.session.commit()
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server, "manager@carflow.example")
    page.goto(f"{live_server}/admin/lead/new/")
    page.get_by_label("Last name / company name").fill("Maes-Peeters")
    page.get_by_role("textbox", name="Email", exact=True).fill("EVA.MAES@example.com")
    submit(page, page.get_by_role("button", name="Create lead"))
    warning = page.locator(".duplicate-warning")
    expect(warning).to_contain_text("This contact may already exist")
    expect(warning).to_contain_text("eva.maes@example.com")
    page.screenshot(path=str(screenshot_dir / "new-lead-duplicate-1366.png"), full_page=True)
    submit(page, warning.get_by_role("button", name="Use this contact"))
    expect(page.locator("section.lead-header .lead-contact-name")).to_have_text("Eva Maes")
