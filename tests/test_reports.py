"""Issue 16: the reports' figures against hand-computed expectations on a crafted data set
(time zones, opening hours, a lead reopened after being lost, a lead moved between
branches), the page and its query count."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from carflow.extensions import db
from carflow.models import ContactOutcome, Deadline, LeadStatus
from carflow.reports.dashboard import load_dashboard
from carflow.reports.filters import ReportFilter
from carflow.reports.rollup import from_scratch, stored
from carflow.services.deadlines import record_contact_outcome
from carflow.services.leads import assign_lead, change_status
from tests.factories import (
    make_branch,
    make_lead,
    make_lead_type,
    make_lost_reason,
    make_offer,
    make_source,
    make_trade_in,
    make_user,
)

BXL = ZoneInfo("Europe/Brussels")
NYC = ZoneInfo("America/New_York")
WEEKDAYS = {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def local(zone, *args) -> datetime:
    return datetime(*args, tzinfo=zone).astimezone(UTC)


def contact_made(lead, actor, when: datetime) -> None:
    deadline = db.session.scalars(
        db.select(Deadline).where(Deadline.lead_id == lead.id).order_by(Deadline.id)
    ).first()
    record_contact_outcome(deadline, actor, ContactOutcome.made, deadline.version_id, now=when)


def close(lead, actor, status, when: datetime, reason=None) -> None:
    """change_status stamps now: the test then moves the closing moment to `when`."""
    change_status(lead, actor, status, lost_reason=reason and reason.id)
    lead.closed_at = when
    db.session.flush()


@pytest.fixture
def crafted(app):
    """Two branches (Brussels with opening hours, New York), two salespeople, six leads."""
    antwerp = make_branch("Antwerp", opening_hours_sales=WEEKDAYS)
    york = make_branch("New York")
    york.timezone = "America/New_York"
    anna = make_user("salesperson", branch=antwerp, first_name="Anna", last_name="Aerts")
    bob = make_user("salesperson", branch=york, first_name="Bob", last_name="Baker")
    web, phone = make_source("Web"), make_source("Phone")
    purchase = make_lead_type("Purchase", delay_minutes=60)
    price = make_lost_reason("Price")
    common = dict(lead_type=purchase)
    # L1: Monday 2 March 2026, 08:30 in Antwerp (due 09:30); contact 09:15 → 15 opening
    # minutes (opening at 09:00), in time.
    l1 = make_lead(owner=anna, source=web, now=local(BXL, 2026, 3, 2, 8, 30), **common)
    contact_made(l1, anna, local(BXL, 2026, 3, 2, 9, 15))
    # L2: Monday 17:30; contact Tuesday 10:00 → 30 + 60 = 90 opening minutes (deadline missed:
    # it fell due after 60 minutes of elapsed time, opening hours not counted by default).
    l2 = make_lead(owner=anna, source=web, now=local(BXL, 2026, 3, 2, 17, 30), **common)
    contact_made(l2, anna, local(BXL, 2026, 3, 3, 10, 0))
    make_offer(l2, anna)  # a draft: not an offer sent
    # L3: 31 March 23:30 UTC = 1 April 01:30 in Antwerp → an April lead. Lost, reopened, won.
    l3 = make_lead(
        owner=anna, source=phone, now=datetime(2026, 3, 31, 23, 30, tzinfo=UTC), **common
    )
    close(l3, anna, LeadStatus.lost, local(BXL, 2026, 4, 10, 12, 0), reason=price)
    change_status(l3, anna, LeadStatus.open)
    close(l3, anna, LeadStatus.won, local(BXL, 2026, 4, 21, 12, 0))
    make_trade_in(l3, anna)
    # L4: created in Antwerp on 5 March, then given to Bob in New York: all its figures move.
    l4 = make_lead(owner=anna, source=web, now=local(BXL, 2026, 3, 5, 10, 0), **common)
    assign_lead(l4, anna, owner=bob)
    # L5: lost in Antwerp on 20 March.
    l5 = make_lead(owner=anna, source=phone, now=local(BXL, 2026, 3, 9, 10, 0), **common)
    close(l5, anna, LeadStatus.lost, local(BXL, 2026, 3, 20, 12, 0), reason=price)
    # L6: New York, 1 March 2026 at 20:00 local = 2 March 01:00 UTC: a March lead (both ways).
    make_lead(owner=bob, source=phone, now=local(NYC, 2026, 3, 1, 20, 0), **common)
    db.session.commit()
    return dict(antwerp=antwerp, york=york, anna=anna, bob=bob, web=web, phone=phone)


def _dashboard(app, start, end, **dims):
    with app.test_request_context():
        return load_dashboard(
            ReportFilter("custom", start, end, **dims),
            datetime(2026, 5, 1, tzinfo=UTC),
        )


def _row(table, label):
    return next(r for r in table.rows if r[0] == label)


def test_roll_up_equals_the_from_scratch_computation(crafted):
    assert stored() == from_scratch()


def test_leads_in_by_month_and_source(app, crafted):
    board = _dashboard(app, date(2026, 1, 1), date(2026, 6, 30))
    table = board.table("leads_in")
    assert table.headers[1:] == ["Phone", "Web", "Total"]
    by_month = {r[0]: r[1:] for r in table.rows}
    assert by_month["Mar 2026"] == [2, 3, 5]  # L5, L6 by phone; L1, L2, L4 by web
    assert by_month["Apr 2026"] == [1, 0, 1]  # L3: 1 April in Antwerp
    assert by_month["Jan 2026"] == [0, 0, 0]


def test_first_response_median_p90_and_sla_by_branch_and_owner(app, crafted):
    table = _dashboard(app, date(2026, 3, 1), date(2026, 3, 31)).table("first_response")
    overall = table.rows[0]
    assert overall[1] == 2  # two leads contacted in March (L1, L2)
    # histogram: 15 → bucket [15, 20), 90 → bucket [90, 120); median rank 1 → end of the
    # first bucket (20), p90 rank 1.8 → 80 % into [90, 120) = 114
    assert overall[2] == 20.0 and overall[3] == 114.0
    # decided first-contact deadlines: L1 in time, L2 late, L5 closed (lost) without contact;
    # L4 and L6 are still open: not counted yet
    assert overall[4] == 3 and overall[5] == 33.3
    assert _row(table, "Antwerp")[1] == 2
    assert _row(table, "— Anna Aerts")[4:] == [3, 33.3]


def test_funnel_with_rates(app, crafted):
    table = _dashboard(app, date(2026, 1, 1), date(2026, 6, 30)).table("funnel")
    assert table.rows[0] == ["All", 6, 2, 0, 0, 1, 16.7]
    assert _row(table, "Owner: Bob Baker")[1] == 2  # L4 moved to Bob, and L6


def test_won_lost_reopened_and_days_to_close(app, crafted):
    table = _dashboard(app, date(2026, 1, 1), date(2026, 6, 30)).table("won_lost")
    by_month = {r[0]: r[1:] for r in table.rows}
    assert by_month["Mar 2026"][:2] == [0, 1]  # L5 lost
    assert by_month["Apr 2026"][:2] == [1, 0]  # L3 won, no longer lost
    # L5: 9 March 10:00 → 20 March 12:00 (Brussels, no DST change) = 11 days 2 hours
    assert by_month["Mar 2026"][2] == 11.1
    reasons = _dashboard(app, date(2026, 1, 1), date(2026, 6, 30)).table("lost_reasons")
    assert reasons.rows == [["Price", 1, 100.0]]


def test_a_lead_moved_between_branches_counts_in_its_new_branch_only(app, crafted):
    york = _dashboard(app, date(2026, 1, 1), date(2026, 6, 30), branch_id=crafted["york"].id)
    assert york.table("funnel").rows[0][1] == 2  # L4 and L6
    antwerp = _dashboard(app, date(2026, 1, 1), date(2026, 6, 30), branch_id=crafted["antwerp"].id)
    assert antwerp.table("funnel").rows[0][1] == 4


def test_offers_and_trade_ins(app, crafted):
    table = _dashboard(app, date(2026, 1, 1), date(2026, 12, 31)).table("offers")
    assert sum(r[1] for r in table.rows) == 0  # the only offer is a draft
    assert sum(r[5] for r in table.rows) == 1  # L3's trade-in, taken today


def test_daily_rows_give_the_same_figures_as_monthly_ones(app, crafted):
    """A range cut inside months reads daily rows at its edges."""
    board = _dashboard(app, date(2026, 2, 15), date(2026, 4, 30))
    assert board.table("funnel").rows[0][1] == 6


def test_open_pipeline_by_owner_and_overdue(app, crafted):
    table = _dashboard(app, date(2026, 1, 1), date(2026, 6, 30)).table("pipeline")
    anna = _row(table, "Anna Aerts")
    assert anna[5] == 2  # L1, L2 open (L3 won, L5 lost, L4 moved)
    assert _row(table, "Bob Baker")[5] == 2
    assert "flt" in table.links[(0, 5)]
