"""The background passes of an import (Huey task `run_data_import`).

A pass streams the stored file and handles it in batches of CARFLOW_IMPORT_BATCH rows,
each in its own unit of work (the progress bar reads the committed counts). The checking
pass (`apply=False`) records the errors and what would change; the import pass writes.
Re-running an import, or importing the same file again, changes nothing: every row is
matched to what it created the first time. The file is deleted once the import is done.
"""

from __future__ import annotations

import logging
from functools import partial
from itertools import islice

from flask import current_app
from sqlalchemy import delete, func, select, update

from carflow.data_import.batch import BatchContext, process_batch
from carflow.data_import.reader import numbered_data_rows
from carflow.data_import.services import shape_of
from carflow.extensions import db
from carflow.models import DataImport, DataImportError, ImportStatus, utcnow
from carflow.services.users import write_audit
from carflow.storage import delete_stored, stored_local_copy
from carflow.unit_of_work import after_commit, unit_of_work

log = logging.getLogger(__name__)


def enqueue_pass(import_id: int, apply: bool) -> bool:
    """Queue a pass (after the commit). If the queue is down, the error is logged and the
    import waits, unclaimed: after STALL_SECONDS its page offers the button again."""
    from carflow.jobs import jobs_for

    try:
        jobs_for(current_app).run_import(import_id, apply)
    except Exception:
        current_app.logger.exception("import %s not queued", import_id)
        return False
    return True


def _start(import_id: int, apply: bool) -> tuple[BatchContext, str, object] | None:
    with unit_of_work():
        expected = ImportStatus.importing if apply else ImportStatus.checking
        claim = (
            update(DataImport)
            .where(
                DataImport.id == import_id,
                DataImport.status == expected,
                DataImport.started_at.is_(None),
                DataImport.stored_name.is_not(None),
            )
            .values(started_at=utcnow())
        )
        if db.session.execute(claim).rowcount != 1:
            return None  # gone, changed, or already claimed by another task
        record = db.session.get(DataImport, import_id)
        db.session.execute(delete(DataImportError).where(DataImportError.import_id == import_id))
        for name in ("processed_rows", "created_count", "updated_count", "unchanged_count"):
            setattr(record, name, 0)
        record.error_count = 0
        country = record.branch.country if record.branch else None
        ctx = BatchContext(
            record.kind,
            list(record.mapping),
            list(record.headers),
            country,
            record.branch_id,
            apply,
        )
        return ctx, record.stored_name, shape_of(record)


def run_import_pass(import_id: int, apply: bool) -> str | None:
    """Worker: check (apply=False) or import (apply=True) every row of an import."""
    started = _start(import_id, apply)
    if started is None:
        return None
    ctx, stored_name, shape = started
    size = int(current_app.config["CARFLOW_IMPORT_BATCH"])
    try:
        with stored_local_copy(stored_name) as path:
            if not apply:
                _count_rows(import_id, path, shape)
            rows = numbered_data_rows(path, shape)
            while batch := list(islice(rows, size)):
                with unit_of_work():
                    process_batch(db.session.get(DataImport, import_id), batch, ctx)
    except Exception as error:
        log.exception("import %s failed", import_id)
        with unit_of_work():
            record = db.session.get(DataImport, import_id)
            record.status = ImportStatus.failed
            record.message = str(getattr(error, "message", "") or type(error).__name__)[:500]
        return ImportStatus.failed
    return _finish(import_id, apply)


def _count_rows(import_id: int, path, shape) -> None:
    total = sum(1 for _ in numbered_data_rows(path, shape))
    with unit_of_work():
        db.session.get(DataImport, import_id).total_rows = total


def _finish(import_id: int, apply: bool) -> str:
    with unit_of_work():
        record = db.session.get(DataImport, import_id)
        if not apply:
            record.status = ImportStatus.checked
            return record.status
        record.status = ImportStatus.done
        record.finished_at = utcnow()
        after_commit(partial(delete_stored, record.stored_name))
        record.stored_name = None
        errors = db.session.scalar(
            select(func.count()).where(DataImportError.import_id == import_id)
        )
        write_audit(
            record.created_by,
            "data_imported",
            details={
                "import_id": record.id,
                "kind": record.kind,
                "rows": record.processed_rows,
                "created": record.created_count,
                "updated": record.updated_count,
                "unchanged": record.unchanged_count,
                "refused_rows": record.error_count,
                "refused_values": errors,
            },
        )
        return record.status
