"""Issue 14: stylesheets and scripts are kept by the browser, under URLs that change with
their content (`carflow/static_files.py`)."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import flask_admin
from flask import url_for

from carflow.static_files import file_version

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "static"
FLASK_ADMIN_STATIC = Path(flask_admin.__file__).resolve().parent / "static"
KEEP_A_YEAR = "public, max-age=31536000, immutable"


def versioned(folder: Path, filename: str) -> str:
    """`filename?v=<first 12 hex digits of the SHA-256 of its bytes>`, computed here."""
    digest = hashlib.sha256((folder / filename).read_bytes()).hexdigest()[:12]
    return f"{filename}?v={digest}"


def test_every_asset_link_of_a_page_carries_its_files_hash(client, login_as):
    login_as("salesperson")
    response = client.get("/admin/lead/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    links = re.findall(r'(?:src|href)="(/(?:admin/)?static/[^"]+)"', html)
    assert len(links) >= 15
    for link in links:
        prefix = "/admin/static/" if link.startswith("/admin/static/") else "/static/"
        folder = FLASK_ADMIN_STATIC if prefix == "/admin/static/" else STATIC
        filename = link.removeprefix(prefix).partition("?")[0]
        assert link == prefix + versioned(folder, filename)


def test_a_versioned_file_is_kept_a_year_and_served_whole(client):
    for folder, prefix, filename in (
        (STATIC, "/static/", "js/carflow.js"),
        (FLASK_ADMIN_STATIC, "/admin/static/", "vendor/jquery.min.js"),
    ):
        with client.get(prefix + versioned(folder, filename)) as response:
            assert response.status_code == 200
            assert response.headers["Cache-Control"] == KEEP_A_YEAR
            assert response.data == (folder / filename).read_bytes()


def test_another_spelling_of_a_files_path_is_the_same_file(client):
    """The answer is checked against the hash of the file under its normalized path, so
    any spelling of a versioned URL is kept a year like the canonical one."""
    _path, _, version = versioned(STATIC, "js/carflow.js").partition("?v=")
    for spelling in ("js/./carflow.js", "js//carflow.js"):
        with client.get(f"/static/{spelling}?v={version}") as response:
            assert response.status_code == 200
            assert response.headers["Cache-Control"] == KEEP_A_YEAR


def test_a_conditional_request_for_a_versioned_file_keeps_the_year(client):
    url = "/static/" + versioned(STATIC, "css/carflow.css")
    with client.get(url) as first:
        etag = first.headers["ETag"]
    with client.get(url, headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304
        assert again.headers["Cache-Control"] == KEEP_A_YEAR


def test_without_the_current_hash_a_file_is_revalidated_on_every_use(client):
    for url in ("/static/js/carflow.js", "/static/js/carflow.js?v=0123456789ab"):
        with client.get(url) as response:
            assert response.status_code == 200
            assert response.headers["Cache-Control"] == "no-cache"
            assert response.data == (STATIC / "js/carflow.js").read_bytes()


def test_a_missing_file_gets_no_version_and_a_404(app, client):
    with app.test_request_context():
        assert url_for("static", filename="js/nowhere.js") == "/static/js/nowhere.js"
    with client.get("/static/js/nowhere.js?v=0123456789ab") as response:
        assert response.status_code == 404
        assert "immutable" not in response.headers.get("Cache-Control", "")


def test_a_changed_file_gets_a_new_version(tmp_path):
    script = tmp_path / "app.js"
    script.write_text("one();")
    first = file_version(str(tmp_path), "app.js")
    assert first == hashlib.sha256(b"one();").hexdigest()[:12]
    script.write_text("two();")
    stat = script.stat()
    os.utime(script, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert file_version(str(tmp_path), "app.js") == hashlib.sha256(b"two();").hexdigest()[:12]


def test_no_version_outside_the_folder_or_for_a_folder(tmp_path):
    (tmp_path / "inside").mkdir()
    (tmp_path / "secret.txt").write_text("x")
    assert file_version(str(tmp_path / "inside"), "../secret.txt") is None
    assert file_version(str(tmp_path), "inside") is None
    assert file_version(str(tmp_path), "absent.js") is None
