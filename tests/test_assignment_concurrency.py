"""Issue 15 acceptance: 1,000 leads arriving concurrently across 4 worker processes on
PostgreSQL → each eligible user gets 1000/n ± 1, no absent user gets one.

Each process builds its own app (its own engine and connections) and creates its leads
one unit of work each: `create_lead` then `assign_new_lead`, as the intake does.
"""

from __future__ import annotations

import multiprocessing
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from carflow.extensions import db
from carflow.models import AccountSettings, BranchAssignment, Lead, utcnow
from tests.factories import make_branch, make_lead_type, make_source, make_user

PROCESSES = 4
LEADS = 1000


def _worker(url: str, upload_dir: str, ids: dict, count: int, start, done) -> None:
    """One intake process: reports how many leads it made, or its traceback."""
    try:
        done.put(_make_leads(url, upload_dir, ids, count, start))
    except BaseException:
        import traceback

        done.put(traceback.format_exc())


def _make_leads(url: str, upload_dir: str, ids: dict, count: int, start) -> int:
    """`count` leads, each in its own unit of work."""
    from carflow import create_app
    from carflow.config import TestConfig
    from carflow.models import Branch, LeadSource, LeadType
    from carflow.services.assignment import assign_new_lead
    from carflow.services.leads import create_lead
    from carflow.unit_of_work import unit_of_work
    from tests.factories import make_contact

    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=url, UPLOAD_FOLDER=upload_dir)
    app = create_app(settings)
    with app.app_context():
        start.wait(timeout=60)
        for _ in range(count):
            with unit_of_work():
                lead = create_lead(
                    None,
                    make_contact(),
                    db.session.get(LeadType, ids["type"]),
                    db.session.get(LeadSource, ids["source"]),
                    db.session.get(Branch, ids["branch"]),
                )
                assign_new_lead(lead, channel="api")
        db.session.remove()
        db.engine.dispose()
    return count


def test_round_robin_is_fair_under_concurrency(app, database_url, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("run with CARFLOW_TEST_DATABASE_URL: the row lock is PostgreSQL's")
    branch = make_branch("Ghent")
    db.session.add(BranchAssignment(branch_id=branch.id, mode="round_robin"))
    eligible = [make_user(branch=branch) for _ in range(3)]
    today = utcnow().date()
    absent = make_user(
        branch=branch, absent_from=today - timedelta(days=2), absent_until=today + timedelta(days=2)
    )
    read_only = make_user("read_only", branch=branch)
    AccountSettings.get()  # the settings row exists, as in any running account
    ids = {"branch": branch.id, "type": make_lead_type().id, "source": make_source().id}
    db.session.commit()

    context = multiprocessing.get_context("spawn")
    start, done = context.Event(), context.Queue()
    processes = [
        context.Process(
            target=_worker,
            args=(database_url, str(tmp_path), ids, LEADS // PROCESSES, start, done),
        )
        for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    start.set()
    finished = [done.get(timeout=600) for _ in processes]
    assert all(isinstance(n, int) for n in finished), finished
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert sum(finished) == LEADS

    counts = dict(
        db.session.execute(
            select(Lead.owner_id, func.count())
            .where(Lead.branch_id == branch.id)
            .group_by(Lead.owner_id)
        ).all()
    )
    assert sum(counts.values()) == LEADS
    share = LEADS / len(eligible)
    for user in eligible:
        assert abs(counts.get(user.id, 0) - share) <= 1, counts
    assert absent.id not in counts and read_only.id not in counts and None not in counts


def _one_lead(ids: dict) -> None:
    """One lead in its own unit of work, as the intake makes it."""
    from carflow.models import Branch, LeadSource, LeadType
    from carflow.services.assignment import assign_new_lead
    from carflow.services.leads import create_lead
    from carflow.unit_of_work import unit_of_work
    from tests.factories import make_contact

    with unit_of_work():
        lead = create_lead(
            None,
            make_contact(),
            db.session.get(LeadType, ids["type"]),
            db.session.get(LeadSource, ids["source"]),
            db.session.get(Branch, ids["branch"]),
        )
        assign_new_lead(lead, channel="api")


def _with_retries(ids: dict, tries: int = 5) -> None:
    """SQLite may answer "database is locked" under contention: the whole unit of work was
    rolled back, and is tried again (as the intake's queue would)."""
    from sqlalchemy.exc import OperationalError

    for attempt in range(tries):
        try:
            _one_lead(ids)
            return
        except OperationalError:
            if attempt == tries - 1:
                raise


def test_round_robin_is_fair_with_concurrent_threads_on_any_database(app):
    """The same race with 4 threads sharing the app: on SQLite the writers are serialized
    (the lead's INSERT takes the write lock before the rotation is read)."""
    import threading

    branch = make_branch("Ghent")
    db.session.add(BranchAssignment(branch_id=branch.id, mode="round_robin"))
    eligible = [make_user(branch=branch) for _ in range(3)]
    AccountSettings.get()
    ids = {"branch": branch.id, "type": make_lead_type().id, "source": make_source().id}
    db.session.commit()
    errors, barrier = [], threading.Barrier(4)

    def intake():
        with app.app_context():
            barrier.wait(timeout=30)
            try:
                for _ in range(30):
                    _with_retries(ids)
            except Exception as error:  # reported below: a thread's failure fails the test
                errors.append(str(error)[:300])
            finally:
                db.session.remove()

    threads = [threading.Thread(target=intake) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    counts = dict(
        db.session.execute(
            select(Lead.owner_id, func.count())
            .where(Lead.branch_id == branch.id)
            .group_by(Lead.owner_id)
        ).all()
    )
    assert sorted(counts.get(u.id, 0) for u in eligible) == [40, 40, 40]
