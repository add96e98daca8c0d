"""Login throttling per (account, client address), with a delay that grows (issue 12).

Each pair of (email, address) has its own count of consecutive failures: after
`LOGIN_FREE_FAILURES` failures, the pair waits `LOGIN_DELAY_SECONDS`, then twice as long
after each further failure, up to `LOGIN_MAX_DELAY_SECONDS`. A success resets the pair.
An attacker at another address has their own pair, so they can never make the real user
wait. The per-address limit (Flask-Limiter, `LOGIN_LIMIT_PER_IP`) bounds how many pairs
one address can try. Counts live in the `login_failure` table, so every worker process of
a deployment shares them; rows idle for `LOGIN_FAILURE_MEMORY_HOURS` are forgotten.
"""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta

from flask import current_app, request
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from carflow.extensions import db
from carflow.models import LoginFailure, utcnow


def client_address() -> str:
    """The client's address as the app sees it (after ProxyFix when configured)."""
    return (request.remote_addr or "-")[:64]


def pair_key(email: str | None, address: str) -> str:
    """A hash of (normalised email, address): the row key, no plain emails kept."""
    email = (email or "").strip().lower()[:254]
    return hashlib.sha256(f"{email}\x00{address}".encode()).hexdigest()


def seconds_to_wait(key: str) -> int:
    """How long this (account, address) must still wait before trying again (0: go)."""
    row = db.session.get(LoginFailure, key)
    if row is None or row.blocked_until is None:
        return 0
    remaining = (row.blocked_until - utcnow()).total_seconds()
    return max(0, math.ceil(remaining))


def delay_after(failures: int) -> int:
    """Seconds to wait after `failures` consecutive failures: 0, then doubling, capped."""
    config = current_app.config
    free = int(config.get("LOGIN_FREE_FAILURES", 5))
    if failures < free:
        return 0
    base = int(config.get("LOGIN_DELAY_SECONDS", 2))
    cap = int(config.get("LOGIN_MAX_DELAY_SECONDS", 900))
    return min(cap, base * 2 ** min(failures - free, 30))


def record_failure(key: str) -> int:
    """Count one more failure of the pair (atomic upsert); return the delay it now has."""
    now = utcnow()
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    table = LoginFailure.__table__
    statement = insert(table).values(key=key, failures=1, last_failed_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"failures": table.c.failures + 1, "last_failed_at": now},
    ).returning(table.c.failures)
    failures = db.session.execute(statement).scalar_one()
    delay = delay_after(failures)
    blocked_until = now + timedelta(seconds=delay) if delay else None
    db.session.execute(table.update().where(table.c.key == key).values(blocked_until=blocked_until))
    _forget_old_failures(now)
    return delay


def reset_failures(key: str) -> None:
    """A successful sign-in: the pair starts from zero again."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == key))


def _forget_old_failures(now) -> None:
    hours = int(current_app.config.get("LOGIN_FAILURE_MEMORY_HOURS", 24))
    cutoff = now - timedelta(hours=hours)
    db.session.execute(delete(LoginFailure).where(LoginFailure.last_failed_at < cutoff))
