"""Uploaded files: stored outside the web root under generated names (issue 17 item 6).

An upload is written to a temporary file in `UPLOAD_FOLDER`, checked (size, sniffed type,
no markup), then handed to the configured backend (`carflow.storage_backends`): renamed
into the local folder (default), or put in an S3-compatible bucket (`CARFLOW_STORAGE=s3`).
Reads go through `open_stored` / `download_response` only, after the caller's permission
check. The uploaded filename is only ever kept as data, never used as a path or key.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import filetype
from flask import Response, current_app, redirect
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import ServiceUnavailable
from werkzeug.wsgi import ClosingIterator

from carflow.i18n import fmt_filesize
from carflow.services.errors import ServiceError
from carflow.storage_backends import LocalBackend, StorageUnavailable, make_backend

CHUNK = 1024 * 1024
READ_CHUNK = 64 * 1024
BACKEND_EXTENSION = "carflow_storage"
TEMP_PREFIX = ".upload-"

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic"})
OFFICE_TYPES = frozenset(
    {
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/zip",
        "application/rtf",
    }
)
DOCUMENT_TYPES = IMAGE_TYPES | OFFICE_TYPES | {"application/pdf", "text/plain"}


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    original_filename: str
    content_type: str
    size: int
    sha256: str


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def backend():
    """The app's storage backend, built once per app from its configuration."""
    extensions = current_app.extensions
    found = extensions.get(BACKEND_EXTENSION)
    if found is None:
        found = extensions[BACKEND_EXTENSION] = make_backend(current_app.config, upload_folder())
    return found


def max_upload_bytes() -> int:
    return int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


def clean_filename(name: str | None) -> str:
    """A display name: no directories, no control characters, at most 200 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[:200] or "file"


def sniff_content_type(head: bytes) -> str:
    """The content type read from the file's first bytes (its name and claim are ignored)."""
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"


# Openings a browser's content sniffing takes for HTML (WHATWG MIME Sniffing, 7.1), plus SVG/XML.
_MARKUP_TAGS = (
    b"<html", b"<head", b"<script", b"<iframe", b"<h1", b"<div", b"<font",
    b"<table", b"<a", b"<style", b"<title", b"<b", b"<body", b"<br", b"<p", b"<svg", b"<object",
    b"<embed",
)  # fmt: skip


def _looks_like_markup(head: bytes) -> bool:
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n\x0c")[:200].lower()
    if start.startswith((b"<!--", b"<?xml", b"<!doctype")):
        return True
    return any(
        start.startswith(tag)
        and start[len(tag) : len(tag) + 1] in (b"", b" ", b">", b"/", b"\t", b"\n")
        for tag in _MARKUP_TAGS
    )


def save_upload(stream, original_filename: str, allowed_types: frozenset[str]) -> StoredFile:
    """Store an upload; refuse empty, oversized, HTML/SVG/XML and disallowed content."""
    limit = max_upload_bytes()
    folder = upload_folder()
    digest = hashlib.sha256()
    size = 0
    head = b""
    fd, temp_path = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIX)
    try:  # any failure (a refused file, a full disk, an interrupted copy) removes the temp file
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise ServiceError(
                        _l("The file is larger than %(size)s.", size=fmt_filesize(limit)),
                        field="file",
                    )
                if len(head) < 8192:
                    head += chunk[: 8192 - len(head)]
                digest.update(chunk)
                out.write(chunk)
        content_type = _check_content(head, size, allowed_types)
        stored_name = secrets.token_hex(16)
        try:
            backend().put(Path(temp_path), stored_name)
        except StorageUnavailable as error:
            current_app.logger.exception("file store unavailable")
            raise ServiceError(
                _l("The file could not be stored. Try again in a moment."), field="file"
            ) from error
    except BaseException:
        Path(temp_path).unlink(missing_ok=True)
        raise
    return StoredFile(
        stored_name, clean_filename(original_filename), content_type, size, digest.hexdigest()
    )


def _check_content(head: bytes, size: int, allowed_types: frozenset[str]) -> str:
    if size == 0:
        raise ServiceError(_l("The file is empty."), field="file")
    if _looks_like_markup(head):
        raise ServiceError(_l("Web pages and SVG files cannot be uploaded."), field="file")
    content_type = sniff_content_type(head)
    if content_type not in allowed_types:
        raise ServiceError(_l("This kind of file is not accepted."), field="file")
    return content_type


def _checked(stored_name: str) -> str:
    if not is_stored_name(stored_name):
        raise ValueError("not a stored file name")
    return stored_name


def stored_path(stored_name: str) -> Path:
    """The local path of a stored file (local backend only; prefer `open_stored`)."""
    return upload_folder() / _checked(stored_name)


def open_stored(stored_name: str):
    """A binary stream of a stored file (close it); FileNotFoundError when missing."""
    return backend().open(_checked(stored_name))


def stored_exists(stored_name: str) -> bool:
    """Whether the backend holds this stored file."""
    return backend().exists(_checked(stored_name))


def stored_size(stored_name: str) -> int:
    """The size in bytes of a stored file; FileNotFoundError when missing."""
    return backend().size(_checked(stored_name))


def read_head(stored_name: str, length: int = 8192) -> bytes:
    """The first `length` bytes of a stored file (to sniff its type)."""
    with open_stored(stored_name) as stream:
        return stream.read(length)


@contextmanager
def stored_local_copy(stored_name: str) -> Iterator[Path]:
    """A local path to a stored file's bytes (the file itself on the local backend, a
    temporary copy streamed from S3 otherwise, removed afterwards)."""
    store = backend()
    if isinstance(store, LocalBackend):
        yield store.path(_checked(stored_name))
        return
    fd, temp_path = tempfile.mkstemp(dir=upload_folder(), prefix=TEMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as out, open_stored(stored_name) as stream:
            while chunk := stream.read(CHUNK):
                out.write(chunk)
        yield Path(temp_path)
    finally:
        Path(temp_path).unlink(missing_ok=True)


def delete_stored(stored_name: str) -> None:
    """Remove a stored file (call after the database change is committed)."""
    backend().delete(_checked(stored_name))


def is_stored_name(name: str) -> bool:
    """True for a name `save_upload` generates (32 lowercase hex digits)."""
    return len(name) == 32 and all(c in "0123456789abcdef" for c in name)


def _chunks(stream) -> Iterator[bytes]:
    try:
        while chunk := stream.read(READ_CHUNK):
            yield chunk
    finally:
        stream.close()


def download_response(
    stored_name: str, content_type: str, disposition: str, etag: str | None = None
) -> Response | None:
    """The stored file as a streamed response (call after the permission check), or a
    redirect to a short-lived presigned URL when the S3 backend is set to give them.
    None when the file is missing (the caller answers 404)."""
    url = backend().download_url(_checked(stored_name), content_type, disposition)
    if url:
        response = redirect(url, code=303)
    else:
        try:
            size = stored_size(stored_name)
            stream = open_stored(stored_name)
        except FileNotFoundError:
            return None
        except StorageUnavailable as error:
            current_app.logger.exception("file store unavailable")
            raise ServiceUnavailable() from error
        # The server's close() (the client went away) closes the file even before its
        # first chunk, when the generator alone could not.
        body = ClosingIterator(_chunks(stream), stream.close)
        response = Response(body, mimetype=content_type, direct_passthrough=True)
        response.content_length = size
        response.headers["Content-Disposition"] = disposition
        if etag:
            response.set_etag(etag)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    response.cache_control.max_age = 0
    return response


def stale_files(max_age_seconds: float) -> tuple[list[str], list[Path]]:
    """Stored names and leftover temp files not modified for `max_age_seconds`.

    A temp file is what a crash during a copy leaves (always in the local folder); a
    stored file may be an orphan whose row was never committed (the caller checks the
    database).
    """
    cutoff = time.time() - max_age_seconds
    temps = []
    for entry in os.scandir(upload_folder()):
        try:
            if not entry.is_file(follow_symlinks=False) or entry.stat().st_mtime > cutoff:
                continue
        except FileNotFoundError:
            continue  # removed meanwhile
        if entry.name.startswith(TEMP_PREFIX):
            temps.append(Path(entry.path))
    stored = [name for name in backend().names_older_than(cutoff) if is_stored_name(name)]
    return stored, temps
