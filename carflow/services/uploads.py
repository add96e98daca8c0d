"""Orphan uploads (issue 12): files no row points to, left by a crash, are removed.

A file is written before its row is inserted (documents, trade-in photos, the account
logo); a process killed in between leaves a file no row names, and a kill during the
copy leaves a temp file. Every column named `…stored_name` refers to a stored file.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from carflow.extensions import db
from carflow.storage import delete_stored, stale_files

log = logging.getLogger(__name__)


def _stored_name_columns():
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if column.name.endswith("stored_name"):
                yield column


def stored_names_in_use(names: list[str]) -> set[str]:
    """The names among `names` that a row still refers to (one query per column)."""
    used: set[str] = set()
    for start in range(0, len(names), 500):
        chunk = names[start : start + 500]
        for column in _stored_name_columns():
            used.update(db.session.scalars(select(column).where(column.in_(chunk))))
    return used


def remove_orphan_uploads(max_age_seconds: float) -> dict[str, int]:
    """Remove stored files older than `max_age_seconds` that no row names, and old temp files."""
    stored, temps = stale_files(max_age_seconds)
    used = stored_names_in_use(stored)
    orphans = [name for name in stored if name not in used]
    for name in orphans:
        delete_stored(name)
        log.info("removed orphan upload %s", name)
    for path in temps:
        path.unlink(missing_ok=True)
        log.info("removed leftover temp file %s", path.name)
    return {"orphans": len(orphans), "temp_files": len(temps), "kept": len(used)}
