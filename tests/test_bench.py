"""Issue 8: the benchmark generator makes consistent data; the runner measures and writes JSON."""

import json
import os

import pytest
from sqlalchemy import func, select

from bench import generate as gen
from bench import run as runner
from bench.app import bench_app
from carflow.extensions import db
from carflow.models import (
    Contact,
    Deadline,
    Event,
    Lead,
    LeadSearchTerm,
    Offer,
    TestDrive,
    TradeIn,
    User,
)
from carflow.services.leads import format_lead_code
from carflow.services.search import search_condition
from tests.pg import create_pg_database

LEADS = 200


@pytest.fixture(scope="module")
def bench_db(tmp_path_factory):
    """An empty database (SQLite file, or a fresh PostgreSQL database) filled by the generator."""
    os.environ.setdefault("CARFLOW_INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
    base = os.environ.get("CARFLOW_TEST_DATABASE_URL")
    drop = None
    if base:
        url, drop = create_pg_database(base, prefix="carflow_bench_test")
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("bench") / "bench.sqlite")
    app = bench_app(url)
    with app.app_context():
        summary = gen.generate(LEADS, seed=7)
        db.session.remove()
    app.bench_url = url
    yield app, summary
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if drop:
        drop()


def test_generator_counts(bench_db):
    app, summary = bench_db
    with app.app_context():
        s = db.session
        assert summary["leads"] == LEADS
        assert s.scalar(select(func.count(Lead.id))) == LEADS
        assert s.scalar(select(func.count(Contact.id))) == 40
        assert s.scalar(select(func.count(User.id))) == 40
        assert (
            s.scalar(select(func.count(Event.id)).where(Event.lead_id == gen.big_lead_id(LEADS)))
            == 2000
        )
        per_lead = select(func.count(Event.id)).where(Event.lead_id != gen.big_lead_id(LEADS))
        assert (
            s.scalar(per_lead.group_by(Event.lead_id).order_by(func.count().desc()).limit(1)) <= 5
        )
        statuses = dict(s.execute(select(Lead.status, func.count()).group_by(Lead.status)).all())
        assert set(statuses) == {"open", "won", "lost"} or len(statuses) == 3


def test_generator_codes_deadlines_and_counters_are_consistent(bench_db):
    app, _ = bench_db
    with app.app_context():
        s = db.session
        for lead in s.scalars(select(Lead)):
            assert lead.code == format_lead_code(lead.id, lead.created_at)
            open_due = s.scalar(
                select(func.min(Deadline.due_at)).where(
                    Deadline.lead_id == lead.id, Deadline.closed_at.is_(None)
                )
            )
            assert lead.next_deadline_at == open_due, lead.code
            if lead.status.value != "open":
                assert open_due is None and lead.closed_at is not None
            for model, counter in ((TradeIn, "trade_in_count"), (Offer, "offer_count"),
                                   (TestDrive, "test_drive_count")):  # fmt: skip
                count = s.scalar(select(func.count(model.id)).where(model.lead_id == lead.id))
                assert getattr(lead, counter) == count, (lead.code, counter)
            assert lead.last_activity_at >= lead.created_at


def test_generated_search_index_matches_the_services(bench_db):
    """The generator writes the same terms `reindex_lead` would write."""
    from carflow.services.search import reindex_lead

    app, _ = bench_db
    with app.app_context():
        s = db.session
        for lead_id in (1, 57, LEADS):
            terms = select(LeadSearchTerm.term, LeadSearchTerm.lead_created_at).where(
                LeadSearchTerm.lead_id == lead_id
            )
            before = set(s.execute(terms).all())
            reindex_lead(lead_id)
            after = set(s.execute(terms).all())
            assert before == after and after
        s.rollback()
        lead = s.get(Lead, 3)
        ids = s.scalars(select(Lead.id).where(search_condition(lead.contact.last_name))).all()
        assert lead.id in ids


def test_generator_refuses_a_non_empty_database(bench_db):
    app, _ = bench_db
    with app.app_context(), pytest.raises(SystemExit):
        gen.generate(10)


# SQL statements per page, as bench/README.md states them (the "queries" column).
PROMISED_QUERIES = {
    "overview page 1": 4,
    "overview deep page": 4,
    "filter status+owner": 4,
    "filter overdue": 4,
    "search last name": 5,
    "search phone": 5,
    "search plate": 5,
    "lead page 2,000 events": 5,
    "lead page small": 5,
    "contacts list page 1": 3,
    "task overview (one user)": 7,
}


def test_runner_measures_every_scenario_and_writes_json(bench_db, tmp_path):
    app, _ = bench_db
    out = tmp_path / "result.json"
    runner.main(["--database-url", app.bench_url, "--runs", "2", "--output", str(out)])
    saved = json.loads(out.read_text())
    assert saved["leads"] == LEADS
    names = set(saved["scenarios"])
    assert {"overview page 1", "overview deep page", "search phone", "search plate"} <= names
    assert names == set(PROMISED_QUERIES)
    for name, result in saved["scenarios"].items():
        assert result["status"] == 200, (name, result["url"])
        assert result["queries"] == PROMISED_QUERIES[name], name
        assert result["median_ms"] > 0
        # The floor ran the page's own statements and rendered their rows (issue 14 item 8).
        assert result["floor_ms"] > 0 and result["ratio"] == pytest.approx(
            result["median_ms"] / result["floor_ms"], rel=0.05
        )
