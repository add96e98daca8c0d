"""Issue 16: the Reports page and its exports through the Flask test client — scoping
(a salesperson sees only their own figures, filters and exports included; another
branch's data never appears), formula-safe exports, a fixed number of SQL statements."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import openpyxl

from carflow.extensions import db
from carflow.models import utcnow
from tests.factories import make_branch, make_lead, make_source, make_user


def _leads(owner, count, source=None, days_ago=3):
    for _ in range(count):
        make_lead(owner=owner, source=source, now=utcnow() - timedelta(days=days_ago))


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _funnel_total(client, query="") -> int:
    rows = _csv(client.get(f"/admin/reports/export/funnel.csv?{query}"))
    return int(rows[1][1])  # the "All" row, column "Leads"


def test_the_manager_sees_the_dashboard_with_charts_and_tables(client, login_as):
    manager = login_as("sales_manager")
    _leads(make_user("salesperson", branch=manager.branch), 2)
    page = client.get("/admin/reports/?period=this_year")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for title in ("Leads in by source", "First response", "Conversion funnel", "Won and lost",
                  "Lost reasons", "Open pipeline", "Offers and trade-ins"):  # fmt: skip
        assert title in html
    assert 'id="report-data"' in html and "chart.umd.min.js" in html
    assert "/admin/lead/?flt" in html  # drill-down links to the overview
    library = client.get("/vendor/chart.js/dist/chart.umd.min.js")
    assert library.status_code == 200 and b"Chart" in library.data
    library.close()


def test_the_menu_shows_reports(client, login_as):
    login_as("sales_manager")
    assert b'href="/admin/reports/"' in client.get("/admin/reports/").data


def test_a_salesperson_sees_only_their_own_figures_whatever_the_filters(client, login_as, branch):
    me = login_as("salesperson")
    colleague = make_user("salesperson", branch=branch)
    _leads(me, 2)
    _leads(colleague, 3)
    db.session.commit()
    assert _funnel_total(client, "period=this_year") == 2
    assert _funnel_total(client, f"period=this_year&owner_id={colleague.id}") == 2
    page = client.get(f"/admin/reports/?owner_id={colleague.id}").get_data(as_text=True)
    assert colleague.last_name not in page  # not offered as a filter either
    xlsx = client.get(f"/admin/reports/export/funnel.xlsx?owner_id={colleague.id}")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.cell(2, 2).value == 2


def test_another_branchs_data_never_appears(client, login_as, branch):
    login_as("read_only")  # neither all branches nor own leads: their branch
    other = make_branch("Elsewhere")
    _leads(make_user("salesperson", branch=branch), 1, source=make_source("Mine"))
    _leads(make_user("salesperson", branch=other), 4, source=make_source("Theirs"))
    db.session.commit()
    assert _funnel_total(client, f"branch_id={other.id}") == 1
    page = client.get(f"/admin/reports/?branch_id={other.id}").get_data(as_text=True)
    assert "Mine" in page and "Theirs" not in page.split('id="report-funnel"')[1]


def test_the_manager_filters_by_branch(client, login_as, branch):
    login_as("sales_manager")
    other = make_branch("Elsewhere")
    _leads(make_user("salesperson", branch=branch), 1)
    _leads(make_user("salesperson", branch=other), 4)
    db.session.commit()
    assert _funnel_total(client) == 5
    assert _funnel_total(client, f"branch_id={other.id}") == 4


def test_exports_escape_formulas(client, login_as, branch):
    login_as("sales_manager")
    _leads(make_user("salesperson", branch=branch), 1, source=make_source("=HYPERLINK(1)"))
    db.session.commit()
    rows = _csv(client.get("/admin/reports/export/leads_in.csv?period=this_year"))
    assert "'=HYPERLINK(1)" in rows[0]
    xlsx = client.get("/admin/reports/export/leads_in.xlsx?period=this_year")
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    headers = [c.value for c in sheet[1]]
    assert "'=HYPERLINK(1)" in headers


def test_unknown_export_and_bad_filters_are_not_errors(client, login_as):
    login_as("sales_manager")
    assert client.get("/admin/reports/export/nope.csv").status_code == 404
    assert client.get("/admin/reports/export/funnel.pdf").status_code == 404
    bad = "?period=%00&date_from=x&date_to=9999-99-99&branch_id=-1&owner_id=abc&source_id=1e9"
    assert client.get("/admin/reports/" + bad).status_code == 200
    custom = client.get("/admin/reports/?period=custom&date_from=2026-03-10&date_to=2026-02-01")
    assert custom.status_code == 200 and "2026-02-01" in custom.get_data(as_text=True)


def test_the_dashboard_runs_a_fixed_number_of_queries(client, login_as, count_queries, branch):
    login_as("sales_manager")
    owner = make_user("salesperson", branch=branch)
    _leads(owner, 1)
    db.session.commit()
    with count_queries() as few:
        assert client.get("/admin/reports/").status_code == 200
    for n in range(4):
        _leads(
            make_user("salesperson", branch=make_branch()), 3, source=make_source(), days_ago=40 * n
        )
    db.session.commit()
    with count_queries() as many:
        assert client.get("/admin/reports/").status_code == 200
    assert len(many) == len(few)
    assert len(few) <= 14


def test_a_bar_links_to_the_overview_with_that_filter(client, login_as, branch):
    """The drill-down: source + created between the bucket's days (user's time zone)."""
    login_as("sales_manager")
    web, phone = make_source("Web"), make_source("Phone")
    mine = make_lead(owner=make_user(branch=branch), source=web, now=utcnow() - timedelta(hours=1))
    other = make_lead(owner=make_user(branch=branch), source=phone, now=utcnow())
    db.session.commit()
    links = re.findall(r'href="(/admin/lead/\?flt0_4=[^"]+)"', client.get("/admin/reports/").text)
    url = next(u for u in links if f"flt0_4={web.id}&" in u.replace("&amp;", "&"))
    overview = client.get(url.replace("&amp;", "&"))
    assert overview.status_code == 200
    assert mine.code in overview.text and other.code not in overview.text


def test_labels_and_numbers_in_the_readers_language(client, login_as, branch):
    login_as("sales_manager", language="fr")
    _leads(make_user("salesperson", branch=branch), 2)
    html = client.get("/admin/reports/?period=custom&date_from=2026-01-01&date_to=2026-12-31").text
    assert "Entonnoir de conversion" in html and "Gagnés et perdus" in html
    assert "janv. 2026" in html  # month labels in French
    from carflow.reports.numbers import number_formatter

    with client.application.test_request_context(headers={"Accept-Language": "fr"}):
        from flask_babel import force_locale

        with force_locale("fr"):
            assert number_formatter()(1234567) == "1\u202f234\u202f567"
            assert number_formatter()(11.14) == "11,1"
