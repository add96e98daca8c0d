"""Issue 12: hostile query strings on GET pages — ids no column can hold, year-1 dates,
NUL bytes — are ignored like any unknown value: the page answers normally, never 500
(PostgreSQL refuses such values where SQLite would let them through)."""

from __future__ import annotations

import pytest

from carflow.extensions import db
from tests.factories import make_lead, make_offer

HUGE = "2147483648"


@pytest.fixture
def lead(login_as):
    seller = login_as("sales_manager")
    lead = make_lead(owner=seller)
    make_offer(lead, seller)
    db.session.commit()
    return lead


@pytest.mark.parametrize(
    ("path", "query", "content"),
    [
        ("/admin/leads/{lead}", {"before": HUGE}, "Timeline"),
        ("/admin/leads/{lead}", {"before": "-5"}, "Timeline"),
        ("/admin/tasks/", {"user_id": HUGE}, "Tasks"),
        ("/admin/tasks/", {"branch_id": HUGE, "date_from": "0001-01-01"}, "Tasks"),
        ("/admin/tasks/", {"after": "WzEsMiwzXQ"}, "Tasks"),
        ("/admin/communications/new/{lead}", {"offer_id": HUGE}, "Subject"),
    ],
)
def test_hostile_query_values_are_ignored(client, lead, path, query, content):
    response = client.get(path.format(lead=lead.id), query_string=query)
    assert response.status_code == 200, response.status_code
    assert content in response.text


@pytest.mark.parametrize(
    "query",
    [
        {"user_id": HUGE, "start": "2026-11-30T00:00:00", "end": "2026-12-07T00:00:00"},
        {"start": "0001-01-01T00:00:00", "end": "0001-01-08T00:00:00"},
        {"start": "9999-12-30T00:00:00", "end": "9999-12-31T00:00:00"},
    ],
)
def test_agenda_feed_ignores_impossible_users_and_dates(client, lead, query):
    response = client.get("/admin/tasks/events", query_string=query)
    assert response.status_code == 200 and response.is_json
    assert isinstance(response.get_json(), list)


@pytest.mark.parametrize(
    ("path", "key"), [("/admin/stock/search", "results"), ("/admin/lead/contact-search", "results")]
)
def test_searches_drop_control_characters(client, lead, path, key):
    response = client.get(path, query_string={"q": "Ma\x00es"})
    assert response.status_code == 200 and key in response.get_json()
