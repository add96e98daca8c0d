"""Imports of contacts and stock from CSV or XLSX files (issue 17 item 4)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carflow.extensions import db
from carflow.models.types import UTCDateTime, utcnow
from carflow.models.user import Branch, User


class ImportStatus:
    """The steps of an import: preview → checking → checked → importing → done (or failed)."""

    preview = "preview"
    checking = "checking"
    checked = "checked"
    importing = "importing"
    done = "done"
    failed = "failed"
    running = frozenset({checking, importing})


class DataImport(db.Model):
    """One uploaded file and what its import found and did (counts; errors per row)."""

    __tablename__ = "data_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # contacts | stock
    status: Mapped[str] = mapped_column(String(20), default=ImportStatus.preview)
    original_filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str | None] = mapped_column(String(32))  # kept until done
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_format: Mapped[str] = mapped_column(String(10))  # csv | xlsx
    encoding: Mapped[str | None] = mapped_column(String(20))
    delimiter: Mapped[str | None] = mapped_column(String(1))
    headers: Mapped[list] = mapped_column(JSON, default=list)
    mapping: Mapped[list] = mapped_column(JSON, default=list)  # field name per column, or ""
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a pass was queued
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a worker claimed it
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    unchanged_count: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)

    branch: Mapped[Branch | None] = relationship()
    created_by: Mapped[User | None] = relationship()


class DataImportError(db.Model):
    """One refused value of an import: row number (as a spreadsheet counts), column, reason."""

    __tablename__ = "data_import_error"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("data_import.id", ondelete="CASCADE"), index=True
    )
    row_number: Mapped[int] = mapped_column(Integer)
    column: Mapped[str] = mapped_column(String(200))
    value: Mapped[str | None] = mapped_column(String(500))
    reason: Mapped[str] = mapped_column(String(60))  # a code, worded at display time
