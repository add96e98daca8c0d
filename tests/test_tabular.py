"""CSV and XLSX downloads: formula injection escaped, types kept, read back by the
libraries spreadsheet users rely on (issues 16 and 17)."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from carflow.tabular import iter_csv, safe_cell, write_xlsx

HOSTILE = ["=1+1", "+32 2 555", "-2", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_starts_are_escaped(text):
    assert safe_cell(text) == "'" + text


def test_plain_values_are_kept():
    assert safe_cell("Dupont") == "Dupont"
    assert safe_cell(None) == ""
    assert safe_cell(-2) == -2
    assert safe_cell(Decimal("12.50")) == Decimal("12.50")


def test_csv_reads_back_with_escaped_cells():
    rows = [[text, 3, date(2026, 1, 2)] for text in HOSTILE] + [["Dupont", None, None]]
    text = "".join(iter_csv(["name", "count", "day"], rows))
    assert text.startswith("\ufeff")
    read = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert read[0] == ["name", "count", "day"]
    assert read[1] == ["'=1+1", "3", "2026-01-02"]
    assert read[-1] == ["Dupont", "", ""]
    assert len(read) == len(rows) + 1


def test_csv_is_yielded_in_chunks():
    chunks = list(iter_csv(["n"], ([f"row {i}" * 20] for i in range(5000))))
    assert len(chunks) > 5
    assert sum(len(c) for c in chunks) > 500_000


def test_xlsx_reads_back_with_types(tmp_path):
    path = tmp_path / "out.xlsx"
    at = datetime(2026, 3, 4, 10, 30)
    write_xlsx(
        path, ["name", "value", "at"], [["=HYPERLINK(1)", Decimal("9.5"), at], ["Ann", 2, None]]
    )
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        values = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    finally:
        workbook.close()  # read-only workbooks keep the file open until closed
    assert values[0] == ["name", "value", "at"]
    assert values[1] == ["'=HYPERLINK(1)", 9.5, at]
    assert values[2][:2] == ["Ann", 2]
