"""Fixtures: app, database (SQLite, or PostgreSQL when CARFLOW_TEST_DATABASE_URL is set),
client, login_as(role), SQL query counting.

PostgreSQL: each run creates its own database `carflow_test_<random>` on the server
named by CARFLOW_TEST_DATABASE_URL and drops it at the end, so runs never share state.
"""

from __future__ import annotations

import functools
import os
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, exists, literal, select, text, union_all

from carflow import create_app
from carflow.config import TestConfig
from carflow.extensions import db, limiter
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


@functools.cache
def _written_tables_sql(dialect_name: str):
    """One query naming the tables that hold a row, compiled once per database kind
    (building and compiling this union of every table cost 10 ms a test)."""
    probes = [
        select(literal(t.name, db.String)).where(exists().select_from(t))
        for t in db.metadata.sorted_tables
    ]
    compiled = union_all(*probes).compile(
        dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}
    )
    return text(str(compiled))


def _empty_all_tables() -> None:
    """Empty the tables the test wrote to (one query finds them), children first."""
    written = set(db.session.scalars(_written_tables_sql(db.engine.dialect.name)))
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name in written]
    if not tables:
        db.session.rollback()
        return
    for table in tables:
        db.session.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        _restart_id_sequences(tables)
    db.session.commit()


def _restart_id_sequences(tables) -> None:
    """PostgreSQL: ids start at 1 again, as after SQLite's DELETE. (TRUNCATE … RESTART
    IDENTITY did both, at 130 ms a test: it creates new files for every table.)"""
    calls = [
        f"setval(pg_get_serial_sequence('\"{t.name}\"', 'id'), 1, false)"
        for t in tables
        if "id" in t.c
    ]
    if calls:
        db.session.execute(text("SELECT " + ", ".join(calls)))


# Lazily built per-app state a test may have shaped (its queue file, its upload folder):
# dropped after each test. Caches keyed by what they depend on (menus, asset URLs) stay.
_KEPT_EXTENSIONS = {"carflow.shell_menus", "carflow.shell_assets", "carflow.admin_static_urls"}


@dataclass
class _BuiltApp:
    """An app built once per test session for one set of overrides, and its state as built."""

    app: Flask
    config: dict
    extensions: frozenset

    def reset(self) -> None:
        """Back to the state as built: configuration and lazily built extensions."""
        with self.app.app_context():
            db.session.remove()
        self.app.config.clear()
        self.app.config.update(self.config)
        for key in set(self.app.extensions) - self.extensions - _KEPT_EXTENSIONS:
            del self.app.extensions[key]
        self.app.test_client_class = None


@pytest.fixture(scope="session")
def built_apps(database_url):
    """The apps of this session, one per set of overrides (issue 14 item 6: an app is
    built once per session, not once per test; `make_app` resets it between tests)."""
    apps: dict = {}
    yield apps
    for built in apps.values():
        with built.app.app_context():
            db.session.remove()
            db.engine.dispose()  # psycopg warns about connections left to the GC


def _build(database_url, overrides: dict, folder) -> Flask:
    settings = _config(database_url, folder / "uploads")
    settings["CARFLOW_QUEUE_PATH"] = str(folder / "queue.sqlite3")
    settings.update(storage_overrides())  # CARFLOW_TEST_STORAGE=s3: a moto bucket
    settings.update(overrides)
    return create_app(settings)


@pytest.fixture
def make_app(database_url, built_apps, tmp_path, tmp_path_factory):
    """`make_app(**overrides)`: the session's app for these overrides, with this test's own
    upload folder and queue file; tables emptied and the app reset after the test."""
    used: list[_BuiltApp] = []

    def build(**overrides):
        key = tuple(sorted((k, repr(v)) for k, v in overrides.items()))
        built = built_apps.get(key)
        if built is None:
            new_app = _build(database_url, overrides, tmp_path_factory.mktemp("app"))
            built = built_apps[key] = _BuiltApp(
                new_app, dict(new_app.config), frozenset(new_app.extensions)
            )
        if built not in used:
            used.append(built)
            built.app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
            (tmp_path / "uploads").mkdir(exist_ok=True)
            built.app.config["CARFLOW_QUEUE_PATH"] = str(tmp_path / "queue.sqlite3")
        # One Limiter serves every app of the process; its `enabled` is the last built
        # app's: set it to this app's.
        limiter.enabled = bool(built.app.config.get("RATELIMIT_ENABLED"))
        return built.app

    yield build
    if used:
        with used[0].app.app_context():
            db.session.remove()
            _empty_all_tables()
    if any(built.app.config.get("RATELIMIT_ENABLED") for built in used):
        limiter.reset()  # this test's counts are not the next one's
    for key, built in list(built_apps.items()):
        if built not in used:
            continue
        built.reset()
        if "SQLALCHEMY_DATABASE_URI" in dict(key):  # another database: not kept
            with built.app.app_context():
                db.engine.dispose()
            del built_apps[key]


@pytest.fixture
def fresh_app(database_url, tmp_path):
    """A new app, for a test that adds routes (Flask refuses them once an app has served)."""
    new_app = _build(database_url, {}, tmp_path)
    with new_app.app_context():
        yield new_app
        db.session.remove()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


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
