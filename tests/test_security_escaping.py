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


def _page(client, path: str, anchor: str) -> str:
    """The page at `path`: served (200) and showing its own content (`anchor`), so that an
    absent payload means escaped, not an error page."""
    response = client.get(path)
    page = response.data.decode()
    assert response.status_code == 200, path
    assert anchor in page, (path, anchor)
    return page


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
    search = _page(
        client, "/admin/lead/?search=%3Cscript%3E", 'name="search" value="&lt;script&gt;"'
    )
    _assert_escaped(search, "search")


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
    page = _page(client, "/admin/contact/", "&lt;script&gt;alert(1)&lt;/script&gt;")
    _assert_escaped(page, "contacts")


def test_users_pages_escape_names(client, login_as, hostile):
    login_as("admin")
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    _assert_escaped(_page(client, "/admin/users/", escaped), "users list")
    _assert_escaped(_page(client, f"/admin/users/{hostile.owner_id}", escaped), "user page")
    edit = _page(client, f"/admin/users/{hostile.owner_id}/edit", 'name="first_name"')
    _assert_escaped(edit, "edit")
    _assert_escaped(_page(client, "/admin/branches/", f"Branch {escaped}"), "branches")


def test_settings_lists_escape_type_and_source_names(client, login_as, hostile):
    login_as("admin")
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for path, anchor in (
        ("/admin/lead_type/", f"Type {escaped}"),
        ("/admin/lead_source/", "Source &#34; onmouseover=&#34;x"),
        ("/admin/lead/new/", f"Type {escaped}"),
    ):
        _assert_escaped(_page(client, path, anchor), path)


def test_users_name_in_the_navbar_is_escaped(client, login_as):
    login_as("admin", first_name=SCRIPT, last_name=ATTR)
    page = _page(client, "/admin/profile/", "&lt;script&gt;alert(1)&lt;/script&gt;")
    assert 'class="nav-link mr-2 user-name"' in page
    _assert_escaped(page, "navbar")


def test_contact_search_json_is_not_html(client, login_as, hostile):
    login_as("admin")
    response = client.get("/admin/lead/contact-search?q=%3Cscr")
    assert response.mimetype == "application/json"
