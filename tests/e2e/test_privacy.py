"""Issue 17 in real Chromium: record a consent on the contact page, download the subject
access export, then forget the person (as an administrator), at laptop width and on a phone."""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from playwright.sync_api import expect

from carflow.extensions import db
from tests.e2e.axe import axe_violations, describe
from tests.e2e.conftest import login
from tests.factories import make_branch, make_user
from tests.privacy_records import make_person


def submit(page, locator) -> None:
    """Click a link or button that loads a new page, and wait for its load."""
    with page.expect_navigation(wait_until="load"):
        locator.click()


def _accessible(page, name: str, output) -> None:
    found = axe_violations(page, name, output)
    assert not found, describe(found)


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1366, 390])
def test_consent_export_and_forget(app, page, live_server, screenshot_dir, tmp_path, width):
    branch = make_branch("Leuven")
    make_user("admin", branch=branch, email="admin@carflow.example", first_name="Ada")
    person = make_person(branch)
    contact_id = person.contact.id
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
    login(page, live_server, "admin@carflow.example")
    page.goto(f"{live_server}/admin/contacts/{contact_id}")
    section = page.locator("section.contact-privacy")
    expect(section.get_by_role("heading", name="Personal data and consent")).to_be_visible()
    cell = section.locator('td[data-channel="post"][data-purpose="marketing"]')
    expect(cell).to_have_attribute("data-state", "none")

    # Record a consent.
    section.get_by_role("button", name="Record a consent…").click()
    expect(page.locator("#consent-record")).to_have_class(re.compile(r"\bcollapse show\b"))
    form = page.locator("#consent-record form")
    form.get_by_label("Channel").select_option("post")
    form.get_by_label("Purpose").select_option("marketing")
    form.get_by_label("Granted").check()
    form.get_by_label("Source").select_option("in_person")
    form.get_by_label("Note").fill("Signed the showroom form")
    submit(page, form.get_by_role("button", name="Record consent"))
    expect(page.locator(".alert-success")).to_contain_text("Consent recorded.")
    expect(cell).to_have_attribute("data-state", "granted")
    expect(cell).to_contain_text("In person")
    section.get_by_role("button", name=re.compile(r"History \(3\)")).click()
    expect(page.locator("#consent-history")).to_have_class(re.compile(r"\bcollapse show\b"))
    expect(page.locator("tr.consent-history-row")).to_have_count(3)
    _fits(page, width)
    page.screenshot(path=str(screenshot_dir / f"privacy-consent-{width}.png"), full_page=True)
    _accessible(page, f"privacy-contact-{width}", screenshot_dir)

    # Subject access export: a ZIP with data.json and summary.pdf.
    with page.expect_download() as download_info:
        section.get_by_role("button", name="Export personal data").click()
    download = download_info.value
    assert re.fullmatch(r"personal-data-contact-\d+-\d{8}\.zip", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        data = json.loads(archive.read("data.json"))
        assert {"data.json", "summary.pdf"} <= set(archive.namelist())
    assert data["contact"]["email"] == person.values["email"]
    assert ("post", "marketing", True) in {
        (c["channel"], c["purpose"], c["granted"]) for c in data["consents"]
    }

    # The lead page's Contacts tab shows the same grid.
    page.goto(f"{live_server}/admin/leads/{person.lead.id}?tab=contacts")
    panel = page.locator("section.lead-consent")
    expect(panel.locator('td[data-channel="post"][data-purpose="marketing"]')).to_have_attribute(
        "data-state", "granted"
    )
    _fits(page, width)
    page.screenshot(path=str(screenshot_dir / f"privacy-lead-tab-{width}.png"), full_page=True)

    # Forget this person: the confirm page lists what goes, then the erasure.
    page.goto(f"{live_server}/admin/contacts/{contact_id}")
    submit(page, section.get_by_role("link", name="Forget this person…"))
    expect(page.get_by_role("heading", name="Forget Annelies Vandersmissen")).to_be_visible()
    expect(page.locator('li[data-count="documents"]')).to_contain_text("1 document(s)")
    page.get_by_label("Reason").select_option("request")
    page.get_by_label("I understand that this cannot be undone.").check()
    _fits(page, width)
    page.screenshot(path=str(screenshot_dir / f"privacy-forget-{width}.png"), full_page=True)
    _accessible(page, f"privacy-forget-{width}", screenshot_dir)
    submit(page, page.get_by_role("button", name="Erase personal data"))
    assert page.url.endswith(f"/admin/contacts/{contact_id}")
    expect(page.locator(".alert-success")).to_contain_text("personal data was erased")
    expect(page.locator(".contact-page-name")).to_have_text(f"Erased contact #{contact_id}")
    expect(page.locator(".privacy-erased")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Annelies")
    _fits(page, width)
    page.screenshot(path=str(screenshot_dir / f"privacy-erased-{width}.png"), full_page=True)
    page.goto(f"{live_server}/admin/privacy-settings/")
    expect(page.locator("tr.privacy-log-row")).to_have_count(2)  # the export, the erasure
    _fits(page, width)
    page.screenshot(path=str(screenshot_dir / f"privacy-settings-{width}.png"), full_page=True)
    _accessible(page, f"privacy-settings-{width}", screenshot_dir)
