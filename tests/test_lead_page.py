"""The lead page (F5–F9, F20, F22–F24): header figures, tabs, timeline, query count."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import insert

from carflow.extensions import db
from carflow.models import Event, LeadContact, LeadStatus, utcnow
from carflow.services.deadlines import add_deadline
from carflow.services.events import bump_item_count
from tests.factories import make_branch, make_contact, make_lead, make_lost_reason, make_user


def _page(client, lead, tab="details", **args):
    query = "&".join(f"{k}={v}" for k, v in {"tab": tab, **args}.items())
    response = client.get(f"/admin/leads/{lead.id}?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_header_shows_contact_code_owner_type_source_and_status_color(client, login_as):
    user = login_as("salesperson", first_name="Sam", last_name="Seller")
    lead = make_lead(owner=user, contact=make_contact(first_name="Eva", last_name="Maes"))
    db.session.commit()
    html = _page(client, lead)
    assert "Eva Maes" in html and lead.code in html and "Sam Seller" in html
    assert lead.lead_type.name in html and lead.source.name in html
    header = re.search(r'<section class="lead-header[^"]*"', html).group(0)
    assert f"bg-{LeadStatus.open.color}" in header
    assert f"btn-{LeadStatus.open.color} btn-sm dropdown-toggle status-button" in html


def test_header_colour_follows_status_and_queue_is_shown(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=None, branch=user.branch)
    lead.status = LeadStatus.lost
    lead.lost_reason = make_lost_reason("Too expensive")
    db.session.commit()
    html = _page(client, lead)
    header = re.search(r'<section class="lead-header[^"]*"', html).group(0)
    assert "bg-danger" in header and "status-lost" in header
    assert "Branch queue" in html
    assert "Too expensive" in html


def test_countdown_data_overdue_and_no_deadline(client, login_as):
    user = login_as("salesperson")
    overdue = make_lead(owner=user, now=utcnow() - timedelta(days=3))
    empty = make_lead(owner=user)
    empty.next_deadline_at = None
    db.session.commit()
    html = _page(client, overdue)
    assert f'data-due="{overdue.next_deadline_at.isoformat()}"' in html
    assert "overdue by" in html and "text-danger overdue" in html
    assert 'data-label-overdue="overdue by {t}"' in html
    assert "No deadline" in _page(client, empty)


def test_counts_elapsed_and_dates_in_user_timezone(client, login_as):
    user = login_as("salesperson", timezone="America/New_York")
    created = utcnow().replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=3)
    lead = make_lead(owner=user, now=created)
    for counter, n in (("trade_in_count", 2), ("offer_count", 3), ("test_drive_count", 1)):
        bump_item_count(lead, counter, n)
    db.session.commit()
    html = _page(client, lead)
    assert re.search(r'count-trade-ins font-weight-bold">2<', html)
    assert re.search(r'count-offers font-weight-bold">3<', html)
    assert re.search(r'count-test-drives font-weight-bold">1<', html)
    assert 'lead-elapsed">3 days<' in html
    assert "7:00\u202fAM" in html or "7:00 AM" in html  # 12:00 UTC in New York (EST)


def test_count_links_appear_only_when_the_endpoint_exists(app, client, login_as):
    if "trade_in.for_lead" not in app.view_functions:
        app.add_url_rule("/x/<int:lead_id>/trade-ins", "trade_in.for_lead", lambda lead_id: "")
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    db.session.commit()
    html = _page(client, lead)
    assert re.search(
        rf'<a class="text-white" href="[^"]*{lead.id}[^"]*"><span class="count-trade-ins', html
    )
    for endpoint, css in (
        ("offer.for_lead", "count-offers"),
        ("test_drive.for_lead", "count-test-drives"),
    ):
        if endpoint not in app.view_functions:
            assert f'"><span class="{css}' not in html


def test_tab_in_url_and_unknown_tab_falls_back(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    db.session.commit()
    html = _page(client, lead, "contacts")
    assert re.search(r'class="nav-link active" id="tab-contacts"', html)
    assert "Link an existing contact" in html
    html = _page(client, lead, "bogus")
    assert re.search(r'class="nav-link active" id="tab-details"', html)


def test_read_only_user_sees_no_buttons(client, login_as):
    viewer = login_as("read_only")
    lead = make_lead(owner=make_user(branch=viewer.branch), branch=viewer.branch)
    db.session.commit()
    html = _page(client, lead)
    assert "action-note" not in html and "action-assign" not in html
    assert "dropdown-toggle status-button" not in html
    assert "lead-comment-form" not in html and "modal-note" not in html
    contacts = _page(client, lead, "contacts")
    assert "contact-edit-form" not in contacts and "contact-link-form" not in contacts


def test_other_branch_salesperson_gets_404(client, login_as):
    login_as("salesperson")
    lead = make_lead(owner=make_user(branch=make_branch()))
    db.session.commit()
    assert client.get(f"/admin/leads/{lead.id}").status_code == 404


def _add_events(lead, user, count: int) -> None:
    start = utcnow() - timedelta(days=30)
    rows = [
        dict(
            lead_id=lead.id,
            at=start + timedelta(minutes=i),
            actor_id=user.id,
            kind="note",
            data={"text": f"note {i}"},
        )
        for i in range(count)
    ]
    db.session.execute(insert(Event), rows)


def test_timeline_newest_first_50_then_show_older(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user, now=utcnow() - timedelta(days=60))
    _add_events(lead, user, 120)
    db.session.commit()
    html = _page(client, lead)
    assert html.count('<li class="timeline-event') == 50
    texts = re.findall(r'class="event-text">note (\d+)<', html)
    numbers = [int(t) for t in texts]
    assert numbers[0] == 119 and numbers == sorted(numbers, reverse=True)
    older = re.search(r'href="([^"]+before=\d+)"', html).group(1).replace("&amp;", "&")
    html = client.get(older).get_data(as_text=True)
    older_numbers = [int(t) for t in re.findall(r'class="event-text">note (\d+)<', html)]
    assert older_numbers[0] == numbers[-1] - 1 and len(older_numbers) == 50


def _page_queries(client, count_queries, lead, tab) -> int:
    with count_queries() as queries:
        _page(client, lead, tab)
    return len(queries)


def test_page_runs_a_fixed_number_of_queries(client, login_as, count_queries):
    user = login_as("salesperson")
    fresh = make_lead(owner=user)
    big = make_lead(owner=user, now=utcnow() - timedelta(days=90))
    _add_events(big, user, 2000)
    for i in range(10):
        db.session.add(LeadContact(lead_id=big.id, contact_id=make_contact().id, position=i))
    for days in (1, 2, 3, 4):
        add_deadline(big, user, utcnow() + timedelta(days=days))
    db.session.commit()
    for tab in ("details", "followup", "contacts"):
        _page(client, fresh, tab)  # warm-up
        expected = _page_queries(client, count_queries, fresh, tab)
        assert _page_queries(client, count_queries, big, tab) == expected, tab
        assert expected <= 15
    assert len(re.findall(r'class="card mb-2 lead-contact', _page(client, big, "contacts"))) == 11


def test_closed_lead_has_no_running_countdown(client, login_as):
    user = login_as("salesperson")
    lead = make_lead(owner=user, now=utcnow() - timedelta(days=3))
    lead.status = LeadStatus.won
    db.session.commit()
    html = _page(client, lead)
    assert 'data-due=""' in html and "Lead closed: no deadline runs" in html
    assert "overdue by 2" not in html
