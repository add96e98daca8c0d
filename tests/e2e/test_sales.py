"""Sales items in real Chromium (F8, F10–F12): trade-in, offer using it, quote PDF,
test drive, refused overlapping booking; the header counts follow."""

import io
import re
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import expect
from pypdf import PdfReader

from carflow.extensions import db
from tests.e2e.conftest import login
from tests.factories import make_contact, make_lead, make_trade_in, make_vehicle


def _lead_page(page, base, lead):
    page.goto(f"{base}/admin/leads/{lead.id}")
    expect(page.locator(".lead-code")).to_have_text(lead.code)


def _counts(page, trade_ins, test_drives, offers):
    expect(page.locator(".count-trade-ins")).to_have_text(str(trade_ins))
    expect(page.locator(".count-test-drives")).to_have_text(str(test_drives))
    expect(page.locator(".count-offers")).to_have_text(str(offers))


def _open_action(page, key):
    """Click an action-bar button and wait until its page (and its scripts) loaded."""
    with page.expect_navigation(wait_until="load"):
        page.click(f".action-{key}")


def _pick_vehicle(page, query, label):
    page.fill(".vehicle-search", query)
    page.get_by_role("option", name=re.compile(label)).click()
    expect(page.locator(".picked-vehicle-label")).to_contain_text(label)


def test_trade_in_offer_quote_and_test_drives(page, live_server, e2e_user, screenshot_dir):
    lead = make_lead(owner=e2e_user, contact=make_contact(first_name="Eva", last_name="Buyer"))
    make_vehicle(stock_number="S-E2E1", make="Skoda", model="Kodiaq", price=Decimal("42000.00"))
    make_vehicle(stock_number="S-E2E2", make="Dacia", model="Duster")
    db.session.commit()
    login(page, live_server, "manager@carflow.example")
    _lead_page(page, live_server, lead)
    _counts(page, 0, 0, 0)

    # F10: trade-in
    _open_action(page, "trade_in")
    page.fill("input[name=make]", "Renault")
    page.fill("input[name=model]", "Megane")
    page.fill("input[name=vin]", "VF1RFB00X12345678")
    page.fill("input[name=offered_value]", "4500.00")
    page.click("button[type=submit]:has-text('Save trade-in')")
    expect(page.locator(".alert-success")).to_contain_text("Trade-in added")
    _counts(page, 1, 0, 0)

    # F11: offer with a stock vehicle picked by search and the trade-in deducted
    _open_action(page, "offer")
    _pick_vehicle(page, "kodiaq", "Skoda Kodiaq")
    expect(page.locator("input[name=list_price]")).to_have_value("42000.00")
    page.fill("input[name=discount]", "2000")
    page.select_option("select[name=trade_in_id]", label="Renault Megane · offered €4,500.00")
    page.click("button[type=submit]:has-text('Save offer')")
    expect(page.locator(".alert-success")).to_contain_text("created")
    _counts(page, 1, 0, 1)

    page.locator(".timeline a", has_text="Offer #").first.click()
    # F11: (42000 − 2000) × 1.21 = 48,400 incl. VAT, minus the 4,500 trade-in = 43,900 to pay
    expect(page.locator(".offer-total")).to_contain_text("43,900.00")
    with page.expect_download() as download_info:
        page.click(".pdf-quote")
    download = download_info.value
    assert download.suggested_filename == f"quote-{lead.code}-1.pdf"
    pdf = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "48,400.00" in text and "43,900.00" in text and "Renault Megane" in text

    # F12: book a test drive, then try an overlapping one
    _lead_page(page, live_server, lead)
    _open_action(page, "test_drive")
    _pick_vehicle(page, "S-E2E2", "Dacia Duster")
    page.fill("input[name=starts_at]", "2026-12-01T10:00")
    page.fill("input[name=ends_at]", "2026-12-01T11:00")
    page.fill("input[name=licence_number]", "B-998877")
    page.click("button[type=submit]:has-text('Save test drive')")
    expect(page.locator(".alert-success")).to_contain_text("Test drive booked")
    _counts(page, 1, 1, 1)

    _open_action(page, "test_drive")
    _pick_vehicle(page, "duster", "Dacia Duster")
    page.fill("input[name=starts_at]", "2026-12-01T10:30")
    page.fill("input[name=ends_at]", "2026-12-01T11:30")
    page.click("button[type=submit]:has-text('Save test drive')")
    refusal = page.locator(".invalid-feedback", has_text="is already booked")
    expect(refusal).to_contain_text(lead.code)
    page.screenshot(path=str(screenshot_dir / "test-drive-overlap.png"), full_page=True)

    _lead_page(page, live_server, lead)
    _counts(page, 1, 1, 1)
    page.screenshot(path=str(screenshot_dir / "lead-sales-items.png"), full_page=True)


def _live(page, name):
    return page.locator(f".offer-totals [data-total={name}]")


def test_offer_totals_follow_the_typing(page, live_server, e2e_user, screenshot_dir):
    """F11 / issue 13: the form shows the corrected totals live; the server agrees on save."""
    lead = make_lead(owner=e2e_user)
    trade_in = make_trade_in(lead, e2e_user, offered_value=Decimal("9000"))
    db.session.commit()
    login(page, live_server, "manager@carflow.example")
    page.goto(f"{live_server}/admin/offers/new/{lead.id}")
    expect(_live(page, "payable")).to_have_text("—")
    page.fill("input[name=vehicle_description]", "BMW X3 xDrive30e")
    page.locator("input[name=list_price]").press_sequentially("56800")
    expect(_live(page, "net")).to_have_text("€56,800.00")
    expect(_live(page, "total")).to_have_text("€68,728.00")
    page.locator("input[name=discount]").press_sequentially("1200")
    page.select_option("select[name=trade_in_id]", value=str(trade_in.id))
    expect(_live(page, "trade_in")).to_have_text("− €9,000.00")  # the offered value
    page.locator("input[name=trade_in_deduction]").press_sequentially("8500")
    expect(_live(page, "net")).to_have_text("€55,600.00")
    expect(_live(page, "vat")).to_have_text("€11,676.00")
    expect(_live(page, "total")).to_have_text("€67,276.00")
    expect(_live(page, "trade_in")).to_have_text("− €8,500.00")
    expect(_live(page, "payable")).to_have_text("€58,776.00")
    page.fill("input[name=vat_rate]", "6")
    expect(_live(page, "vat")).to_have_text("€3,336.00")
    expect(_live(page, "payable")).to_have_text("€50,436.00")
    page.fill("input[name=vat_rate]", "21")
    expect(_live(page, "payable")).to_have_text("€58,776.00")
    page.screenshot(path=str(screenshot_dir / "offer-live-totals.png"), full_page=True)
    page.click("button[type=submit]:has-text('Save offer')")
    expect(page.locator(".alert-success")).to_contain_text("created")
    page.locator(".timeline a", has_text="Offer #").first.click()
    expect(page.locator(".offer-total")).to_have_text("€58,776.00")  # computed by the server
    expect(_live(page, "payable")).to_have_text("€58,776.00")


def test_offer_live_totals_in_french(page, live_server, e2e_user):
    """Numbers in the user's locale (data-locale), e.g. 58 776,00 € in French."""
    e2e_user.language = "fr"
    lead = make_lead(owner=e2e_user)
    db.session.commit()
    login(page, live_server, "manager@carflow.example")
    page.goto(f"{live_server}/admin/offers/new/{lead.id}")
    page.locator("input[name=list_price]").press_sequentially("55600")
    expect(_live(page, "total")).to_have_text("67\u202f276,00\u00a0€")
