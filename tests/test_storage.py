"""File storage (issue 17 item 6): one interface, local folder and S3 (moto server process).

The document, trade-in photo and logo suites run against S3 too:
`CARFLOW_TEST_STORAGE=s3 pytest tests/test_documents.py tests/test_trade_ins.py
tests/test_editions.py tests/test_storage.py`.
"""

from __future__ import annotations

import io
import os
import time
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests

from carflow.extensions import db
from carflow.services.documents import upload_document
from carflow.services.errors import ServiceError
from carflow.services.uploads import remove_orphan_uploads
from carflow.storage import (
    DOCUMENT_TYPES,
    backend,
    delete_stored,
    open_stored,
    save_upload,
    stale_files,
    stored_exists,
    stored_size,
)
from carflow.storage_backends import LocalBackend, S3Backend
from tests.conftest import IsolatedClient
from tests.factories import make_branch, make_lead, make_user
from tests.s3_server import s3_settings

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n" + bytes(range(256))


@pytest.fixture
def login_as_factory():
    """A signed-in test client of `application` for a new user of `role`."""

    def login(application, role: str, branch_name: str = "Brussels"):
        user = make_user(role, branch=make_branch(branch_name))
        db.session.commit()
        application.test_client_class = IsolatedClient
        client = application.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return client, user

    return login


@pytest.fixture(params=["local", "s3"])
def storage_app(request, make_app):
    """The app on each backend; S3 is a moto server in its own process on loopback."""
    settings = s3_settings(sse="AES256") if request.param == "s3" else {"CARFLOW_STORAGE": "local"}
    application = make_app(**settings)
    with application.app_context():
        yield application
        db.session.remove()


def test_save_open_size_delete_on_both_backends(storage_app):
    saved = save_upload(io.BytesIO(PDF), "../scan.pdf", DOCUMENT_TYPES)
    assert saved.original_filename == "scan.pdf" and saved.content_type == "application/pdf"
    assert stored_exists(saved.stored_name) and stored_size(saved.stored_name) == len(PDF)
    with open_stored(saved.stored_name) as stream:
        assert stream.read() == PDF
    # Nothing but temp files ever lands in the local folder with S3.
    local = os.listdir(storage_app.config["UPLOAD_FOLDER"])
    expected = [saved.stored_name] if isinstance(backend(), LocalBackend) else []
    assert local == expected
    delete_stored(saved.stored_name)
    assert not stored_exists(saved.stored_name)
    with pytest.raises(FileNotFoundError):
        open_stored(saved.stored_name)


def test_refused_upload_leaves_nothing_on_both_backends(storage_app):
    with pytest.raises(ServiceError, match="SVG"):
        save_upload(io.BytesIO(b"<svg/>"), "x.png", DOCUMENT_TYPES)
    assert list(backend().names_older_than(time.time() + 60)) == []
    assert os.listdir(storage_app.config["UPLOAD_FOLDER"]) == []


def test_names_are_checked_before_reaching_a_path_or_key(storage_app):
    for bad in ("../etc/passwd", "A" * 32, ""):
        with pytest.raises(ValueError):
            open_stored(bad)


def test_orphan_sweep_lists_old_objects_and_keeps_used_ones(storage_app):
    lead = make_lead()
    document = upload_document(lead, lead.owner, io.BytesIO(PDF), "kept.pdf", "Kept")
    orphan = save_upload(io.BytesIO(PDF), "orphan.pdf", DOCUMENT_TYPES)
    db.session.commit()
    stored, temps = stale_files(-60)  # everything counts as old
    assert {document.stored_name, orphan.stored_name} <= set(stored) and temps == []
    assert remove_orphan_uploads(-60)["orphans"] == 1
    assert stored_exists(document.stored_name) and not stored_exists(orphan.stored_name)


def test_s3_objects_are_encrypted_and_prefixed(make_app):
    settings = s3_settings(sse="AES256")
    with make_app(**settings).app_context():
        saved = save_upload(io.BytesIO(PDF), "a.pdf", DOCUMENT_TYPES)
        store = backend()
        assert isinstance(store, S3Backend)
        client = boto3.client("s3", endpoint_url=settings["CARFLOW_S3_ENDPOINT_URL"])
        head = client.head_object(Bucket=store.bucket, Key="uploads/" + saved.stored_name)
        assert head["ServerSideEncryption"] == "AES256"
        assert head["ContentLength"] == len(PDF)


def test_document_download_streams_through_the_permission_check(make_app, login_as_factory):
    application = make_app(**s3_settings())
    with application.app_context():
        client, user = login_as_factory(application, "salesperson")
        lead = make_lead(owner=user, branch=user.branch)
        document = upload_document(lead, user, io.BytesIO(PDF), "offer.pdf", "Offer")
        db.session.commit()
        response = client.get(f"/admin/documents/{document.id}/download")
        assert response.status_code == 200 and response.data == PDF
        assert response.headers["Content-Length"] == str(len(PDF))
        assert response.headers["Content-Disposition"].startswith("attachment")
        response.close()
        stranger, _ = login_as_factory(application, "salesperson", branch_name="Ghent")
        assert stranger.get(f"/admin/documents/{document.id}/download").status_code == 404


def test_presigned_download_redirects_after_the_check(make_app, login_as_factory):
    application = make_app(**s3_settings(presign=60))
    with application.app_context():
        client, user = login_as_factory(application, "salesperson")
        lead = make_lead(owner=user, branch=user.branch)
        document = upload_document(lead, user, io.BytesIO(PDF), "offer.pdf", "Offer")
        db.session.commit()
        response = client.get(f"/admin/documents/{document.id}/download")
        assert response.status_code == 303
        url = response.headers["Location"]
        query = parse_qs(urlsplit(url).query)
        assert int(query["X-Amz-Expires"][0]) == 60
        fetched = requests.get(url, timeout=10)
        assert fetched.status_code == 200 and fetched.content == PDF
        assert fetched.headers["Content-Disposition"].startswith("attachment")


def _unreachable_s3() -> dict:
    from tests.s3_server import _free_port

    settings = s3_settings()
    settings["CARFLOW_S3_ENDPOINT_URL"] = f"http://127.0.0.1:{_free_port()}"  # nobody listens
    return settings


def test_a_store_that_cannot_be_reached_refuses_the_upload_cleanly(make_app):
    application = make_app(**_unreachable_s3())
    with application.app_context():
        with pytest.raises(ServiceError, match="could not be stored"):
            save_upload(io.BytesIO(PDF), "a.pdf", DOCUMENT_TYPES)
        assert os.listdir(application.config["UPLOAD_FOLDER"]) == []  # temp file removed


def test_a_store_that_cannot_be_reached_answers_503_not_500(make_app, login_as_factory):
    working = make_app(**s3_settings())
    with working.app_context():
        client, user = login_as_factory(working, "salesperson")
        lead = make_lead(owner=user, branch=user.branch)
        document = upload_document(lead, user, io.BytesIO(PDF), "offer.pdf", "Offer")
        db.session.commit()
        broken = make_app(**_unreachable_s3())
        broken.test_client_class = IsolatedClient
        other = broken.test_client()
        with other.session_transaction() as session:
            session["_user_id"], session["_fresh"] = user.get_id(), True
        assert other.get(f"/admin/documents/{document.id}/download").status_code == 503


def test_a_download_closed_before_its_first_chunk_closes_the_file(make_app, monkeypatch):
    """The WSGI server closes a response whose client went away; the stored file is then
    closed at once, even before its first chunk was read (the garbage collector closing it
    later warned in an unrelated test)."""
    from carflow import storage

    application = make_app(CARFLOW_STORAGE="local")
    opened = []

    def watched_open(name):
        opened.append(open_stored(name))
        return opened[-1]

    with application.test_request_context():
        saved = save_upload(io.BytesIO(PDF), "scan.pdf", DOCUMENT_TYPES)
        monkeypatch.setattr(storage, "open_stored", watched_open)
        dropped = storage.download_response(saved.stored_name, "application/pdf", "inline")
        read = storage.download_response(saved.stored_name, "application/pdf", "inline")
    assert dropped.status_code == 200 and not opened[0].closed
    dropped.close()
    assert opened[0].closed
    assert b"".join(read.response) == PDF and opened[1].closed
    read.close()
