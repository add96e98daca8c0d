"""Import of contacts and stock from CSV/XLSX (issue 17 item 4): upload, preview and
mapping, check with an error report, background import in batches, idempotent re-runs."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from carflow.extensions import db
from carflow.models import AuditLog, Contact, DataImport, ImportStatus, Vehicle
from tests.factories import make_contact, make_vehicle
from tests.queue import run_queued_jobs

CONTACTS_CSV = (
    "Prénom;Nom;E-mail;GSM;Ville\n"
    "Anne;Dupont;anne@example.be;0470 11 22 33;Namur\n"
    "Bert;Peeters;not-an-email;0471 22 33 44;Gent\n"
    "Chloé;Martin;chloe@example.be;;Liège\n"
    ";;;;\n"
    "Dirk;;dirk@example.be;0472 33 44 55;Leuven\n"
    "Eva;Jacobs;EVA@example.be;12;Brugge\n"
)


@pytest.fixture
def admin(login_as, branch):
    branch.country = "BE"
    return login_as("admin")


def upload(client, data: bytes, filename: str, kind: str = "contacts", branch_id: int = 0):
    return client.post(
        "/admin/import/",
        data={"kind": kind, "branch_id": str(branch_id), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def uploaded(client, data: bytes, filename: str, **kwargs) -> DataImport:
    response = upload(client, data, filename, **kwargs)
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(select(DataImport).order_by(DataImport.id.desc())).first()


def check_and_import(app, client, record: DataImport, mapping=None) -> DataImport:
    page = client.get(f"/admin/import/{record.id}")
    assert page.status_code == 200
    response = client.post(
        f"/admin/import/{record.id}", data={"mapping": mapping or record.mapping}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    run_queued_jobs(app)
    db.session.refresh(record)
    assert record.status == ImportStatus.checked
    assert client.post(f"/admin/import/{record.id}/run").status_code == 302
    run_queued_jobs(app)
    db.session.refresh(record)
    assert record.status == ImportStatus.done
    return record


def test_preview_matches_french_headers_and_shows_first_rows(client, admin, branch):
    record = uploaded(client, CONTACTS_CSV.encode("cp1252"), "contacts.csv", branch_id=branch.id)
    assert (record.file_format, record.encoding, record.delimiter) == ("csv", "cp1252", ";")
    assert record.mapping == ["first_name", "last_name", "email", "mobile", "city"]
    page = client.get(f"/admin/import/{record.id}").get_data(as_text=True)
    assert "Chloé" in page and "Liège" in page and "import-preview" in page


def test_check_then_import_reports_bad_rows_and_creates_the_rest(app, client, admin, branch):
    existing = make_contact(first_name="Anne", last_name="Old", email="anne@example.be")
    record = uploaded(client, b"\xef\xbb\xbf" + CONTACTS_CSV.encode(), "c.csv", branch_id=branch.id)
    record = check_and_import(app, client, record)
    assert (record.total_rows, record.error_count) == (5, 3)
    assert (record.created_count, record.updated_count) == (1, 1)
    db.session.refresh(existing)
    assert existing.last_name == "Dupont" and existing.mobile == "+32470112233"
    chloe = db.session.scalars(select(Contact).where(Contact.email == "chloe@example.be")).one()
    assert chloe.branch_id == branch.id and chloe.city == "Liège"
    report = client.get(f"/admin/import/{record.id}/errors.csv")
    assert report.status_code == 200
    rows = list(csv.reader(io.StringIO(report.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Row", "Column", "Value", "Reason"]
    assert rows[1:] == [
        ["3", "E-mail", "not-an-email", "Not an e-mail address."],
        ["6", "Nom", "", "A value is required."],
        ["7", "GSM", "12", "Not a phone number."],
    ]
    assert record.stored_name is None  # the file is removed once imported
    audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "data_imported")).one()
    assert audit.details["created"] == 1 and audit.actor_id == admin.id


def test_importing_the_same_file_again_changes_nothing(app, client, admin, branch):
    data = CONTACTS_CSV.encode()
    check_and_import(app, client, uploaded(client, data, "c.csv", branch_id=branch.id))
    before = [
        (c.id, c.version_id) for c in db.session.scalars(select(Contact).order_by(Contact.id))
    ]
    again = uploaded(client, data, "c.csv", branch_id=branch.id)
    assert "already imported" in client.get(f"/admin/import/{again.id}").get_data(as_text=True)
    again = check_and_import(app, client, again)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    after = [(c.id, c.version_id) for c in db.session.scalars(select(Contact).order_by(Contact.id))]
    assert after == before


def test_mapping_is_editable_and_required_fields_are_asked_for(app, client, admin):
    record = uploaded(client, b"Who,Mail\nDupont,a@b.be\n", "x.csv")
    assert record.mapping == ["", "email"]
    refused = client.post(f"/admin/import/{record.id}", data={"mapping": ["", "email"]})
    assert refused.status_code == 400
    assert "Choose a column for: Last name or company." in refused.get_data(as_text=True)
    check_and_import(app, client, record, mapping=["last_name", "email"])
    assert db.session.scalar(select(Contact.last_name).where(Contact.email == "a@b.be")) == "Dupont"


def test_stock_xlsx_with_decimal_commas_dates_and_vin(app, client, admin, branch):
    kept = make_vehicle(stock_number="S1", price=Decimal("100"))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Numéro de stock", "Marque", "Modèle", "Prix", "VIN", "Eerste inschrijving"])
    sheet.append(["S1", kept.make, kept.model, "12.500,50", None, "31/03/2021"])
    sheet.append(["S2", "Volvo", "XC40", 31999, "YV1XZ12345A123456", "2022-01-15"])
    sheet.append(["S3", "Volvo", "XC60", "cheap", "BADVIN", "yesterday"])
    stream = io.BytesIO()
    workbook.save(stream)
    record = uploaded(client, stream.getvalue(), "stock.xlsx", kind="stock", branch_id=branch.id)
    assert record.file_format == "xlsx"
    record = check_and_import(app, client, record)
    assert (record.created_count, record.updated_count, record.error_count) == (1, 1, 1)
    db.session.refresh(kept)
    assert kept.price == Decimal("12500.50") and str(kept.first_registration) == "2021-03-31"
    new = db.session.scalars(select(Vehicle).where(Vehicle.stock_number == "S2")).one()
    assert new.vin == "YV1XZ12345A123456" and new.price == Decimal("31999.00")
    reasons = {row[1]: row[3] for row in _report(client, record)}
    assert set(reasons) == {"Prix", "VIN", "Eerste inschrijving"}


def _report(client, record):
    text = client.get(f"/admin/import/{record.id}/errors.csv").get_data(as_text=True)
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1:]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "The file is empty."),
        (b"<html><script>alert(1)</script></html>", "Web pages and SVG files"),
        (b"PK\x03\x04 not really a workbook", "cannot be read"),
        (b"\n\n", "The first row must hold the column names."),
    ],
)
def test_unreadable_files_are_refused_on_the_form(client, admin, data, message):
    response = upload(client, data, "x.csv")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(DataImport.id))) == 0


def test_status_endpoint_reports_progress(app, client, admin):
    record = uploaded(client, CONTACTS_CSV.encode(), "c.csv")
    client.post(f"/admin/import/{record.id}", data={"mapping": record.mapping})
    status = client.get(f"/admin/import/{record.id}/status").get_json()
    assert status["status"] == "checking" and status["finished"] is False
    run_queued_jobs(app)
    status = client.get(f"/admin/import/{record.id}/status").get_json()
    assert status == status | {"status": "checked", "total": 5, "processed": 5, "errors": 3}
    assert status["percent"] == 100 and status["finished"] is True


@pytest.mark.parametrize("role", ["sales_manager", "salesperson", "read_only"])
def test_only_administrators_import(client, login_as, role):
    login_as(role)
    assert client.get("/admin/import/").status_code == 403
    assert upload(client, CONTACTS_CSV.encode(), "c.csv").status_code == 403


def test_import_pages_run_a_fixed_number_of_queries(app, client, admin, count_queries):
    small = uploaded(client, CONTACTS_CSV.encode(), "c.csv")
    check_and_import(app, client, small)
    many = "Nom;E-mail\n" + "".join(f"N{n};bad{n}\n" for n in range(300))
    big = uploaded(client, many.encode(), "big.csv")
    client.post(f"/admin/import/{big.id}", data={"mapping": big.mapping})
    run_queued_jobs(app)
    counts = []
    for record in (small, big):
        for path in ("", "/status"):
            client.get(f"/admin/import/{record.id}{path}")  # warm caches
            with count_queries() as queries:
                assert client.get(f"/admin/import/{record.id}{path}").status_code == 200
            counts.append(len(queries))
    with count_queries() as index_queries:
        assert client.get("/admin/import/").status_code == 200
    assert counts[0] == counts[2] and counts[1] == counts[3]  # 5 vs 300 errors: same count
    assert counts[0] <= 8 and counts[1] <= 4 and len(index_queries) <= 6, counts


def test_a_queue_that_is_down_leaves_the_import_waiting_then_offers_the_button(
    make_app, monkeypatch
):
    from datetime import timedelta

    from tests.conftest import IsolatedClient
    from tests.factories import make_user

    application = make_app(CARFLOW_QUEUE_URL="redis://127.0.0.1:1/0")  # nothing listens
    with application.app_context():
        user = make_user("admin")
        db.session.commit()
        application.test_client_class = IsolatedClient
        client = application.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = user.get_id(), True
        record = uploaded(client, CONTACTS_CSV.encode(), "c.csv")
        response = client.post(f"/admin/import/{record.id}", data={"mapping": record.mapping})
        assert response.status_code == 302  # saved; the enqueue failure is only logged
        db.session.refresh(record)
        assert record.status == ImportStatus.checking and record.started_at is None
        again = client.post(f"/admin/import/{record.id}", data={"mapping": record.mapping})
        assert again.status_code == 400 and "wait until it ends" in again.get_data(as_text=True)
        record.queued_at -= timedelta(minutes=5)
        db.session.commit()
        assert client.get(f"/admin/import/{record.id}/status").get_json()["stalled"] is True
        page = client.get(f"/admin/import/{record.id}").get_data(as_text=True)
        assert "No worker has started this step yet" in page and "Check every row" in page


def test_a_pass_is_claimed_once_even_when_queued_twice(app, client, admin):
    from carflow.data_import.job import run_import_pass

    record = uploaded(client, CONTACTS_CSV.encode(), "c.csv")
    client.post(f"/admin/import/{record.id}", data={"mapping": record.mapping})
    assert run_import_pass(record.id, False) == ImportStatus.checked
    assert run_import_pass(record.id, False) is None  # a second copy of the task: no-op
    db.session.refresh(record)
    assert record.error_count == 3 and record.processed_rows == 5


def test_stock_row_whose_number_and_vin_belong_to_two_cars_is_refused(app, client, admin):
    first = make_vehicle(stock_number="A1", vin="YV1XZ12345A000001")
    make_vehicle(stock_number="B2", vin="YV1XZ12345A000002")
    data = "Stock number,Make,Model,Price,VIN\nA1,Volvo,XC40,20000,YV1XZ12345A000002\n"
    record = check_and_import(app, client, uploaded(client, data.encode(), "s.csv", kind="stock"))
    assert (record.error_count, record.updated_count, record.created_count) == (1, 0, 0)
    assert _report(client, record) == [
        ["2", "VIN", "YV1XZ12345A000002", "Another vehicle already has this stock number or VIN."]
    ]
    db.session.refresh(first)
    assert first.vin == "YV1XZ12345A000001"


def test_a_contact_whose_number_was_typed_by_hand_is_matched_not_duplicated(
    app, client, admin, branch
):
    """The row's GSM in E.164 finds the contact whose mobile was typed "0470/11.22.33" in the
    UI (through the E.164 columns the intake keeps), so no second contact is made."""
    typed = make_contact(first_name="Anne", last_name="Dupont", email=None, mobile="0470/11.22.33")
    db.session.commit()
    csv_text = "Prénom;Nom;GSM\nAnne;Dupont;+32 470 11 22 33\n"
    record = check_and_import(app, client, uploaded(client, csv_text.encode(), "c.csv"))
    assert (record.created_count, record.error_count) == (0, 0)
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 1
    assert db.session.get(Contact, typed.id).mobile_e164 == "+32470112233"
