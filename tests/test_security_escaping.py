"""Output escaping: script and attribute-injection payloads never reach a page raw."""

import pytest

from carflow.extensions import db
from carflow.services.events import record_event
from tests.factories import (
    make_branch,
    make_contact,
    make_lead,
    make_lead_type,
    make_source,
    make_user,
)

SCRIPT = "<script>alert(1)</script>"
ATTR = '" onmouseover="x'
PAYLOADS = (SCRIPT, ATTR, "<img src=x onerror=alert(2)>")


def _assert_escaped(page: str, where: str) -> None:
    for payload in PAYLOADS:
        assert payload not in page, f"raw payload {payload!r} on {where}"


@pytest.fixture
def hostile(app, branch):
    """A lead where every user-typed text carries a payload."""
    owner = make_user(
        "salesperson", branch=make_branch(f"Branch {SCRIPT}"), first_name=SCRIPT, last_name=ATTR
    )
    contact = make_contact(first_name=ATTR, last_name=SCRIPT, city=PAYLOADS[2])
    lead = make_lead(
        owner=owner,
        branch=owner.branch,
        contact=contact,
        lead_type=make_lead_type(f"Type {SCRIPT}"),
        source=make_source(f"Source {ATTR}"),
        comment=f"{SCRIPT} {ATTR} {PAYLOADS[2]}",
    )
    record_event(lead, owner, "note", {"text": f"note {SCRIPT} {ATTR} {PAYLOADS[2]}"})
    db.session.commit()
    return lead


def test_overview_escapes_every_payload(client, login_as, hostile):
    login_as("admin")
    page = client.get("/admin/lead/").data.decode()
    assert hostile.code in page
    _assert_escaped(page, "overview")
    _assert_escaped(client.get("/admin/lead/?search=%3Cscript%3E").data.decode(), "search")


@pytest.mark.parametrize("tab", ["details", "followup", "contacts"])
def test_lead_page_escapes_every_payload(client, login_as, hostile, tab):
    login_as("admin")
    response = client.get(f"/admin/leads/{hostile.id}?tab={tab}")
    assert response.status_code == 200
    page = response.data.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    _assert_escaped(page, f"lead page {tab}")


def test_contacts_list_escapes(client, login_as, hostile):
    login_as("admin")
    _assert_escaped(client.get("/admin/contact/").data.decode(), "contacts")


def test_users_pages_escape_names(client, login_as, hostile):
    login_as("admin")
    _assert_escaped(client.get("/admin/users/").data.decode(), "users list")
    page = client.get(f"/admin/users/{hostile.owner_id}").data.decode()
    assert "&lt;script&gt;" in page
    _assert_escaped(page, "user page")
    _assert_escaped(client.get(f"/admin/users/{hostile.owner_id}/edit").data.decode(), "edit")
    _assert_escaped(client.get("/admin/branches/").data.decode(), "branches")


def test_settings_lists_escape_type_and_source_names(client, login_as, hostile):
    login_as("admin")
    for path in ("/admin/lead_type/", "/admin/lead_source/", "/admin/lead/new/"):
        _assert_escaped(client.get(path).data.decode(), path)


def test_users_name_in_the_navbar_is_escaped(client, login_as):
    login_as("admin", first_name=SCRIPT, last_name=ATTR)
    _assert_escaped(client.get("/admin/profile/").data.decode(), "navbar")


def test_contact_search_json_is_not_html(client, login_as, hostile):
    login_as("admin")
    response = client.get("/admin/lead/contact-search?q=%3Cscr")
    assert response.mimetype == "application/json"
