"""Tasks and deadlines in real Chromium (F7, F16, F21, F27–F29)."""

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlalchemy import update

from carflow.extensions import db
from carflow.models import Deadline, Lead
from tests.e2e.conftest import login


def _create_lead(page, base_url: str) -> str:
    page.goto(f"{base_url}/admin/lead/new/")
    page.fill("input[name=first_name]", "Lotte")
    page.fill("input[name=last_name]", "Janssens")
    page.fill("input[name=email]", "lotte@example.com")
    page.click("#lead-create-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/leads/\d+$"))
    return page.url


def test_deadline_from_overview_to_follow_up_and_task_completion(
    page, live_server, e2e_user, screenshot_dir
):
    login(page, live_server, "manager@carflow.example")
    lead_url = _create_lead(page, live_server)
    # F7: the header counts down to the first-contact deadline (Purchase: 4 hours).
    expect(page.locator(".deadline-box .countdown")).to_contain_text("left")
    page.screenshot(path=str(screenshot_dir / "tasks-lead-countdown.png"), full_page=True)

    # F27: the deadline is in the task overview; clicking it opens the Follow-up tab.
    page.get_by_role("link", name="Tasks", exact=True).first.click()
    page.wait_for_url("**/admin/tasks/**")
    deadline_row = page.locator("tr[data-kind=deadline]", has_text="Lotte Janssens")
    expect(deadline_row).to_have_count(1)
    expect(deadline_row.locator(".item-duration")).to_have_text("")
    deadline_row.locator("a.item-link").click()
    page.wait_for_url(re.compile(r".*/admin/leads/\d+\?tab=followup$"))
    expect(page.locator("#tab-followup")).to_have_class(re.compile("active"))

    # F21: mark contact made, with a note; the deadline closes and the header says so.
    page.fill("input[name=note]", "Reached her on the phone")
    page.get_by_role("button", name="Contact made").click()
    page.wait_for_url("**?tab=followup")
    expect(page.locator(".deadline-outcome").first).to_have_text("Contact made")
    expect(page.locator(".outcome-note")).to_have_text("Reached her on the phone")
    expect(page.locator(".deadline-box .countdown")).to_have_text("No deadline")
    page.screenshot(path=str(screenshot_dir / "tasks-followup.png"), full_page=True)

    # F16: schedule a task from the lead page, complete it from the overview.
    page.goto(lead_url)
    page.locator("a.action-task").click()
    page.fill("input[name=title]", "Send the trade-in estimate")
    page.fill("input[name=duration]", "20")
    page.click(".task-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/leads/\d+\?tab=details$"))
    page.goto(f"{live_server}/admin/tasks/")
    task_row = page.locator("tr[data-kind=task]", has_text="Send the trade-in estimate")
    expect(task_row.locator(".item-duration")).to_have_text("20 min")
    page.screenshot(path=str(screenshot_dir / "tasks-overview.png"), full_page=True)
    task_row.get_by_role("button", name="Complete").click()
    page.wait_for_url("**/admin/tasks/**")
    expect(page.locator("tr[data-kind=task]", has_text="Send the trade-in estimate")).to_have_count(
        0
    )

    page.goto(lead_url)
    expect(page.locator(".timeline")).to_contain_text(
        "Task “Send the trade-in estimate” completed by Marc"
    )
    page.screenshot(path=str(screenshot_dir / "tasks-lead-completed.png"), full_page=True)


def test_agenda_shows_the_calendar_from_the_apps_own_files(
    page, live_server, e2e_user, screenshot_dir
):
    login(page, live_server, "manager@carflow.example")
    _create_lead(page, live_server)
    # The deadline moved to next Monday 10:00 in Brussels: inside the agenda's hours, and
    # the same whatever the day and hour the test runs at.
    brussels = ZoneInfo("Europe/Brussels")
    today = datetime.now(brussels).date()
    monday = today + timedelta(days=7 - today.weekday())
    due = datetime.combine(monday, time(10, 0), tzinfo=brussels).astimezone(UTC)
    db.session.execute(update(Deadline).values(due_at=due))
    db.session.execute(update(Lead).values(next_deadline_at=due))
    db.session.commit()
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(f"{live_server}/admin/tasks/agenda")
    expect(page.locator("#task-calendar .fc-timegrid")).to_be_visible()
    page.locator(".fc-next-button").click()  # next week
    event = page.locator(".fc-event.agenda-deadline").first
    expect(event).to_be_visible()
    # Shown in the user's time zone (Europe/Brussels), whatever the browser's zone.
    expect(event.locator(".fc-event-time")).to_contain_text("10:00")
    page.screenshot(path=str(screenshot_dir / "tasks-agenda.png"), full_page=True)
    assert failed == []


def test_agenda_arrows_show_a_glyph(page, live_server, e2e_user, screenshot_dir):
    """Issue 13 (F28): the CSP blocks FullCalendar's data: icon font; the arrows are drawn
    with Font Awesome from the app's own static files, so they are not empty boxes."""
    login(page, live_server, "manager@carflow.example")
    page.goto(f"{live_server}/admin/tasks/agenda")
    expect(page.locator("#task-calendar .fc-timegrid")).to_be_visible()
    for button, glyph in (("prev", "\uf053"), ("next", "\uf054")):
        icon = page.locator(f".fc-{button}-button .fc-icon")
        expect(icon).to_be_visible()
        style = icon.evaluate(
            """e => { const s = getComputedStyle(e, '::before');
                      return {family: getComputedStyle(e).fontFamily, content: s.content}; }"""
        )
        assert "FontAwesome" in style["family"] and style["content"] == f'"{glyph}"'
    page.wait_for_function("document.fonts.status === 'loaded'")
    assert page.evaluate("document.fonts.check('16px FontAwesome', '\\uf053')")
    loaded = page.evaluate(
        """() => [...document.fonts].some(f => f.family.replace(/"/g, '') === 'FontAwesome'
                                            && f.status === 'loaded')"""
    )
    assert loaded
    page.locator(".fc-prev-button").screenshot(path=str(screenshot_dir / "agenda-prev.png"))
    page.locator(".fc-header-toolbar").screenshot(path=str(screenshot_dir / "agenda-toolbar.png"))
    title = page.locator(".fc-toolbar-title").inner_text()
    page.click(".fc-next-button")
    expect(page.locator(".fc-toolbar-title")).not_to_have_text(title)
