"""Issue 16 on PostgreSQL: two transactions adding leads to the same roll-up rows at the
same time both count (INSERT … ON CONFLICT DO UPDATE adds up; nothing overwritten)."""

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from carflow.extensions import db
from carflow.models import AccountSettings, Branch, LeadSource, LeadType, ReportRollup, User
from carflow.reports.rollup import from_scratch, stored
from tests.factories import make_lead, make_lead_type, make_source, make_user

NOW = datetime(2026, 6, 3, 10, 0, tzinfo=UTC)


def test_concurrent_leads_on_the_same_rows_all_count(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serializes all writes")
    owner = make_user()
    lead_type, source = make_lead_type(), make_source()
    AccountSettings.get()  # the settings row exists before the race (else both insert it)
    db.session.commit()
    ids = (owner.id, owner.branch_id, lead_type.id, source.id)
    barrier = threading.Barrier(2)
    errors = []

    def writer():
        with app.test_request_context():
            try:
                user, branch = db.session.get(User, ids[0]), db.session.get(Branch, ids[1])
                for _ in range(3):
                    make_lead(
                        owner=user,
                        branch=branch,
                        lead_type=db.session.get(LeadType, ids[2]),
                        source=db.session.get(LeadSource, ids[3]),
                        now=NOW,
                    )
                barrier.wait(timeout=10)  # both hold their changes, then commit together
                db.session.commit()
            except Exception as error:  # noqa: BLE001  (reported by the assertion below)
                errors.append(repr(error))
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    db.session.expire_all()
    total = select(func.sum(ReportRollup.leads_in)).where(ReportRollup.grain == "m")
    assert db.session.scalar(total) == 6
    assert stored() == from_scratch()
