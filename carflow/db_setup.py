"""Database engine settings that must hold on every connection."""

import time
from contextlib import suppress

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InvalidatePoolError

_RETURNED_AT = "carflow.returned_at"  # key in the pool entry's `info` dict


def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys, WAL for concurrent readers, wait on locks, big cache."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        # Read the big tables through memory: random index lookups (search results,
        # lead pages) otherwise cost a system call per page (issue 8).
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA mmap_size=1073741824")
        cursor.close()


def init_db_events(app) -> None:
    """Install the connection hooks: SQLite's pragmas once per process; on a database
    server, the ping of connections that waited in the pool."""
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)
    from carflow.extensions import db

    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        ping_connections_idle_for(engine, float(app.config["CARFLOW_DB_PING_AFTER_IDLE"]))
    if engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg":
        end_read_only_transactions_with_commit(engine)


def ping_connections_idle_for(engine: Engine, seconds: float) -> None:
    """Before a request uses a pooled connection that has waited at least `seconds`, check
    it with one round trip; a dead one (server restarted, firewall timeout) is replaced
    before the request sees it. SQLAlchemy's `pool_pre_ping` does the same on every
    checkout: one round trip more per request on a busy server (issue 14 item 8), where
    connections wait milliseconds. A connection that dies within `seconds` fails one
    request (503); SQLAlchemy then renews the whole pool."""

    def note_return(dbapi_connection, pool_entry) -> None:
        pool_entry.info[_RETURNED_AT] = time.monotonic()

    def ping_if_idle(dbapi_connection, pool_entry, connection_proxy) -> None:
        returned_at = pool_entry.info.get(_RETURNED_AT)
        if returned_at is None or time.monotonic() - returned_at < seconds:
            return  # new, or back in the pool a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool discards this connection and every older one (a restarted server
            # closed them all), then connects again: SQLAlchemy's documented handling.
            raise InvalidatePoolError("connection lost while idle in the pool") from error

    event.listen(engine.pool, "checkin", note_return)
    event.listen(engine.pool, "checkout", ping_if_idle)


# Key in the pool entry's `info` dict: a statement other than a plain SELECT ran in the
# DBAPI connection's current transaction.
_MAY_HAVE_WRITTEN = "carflow.may_have_written"


def is_plain_select(statement: str) -> bool:
    """True for a statement that only reads: a SELECT, not `SELECT … INTO` (which creates a
    table). Anything else (INSERT, UPDATE, DELETE, WITH, SAVEPOINT, SET, DDL, a lowercase
    hand-written query) counts as a possible write."""
    return statement.lstrip().startswith("SELECT") and " INTO " not in statement


def end_read_only_transactions_with_commit(engine: Engine) -> None:
    """PostgreSQL: end a transaction that ran only plain SELECTs with COMMIT, not ROLLBACK.

    psycopg prepares a statement once it has run 5 times on a connection, and forgets every
    prepared statement at a ROLLBACK (it cannot know which of them a failed transaction
    undid). Every page's transaction ended with one (the session's close), so PostgreSQL
    planned every statement of every page again (issue 14 item 8). For a transaction that
    only read, COMMIT and ROLLBACK do the same to the data (both end it and release its
    locks); COMMIT keeps the prepared statements.

    Every statement SQLAlchemy sends is seen before it runs; one that is not a plain SELECT
    marks the connection until its transaction ends, and such a transaction is rolled back
    as before. So is a transaction in error. The commit is sent on the DBAPI connection just
    before SQLAlchemy's rollback, which then finds nothing to roll back. The ORM is not
    involved: the session still sees a rollback (its objects are expired as before).
    """
    from psycopg.pq import TransactionStatus

    def note_statement(conn, cursor, statement, parameters, context, executemany) -> None:
        if not is_plain_select(statement):
            conn.info[_MAY_HAVE_WRITTEN] = True

    def commit_if_only_read(conn) -> None:
        if conn.invalidated or conn.closed or conn.info.pop(_MAY_HAVE_WRITTEN, False):
            return
        dbapi_connection = conn.connection.dbapi_connection
        if dbapi_connection.info.transaction_status != TransactionStatus.INTRANS:
            return  # idle, or in error: the rollback stays a rollback
        # A broken connection: SQLAlchemy's rollback meets the same error and handles it.
        with suppress(engine.dialect.loaded_dbapi.Error):
            dbapi_connection.commit()

    def forget_statements(conn) -> None:
        conn.info.pop(_MAY_HAVE_WRITTEN, None)

    event.listen(engine, "before_cursor_execute", note_statement)
    event.listen(engine, "rollback", commit_if_only_read)
    event.listen(engine, "commit", forget_statements)
