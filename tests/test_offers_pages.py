"""The `*.for_lead` pages (F8 counts open them) run a fixed number of queries."""

from datetime import UTC, datetime, timedelta

from carflow.extensions import db
from tests.factories import make_lead, make_offer, make_test_drive, make_trade_in, make_vehicle


def _add_items(lead, user, n):
    for i in range(n):
        trade_in = make_trade_in(lead, user)
        make_offer(lead, user, vehicle_id=make_vehicle().id, trade_in_id=trade_in.id)
        start = datetime(2026, 12, 1, 8, tzinfo=UTC) + timedelta(hours=2 * i)
        make_test_drive(lead, make_vehicle(), start, start + timedelta(hours=1))


def test_item_lists_query_count_does_not_grow(client, login_as, count_queries):
    user = login_as("salesperson")
    lead = make_lead(owner=user)
    _add_items(lead, user, 1)
    db.session.commit()
    urls = (
        f"/admin/trade-ins/lead/{lead.id}",
        f"/admin/offers/lead/{lead.id}",
        f"/admin/test-drives/lead/{lead.id}",
    )
    before = {}
    for url in urls:
        client.get(url)  # warm caches (edition, settings)
        with count_queries() as queries:
            assert client.get(url).status_code == 200
        before[url] = len(queries)
    _add_items(lead, user, 4)
    db.session.commit()
    for url in urls:
        with count_queries() as queries:
            page = client.get(url)
        assert page.status_code == 200
        assert len(queries) == before[url], url
        assert page.data.count(b"<tr>") >= 6  # header + 5 rows
