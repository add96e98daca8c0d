"""F3: keyset pagination — every lead exactly once across pages, in order, for every sort."""

import re
from datetime import timedelta

import pytest
from flask import current_app

from carflow.extensions import db
from carflow.models import Lead, LeadStatus, utcnow
from carflow.services.overview import decode_cursor, encode_cursor, sort_spec
from tests.factories import make_contact, make_lead, make_lead_type, make_source, make_user

COLUMNS = ("code", "contact", "owner", "branch", "lead_type", "source", "status",
           "next_deadline_at", "created_at", "last_activity_at")  # fmt: skip
PAGE = 4


@pytest.fixture
def view(app):
    lead_view = current_app.view_functions["lead.index_view"].__self__  # the LeadView
    original = lead_view.page_size
    lead_view.page_size = PAGE
    yield lead_view
    lead_view.page_size = original


@pytest.fixture
def many_leads(login_as, view):
    """15 leads: shared names, owners and times (ties), some without owner or deadline."""
    user = login_as("sales_manager")
    owners = [user, make_user(branch=user.branch, last_name="Aalst"), None]
    types, sources = [make_lead_type(), make_lead_type()], [make_source(), make_source()]
    start = utcnow() - timedelta(days=30)
    leads = []
    for n in range(15):
        lead = make_lead(
            owner=owners[n % 3],
            branch=user.branch,
            actor=user,
            contact=make_contact(last_name=("Claes", "Aerts", "Maes")[n % 3]),
            lead_type=types[n % 2],
            source=sources[n % 2],
            now=start + timedelta(days=n // 2),  # pairs share the same creation time
        )
        if n % 4 == 0:
            lead.next_deadline_at = None
        if n % 5 == 0:
            lead.status = LeadStatus.won
        leads.append(lead)
    db.session.commit()
    return leads


def _walk(client, url: str, rel: str = "next") -> list[list[str]]:
    pages = []
    while url:
        html = client.get(url).get_data(as_text=True)
        pages.append(re.findall(r">(L\d{4}-\d{6})</a>", html))
        match = re.search(rf'rel="{rel}" href="([^"#]+)"', html)
        url = match.group(1).replace("&amp;", "&") if match else None
        assert len(pages) < 20, "pager loops"
    return pages


def _key(lead: Lead, column: str):
    names = {
        "contact": lambda x: (x.contact.last_name, x.contact_id),
        "owner": lambda x: (x.owner.last_name if x.owner else "", x.owner_id or 0),
        "branch": lambda x: (x.branch.name, x.branch_id),
        "lead_type": lambda x: (x.lead_type.name, x.lead_type_id),
        "source": lambda x: (x.source.name, x.source_id),
        "status": lambda x: (x.status.value,),
        "next_deadline_at": lambda x: (x.next_deadline_at is None, x.next_deadline_at or 0),
        "code": lambda x: (x.code,),
    }
    if column in ("created_at", "last_activity_at"):
        return (getattr(lead, column), lead.id)
    if column == "code":
        return (lead.code,)
    extra = () if column == "next_deadline_at" else (lead.created_at,)
    return (*names[column](lead), *extra, lead.id)


@pytest.mark.parametrize("desc", [False, True])
@pytest.mark.parametrize("column", COLUMNS)
def test_every_lead_once_in_order_forward_and_back(client, many_leads, column, desc):
    index = COLUMNS.index(column)
    url = f"/admin/lead/?sort={index}" + ("&desc=1" if desc else "")
    pages = _walk(client, url)
    codes = [code for page in pages for code in page]
    by_code = {lead.code: lead for lead in many_leads}
    expected = sorted(many_leads, key=lambda x: _key(x, column), reverse=desc)
    assert codes == [lead.code for lead in expected]
    assert all(len(page) == PAGE for page in pages[:-1])
    # From the last page back to the first with the "previous" links: the same pages.
    last_url = _last_page_url(client, url)
    back = _walk(client, last_url, rel="prev")
    assert list(reversed(back)) == pages
    assert len(by_code) == len(codes)


def _last_page_url(client, url: str) -> str:
    while True:
        html = client.get(url).get_data(as_text=True)
        match = re.search(r'rel="next" href="([^"#]+)"', html)
        if not match:
            return url
        url = match.group(1).replace("&amp;", "&")


def test_pages_keep_filters_and_search(client, many_leads):
    pages = _walk(client, "/admin/lead/?search=maes")
    codes = [c for page in pages for c in page]
    assert len(codes) == 5 and len(pages) == 2
    assert all("Maes" in m.contact.last_name for m in many_leads if m.code in codes)


def test_overview_has_no_offset_and_no_count(client, many_leads, count_queries):
    with count_queries() as queries:
        _walk(client, "/admin/lead/")
    sql = "\n".join(queries).lower()
    assert " offset " not in sql.replace("offset ?", "").replace("offset %(", "")
    assert "count(" not in sql


def test_bad_cursor_shows_the_first_page(client, many_leads):
    first = _walk(client, "/admin/lead/")[0]
    assert _walk(client, "/admin/lead/?after=garbage!")[0] == first
    assert client.get("/admin/lead/?before=W10").status_code == 200


def test_cursor_round_trip(app):
    spec = sort_spec("created_at")
    moment = utcnow()
    assert decode_cursor(encode_cursor(0, [moment, 7]), spec) == (0, [moment, 7])
    assert decode_cursor(encode_cursor(5, [moment, 7]), spec) is None
    assert decode_cursor(encode_cursor(0, ["2026-01-01T00:00:00", 7]), spec) is None  # naive


def test_scope_applies_to_every_page(client, login_as, view):
    seller = login_as("salesperson")
    mine = [make_lead(owner=seller) for _ in range(5)]
    other_branch = [make_lead(owner=make_user()) for _ in range(3)]
    db.session.commit()
    codes = {c for page in _walk(client, "/admin/lead/") for c in page}
    assert codes == {lead.code for lead in mine}
    assert not codes & {lead.code for lead in other_branch}


@pytest.mark.parametrize("desc", [False, True])
@pytest.mark.parametrize(
    ("search", "last_names"),
    [("jan", ("Claes", "Aerts", "Maes")), ("claes jan", ("Claes",)), ("maes", ("Maes",))],
)
def test_search_pages_walk_the_index_in_creation_order(
    client, many_leads, search, last_names, desc
):
    """Issue 8: newest (or oldest) first, few matches are read from the search index range
    (term, lead_created_at, lead_id); each lead once, ties by id, forward and back.

    'jan' matches each lead twice (first name and e-mail): pages must still show it once."""
    column = COLUMNS.index("created_at")
    url = f"/admin/lead/?sort={column}&search={search.replace(' ', '+')}" + (
        "&desc=1" if desc else ""
    )
    pages = _walk(client, url)
    codes = [code for page in pages for code in page]
    matching = [lead for lead in many_leads if lead.contact.last_name in last_names]
    expected = sorted(matching, key=lambda x: (x.created_at, x.id), reverse=desc)
    assert codes == [lead.code for lead in expected]
    back = _walk(client, _last_page_url(client, url), rel="prev")
    assert list(reversed(back)) == pages


@pytest.mark.parametrize("candidates", [200, 3])
def test_search_in_creation_order_keeps_filters(
    client, many_leads, count_queries, monkeypatch, candidates
):
    """The index walk still applies the status filter and the user's scope; with fewer
    candidates than a page (3 < 4), the filtered pages fall back to every match."""
    monkeypatch.setattr("carflow.services.overview.SEARCH_CANDIDATES", candidates)
    status_filter = "flt0_0"  # first filter (status equals), see LEAD_FILTERS
    with count_queries() as queries:
        pages = _walk(client, f"/admin/lead/?search=jan&{status_filter}=open")
    index_reads = [sql for sql in queries if "OVER ()" in sql and "lead_created_at DESC" in sql]
    assert index_reads and all("FROM lead_search" in sql for sql in index_reads)
    codes = [code for page in pages for code in page]
    expected = sorted(
        (lead for lead in many_leads if lead.status == LeadStatus.open),
        key=lambda x: (x.created_at, x.id),
        reverse=True,
    )
    assert codes == [lead.code for lead in expected]
