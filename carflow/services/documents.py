"""Documents on a lead (F14): upload, rename, delete, and how a download is labelled."""

from __future__ import annotations

import os
import unicodedata
from functools import cache
from urllib.parse import quote

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from carflow.extensions import db
from carflow.models import Document, Event, Lead
from carflow.permissions import can
from carflow.services.errors import ServiceError, check_version
from carflow.services.events import record_event
from carflow.storage import DOCUMENT_TYPES, IMAGE_TYPES, delete_stored, save_upload
from carflow.timeline import register_event_kind

TITLE_MAX = 200

# A file named like a PDF or an image must really be one (its bytes decide, not its name).
_EXPECTED_TYPES = {
    "pdf": frozenset({"application/pdf"}),
    **{ext: IMAGE_TYPES for ext in ("png", "jpg", "jpeg", "gif", "webp", "heic")},
}

register_event_kind(
    "document_uploaded",
    "fa-paperclip",
    lambda d: _("Document “%(title)s” added", title=d.get("title", "")),
)
register_event_kind(
    "document_renamed",
    "fa-pencil",
    lambda d: _(
        "Document “%(old)s” renamed to “%(new)s”", old=d.get("old", ""), new=d.get("new", "")
    ),
)
register_event_kind(
    "document_deleted",
    "fa-trash",
    lambda d: _("Document “%(title)s” deleted", title=d.get("title", "")),
)


def clean_title(title: str | None) -> str:
    """A title on one line, trimmed; refused when empty or too long."""
    title = " ".join((title or "").split())
    if not title:
        raise ServiceError(_l("Give the document a title."), field="title")
    if len(title) > TITLE_MAX:
        raise ServiceError(
            _l("The title is too long (at most %(n)s characters).", n=TITLE_MAX), field="title"
        )
    return title


def _check_name_matches_content(filename: str, content_type: str) -> None:
    extension = os.path.splitext(filename)[1].lstrip(".").lower()
    expected = _EXPECTED_TYPES.get(extension)
    if expected is not None and content_type not in expected:
        raise ServiceError(
            _l("The content of this file does not match its name (.%(ext)s).", ext=extension),
            field="file",
        )


def upload_document(lead: Lead, actor, stream, filename: str | None, title: str) -> Document:
    """Store an uploaded file on `lead` under a generated name and log it (F14)."""
    title = clean_title(title)
    stored = save_upload(stream, filename or "", DOCUMENT_TYPES)
    try:
        _check_name_matches_content(stored.original_filename, stored.content_type)
        document = Document(
            lead_id=lead.id,
            title=title,
            original_filename=stored.original_filename,
            stored_name=stored.stored_name,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            uploaded_by_id=actor.id if actor is not None else None,
        )
        db.session.add(document)
        db.session.flush()
        record_event(
            lead,
            actor,
            "document_uploaded",
            {"title": title, "filename": stored.original_filename},
            ref=document,
        )
    except BaseException:
        delete_stored(stored.stored_name)
        raise
    return document


def rename_document(document: Document, actor, title: str, version) -> Document:
    """Save the document under a new title; refused when it changed meanwhile (F14)."""
    check_version(document, version)
    title = clean_title(title)
    old = document.title
    if title == old:
        return document
    document.title = title
    db.session.flush()
    record_event(document.lead, actor, "document_renamed", {"old": old, "new": title}, ref=document)
    return document


def delete_document(document: Document, actor, version=None) -> str:
    """Delete the record and log it; returns the stored name to remove AFTER the commit."""
    if version is not None:
        check_version(document, version)
    lead, stored_name, title = document.lead, document.stored_name, document.title
    # Older events keep their text but no longer link to a document that is gone.
    db.session.execute(
        update(Event)
        .where(Event.ref_type == Document.__tablename__, Event.ref_id == document.id)
        .values(ref_type=None, ref_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.delete(document)
    db.session.flush()
    record_event(lead, actor, "document_deleted", {"title": title})
    return stored_name


@cache
def _documents_query():
    """Built once (bound `:lead_id`): the statement costs more to build than to run."""
    return (
        select(Document)
        .where(Document.lead_id == bindparam("lead_id"))
        .options(joinedload(Document.uploaded_by))
        .order_by(Document.uploaded_at.desc(), Document.id.desc())
    )


def load_documents_panel(lead: Lead, user) -> dict:
    """Context of the Details tab's documents panel: one query, whatever the lead holds."""
    return {
        "documents": list(db.session.scalars(_documents_query(), {"lead_id": lead.id})),
        "can_manage": can(user, "document.manage", lead),
    }


def ascii_fallback(filename: str) -> str:
    """The filename reduced to safe printable ASCII (for the plain `filename=` parameter)."""
    decomposed = unicodedata.normalize("NFKD", filename)
    ascii_name = decomposed.encode("ascii", "ignore").decode("ascii")
    safe = "".join(ch if ch.isalnum() or ch in " .-_()+,[]" else "_" for ch in ascii_name)
    return safe.strip(" .") or "download"


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback and the exact name as RFC 5987 `filename*`."""
    filename = "".join(ch for ch in filename if unicodedata.category(ch)[0] != "C")
    encoded = quote(filename, safe="")
    return f"attachment; filename=\"{ascii_fallback(filename)}\"; filename*=UTF-8''{encoded}"


def served_content_type(document: Document) -> str:
    """The type a download is served with: the sniffed one when allowed, else opaque bytes."""
    if document.content_type in DOCUMENT_TYPES:
        return document.content_type
    return "application/octet-stream"
