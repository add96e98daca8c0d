"""Issue 14 item 8: on PostgreSQL a transaction that only read ends with COMMIT, so psycopg
keeps its prepared statements (it forgets them all at a ROLLBACK); a transaction that may
have written anything, or that failed, is rolled back as before."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from carflow.db_setup import is_plain_select
from carflow.extensions import db
from carflow.models import LeadType
from tests.conftest import IsolatedClient
from tests.factories import make_lead, make_user
from tests.tcp_proxy import TcpProxy, database_server_address, proxied_app

ONE_CONNECTION = {"pool_size": 1, "max_overflow": 0}


@pytest.fixture
def one_connection_app(make_app):
    """The app with a pool of one connection: the test's own queries run on the very
    connection the requests used, so `pg_prepared_statements` shows what they left."""
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS=ONE_CONNECTION)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("psycopg's prepared statements: PostgreSQL only")
        db.engine.dispose()  # a new connection: no statement prepared by an earlier test
        yield app
        db.session.remove()


def _prepared_statements() -> list[str]:
    statements = db.session.scalars(text("SELECT statement FROM pg_prepared_statements")).all()
    db.session.rollback()  # itself a read: the statements stay
    return statements


def _count_is_prepared() -> bool:
    return any(s.startswith("SELECT count(*)") for s in _prepared_statements())


def _count_lead_types() -> int:
    return db.session.scalar(select(func.count()).select_from(LeadType))


def _lead_types_named(name: str) -> int:
    """Counted on a connection of its own: what another request would see."""
    with db.engine.connect() as other:
        return other.scalar(select(func.count()).where(LeadType.name == name))


def test_pages_read_through_prepared_statements_across_requests(one_connection_app):
    app = one_connection_app
    app.test_client_class = IsolatedClient  # each request in its own app context
    client = app.test_client()
    owner = make_user("salesperson")
    lead = make_lead(owner=owner)
    db.session.commit()
    lead_id, code = lead.id, lead.code
    with client.session_transaction() as session:
        session["_user_id"] = owner.get_id()
        session["_fresh"] = True
    db.session.remove()  # the pool's one connection is now the requests'
    before = set(_prepared_statements())  # the factories' INSERTs, prepared and committed
    for _ in range(6):  # psycopg prepares a statement once it has run 5 times
        response = client.get(f"/admin/leads/{lead_id}")
        assert response.status_code == 200 and code in response.text
    read_by_the_page = set(_prepared_statements()) - before
    assert any(
        s.startswith("SELECT") and "FROM lead" in s for s in read_by_the_page
    ), read_by_the_page


def test_a_read_only_transaction_keeps_its_prepared_statements(one_connection_app):
    for _ in range(6):
        assert _count_lead_types() == 0
        db.session.rollback()
    assert _count_is_prepared()  # at its 6th run, and kept by the rollback that followed


def test_flushed_writes_are_rolled_back(one_connection_app):
    db.session.add(LeadType(name="Left behind", position=99))
    db.session.flush()  # INSERT sent: the transaction may have written
    db.session.rollback()
    assert _lead_types_named("Left behind") == 0


def test_a_hand_written_write_is_rolled_back(one_connection_app):
    db.session.execute(
        text("insert into lead_type (name, position, active) values ('By hand', 98, true)")
    )
    db.session.rollback()
    assert _lead_types_named("By hand") == 0


def test_a_write_in_a_released_savepoint_is_rolled_back_with_its_transaction(
    one_connection_app,
):
    with db.session.begin_nested():
        db.session.add(LeadType(name="In a savepoint", position=97))
    db.session.rollback()
    assert _lead_types_named("In a savepoint") == 0


def test_reads_after_a_rolled_back_write_start_clean(one_connection_app):
    db.session.add(LeadType(name="Undone", position=96))
    db.session.flush()
    db.session.rollback()
    for _ in range(6):  # the next transactions only read: committed, statements kept
        assert _count_lead_types() == 0
        db.session.rollback()
    assert _lead_types_named("Undone") == 0
    assert _count_is_prepared()


def test_a_failed_transaction_is_rolled_back_and_the_connection_stays_usable(
    one_connection_app,
):
    with pytest.raises(ProgrammingError):
        db.session.execute(text("SELECT no_such_column FROM lead_type"))
    db.session.rollback()
    assert _count_lead_types() == 0


def test_a_commit_is_still_a_commit(one_connection_app):
    db.session.add(LeadType(name="Kept", position=95))
    db.session.commit()
    assert _lead_types_named("Kept") == 1


@pytest.mark.parametrize(
    ("statement", "only_reads"),
    [
        ("SELECT lead.id FROM lead WHERE lead.id = %(id)s", True),
        ("  SELECT 1", True),
        ("SELECT * INTO copy_of_lead FROM lead", False),
        ("INSERT INTO lead_type (name) VALUES (%(name)s)", False),
        ("UPDATE lead SET version_id=%(v)s", False),
        ("DELETE FROM lead", False),
        ("WITH gone AS (DELETE FROM lead RETURNING id) SELECT count(*) FROM gone", False),
        ("SAVEPOINT sa_savepoint_1", False),
        ("select 1", False),  # hand-written: counted as a possible write
    ],
)
def test_only_plain_selects_count_as_reads(statement, only_reads):
    assert is_plain_select(statement) is only_reads


def test_a_connection_cut_during_a_read_is_renewed_at_the_next_request(
    make_app, database_url, login_as
):
    """The server went away while a page's transaction was open: ending it fails as it did
    before (SQLAlchemy's disconnect error, the connection dropped), not with an error of the
    commit tried first; the next request gets a new connection and a 200."""
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("SQLite has no connection to lose")
    user = login_as("salesperson")
    proxy = TcpProxy(database_server_address(database_url)).start()
    try:
        app = proxied_app(make_app, database_url, proxy, SQLALCHEMY_ENGINE_OPTIONS=ONE_CONNECTION)
        with app.app_context():
            assert _count_lead_types() == 0  # a transaction is open on the proxied connection
            proxy.stop()
            with pytest.raises(OperationalError, match="connection"):
                db.session.rollback()  # its end meets the cut connection
            db.session.remove()
            proxy.start()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        page = client.get("/admin/lead/")
        assert page.status_code == 200 and "Leads" in page.text
    finally:
        proxy.stop()
