"""Login throttling (Flask-Limiter): per IP and per account, windowed, memory or Redis."""

import secrets
import socket
import time

import pytest

from carflow.extensions import db, limiter
from tests.conftest import IsolatedClient
from tests.factories import PASSWORD, make_user


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


STORAGES = [
    "memory://",
    pytest.param(
        "redis://127.0.0.1:6379",
        marks=pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379"),
    ),
]


@pytest.fixture
def throttled(make_app, app, request):
    """A client of an app with login limits on: 3 failures per IP a minute, 2 per account
    per 5 seconds (a short window, so the test can watch it pass)."""

    def build(storage: str):
        limited = make_app(
            RATELIMIT_ENABLED=True,
            RATELIMIT_STORAGE_URI=storage,
            LOGIN_LIMIT_PER_IP="3 per minute",
            LOGIN_LIMIT_PER_ACCOUNT="2 per 5 seconds",
        )
        limited.test_client_class = IsolatedClient
        request.addfinalizer(_close_storage)
        return limited.test_client()

    return build


def _close_storage():
    storage = getattr(limiter, "_storage", None)
    client = getattr(storage, "storage", None)
    if client is not None and hasattr(client, "close"):
        client.close()
        client.connection_pool.disconnect()


def _ip() -> str:
    """A random client address, so runs sharing a Redis never count each other's tries."""
    return "10." + ".".join(str(secrets.randbelow(250) + 1) for _ in range(3))


def _try(client, email, password, ip):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


@pytest.mark.parametrize("storage", STORAGES)
def test_per_account_limit_answers_429_with_a_clear_page_then_recovers(throttled, branch, storage):
    client = throttled(storage)
    assert type(limiter._storage).__name__.lower().startswith(storage.split(":")[0])
    email = f"victim-{secrets.token_hex(4)}@carflow.example"
    make_user(email=email, branch=branch)
    db.session.commit()
    # An attacker guesses from several addresses: the account limit catches it.
    assert _try(client, email, "guess-1", _ip()).status_code == 200
    assert _try(client, email, "guess-2", _ip()).status_code == 200
    blocked = _try(client, email, PASSWORD, _ip())
    assert blocked.status_code == 429
    assert b"Too many sign-in attempts" in blocked.data
    # Windowed, not a lockout: once the window has passed the real user gets in.
    time.sleep(5.5)
    assert _try(client, email, PASSWORD, _ip()).status_code == 302


@pytest.mark.parametrize("storage", STORAGES)
def test_per_ip_limit_counts_failures_across_accounts(throttled, branch, storage):
    client = throttled(storage)
    ip = _ip()
    for n in range(3):
        assert _try(client, f"nobody{n}-{secrets.token_hex(3)}@x.example", "x", ip).status_code
    response = _try(client, f"other-{secrets.token_hex(3)}@x.example", "x", ip)
    assert response.status_code == 429
    # Another address is not affected.
    assert _try(client, f"fresh-{secrets.token_hex(3)}@x.example", "x", _ip()).status_code == 200


def test_successful_logins_do_not_use_up_the_limit(throttled, branch):
    client = throttled("memory://")
    email = f"busy-{secrets.token_hex(4)}@carflow.example"
    make_user(email=email, branch=branch)
    db.session.commit()
    ip = _ip()
    for _ in range(5):
        assert _try(client, email, PASSWORD, ip).status_code == 302
        client.post("/logout", environ_base={"REMOTE_ADDR": ip})


def test_production_defaults_are_windowed_limits(app):
    from carflow.auth.routes import _account_limit, _ip_limit

    assert "per" in _ip_limit() and "per" in _account_limit()
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
