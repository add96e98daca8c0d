"""One place that makes and drops a throwaway PostgreSQL database for a test run.

The server is named by CARFLOW_TEST_DATABASE_URL; its database part only names the server's
maintenance database to connect to when it exists, else `postgres` is used — a server that
has only the `postgres` database works (the README's command)."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def create_pg_database(base_url: str, prefix: str = "carflow_test") -> tuple[str, Callable]:
    """A new, empty database on the server of `base_url`; returns its URL and a drop()."""
    url = make_url(base_url)
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop
