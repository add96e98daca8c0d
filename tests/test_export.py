"""Exports of the overview, contacts, stock and tasks (issue 17 item 5): CSV and XLSX
read back, filters and search kept, every page exported, scope, formula injection,
permission and the audit line."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from sqlalchemy import select

from carflow.admin import export_tables
from carflow.extensions import db
from carflow.models import AuditLog, LeadStatus
from tests.factories import make_branch, make_contact, make_lead, make_task, make_user, make_vehicle


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(response) -> list[list]:
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    workbook.close()
    return rows


def test_overview_export_keeps_filter_and_sort_and_reads_every_page(client, login_as, monkeypatch):
    monkeypatch.setattr(export_tables, "BATCH", 3)  # several keyset pages
    user = login_as("sales_manager")
    won = [make_lead(owner=user, status=LeadStatus.won) for _ in range(7)]
    make_lead(owner=user)  # open: filtered out
    db.session.commit()
    rows = read_csv(client.get("/admin/lead/export/csv/?flt0_0=won&sort=0"))
    assert rows[0][:3] == ["Code", "Contact", "Owner"]
    assert [r[0] for r in rows[1:]] == sorted(lead.code for lead in won)
    assert {r[6] for r in rows[1:]} == {"Won"}
    sheet = read_xlsx(client.get("/admin/lead/export/xlsx/?flt0_0=won&sort=0"))
    assert sheet[0][0] == "Code" and [r[0] for r in sheet[1:]] == [r[0] for r in rows[1:]]
    audit = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "data_exported").order_by(AuditLog.id)
    ).all()
    assert [a.details["rows"] for a in audit] == [7, 7]
    assert audit[0].details["filters"] == {"flt0_0": "won", "sort": "0"}
    assert audit[0].details["list"] == "leads" and audit[1].details["format"] == "xlsx"
    assert audit[0].actor_id == user.id


def test_overview_export_keeps_the_search(client, login_as):
    user = login_as("sales_manager")
    found = make_lead(owner=user, contact=make_contact(last_name="Vandenbroucke"))
    make_lead(owner=user)
    db.session.commit()
    rows = read_csv(client.get("/admin/lead/export/csv/?search=Vandenbroucke"))
    assert [r[0] for r in rows[1:]] == [found.code]


def test_export_is_scoped_like_the_list(client, login_as):
    ghent = make_branch("Ghent")
    other = make_lead(owner=make_user(branch=ghent), branch=ghent)
    user = login_as("sales_manager", permissions_revoked=["view_all_branches"])
    mine = make_lead(owner=user)
    db.session.commit()
    codes = [r[0] for r in read_csv(client.get("/admin/lead/export/csv/"))[1:]]
    assert codes == [mine.code] and other.code not in codes


def test_cells_that_look_like_formulas_are_escaped(client, login_as):
    user = login_as("sales_manager")
    hostile = make_contact(first_name='=HYPERLINK("http://x")', last_name="+SUM(A1)")
    make_lead(owner=user, contact=hostile)
    db.session.commit()
    rows = read_csv(client.get("/admin/contact/export/csv/"))
    row = next(r for r in rows if r[0].endswith("SUM(A1)"))
    assert row[0] == "'+SUM(A1)" and row[1] == '\'=HYPERLINK("http://x")'
    sheet = read_xlsx(client.get("/admin/contact/export/xlsx/"))
    cells = next(r for r in sheet if str(r[0]).endswith("SUM(A1)"))
    assert cells[0] == "'+SUM(A1)" and cells[1].startswith("'=")


def test_stock_export_with_search(client, login_as):
    login_as("admin")
    make_vehicle(make="Volvo", model="XC40", stock_number="V1")
    make_vehicle(make="Skoda", model="Octavia", stock_number="K1")
    db.session.commit()
    rows = read_csv(client.get("/admin/stock/export/csv/?search=Volvo"))
    assert rows[0][0] == "Stock number" and [r[0] for r in rows[1:]] == ["V1"]
    sheet = read_xlsx(client.get("/admin/stock/export/xlsx/?search=Skoda"))
    assert sheet[1][0] == "K1" and sheet[1][11] == 24990


def test_tasks_export(client, login_as):
    user = login_as("sales_manager")
    lead = make_lead(owner=user)
    make_task(lead, assignee=user, title="Call Mrs Peeters")
    db.session.commit()
    rows = read_csv(client.get("/admin/tasks/export/csv/"))
    assert rows[0][:4] == ["Kind", "Due / start", "Duration", "What"]
    assert any(r[3] == "Call Mrs Peeters" and r[4] == lead.code for r in rows[1:])


def test_export_buttons_show_for_those_allowed(client, login_as):
    login_as("sales_manager")
    page = client.get("/admin/lead/?flt0_0=won").get_data(as_text=True)
    assert "/admin/lead/export/csv/?flt0_0=won" in page and "export-xlsx" in page


@pytest.mark.parametrize("path", ["lead", "contact", "stock", "tasks"])
def test_salespeople_may_not_export(client, login_as, path):
    login_as("salesperson")
    assert client.get(f"/admin/{path}/export/csv/").status_code == 403
    assert "export-csv" not in client.get(f"/admin/{path}/").get_data(as_text=True)


def test_unknown_format_is_404(client, login_as):
    login_as("admin")
    assert client.get("/admin/lead/export/pdf/").status_code == 404
