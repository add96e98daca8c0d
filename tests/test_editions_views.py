"""Issue 13 (F19, F33): what each edition shows. Pro lists no test drives in the task
overview and agenda; Go has no "Leads" entry and no page that answers 403 from the menu;
a refusal caused by the edition says so."""

import re
from datetime import timedelta

import pytest

from carflow.extensions import db
from carflow.models import AccountSettings, Edition, utcnow
from tests.factories import make_appointment, make_lead, make_task

EDITION_MESSAGE = "This feature is not included in your edition."


def _set_edition(edition):
    AccountSettings.get().edition = edition
    db.session.commit()


def _menu_links(html: str) -> list[str]:
    return re.findall(r'<a class="nav-link[^"]*"[^>]*href="([^"]+)"', html)


@pytest.mark.parametrize("edition", [Edition.pro, Edition.expert])
def test_task_overview_lists_test_drives_only_when_the_edition_has_them(client, login_as, edition):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    make_task(lead, title="Call about financing")
    make_appointment(lead, owner=user)
    _set_edition(edition)
    html = client.get("/admin/tasks/").text
    assert 'data-kind="task"' in html and 'data-kind="deadline"' in html
    assert ('data-kind="test_drive"' in html) is (edition == Edition.expert)
    start = (utcnow() - timedelta(days=1)).isoformat()
    end = (utcnow() + timedelta(days=2)).isoformat()
    events = client.get("/admin/tasks/events", query_string={"start": start, "end": end}).json
    kinds = {e["extendedProps"]["kind"] for e in events}
    expected = {"task", "deadline"} | ({"test_drive"} if edition == Edition.expert else set())
    assert kinds == expected
    agenda = client.get("/admin/tasks/agenda").text
    assert ("agenda-legend agenda-test-drive" in agenda) is (edition == Edition.expert)


@pytest.mark.parametrize(
    "role", ["admin", "sales_manager", "salesperson", "receptionist", "read_only"]
)
def test_go_edition_menu_has_only_pages_the_user_may_open(client, login_as, role):
    login_as(role)
    _set_edition(Edition.go)
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200 and home.request.path == "/admin/"
    links = _menu_links(home.text)
    assert "/admin/stock/" in links
    assert "/admin/lead/" not in links and "/admin/tasks/" not in links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_edition_refusal_says_so(client, login_as):
    user = login_as("admin")
    lead = make_lead(owner=user)
    drive = make_appointment(lead, owner=user)
    _set_edition(Edition.pro)
    for url in (
        f"/admin/test-drives/lead/{lead.id}",
        f"/admin/test-drives/new/{lead.id}",
        f"/admin/test-drives/{drive.id}",
        "/admin/communications/",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert EDITION_MESSAGE in response.text, url
    _set_edition(Edition.go)
    for url in ("/admin/lead/", f"/admin/leads/{lead.id}", "/admin/tasks/", "/admin/contact/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert EDITION_MESSAGE in response.text, url


def test_a_missing_permission_keeps_the_generic_message(client, login_as):
    login_as("read_only")
    lead = make_lead()
    db.session.commit()
    response = client.get(f"/admin/offers/new/{lead.id}")
    assert response.status_code in (403, 404)
    users = client.get("/admin/users/")
    assert users.status_code == 403
    assert "You do not have permission to do this." in users.text
    assert EDITION_MESSAGE not in users.text


def test_edition_message_is_translated(client, login_as):
    user = login_as("admin")
    user.language = "fr"
    _set_edition(Edition.go)
    response = client.get("/admin/lead/")
    assert response.status_code == 403
    assert "Cette fonctionnalité n’est pas incluse dans votre édition." in response.text
