"""Stylesheets and scripts kept by the browser: each URL carries its file's content hash.

A page links about twenty stylesheets and scripts (Flask-Admin's and Carflow's). Served
without a freshness lifetime, the browser asked for every one of them again on every page
(a conditional request answered 304): twenty round trips a page. Now:

- `url_for("static" | "admin.static", filename=…)` puts `v=<hash of the file's bytes>` in
  the URL (a `url_defaults` hook; it replaces the library version Flask-Admin passes as
  `v`, which does not change when a file does);
- the answer to a URL whose `v` is the file's current hash may be kept a year and is never
  revalidated (`Cache-Control: public, max-age=31536000, immutable`);
- a changed file gets a new URL, so a browser never uses a stale copy. Any other static
  answer (no `v`, or an old one) keeps Flask's default: revalidated on every use.

A file's hash is computed once for each version of it (its modification time and size).
The links templates build are kept per process, except in debug mode, where a file edited
while the development server runs gets a new URL at once.
"""

from __future__ import annotations

import functools
import hashlib
import os

from flask import Flask, request
from werkzeug.security import safe_join

ONE_YEAR = 365 * 24 * 60 * 60
HASH_LENGTH = 12


def install_static_versions(app: Flask) -> None:
    """Version the URLs of the app's and Flask-Admin's static files; cache those answers."""
    folders = {"static": app.static_folder}
    admin = app.blueprints.get("admin")
    if admin is not None and admin.static_folder:
        folders["admin.static"] = admin.static_folder
    # Versions of the files templates link, kept per process (a few dozen names).
    known: dict[tuple[str, str], str | None] = {}

    def version_of(folder: str, filename: str) -> str | None:
        """A linked file's version; in debug mode (files edited while the server runs) the
        file is looked at again every time, else once per process."""
        if app.debug:
            return file_version(folder, filename)
        key = (folder, filename)
        if key not in known:
            known[key] = file_version(folder, filename)
        return known[key]

    @app.url_defaults
    def add_file_version(endpoint: str | None, values: dict) -> None:
        folder = folders.get(endpoint or "")
        filename = values.get("filename")
        if folder and filename:
            version = version_of(folder, filename)
            if version:
                values["v"] = version

    @app.after_request
    def cache_versioned_files(response):
        folder = folders.get(request.endpoint or "")
        if folder and response.status_code in (200, 304):
            filename = (request.view_args or {}).get("filename", "")
            version = request.args.get("v")
            # Not `version_of`: a request may spell one file many ways ("js/./app.js").
            if version and version == file_version(folder, filename):
                keep_for_a_year(response)
        return response


def keep_for_a_year(response) -> None:
    """Let browsers and proxies keep `response` a year without asking again."""
    response.cache_control.no_cache = None
    response.cache_control.public = True
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.immutable = True


def file_version(folder: str, filename: str) -> str | None:
    """The first characters of the SHA-256 of `folder/filename`; None when no such file."""
    path = safe_join(folder, filename)
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _content_hash(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=512)
def _content_hash(path: str, mtime_ns: int, size: int) -> str | None:
    """The hash of one version of a file (its path, modification time and size)."""
    try:
        with open(path, "rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()[:HASH_LENGTH]
    except OSError:  # a directory, or removed since the stat
        return None
