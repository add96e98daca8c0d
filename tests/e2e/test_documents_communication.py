"""Documents and communication in real Chromium (F14, F15): upload, rename, download a
document; email the offer with both PDFs to a real SMTP server and see it in the timeline.
The email is queued; the test runs the queue (the worker's part) and reloads the page."""

from pathlib import Path

from playwright.sync_api import expect

from carflow.extensions import db
from tests.e2e.conftest import login
from tests.factories import make_contact, make_lead, make_offer
from tests.queue import run_queued_jobs

CONTENT = b"%PDF-1.4\n% Carflow e2e\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def _open_paperclip(page, title: str):
    item = page.locator(".document-item", has_text=title)
    item.locator(".document-menu").click()
    return item


def test_upload_rename_and_download_a_document(page, live_server, e2e_user, screenshot_dir):
    lead = make_lead(owner=e2e_user, contact=make_contact(first_name="Eva", last_name="Docs"))
    db.session.commit()
    login(page, live_server, "manager@carflow.example")
    page.goto(f"{live_server}/admin/leads/{lead.id}")

    page.locator(".action-document").click()
    page.get_by_label("Title").fill("Identity card")
    page.get_by_label("File").set_input_files(
        {"name": "carte d'identité.pdf", "mimeType": "application/pdf", "buffer": CONTENT}
    )
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url(f"**/admin/leads/{lead.id}?tab=details")
    expect(page.locator(".alert-success")).to_contain_text("Document “Identity card” added.")
    expect(page.locator(".document-item .document-title")).to_have_text("Identity card")
    expect(page.locator(".timeline")).to_contain_text("Document “Identity card” added")

    _open_paperclip(page, "Identity card").get_by_role(
        "link", name="Save under a new title"
    ).click()
    page.get_by_label("New title").fill("Signed identity card")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".document-item .document-title")).to_have_text("Signed identity card")
    expect(page.locator(".timeline")).to_contain_text(
        "Document “Identity card” renamed to “Signed identity card”"
    )
    page.screenshot(path=str(screenshot_dir / "documents-panel.png"), full_page=True)

    item = _open_paperclip(page, "Signed identity card")
    with page.expect_download() as info:
        item.get_by_role("link", name="Download").click()
    download = info.value
    assert download.suggested_filename == "carte d'identité.pdf"
    assert Path(download.path()).read_bytes() == CONTENT


def test_send_a_communication_with_both_pdfs(
    page, live_server, e2e_user, smtp_server, screenshot_dir
):
    smtp_server.configure(live_server.app)
    contact = make_contact(first_name="Eva", last_name="Buyer", email="eva.buyer@example.com")
    lead = make_lead(owner=e2e_user, contact=contact)
    offer = make_offer(lead, e2e_user)
    db.session.commit()
    login(page, live_server, "manager@carflow.example")
    page.goto(f"{live_server}/admin/leads/{lead.id}")

    page.locator(".action-communication").click()
    expect(page.get_by_label("Subject")).to_have_value(
        "Your offer for Volkswagen Golf 8 1.5 eTSI – Carflow dealer"
    )
    expect(page.get_by_label("Eva Buyer <eva.buyer@example.com>")).to_be_checked()
    expect(page.get_by_label("Message")).to_contain_text("Dear Eva Buyer,")
    page.get_by_label("Attach the quote preview (PDF)").check()
    page.get_by_label("Attach the purchase order (PDF)").check()
    page.screenshot(path=str(screenshot_dir / "communication-form.png"), full_page=True)
    page.get_by_role("button", name="Send").click()

    page.wait_for_url(f"**/admin/leads/{lead.id}?tab=details")
    expect(page.locator(".alert-info")).to_contain_text("The email is queued")
    queued = page.locator(".timeline .event-communication_queued")
    expect(queued).to_contain_text("to eva.buyer@example.com queued")
    assert smtp_server.messages == []
    page.screenshot(path=str(screenshot_dir / "communication-queued.png"), full_page=True)
    queued.get_by_role("link").click()
    expect(page.locator(".communication-status")).to_contain_text("Queued")

    assert run_queued_jobs(live_server.app) == 1  # the worker's part
    page.goto(f"{live_server}/admin/leads/{lead.id}?tab=details")
    sent = page.locator(".timeline .event-communication_sent")
    expect(sent).to_contain_text("sent to eva.buyer@example.com")
    page.screenshot(path=str(screenshot_dir / "communication-sent.png"), full_page=True)

    [received] = smtp_server.messages
    assert received["to"] == ["eva.buyer@example.com"]
    names = sorted(part.get_filename() for part in received["message"].iter_attachments())
    assert names == [
        f"purchase-order-{lead.code}-{offer.id}.pdf",
        f"quote-{lead.code}-{offer.id}.pdf",
    ]

    sent.get_by_role("link").click()
    expect(page.locator(".communication-status")).to_contain_text("Sent")
    expect(page.locator(".communication-body")).to_contain_text("Dear Eva Buyer,")
    expect(page.locator(".communication-retry")).to_have_count(0)
