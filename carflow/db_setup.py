"""Database engine settings that must hold on every connection."""

from sqlalchemy import event
from sqlalchemy.engine import Engine


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
    """Install the connection hooks once per process."""
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)


# PostgreSQL (issue 14 item 8): psycopg prepares a statement after 5 runs on a connection
# and forgets every prepared statement at a ROLLBACK. A request that wrote nothing ends
# with COMMIT instead, so the lead page's and the overview's statements stay prepared.
# "Wrote" = flushed since the last commit or rollback: such a transaction (a view that
# flushed and did not commit, a bug) is never committed here, only rolled back as before.
_WROTE = "carflow.flushed_since_commit"


def _note_flush(session, flush_context) -> None:
    session.info[_WROTE] = True


def _forget_flush(session) -> None:
    session.info.pop(_WROTE, None)


def _forget_flush_after_rollback(session, previous_transaction) -> None:
    session.info.pop(_WROTE, None)


def install_read_only_commit(app, db) -> None:
    """End each read-only request's transaction with COMMIT on PostgreSQL (see above)."""
    from sqlalchemy.orm import Session

    if not event.contains(Session, "after_flush", _note_flush):
        event.listen(Session, "after_flush", _note_flush)
        event.listen(Session, "after_commit", _forget_flush)
        event.listen(Session, "after_soft_rollback", _forget_flush_after_rollback)

    @app.teardown_appcontext
    def commit_read_only_transaction(error):  # runs before Flask-SQLAlchemy's remove()
        if error is not None or not db.session.registry.has():
            return
        session = db.session()
        if session.get_bind().dialect.name != "postgresql" or session.info.get(_WROTE):
            return
        if session.in_transaction() and not (session.new or session.dirty or session.deleted):
            try:
                session.commit()
            except Exception:  # the connection went away: remove() rolls back as before
                session.rollback()
