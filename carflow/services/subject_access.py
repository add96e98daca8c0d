"""Subject access export (issue 17 item 2): every record about one contact, as a ZIP.

The archive holds `data.json` (the contact, their leads with events, offers, trade-ins,
test drives, tasks, deadlines, e-mails with their bodies and documents list, consents,
linked-contact relations, the privacy log), the documents and trade-in photos
themselves under `documents/` and `photos/`, and `summary.pdf`, a readable summary in
the contact's language. It is written to a temporary file (bounded memory: files are
copied in chunks) that the view streams. Each export is logged (privacy log + timeline).
On leads the person is only linked to, only the lead's reference, the relation and the
test drives they drove are included: the rest is another person's data.
"""

from __future__ import annotations

import io
import itertools
import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import IO

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import inspect, or_, select
from werkzeug.wsgi import ClosingIterator

from carflow.extensions import db
from carflow.models import (
    AccountSettings,
    Communication,
    Contact,
    Deadline,
    Document,
    Event,
    Lead,
    LeadContact,
    LeadIntake,
    LeadStatus,
    Offer,
    OfferStatus,
    Task,
    TestDrive,
    TradeIn,
    TradeInPhoto,
    utcnow,
)
from carflow.models.privacy import PrivacyLog
from carflow.pdf import html_to_pdf
from carflow.services.consent import CHANNELS, PURPOSES, consent_history, source_label
from carflow.services.events import record_event
from carflow.storage import clean_filename, open_stored
from carflow.timeline import describe_event, register_event_kind
from carflow.unit_of_work import on_rollback

SKIPPED_COLUMNS = frozenset({"version_id", "stored_name"})
STREAM_CHUNK = 64 * 1024
LANGUAGES = ("en", "fr", "nl")

register_event_kind(
    "personal_data_exported", "fa-download", lambda d: _("Personal data exported (subject access)")
)


def _stored_file(stored_name: str) -> IO[bytes]:
    """A stored file opened for reading, whatever the storage backend (the one place the
    export reads storage); closed by the caller."""
    return open_stored(stored_name)


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return getattr(value, "value", value.name)
    return value


def record_values(record) -> dict:
    """Every column of `record` as JSON values (no version counters, no storage names)."""
    columns = inspect(type(record)).columns
    return {
        column.key: _plain(getattr(record, column.key))
        for column in columns
        if column.key not in SKIPPED_COLUMNS
    }


def _rows(model, *conditions, order=None) -> list:
    query = select(model).where(*conditions).order_by(order if order is not None else model.id)
    return list(db.session.scalars(query))


@dataclass
class SubjectAccessArchive:
    """The written archive: a temporary file at its start, its size, the download name."""

    file: IO[bytes]
    filename: str
    counts: dict

    @property
    def size(self) -> int:
        position = self.file.tell()
        size = self.file.seek(0, io.SEEK_END)
        self.file.seek(position)
        return size


def _chunks(file: IO[bytes]) -> Iterator[bytes]:
    with file:
        while data := file.read(STREAM_CHUNK):
            yield data


def stream_file(file: IO[bytes]) -> Iterable[bytes]:
    """The file's bytes in chunks, closing it at the end. Started here (its first chunk
    read) so that the file is closed even when the response is dropped unread. The WSGI
    server's `close()` (the client went away mid-download) closes it at once, not when the
    garbage collector gets to it."""
    chunks = _chunks(file)
    first = next(chunks, b"")
    return ClosingIterator(itertools.chain([first], chunks), chunks.close)


def _archive_path(folder: str, record_id: int, filename: str) -> str:
    return f"{folder}/{record_id}-{clean_filename(filename)}"


def _values(model, *conditions, order=None) -> list[dict]:
    return [record_values(row) for row in _rows(model, *conditions, order=order)]


def _relations(contact: Contact, main_ids: list[int]) -> dict:
    """The leads the contact is linked to (with the relation), and the relations of the
    contacts linked to their own leads (ids only: the others' data is not theirs)."""
    links = _rows(LeadContact, LeadContact.contact_id == contact.id, order=LeadContact.lead_id)
    codes = dict(
        db.session.execute(
            select(Lead.id, Lead.code).where(Lead.id.in_([link.lead_id for link in links]))
        ).all()
    )
    relations = _rows(LeadContact, LeadContact.lead_id.in_(main_ids), order=LeadContact.lead_id)
    return {
        "linked_leads": [
            {"lead_id": link.lead_id, "code": codes.get(link.lead_id), "relation": link.relation}
            for link in links
        ],
        "linked_contacts": [
            {"lead_id": r.lead_id, "contact_id": r.contact_id, "relation": r.relation}
            for r in relations
        ],
    }


def _lead_items(contact: Contact, main_ids: list[int]) -> dict:
    """The items of the contact's own leads, and the test drives they drove anywhere."""
    drives = or_(TestDrive.lead_id.in_(main_ids), TestDrive.driver_contact_id == contact.id)
    events = _rows(Event, Event.lead_id.in_(main_ids), order=Event.at)
    return {
        "events": [record_values(e) | {"text": describe_event(e)} for e in events],
        "offers": _values(Offer, Offer.lead_id.in_(main_ids)),
        "trade_ins": _values(TradeIn, TradeIn.lead_id.in_(main_ids)),
        "test_drives": _values(TestDrive, drives),
        "tasks": _values(Task, Task.lead_id.in_(main_ids)),
        "deadlines": _values(Deadline, Deadline.lead_id.in_(main_ids)),
        "communications": _values(Communication, Communication.lead_id.in_(main_ids)),
        "received_requests": _values(LeadIntake, LeadIntake.lead_id.in_(main_ids)),
    }


def _files(main_ids: list[int]) -> tuple[dict, list[tuple[str, str]]]:
    """The documents and trade-in photos listed, and (stored name, archive path) of each."""
    documents = _rows(Document, Document.lead_id.in_(main_ids))
    trade_ins = select(TradeIn.id).where(TradeIn.lead_id.in_(main_ids))
    photos = _rows(TradeInPhoto, TradeInPhoto.trade_in_id.in_(trade_ins))
    listed = {"documents": [], "trade_in_photos": []}
    files = []
    for key, folder, rows in (
        ("documents", "documents", documents),
        ("trade_in_photos", "photos", photos),
    ):
        for row in rows:
            path = _archive_path(folder, row.id, row.original_filename)
            listed[key].append(record_values(row) | {"file": path})
            files.append((row.stored_name, path))
    return listed, files


def collect_personal_data(contact: Contact) -> tuple[dict, list[tuple[str, str]]]:
    """Every record about `contact` as JSON values, grouped by kind (see the module doc),
    and the files to add: (stored name, path in the archive)."""
    main = _rows(Lead, Lead.contact_id == contact.id)
    main_ids = [lead.id for lead in main]
    listed, files = _files(main_ids)
    data = {
        "exported_at": utcnow().isoformat(),
        "contact": record_values(contact),
        "consents": [record_values(c) for c in reversed(consent_history(contact.id, None))],
        "leads": [record_values(lead) | {"role": "main"} for lead in main],
        **_relations(contact, main_ids),
        **_lead_items(contact, main_ids),
        **listed,
        "privacy_log": _values(PrivacyLog, PrivacyLog.contact_id == contact.id),
    }
    return data, files


def contact_language(contact: Contact) -> str:
    """The contact's language when the app speaks it, else English."""
    language = (contact.language or "en")[:2].lower()
    return language if language in LANGUAGES else "en"


def render_summary_pdf(contact: Contact, data: dict) -> bytes:
    """`summary.pdf`: the data in readable form, in the contact's language."""
    html = render_template(
        "pdf/personal_data_summary.html",
        contact=contact,
        data=data,
        settings=AccountSettings.get(),
        language=contact_language(contact),
        lead_statuses={status.value: status.label for status in LeadStatus},
        offer_statuses={status.value: status.label for status in OfferStatus},
        channels=CHANNELS,
        purposes=PURPOSES,
        source_label=source_label,
    )
    return html_to_pdf(html)


def _write_archive(contact: Contact, data: dict, files: list[tuple[str, str]]) -> IO[bytes]:
    archive = tempfile.TemporaryFile()  # noqa: SIM115  streamed, then closed by the response
    try:
        _fill_archive(archive, contact, data, files)
    except BaseException:
        archive.close()  # never left to the garbage collector
        raise
    archive.seek(0)
    return archive


def _fill_archive(archive: IO[bytes], contact: Contact, data: dict, files) -> None:
    with force_locale(contact_language(contact)):
        pdf = render_summary_pdf(contact, data)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open("data.json", "w") as raw, io.TextIOWrapper(raw, "utf-8") as text:
            json.dump(data, text, ensure_ascii=False, indent=2)
        zf.writestr("summary.pdf", pdf)
        for stored_name, path in files:
            try:
                source = _stored_file(stored_name)
            except (OSError, ValueError):
                continue  # listed in data.json; the file itself is gone
            entry = zipfile.ZipInfo(path, date_time=utcnow().timetuple()[:6])
            entry.compress_type = zipfile.ZIP_STORED  # scans and photos are compressed already
            with source, zf.open(entry, "w", force_zip64=True) as target:
                shutil.copyfileobj(source, target, 1024 * 1024)


def export_personal_data(actor, contact: Contact) -> SubjectAccessArchive:
    """Write the subject access archive of `contact` and log it (privacy log + a timeline
    line on each of their leads). Flushes; the caller commits, then sends `archive.file`."""
    with force_locale(contact_language(contact)):
        data, files = collect_personal_data(contact)
    counts = {
        key: len(value) for key, value in data.items() if isinstance(value, list) and value
    } | {"files": len(files)}
    archive = _write_archive(contact, data, files)
    on_rollback(archive.close)  # no download then: the response that would close it is not sent
    db.session.add(
        PrivacyLog(
            actor_id=actor.id if actor is not None else None,
            contact_id=contact.id,
            action="export",
            counts=counts,
        )
    )
    for lead in db.session.scalars(select(Lead).where(Lead.contact_id == contact.id)):
        record_event(lead, actor, "personal_data_exported", {})
    db.session.flush()
    filename = f"personal-data-contact-{contact.id}-{utcnow():%Y%m%d}.zip"
    return SubjectAccessArchive(archive, filename, counts)
