"""Issue 13 (F24, F27–F29): the task overview fits a 1366 px laptop (no column off screen)
and at 390 px shows each row as a readable card; the Kind badges are rendered markup."""

from datetime import timedelta

from playwright.sync_api import expect

from carflow.extensions import db
from carflow.models import utcnow
from tests.e2e.conftest import login
from tests.factories import make_appointment, make_contact, make_lead, make_task

LONG = "Call back about the financing offer and the winter tyres, then confirm the delivery date"


def _seed(user):
    for n in range(3):
        contact = make_contact(first_name="Anne-Catherine", last_name=f"Vandenbroucke-Lemaire {n}")
        lead = make_lead(owner=user, contact=contact, now=utcnow() - timedelta(days=3))  # overdue
        make_task(lead, title=f"{LONG} ({n})", duration_minutes=45)
        make_appointment(lead, owner=user)
    db.session.commit()


def _right_edges(page):
    return page.evaluate(
        """() => [...document.querySelectorAll('.task-overview th, .task-overview td')]
              .filter(e => e.offsetParent !== null)
              .map(e => e.getBoundingClientRect().right)"""
    )


def test_task_overview_fits_a_laptop_and_a_phone(page, live_server, e2e_user, screenshot_dir):
    _seed(e2e_user)
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server, "manager@carflow.example")
    page.goto(f"{live_server}/admin/tasks/")
    rows = page.locator(".task-overview tbody tr.agenda-item")
    expect(rows).to_have_count(9)
    expect(page.locator("tr.overdue[data-kind=deadline]")).to_have_count(3)
    badge = page.locator("tr[data-kind=deadline] .kind-badge").first
    expect(badge).to_have_text("Deadline")
    expect(page.locator(".task-overview")).not_to_contain_text("<span")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert max(_right_edges(page)) <= 1366
    expect(page.locator("tr[data-kind=task] .task-complete").first).to_be_in_viewport()
    page.screenshot(path=str(screenshot_dir / "task-overview-1366.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert max(_right_edges(page)) <= 390
    first = rows.first
    assert first.evaluate("r => getComputedStyle(r).display") == "block"
    assert first.evaluate("r => r.getBoundingClientRect().width") <= 390
    label = page.locator("tr[data-kind=task] .item-what").first.evaluate(
        "e => getComputedStyle(e, '::before').content"
    )
    assert label == '"What"'
    expect(page.locator("tr[data-kind=task] .task-complete").first).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "task-overview-390.png"), full_page=True)
