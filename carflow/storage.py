"""Uploaded files: stored outside the web root under generated names.

The folder (`UPLOAD_FOLDER`) may be shared by several app processes. A file is written
to a temporary name and renamed into place, so a reader never sees half a file. The
uploaded filename is only ever kept as data, never used as a path.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import filetype
from flask import current_app
from flask_babel import lazy_gettext as _l

from carflow.i18n import fmt_filesize
from carflow.services.errors import ServiceError

CHUNK = 1024 * 1024
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
        os.replace(temp_path, folder / stored_name)
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


def stored_path(stored_name: str) -> Path:
    """The path of a stored file; refuses anything but a generated name."""
    if not is_stored_name(stored_name):
        raise ValueError("not a stored file name")
    return upload_folder() / stored_name


def delete_stored(stored_name: str) -> None:
    """Remove a stored file (call after the database change is committed)."""
    stored_path(stored_name).unlink(missing_ok=True)


def is_stored_name(name: str) -> bool:
    """True for a name `save_upload` generates (32 lowercase hex digits)."""
    return len(name) == 32 and all(c in "0123456789abcdef" for c in name)


def stale_files(max_age_seconds: float) -> tuple[list[str], list[Path]]:
    """Stored names and leftover temp files not modified for `max_age_seconds`.

    A temp file is what a crash during a copy leaves; a stored file may be an orphan
    whose row was never committed (the caller checks the database).
    """
    cutoff = time.time() - max_age_seconds
    stored, temps = [], []
    for entry in os.scandir(upload_folder()):
        try:
            if not entry.is_file(follow_symlinks=False) or entry.stat().st_mtime > cutoff:
                continue
        except FileNotFoundError:
            continue  # removed meanwhile
        if entry.name.startswith(TEMP_PREFIX):
            temps.append(Path(entry.path))
        elif is_stored_name(entry.name):
            stored.append(entry.name)
    return stored, temps
