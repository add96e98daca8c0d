"""The steps of an import, as services: upload and preview, check every row, import.

Each takes the acting user and plain values, flushes, and never commits; the job passes
run after the commit (`after_commit`), so a queue that is down loses nothing: the
import stays in its step and the button can be pressed again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from functools import partial

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from carflow.data_import.fields import FIELDS, KINDS, REASONS, auto_mapping
from carflow.data_import.reader import FileShape, file_shape, read_preview
from carflow.extensions import db
from carflow.models import Branch, DataImport, DataImportError, ImportStatus, utcnow
from carflow.services.errors import ServiceError
from carflow.storage import (
    delete_stored,
    read_head,
    save_upload,
    stored_local_copy,
)
from carflow.unit_of_work import after_commit, on_rollback

IMPORT_TYPES = frozenset(
    {
        "text/plain",
        "text/csv",
        "application/octet-stream",  # CSV in Windows-1252, or cut in a multi-byte character
        "application/zip",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)


def shape_of(record: DataImport) -> FileShape:
    return FileShape(record.file_format, record.encoding, record.delimiter)


def upload_import(actor, kind: str, branch_id: int | None, stream, filename: str) -> DataImport:
    """Store an uploaded CSV/XLSX file and read its header: the import, in preview."""
    if kind not in FIELDS:
        raise ServiceError(_l("Choose what the file holds."), field="kind")
    if branch_id is not None and db.session.get(Branch, branch_id) is None:
        raise ServiceError(_l("Choose a branch."), field="branch_id")
    saved = save_upload(stream, filename, IMPORT_TYPES)
    on_rollback(partial(delete_stored, saved.stored_name))
    shape = file_shape(read_head(saved.stored_name, 64 * 1024))
    with stored_local_copy(saved.stored_name) as path:
        headers, _ = read_preview(path, shape, limit=0)
    record = DataImport(
        kind=kind,
        status=ImportStatus.preview,
        original_filename=saved.original_filename,
        stored_name=saved.stored_name,
        sha256=saved.sha256,
        file_format=shape.file_format,
        encoding=shape.encoding,
        delimiter=shape.delimiter,
        headers=headers,
        mapping=auto_mapping(kind, headers),
        branch_id=branch_id,
        created_by_id=actor.id,
        created_at=utcnow(),
    )
    db.session.add(record)
    db.session.flush()
    return record


def preview_rows(record: DataImport, limit: int = 10) -> list[list]:
    """The first rows of the file, for the preview (read again: nothing kept in the row)."""
    if not record.stored_name:
        return []
    with stored_local_copy(record.stored_name) as path:
        return read_preview(path, shape_of(record), limit)[1]


def earlier_import(record: DataImport) -> DataImport | None:
    """A finished import of the same file (same SHA-256) and kind, if any."""
    query = select(DataImport).where(
        DataImport.sha256 == record.sha256,
        DataImport.kind == record.kind,
        DataImport.status == ImportStatus.done,
        DataImport.id != record.id,
    )
    return db.session.scalars(query.order_by(DataImport.id.desc()).limit(1)).first()


def _check_mapping(kind: str, mapping: list[str], width: int) -> list[str]:
    names = {f.name for f in FIELDS[kind]}
    mapping = [(m or "") for m in mapping][:width] + [""] * max(0, width - len(mapping))
    if any(m and m not in names for m in mapping):
        raise ServiceError(_l("Choose a field for each column, or ignore it."), field="mapping")
    chosen = [m for m in mapping if m]
    if len(chosen) != len(set(chosen)):
        raise ServiceError(_l("Each field can be chosen for one column only."), field="mapping")
    missing = [str(f.label) for f in FIELDS[kind] if f.required and f.name not in chosen]
    if missing:
        raise ServiceError(
            _l("Choose a column for: %(fields)s.", fields=", ".join(missing)), field="mapping"
        )
    return mapping


STALL_SECONDS = 60


def is_stalled(record: DataImport) -> bool:
    """Queued long ago and claimed by no worker (the queue was down, or lost the task)."""
    return (
        record.status in ImportStatus.running
        and record.started_at is None
        and record.queued_at is not None
        and record.queued_at < utcnow() - timedelta(seconds=STALL_SECONDS)
    )


def _refuse_while_running(record: DataImport) -> None:
    if record.status in ImportStatus.running and not is_stalled(record):
        raise ServiceError(_l("This import is running; wait until it ends."))


def check_import(actor, record: DataImport, mapping: list[str]) -> DataImport:
    """Save the column mapping and queue the check of every row (nothing is written)."""
    _refuse_while_running(record)
    if record.status == ImportStatus.done or not record.stored_name:
        raise ServiceError(_l("This import is finished; upload the file again."))
    record.mapping = _check_mapping(record.kind, mapping, len(record.headers))
    _queue(record, ImportStatus.checking, apply=False)
    return record


def run_import(actor, record: DataImport) -> DataImport:
    """Queue the import of the checked file (rows with errors are left out)."""
    _refuse_while_running(record)
    allowed = (ImportStatus.checked, ImportStatus.failed, ImportStatus.importing)
    if record.status not in allowed:
        raise ServiceError(_l("Check the rows before importing."))
    _queue(record, ImportStatus.importing, apply=True)
    return record


def _queue(record: DataImport, status: str, apply: bool) -> None:
    from carflow.data_import.job import enqueue_pass

    record.status = status
    record.message = None
    record.processed_rows = 0
    record.queued_at, record.started_at = utcnow(), None
    db.session.flush()
    after_commit(partial(enqueue_pass, record.id, apply))


def import_status(record: DataImport) -> dict:
    """The progress of an import, as the status endpoint answers it."""
    total = record.total_rows
    percent = 100 if record.status == ImportStatus.done else 0
    if total and record.status in ImportStatus.running:
        percent = min(99, record.processed_rows * 100 // total)
    elif record.status == ImportStatus.checked:
        percent = 100
    return {
        "id": record.id,
        "status": record.status,
        "total": total,
        "processed": record.processed_rows,
        "percent": percent,
        "created": record.created_count,
        "updated": record.updated_count,
        "unchanged": record.unchanged_count,
        "errors": record.error_count,
        "finished": record.status not in ImportStatus.running,
        "stalled": is_stalled(record),
    }


def _errors_query(record: DataImport):
    return (
        select(
            DataImportError.row_number,
            DataImportError.column,
            DataImportError.value,
            DataImportError.reason,
        )
        .where(DataImportError.import_id == record.id)
        .order_by(DataImportError.row_number, DataImportError.id)
    )


def _worded(rows) -> Iterator[tuple]:
    for number, column, value, reason in rows:
        yield number, column, value, str(REASONS.get(reason, reason))


def error_report_rows(record: DataImport) -> Iterator[tuple]:
    """(row number, column, value, reason) for each refused value, read in batches."""
    result = db.session.execute(_errors_query(record).execution_options(yield_per=2000))
    try:
        yield from _worded(result)
    finally:
        result.close()  # also when the download is interrupted


def first_errors(record: DataImport, limit: int = 20) -> list[tuple]:
    """The first refused values, shown on the page."""
    return list(_worded(db.session.execute(_errors_query(record).limit(limit))))


def recent_imports(limit: int = 20) -> list[DataImport]:
    """The latest imports, newest first."""
    query = select(DataImport).order_by(DataImport.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def kind_label(kind: str) -> str:
    return str(KINDS.get(kind, kind))
