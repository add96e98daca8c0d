"""Import and export in real Chromium (issue 17): a CSV with two bad rows → preview →
errors → import → contacts listed; the overview exported with a filter (a download).
The queue's passes are run by the test (the worker's part) while the page polls."""

from __future__ import annotations

import csv
from pathlib import Path

from playwright.sync_api import expect

from carflow.extensions import db
from carflow.models import LeadStatus
from tests.e2e.axe import axe_violations, describe
from tests.e2e.conftest import login
from tests.factories import make_branch, make_contact, make_lead, make_user
from tests.queue import run_queued_jobs

CSV_TEXT = (
    "Prénom;Nom;E-mail;GSM;Ville\n"
    "Anne;Dupont;anne.dupont@example.be;0470 11 22 33;Namur\n"
    "Bert;Peeters;bert-at-example.be;0471 22 33 44;Gent\n"
    "Chloé;Martin;chloe.martin@example.be;0472 33 44 55;Liège\n"
    "Dirk;Janssens;dirk.janssens@example.be;12;Leuven\n"
)


def _admin():
    branch = make_branch("Namur", country="BE")
    user = make_user("admin", branch=branch, email="admin@carflow.example")
    db.session.commit()
    return user


def _shot(page, directory: Path, name: str) -> None:
    """Screenshots at 1366 and 390 px, after axe found no serious violation (WCAG 2.1 AA)."""
    found = axe_violations(page, name, directory)
    assert not found, describe(found)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(directory / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_import_a_csv_with_two_bad_rows(app, page, live_server, screenshot_dir):
    _admin()
    login(page, live_server, "admin@carflow.example")
    page.goto(f"{live_server}/admin/import/")
    page.get_by_label("The file holds").select_option("contacts")
    page.get_by_label("CSV or XLSX file").set_input_files(
        {"name": "clients.csv", "mimeType": "text/csv", "buffer": CSV_TEXT.encode("cp1252")}
    )
    page.get_by_role("button", name="Upload and preview").click()

    preview = page.locator("table.import-preview")
    expect(preview).to_contain_text("Chloé")
    expect(page.get_by_label("Field for column E-mail")).to_have_value("email")
    expect(page.get_by_label("Field for column GSM")).to_have_value("mobile")
    _shot(page, screenshot_dir, "import-preview")

    page.get_by_role("button", name="Check every row").click()
    expect(page.locator(".import-progress progress")).to_be_visible()
    run_queued_jobs(live_server.app)
    errors = page.locator("table.import-errors tbody tr")
    expect(errors).to_have_count(2)  # the page reloaded itself when the check ended
    expect(errors.nth(0)).to_contain_text("Not an e-mail address.")
    expect(errors.nth(1)).to_contain_text("Not a phone number.")
    expect(page.locator(".import-counts")).to_contain_text("2")
    _shot(page, screenshot_dir, "import-errors")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the error report (CSV)").click()
    report = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert [row[:2] for row in csv.reader(report.splitlines())] == [
        ["Row", "Column"], ["3", "E-mail"], ["5", "GSM"],
    ]  # fmt: skip

    page.get_by_role("button", name="Import the rows without errors").click()
    expect(page.locator(".alert-success")).to_contain_text("The import has started.")
    run_queued_jobs(live_server.app)
    expect(page.locator(".import-status")).to_have_text("Imported")
    _shot(page, screenshot_dir, "import-done")

    page.goto(f"{live_server}/admin/contact/")
    table = page.locator("table")
    expect(table).to_contain_text("Dupont")
    expect(table).to_contain_text("Martin")
    expect(table).not_to_contain_text("Peeters")
    _shot(page, screenshot_dir, "import-contacts")


def test_export_the_overview_with_a_filter(app, page, live_server, screenshot_dir):
    admin = _admin()
    won = make_lead(owner=admin, contact=make_contact(last_name="Gewonnen"))
    won.status = LeadStatus.won
    make_lead(owner=admin, contact=make_contact(last_name="Open"))
    db.session.commit()
    login(page, live_server, "admin@carflow.example")
    page.goto(f"{live_server}/admin/lead/?flt0_0=won")
    expect(page.locator(".export-buttons")).to_be_visible()
    _shot(page, screenshot_dir, "export-overview")
    with page.expect_download() as info:
        page.locator(".export-csv").click()
    download = info.value
    assert download.suggested_filename.startswith("leads-")
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(Path(download.path()).read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][0] == "Code" and [r[0] for r in rows[1:]] == [won.code]
    assert "Gewonnen" in rows[1][1]
