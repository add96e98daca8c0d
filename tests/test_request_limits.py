"""Request-size limit under the DEFAULT configuration (issue 12): a body over
MAX_UPLOAD_MB + 1 MB answers 413 before anything is read or written to disk."""

from __future__ import annotations

import io
import os

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from carflow import create_app
from carflow.config import Config
from carflow.extensions import db
from carflow.models import Document
from tests.factories import make_lead

MB = 1024 * 1024


def test_the_default_configuration_sets_the_limit_from_max_upload_mb(app):
    # Nothing in the test configuration sets MAX_CONTENT_LENGTH: this is the product default.
    assert not hasattr(Config, "MAX_CONTENT_LENGTH")
    assert app.config["MAX_UPLOAD_MB"] == 20
    assert app.config["MAX_CONTENT_LENGTH"] == 21 * MB


def test_an_explicit_number_in_the_configuration_is_kept(tmp_path):
    custom = create_app(
        {
            "MAX_CONTENT_LENGTH": 5 * MB,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "UPLOAD_FOLDER": str(tmp_path),
            "SECRET_KEY": "x",
        }
    )
    assert custom.config["MAX_CONTENT_LENGTH"] == 5 * MB


def _files(app) -> list[str]:
    return sorted(os.listdir(app.config["UPLOAD_FOLDER"]))


def test_a_25_mb_upload_answers_413_and_nothing_is_written(app, client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    db.session.commit()
    file = FileStorage(io.BytesIO(b"%PDF-1.4\n" + b"0" * (25 * MB)), filename="big.pdf")
    boundary, body = encode_multipart({"title": "Big", "file": file})
    response = client.post(
        f"/admin/documents/new/{lead.id}",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 413
    assert "File too large" in response.get_data(as_text=True)
    assert "larger than 20 MB" not in response.get_data(as_text=True)
    assert _files(app) == []
    assert db.session.query(Document).count() == 0
    # The app still answers normally afterwards.
    assert client.get(f"/admin/leads/{lead.id}").status_code == 200


def test_a_25_mb_anonymous_login_post_answers_413(app, client):
    response = client.post(
        "/login",
        data=b"email=a%40b.example&password=" + b"x" * (25 * MB),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert _files(app) == []
    assert client.get("/login").status_code == 200
