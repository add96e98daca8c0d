"""Rows of an uploaded CSV or XLSX file, streamed (one row in memory at a time).

CSV: the encoding is read from the first bytes (UTF-8 with or without a byte-order mark,
else Windows-1252) and the delimiter sniffed among , ; tab and |. XLSX: the first sheet,
read with openpyxl's read-only mode.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from flask_babel import lazy_gettext as _l

from carflow.services.errors import ServiceError

DELIMITERS = ",;\t|"
MAX_COLUMNS = 100
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class FileShape:
    file_format: str  # csv | xlsx
    encoding: str | None = None
    delimiter: str | None = None


def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def file_shape(head: bytes) -> FileShape:
    """The format, encoding and delimiter read from the file's first bytes."""
    if head.startswith(_ZIP_MAGIC):
        return FileShape("xlsx")
    encoding = _encoding(head)
    sample = head.decode(encoding, errors="ignore")
    sample = sample[: sample.rfind("\n") + 1] or sample
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: sample.splitlines()[0].count(d) if sample else 0 for d in DELIMITERS}
        delimiter = max(counts, key=counts.get)
    return FileShape("csv", encoding, delimiter)


def _unreadable() -> ServiceError:
    return ServiceError(_l("This file cannot be read as CSV or XLSX."), field="file")


def iter_rows(path: Path, shape: FileShape) -> Iterator[list]:
    """Every row of the file (the header first), each a list of at most MAX_COLUMNS values."""
    if shape.file_format == "xlsx":
        yield from _xlsx_rows(path)
        return
    with open(path, encoding=shape.encoding, newline="", errors="replace") as handle:
        for row in csv.reader(handle, delimiter=shape.delimiter or ","):
            yield row[:MAX_COLUMNS]


def _xlsx_rows(path: Path) -> Iterator[list]:
    # openpyxl is imported at the first XLSX read (0.2 s), not by every process.
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    with open(path, "rb") as handle:  # a file object: the stored name has no extension
        try:
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
            raise _unreadable() from error
        try:
            sheet = workbook.worksheets[0]
            for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
                yield list(row)
        finally:
            workbook.close()


def numbered_data_rows(path: Path, shape: FileShape) -> Iterator[tuple[int, list]]:
    """(row number as a spreadsheet shows it, values) for each non-empty row after the header."""
    rows = iter_rows(path, shape)
    next(rows, None)
    for number, row in enumerate(rows, start=2):
        if any(value not in (None, "") for value in row):
            yield number, row


def read_preview(path: Path, shape: FileShape, limit: int = 10) -> tuple[list[str], list[list]]:
    """The header and the first `limit` data rows."""
    try:
        rows = iter_rows(path, shape)
        header = next(rows, None)
        preview = list(islice(rows, limit))
    except (csv.Error, UnicodeError) as error:
        raise _unreadable() from error
    if not header or not any(str(h or "").strip() for h in header):
        raise ServiceError(_l("The first row must hold the column names."), field="file")
    return [str(h or "").strip() for h in header], preview
