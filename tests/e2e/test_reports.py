"""Issue 16: the manager opens the dashboard, changes the period, clicks a bar of "Leads in
by source" and lands on the overview filtered on that source and period. Screenshots at
1366 and 390 px (charts drawn, tables readable)."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from carflow.extensions import db
from carflow.models import LeadStatus, utcnow
from carflow.services.leads import change_status
from tests.e2e.axe import axe_violations, describe
from tests.e2e.conftest import login
from tests.factories import make_lead, make_source, make_user


def _seed(manager):
    web, phone = make_source("Website"), make_source("Phone")
    seller = make_user("salesperson", branch=manager.branch, first_name="Sofie", last_name="Claes")
    now = utcnow()
    leads = []
    for n in range(6):
        source = web if n % 2 else phone
        leads.append(make_lead(owner=seller, source=source, now=now - timedelta(minutes=5 + n)))
    change_status(leads[0], seller, LeadStatus.won)
    db.session.commit()
    return web, [lead for lead in leads if lead.source_id == web.id]


def _chart_drawn(page, key: str) -> bool:
    return page.evaluate(
        """key => { const c = document.querySelector(`canvas[data-report=${key}]`);
                    const chart = window.Chart && window.Chart.getChart(c);
                    return !!chart && c.width > 0 && chart.data.datasets.length > 0; }""",
        key,
    )


def _click_bar(page, key: str, dataset: int, index: int) -> None:
    point = page.evaluate(
        """([key, d, i]) => { const c = document.querySelector(`canvas[data-report=${key}]`);
              const bar = window.Chart.getChart(c).getDatasetMeta(d).data[i];
              const box = c.getBoundingClientRect();
              return {x: box.left + bar.x, y: box.top + (bar.y + bar.base) / 2}; }""",
        [key, dataset, index],
    )
    page.mouse.click(point["x"], point["y"])


def test_dashboard_period_and_drill_down(page, live_server, e2e_user, screenshot_dir):
    web, web_leads = _seed(e2e_user)
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server, "manager@carflow.example")
    page.goto(f"{live_server}/admin/reports/")
    expect(page.locator("h1")).to_have_text("Reports")
    expect(page.locator("#report-funnel tbody tr").first).to_contain_text("6")
    for key in ("leads_in", "first_response", "funnel", "won_lost", "pipeline", "offers"):
        assert _chart_drawn(page, key), key
    expect(page.locator("main, body")).not_to_contain_text("<td")

    page.select_option("#r-period", "this_month")
    page.click("#report-filters button[type=submit]")
    page.wait_for_url("**period=this_month**")
    expect(page.locator("#r-period")).to_have_value("this_month")
    page.select_option("#r-period", "last_12_months")
    page.click("#report-filters button[type=submit]")
    page.wait_for_url("**period=last_12_months**")
    page.select_option("#r-period", "this_year")
    page.click("#report-filters button[type=submit]")
    page.wait_for_url("**period=this_year**")
    assert _chart_drawn(page, "leads_in")
    page.screenshot(path=str(screenshot_dir / "reports-1366.png"), full_page=True)
    found = axe_violations(page, "reports", screenshot_dir)
    assert not found, describe(found)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert _chart_drawn(page, "leads_in")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshot_dir / "reports-390.png"), full_page=True)

    page.set_viewport_size({"width": 1366, "height": 900})
    page.reload()
    datasets = page.evaluate(
        """() => window.Chart.getChart(document.querySelector('canvas[data-report=leads_in]'))
                  .data.datasets.map(d => d.label)"""
    )
    months = page.evaluate(
        """() => window.Chart.getChart(document.querySelector('canvas[data-report=leads_in]'))
                  .data.labels.length"""
    )
    page.locator("canvas[data-report=leads_in]").scroll_into_view_if_needed()
    _click_bar(page, "leads_in", datasets.index("Website"), months - 1)
    page.wait_for_url("**/admin/lead/?flt**")
    assert f"={web.id}" in page.url
    for lead in web_leads:
        expect(page.locator("body")).to_contain_text(lead.code)
    page.screenshot(path=str(screenshot_dir / "reports-drill-down-1366.png"))
