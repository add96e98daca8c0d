"""Documents on a lead (F14): upload, download, rename, delete, limits and hostile input."""

from __future__ import annotations

import hashlib
import io
import os
import time

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.http import parse_options_header
from werkzeug.test import encode_multipart

from carflow.extensions import db
from carflow.models import Document, Event
from carflow.services.documents import upload_document
from carflow.storage import backend, stored_exists
from tests.factories import make_branch, make_lead, make_user

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n" + bytes(range(256))


def _upload(client, lead, data: bytes, filename: str, title: str = "Identity card"):
    # Encoded in memory: the test client would spool big bodies to a file it never closes.
    file = FileStorage(io.BytesIO(data), filename=filename)
    boundary, body = encode_multipart({"title": title, "file": file})
    return client.post(
        f"/admin/documents/new/{lead.id}",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def _documents(lead) -> list[Document]:
    return list(db.session.scalars(select(Document).where(Document.lead_id == lead.id)))


def _files(app) -> list[str]:
    """Every stored file and leftover temp file, in the local folder and the backend."""
    stored = backend().names_older_than(time.time() + 3600)
    return sorted(set(os.listdir(app.config["UPLOAD_FOLDER"])) | set(stored))


def _events(lead, kind: str) -> list[Event]:
    query = select(Event).where(Event.lead_id == lead.id, Event.kind == kind)
    return list(db.session.scalars(query))


@pytest.fixture
def user(login_as):
    return login_as("salesperson")


@pytest.fixture
def lead(user):
    return make_lead(owner=user)


def test_upload_lists_the_document_and_download_gives_the_same_bytes(app, client, user, lead):
    response = _upload(client, lead, PDF, "scan.pdf", title="  Identity   card ")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/leads/{lead.id}?tab=details")

    [document] = _documents(lead)
    assert document.title == "Identity card"
    assert document.original_filename == "scan.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF)
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.uploaded_by_id == user.id
    # Stored under a generated name, outside the static folder.
    assert _files(app) == [document.stored_name]
    assert document.stored_name != "scan.pdf" and len(document.stored_name) == 32
    assert stored_exists(document.stored_name)
    assert not os.path.exists(os.path.join(app.static_folder, document.stored_name))
    [event] = _events(lead, "document_uploaded")
    assert (event.ref_type, event.ref_id, event.actor_id) == ("document", document.id, user.id)

    page = client.get(f"/admin/leads/{lead.id}?tab=details").get_data(as_text=True)
    assert "documents-panel" in page and "Identity card" in page
    assert f"/admin/documents/{document.id}/download" in page
    assert "Document “Identity card” added" in page

    response = client.get(f"/admin/documents/{document.id}/download")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition, params = parse_options_header(response.headers["Content-Disposition"])
    assert disposition == "attachment" and params["filename"] == "scan.pdf"
    response.close()

    item = client.get(f"/admin/documents/{document.id}")
    assert item.status_code == 200 and document.sha256 in item.get_data(as_text=True)


def test_rename_is_logged_and_refused_from_a_stale_form(client, user, lead):
    document = upload_document(lead, user, io.BytesIO(PDF), "offer.pdf", "Old title")
    version = document.version_id
    form = client.get(f"/admin/documents/{document.id}/rename").get_data(as_text=True)
    assert 'value="Old title"' in form

    response = client.post(
        f"/admin/documents/{document.id}/rename", data={"title": "Signed offer", "version": version}
    )
    assert response.status_code == 302
    assert document.title == "Signed offer"
    [event] = _events(lead, "document_renamed")
    assert event.data == {"old": "Old title", "new": "Signed offer"}

    stale = client.post(
        f"/admin/documents/{document.id}/rename", data={"title": "Other", "version": version}
    )
    assert stale.status_code == 409
    assert "Someone else changed this record" in stale.get_data(as_text=True)
    assert document.title == "Signed offer"

    empty = client.post(
        f"/admin/documents/{document.id}/rename",
        data={"title": "   ", "version": document.version_id},
    )
    assert "Give the document a title." in empty.get_data(as_text=True)
    assert document.title == "Signed offer"


def test_delete_asks_for_confirmation_then_removes_record_and_file(app, client, user, lead):
    document = upload_document(lead, user, io.BytesIO(PDF), "offer.pdf", "Offer")
    db.session.commit()
    document_id, name = document.id, document.stored_name
    assert stored_exists(name)

    confirm = client.get(f"/admin/documents/{document_id}/delete")
    assert confirm.status_code == 200
    assert "This cannot be undone" in confirm.get_data(as_text=True)
    assert stored_exists(name) and db.session.get(Document, document_id) is not None

    response = client.post(
        f"/admin/documents/{document_id}/delete", data={"version": document.version_id}
    )
    assert response.status_code == 302
    assert db.session.get(Document, document_id) is None
    assert not stored_exists(name) and _files(app) == []
    [deleted] = _events(lead, "document_deleted")
    assert deleted.data == {"title": "Offer"} and deleted.actor_id == user.id
    # The upload event stays in the timeline but no longer links to a missing page.
    [uploaded] = _events(lead, "document_uploaded")
    assert uploaded.ref_id is None
    assert client.get(f"/admin/documents/{document_id}/download").status_code == 404


def test_a_file_over_the_limit_is_refused_with_a_clear_message(app, client, lead):
    app.config.update(MAX_UPLOAD_MB=1, MAX_CONTENT_LENGTH=2 * 1024 * 1024)
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10)
    response = _upload(client, lead, big, "big.pdf")
    assert response.status_code == 400
    assert "The file is larger than 1 MB." in response.get_data(as_text=True)
    assert _documents(lead) == [] and _files(app) == []


def test_an_oversized_request_body_gets_a_413_page(app, client, lead):
    app.config.update(MAX_UPLOAD_MB=1, MAX_CONTENT_LENGTH=2 * 1024 * 1024)
    response = _upload(client, lead, b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024), "huge.pdf")
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "File too large" in text and "limit of 1 MB" in text
    assert f"/admin/documents/new/{lead.id}" in text  # a way back to the form
    assert _documents(lead) == [] and _files(app) == []


@pytest.mark.parametrize("title", ["", "   "])
def test_a_title_is_mandatory(app, client, lead, title):
    response = _upload(client, lead, PDF, "scan.pdf", title=title)
    assert response.status_code == 400
    assert "Give the document a title." in response.get_data(as_text=True)
    assert _documents(lead) == [] and _files(app) == []


def test_a_file_is_mandatory(client, lead):
    response = client.post(f"/admin/documents/new/{lead.id}", data={"title": "Scan"})
    assert "Choose a file." in response.get_data(as_text=True)
    assert _documents(lead) == []


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "invoice.pdf", "Web pages"),
        (b"  <p>Click <a href=x>here</a></p>", "invoice.pdf", "Web pages"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "photo.png", "SVG"),
        (b"just some text, not a PDF", "invoice.pdf", "does not match its name (.pdf)"),
        (b"\x7fELF\x02\x01\x01" + bytes(200), "tool.txt", "not accepted"),
        (b"", "empty.pdf", "The file is empty."),
    ],
)
def test_disguised_or_unwanted_content_is_refused(app, client, lead, data, filename, message):
    response = _upload(client, lead, data, filename)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _documents(lead) == [] and _files(app) == []


def test_traversal_filename_is_only_kept_as_data(app, client, lead):
    response = _upload(client, lead, b"root:x:0:0:root:/root:/bin/bash\n", "../../etc/passwd")
    assert response.status_code == 302
    [document] = _documents(lead)
    assert document.original_filename == "passwd"
    assert document.content_type == "text/plain"
    assert _files(app) == [document.stored_name]
    assert stored_exists(document.stored_name)


@pytest.mark.parametrize(
    ("filename", "kept"),
    [
        ('my "quoted" name.txt', 'my "quoted" name.txt'),
        ("evil\r\nSet-Cookie: a=b.txt", "evilSet-Cookie: a=b.txt"),
        ("Offre signée ✓ Ωmega.txt", "Offre signée ✓ Ωmega.txt"),
        ('a\\b;"c.txt', 'b;"c.txt'),
    ],
)
def test_hostile_filenames_are_encoded_safely_in_the_download(client, user, lead, filename, kept):
    document = upload_document(lead, user, io.BytesIO(b"hello\n"), filename, "Notes")
    assert document.original_filename == kept
    response = client.get(f"/admin/documents/{document.id}/download")
    header = response.headers["Content-Disposition"]
    response.close()
    assert "\r" not in header and "\n" not in header
    assert header.isascii()
    disposition, params = parse_options_header(header)
    assert disposition == "attachment"
    assert params["filename"] == kept  # filename* (RFC 5987) decodes to the exact name
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback.isascii() and '"' not in fallback and "\\" not in fallback
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "text/plain"


def test_upload_of_a_non_ascii_name_through_the_form(client, lead):
    assert _upload(client, lead, PDF, "Bon de commande signé.pdf").status_code == 302
    [document] = _documents(lead)
    assert document.original_filename == "Bon de commande signé.pdf"


def test_users_of_another_branch_get_404_and_read_only_users_cannot_change(
    app, client, login_as, user, lead
):
    document = upload_document(lead, user, io.BytesIO(PDF), "scan.pdf", "Scan")
    db.session.commit()
    outsider = make_user("salesperson", branch=make_branch())
    login_as(user=outsider)
    for url in (
        f"/admin/documents/{document.id}",
        f"/admin/documents/{document.id}/download",
        f"/admin/documents/{document.id}/rename",
        f"/admin/documents/{document.id}/delete",
        f"/admin/documents/new/{lead.id}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/admin/documents/{document.id}/delete").status_code == 404

    reader = login_as("read_only")
    assert reader.branch_id == lead.branch_id
    download = client.get(f"/admin/documents/{document.id}/download")
    assert download.status_code == 200 and download.data == PDF
    download.close()
    assert client.get(f"/admin/documents/new/{lead.id}").status_code == 403
    assert client.post(f"/admin/documents/{document.id}/delete").status_code == 403
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert "action-document" not in page and "document-delete" not in page
    assert db.session.get(Document, document.id) is not None


def test_document_button_opens_the_upload_form(client, lead):
    page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert "action-document" in page
    form = client.get(f"/admin/documents/new/{lead.id}")
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.get_data(as_text=True)


def test_the_panel_runs_a_fixed_number_of_queries(client, user, lead, count_queries):
    upload_document(lead, user, io.BytesIO(PDF), "a.pdf", "First")
    db.session.commit()
    with count_queries() as one:
        client.get(f"/admin/leads/{lead.id}")
    for n in range(4):
        upload_document(lead, user, io.BytesIO(PDF), f"{n}.pdf", f"Doc {n}")
    db.session.commit()
    with count_queries() as five:
        page = client.get(f"/admin/leads/{lead.id}").get_data(as_text=True)
    assert page.count("document-item") == 5
    assert len(five) == len(one)


def test_an_oversized_body_anywhere_gets_the_413_page_not_a_crash(app):
    app.config.update(MAX_UPLOAD_MB=1, MAX_CONTENT_LENGTH=2 * 1024 * 1024)
    anonymous = app.test_client()
    response = anonymous.post(
        "/login", data=b"x" * (3 * 1024 * 1024), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "File too large" in response.get_data(as_text=True)
