"""Issue 17 item 2: the subject access export of a contact with every kind of record."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from carflow.extensions import db
from carflow.models import Event
from carflow.models.privacy import PrivacyLog
from tests.privacy_records import PDF, PNG, make_person

OUTPUT = Path(__file__).resolve().parents[1] / "test-output"


def _export(client, contact_id: int):
    with client.post(f"/admin/privacy/contacts/{contact_id}/export") as response:
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        assert response.mimetype == "application/zip"
        assert "attachment" in response.headers["Content-Disposition"]
        return zipfile.ZipFile(io.BytesIO(response.get_data()))


def _export_status(client, contact_id: int) -> int:
    with client.post(f"/admin/privacy/contacts/{contact_id}/export") as response:
        return response.status_code


def test_the_archive_holds_every_record_documents_and_a_readable_summary(
    app, client, login_as, branch
):
    manager = login_as("sales_manager")
    person = make_person(branch)
    contact_id, values = person.contact.id, person.values

    archive = _export(client, contact_id)
    data = json.loads(archive.read("data.json"))

    assert data["contact"]["email"] == values["email"]
    assert data["contact"]["last_name"] == "Vandersmissen"
    assert {lead["code"] for lead in data["leads"]} == {person.lead.code, person.second_lead.code}
    assert data["linked_leads"] == [
        {"lead_id": person.other_lead.id, "code": person.other_lead.code, "relation": "co-driver"}
    ]
    assert [r["relation"] for r in data["linked_contacts"]] == ["spouse"]
    assert data["trade_ins"][0]["vin"] == values["vin"]
    assert data["trade_ins"][0]["plate"] == values["plate"]
    assert data["offers"][0]["notes"] == "Price agreed with Annelies"
    assert data["test_drives"][0]["licence_number"] == values["licence"]
    assert data["tasks"][0]["title"] == "Call Annelies back"
    assert data["communications"][0]["body"].startswith("Dear Annelies Vandersmissen")
    assert data["communications"][0]["recipients"] == [values["email"]]
    assert [(c["channel"], c["purpose"], c["granted"]) for c in data["consents"]] == [
        ("email", "marketing", True),
        ("sms", "service", False),
    ]
    assert data["deadlines"], "the first-contact deadline"
    assert data["documents"][0]["title"] == "ID of Annelies"
    kinds = {event["kind"] for event in data["events"]}
    assert {"note", "comment_changed", "trade_in_added", "communication_queued"} <= kinds
    note = next(e for e in data["events"] if e["kind"] == "note")
    assert note["text"] == "Called Annelies on +32 470 99 88 77"
    # The files themselves, byte for byte.
    assert archive.read(data["documents"][0]["file"]) == PDF
    assert archive.read(data["trade_in_photos"][0]["file"]) == PNG
    assert "version_id" not in data["contact"] and "stored_name" not in data["documents"][0]

    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "privacy-summary.pdf").write_bytes(archive.read("summary.pdf"))  # to look at
    summary = PdfReader(io.BytesIO(archive.read("summary.pdf")))
    text = "".join(page.extract_text() for page in summary.pages)
    assert "Annelies Vandersmissen" in text
    assert values["vin"] in text and values["licence"] in text
    assert "Persoonsgegevens van Annelies Vandersmissen" in text  # her language: Dutch

    log = db.session.scalars(select(PrivacyLog)).all()
    assert [(e.action, e.contact_id, e.actor_id) for e in log] == [
        ("export", contact_id, manager.id)
    ]
    assert log[0].counts["communications"] == 1 and log[0].counts["files"] == 2
    exported = db.session.scalars(
        select(Event.lead_id).where(Event.kind == "personal_data_exported")
    ).all()
    assert sorted(exported) == sorted([person.lead.id, person.second_lead.id])


def test_the_export_is_offered_to_managers_and_refused_to_salespeople(client, login_as, branch):
    person = make_person(branch)
    login_as("salesperson")
    page = client.get(f"/admin/contacts/{person.contact.id}").get_data(as_text=True)
    assert "Annelies" in page and "privacy-export" not in page
    assert _export_status(client, person.contact.id) == 403
    login_as("sales_manager")
    page = client.get(f"/admin/contacts/{person.contact.id}").get_data(as_text=True)
    assert "privacy-export" in page


def test_a_contact_out_of_scope_is_not_found(client, login_as, branch):
    from tests.factories import make_branch

    person = make_person(make_branch())
    login_as("salesperson")
    assert _export_status(client, person.contact.id) == 404
    login_as("admin", branch_=branch)
    assert _export_status(client, person.contact.id) == 200


def test_an_export_that_is_rolled_back_closes_its_archive(app, login_as, branch, monkeypatch):
    """The archive is a temporary file the download closes. When the export's transaction
    rolls back instead (here its log line cannot be written), nothing will send it: it is
    closed then, not left to the garbage collector; a failure while it is written closes it
    too."""
    from carflow.services import subject_access
    from carflow.services.errors import ServiceError
    from carflow.unit_of_work import run_action

    manager = login_as("sales_manager")
    contact = make_person(branch).contact
    archives = []
    real_write = subject_access._write_archive  # noqa: SLF001  our own module's helper

    def keep(*args):
        archives.append(real_write(*args))
        return archives[-1]

    monkeypatch.setattr(subject_access, "_write_archive", keep)

    def export_then_refuse():
        subject_access.export_personal_data(manager, contact)
        raise ServiceError("refused after the archive was written")

    result, error = run_action(export_then_refuse)
    assert result is None and error.message == "refused after the archive was written"
    assert len(archives) == 1 and archives[0].closed
    assert db.session.scalars(select(PrivacyLog)).all() == []

    opened = []
    real_temporary_file = subject_access.tempfile.TemporaryFile

    def watched_temporary_file():
        opened.append(real_temporary_file())
        return opened[-1]

    def broken_pdf(*args):
        raise RuntimeError("the PDF could not be typeset")

    monkeypatch.setattr(subject_access.tempfile, "TemporaryFile", watched_temporary_file)
    monkeypatch.setattr(subject_access, "render_summary_pdf", broken_pdf)
    with pytest.raises(RuntimeError, match="typeset"):
        run_action(lambda: subject_access.export_personal_data(manager, contact))
    assert len(opened) == 1 and opened[0].closed


def test_a_download_closed_early_closes_its_archive(app, client, login_as, branch, monkeypatch):
    """The WSGI server closes the response when the client goes away mid-download: the
    temporary archive is closed then, not when the garbage collector finds it."""
    from carflow.services import subject_access

    login_as("sales_manager")
    contact_id = make_person(branch).contact.id
    archives = []
    real_write = subject_access._write_archive  # noqa: SLF001  our own module's helper
    monkeypatch.setattr(
        subject_access,
        "_write_archive",
        lambda *args: archives.append(real_write(*args)) or archives[-1],
    )
    response = client.post(f"/admin/privacy/contacts/{contact_id}/export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert len(archives) == 1 and not archives[0].closed
    response.close()
    assert archives[0].closed
