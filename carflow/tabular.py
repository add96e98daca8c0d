"""Tables out as CSV and XLSX files: streamed, bounded in memory, safe to open.

Reports (issue 16) and exports (issue 17) both write through here. A cell that a
spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage
return) is prefixed with an apostrophe (OWASP's advice against CSV injection); numbers,
dates and booleans are written as themselves.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from flask import Response, stream_with_context

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CHUNK = 64 * 1024


def safe_cell(value):
    """The value as a spreadsheet should store it: text that starts like a formula gets a
    leading apostrophe; None becomes an empty cell; other types are kept."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | datetime | date):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _csv_text(value) -> str:
    value = safe_cell(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def iter_csv(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """CSV text in chunks of about 64 KB: a byte-order mark (Excel reads UTF-8 then),
    the header, then the rows, without holding more than one chunk in memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([_csv_text(name) for name in header])
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
        if buffer.tell() >= _CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_xlsx(target, header: Sequence[str], rows: Iterable[Sequence], sheet: str = "Data"):
    """Write an XLSX workbook to `target` (a path or a binary file) in constant memory:
    XlsxWriter flushes each row to a temporary file as soon as it is written."""
    workbook = xlsxwriter.Workbook(
        target, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for col, name in enumerate(header):
        worksheet.write_string(0, col, str(safe_cell(name)), bold)
    for row_number, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            _write_xlsx_cell(worksheet, row_number, col, value, date_format, datetime_format)
    workbook.close()


def _write_xlsx_cell(worksheet, row, col, value, date_format, datetime_format):
    value = safe_cell(value)
    if isinstance(value, bool):
        worksheet.write_boolean(row, col, value)
    elif isinstance(value, int | float | Decimal):
        worksheet.write_number(row, col, float(value))
    elif isinstance(value, datetime):
        worksheet.write_datetime(row, col, value.replace(tzinfo=None), datetime_format)
    elif isinstance(value, date):
        worksheet.write_datetime(row, col, value, date_format)
    elif value != "":
        worksheet.write_string(row, col, value)


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    """A streamed CSV download. `rows` may be a generator reading the database in
    batches; the response holds one chunk at a time."""
    body = stream_with_context(iter_csv(header, rows))
    return Response(body, mimetype=CSV_MEDIA_TYPE, headers=_attachment(filename))


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    """An XLSX download: the workbook is written to a temporary file in constant memory,
    then streamed in 64 KB chunks; the file is removed once sent (or on failure)."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(path, header, rows)
    except BaseException:
        os.unlink(path)
        raise
    return Response(_read_and_remove(path), mimetype=XLSX_MEDIA_TYPE, headers=_attachment(filename))


def _read_and_remove(path: str) -> Iterator[bytes]:
    try:
        with open(path, "rb") as stream:
            while chunk := stream.read(_CHUNK):
                yield chunk
    finally:
        os.unlink(path)
