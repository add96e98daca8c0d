"""The app the benchmark runs against: the given URL, else DATABASE_URL / instance SQLite."""

from __future__ import annotations

import os

from carflow import create_app
from carflow.config import Config


def bench_app(database_url: str | None = None):
    """A production-shaped app on the benchmark database (CSRF off for the test client)."""
    settings = {k: getattr(Config, k) for k in dir(Config) if k.isupper()}
    settings["SQLALCHEMY_DATABASE_URI"] = database_url or os.environ.get("DATABASE_URL")
    settings["WTF_CSRF_ENABLED"] = False
    settings["RATELIMIT_ENABLED"] = False
    return create_app(settings)
