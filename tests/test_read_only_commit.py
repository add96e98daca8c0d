"""Issue 14 item 8: on PostgreSQL a request that wrote nothing ends with COMMIT, so psycopg
keeps its prepared statements (it forgets them all at a ROLLBACK); a transaction with
flushed, uncommitted writes is never committed by it."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, text

from carflow.extensions import db
from carflow.models import LeadType
from tests.conftest import IsolatedClient
from tests.factories import make_lead, make_user


def _on_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


@pytest.fixture
def single_connection_app(make_app):
    """The app with a pool of one connection: the test's queries see what requests left."""
    options = {"pool_size": 1, "max_overflow": 0, "pool_pre_ping": True}
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS=options)
    with app.app_context():
        if not _on_postgresql():
            pytest.skip("psycopg's prepared statements: PostgreSQL only")
        yield app
        db.session.remove()


def test_a_read_only_request_commits_and_keeps_prepared_statements(single_connection_app):
    app = single_connection_app
    app.test_client_class = IsolatedClient  # each request in its own app context
    client = app.test_client()
    owner = make_user("salesperson")
    lead = make_lead(owner=owner)
    db.session.commit()
    lead_id, code, user_id = lead.id, lead.code, owner.get_id()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    db.session.remove()  # the pool's one connection is the requests'
    ended: list[str] = []

    def commit(conn):
        ended.append("commit")

    def rollback(conn):
        ended.append("rollback")

    event.listen(db.engine, "commit", commit)
    event.listen(db.engine, "rollback", rollback)
    try:
        for _ in range(7):  # psycopg prepares a statement at its 5th run on a connection
            response = client.get(f"/admin/leads/{lead_id}")
            assert response.status_code == 200 and code in response.text
    finally:
        event.remove(db.engine, "commit", commit)
        event.remove(db.engine, "rollback", rollback)
    assert ended.count("commit") >= 7 and "rollback" not in ended
    prepared = db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
    assert prepared > 0


def test_flushed_writes_left_uncommitted_are_rolled_back_not_committed(app):
    with app.test_request_context():
        db.session.add(LeadType(name="Left behind", position=99))
        db.session.flush()  # a view that flushed and returned without committing
    db.session.remove()
    assert db.session.scalars(select(LeadType).filter_by(name="Left behind")).all() == []
