"""Fixtures: app, database (SQLite, or PostgreSQL when CARFLOW_TEST_DATABASE_URL is set),
client, login_as(role), SQL query counting.

PostgreSQL: each run creates its own database `carflow_test_<random>` on the server
named by CARFLOW_TEST_DATABASE_URL and drops it at the end, so runs never share state.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, text

from carflow import create_app
from carflow.config import TestConfig
from carflow.extensions import db
from tests import factories
from tests.pg import create_pg_database
from tests.s3_server import storage_overrides


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A database for this test run, with the schema created once."""
    base = os.environ.get("CARFLOW_TEST_DATABASE_URL")
    if base:
        url, drop = create_pg_database(base)
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "carflow-test.sqlite")
        drop = None
    app = create_app(_config(url, tmp_path_factory.mktemp("uploads")))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    yield url
    if drop:
        drop()


def _config(url: str, upload_dir) -> dict:
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    settings.update(
        SQLALCHEMY_DATABASE_URI=url,
        UPLOAD_FOLDER=str(upload_dir),
        WTF_CSRF_ENABLED=False,
    )
    return settings


def _empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app on the test database with config overrides; tables emptied after."""
    apps = []

    def build(**overrides):
        settings = _config(database_url, tmp_path / "uploads")
        settings["CARFLOW_QUEUE_PATH"] = str(tmp_path / "queue.sqlite3")  # this test's own queue
        settings.update(storage_overrides())  # CARFLOW_TEST_STORAGE=s3: a moto bucket
        settings.update(overrides)
        new_app = create_app(settings)
        apps.append(new_app)
        return new_app

    yield build
    if apps:
        with apps[0].app_context():
            db.session.remove()
            _empty_all_tables()
    for built in apps:
        with built.app_context():
            db.session.remove()
            db.engine.dispose()  # psycopg warns about connections left to the GC


@pytest.fixture
def app(make_app):
    """The app, with an application context pushed for the test's own queries."""
    application = make_app()
    with application.app_context():
        yield application
        db.session.remove()


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production: its own `g` and its
    own database session. The test's pending data is committed first so the request
    sees it; the test's objects are expired afterwards so it sees the request's changes.
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def branch(app):
    return factories.make_branch("Brussels")


@pytest.fixture
def login_as(app, client, branch):
    """`login_as("salesperson")` creates a user of that role and signs the client in."""

    def login(role: str = "salesperson", user=None, branch_=None, **overrides):
        if user is None:
            user = factories.make_user(role, branch=branch_ or branch, **overrides)
        db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    return login


@contextmanager
def _counting(engine):
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


@pytest.fixture
def count_queries(app):
    """`with count_queries() as q: ...; len(q)` — the SQL statements run inside the block."""
    return lambda: _counting(db.engine)


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on 127.0.0.1; the app's mail settings point at it."""
    from tests.smtp import SMTPServer

    server = SMTPServer().start()
    server.configure(app)
    yield server
    server.stop()
