"""Login throttling (issue 12): per address (Flask-Limiter, memory or Redis) and per
(account, address) with a growing delay, so that nobody elsewhere can lock the owner out;
simultaneous sign-ins of one account never answer 500."""

from __future__ import annotations

import http.client
import secrets
import socket
import threading
import urllib.parse
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from carflow.auth.throttle import pair_key
from carflow.extensions import db, limiter
from carflow.models import LoginFailure, User, utcnow
from tests.conftest import IsolatedClient
from tests.factories import PASSWORD, make_user
from tests.live_server import LiveServer


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
    """A client of an app with login limits on: 12 failures per address a minute, and per
    (account, address) a wait of 10 s after the 2nd failure, then 20 s, 40 s … (capped at 60 s)."""

    def build(storage: str = "memory://"):
        limited = make_app(
            RATELIMIT_ENABLED=True,
            RATELIMIT_STORAGE_URI=storage,
            LOGIN_LIMIT_PER_IP="12 per minute",
            LOGIN_FREE_FAILURES=2,
            LOGIN_DELAY_SECONDS=10,
            LOGIN_MAX_DELAY_SECONDS=60,
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


def _victim(branch) -> str:
    email = f"victim-{secrets.token_hex(4)}@carflow.example"
    make_user(email=email, branch=branch)
    db.session.commit()
    return email


def _time_passes(email: str, ip: str) -> None:
    """Move the pair's wait into the past (instead of sleeping through it)."""
    row = db.session.get(LoginFailure, pair_key(email, ip))
    row.blocked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()


def test_an_attacker_elsewhere_cannot_lock_the_owner_out(throttled, branch):
    client = throttled()
    email = _victim(branch)
    # Many addresses guessing the same account: each pair ends up waiting...
    for _ in range(5):
        attacker = _ip()
        for _ in range(3):
            _try(client, email, "guess", attacker)
        assert _try(client, email, "guess", attacker).status_code == 429
    # ... and the owner, at their own address, signs in at once.
    response = _try(client, email, PASSWORD, _ip())
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"


def test_the_delay_of_one_pair_grows_with_each_failure(throttled, branch):
    client = throttled()
    email, ip = _victim(branch), _ip()
    page = _try(client, email, "guess", ip)  # a free failure: the form, with the message
    assert page.status_code == 200 and "Invalid email or password" in page.text
    waits = []
    for _ in range(4):
        # The 2nd, 3rd … failure is answered normally, then the pair has to wait.
        assert _try(client, email, "guess", ip).status_code == 200
        blocked = _try(client, email, PASSWORD, ip)  # even the right password must wait
        assert blocked.status_code == 429
        assert "Too many failed sign-ins for this account from your address" in blocked.text
        waits.append(int(blocked.headers["Retry-After"]))
        _time_passes(email, ip)
    expected = [10, 20, 40, 60]  # doubling, capped at LOGIN_MAX_DELAY_SECONDS
    assert all(e - 1 <= w <= e for w, e in zip(waits, expected, strict=True)), waits
    # Once the wait is over, the right password works and resets the pair.
    assert _try(client, email, PASSWORD, ip).status_code == 302
    assert db.session.get(LoginFailure, pair_key(email, ip)) is None


def test_a_success_resets_the_pair(throttled, branch):
    client = throttled()
    email, ip = _victim(branch), _ip()
    _try(client, email, "guess", ip)
    assert db.session.get(LoginFailure, pair_key(email, ip)).failures == 1
    assert _try(client, email, PASSWORD, ip).status_code == 302
    client.post("/logout", environ_base={"REMOTE_ADDR": ip})
    assert db.session.get(LoginFailure, pair_key(email, ip)) is None
    _try(client, email, "guess", ip)  # counting starts again from one: no wait yet
    assert db.session.get(LoginFailure, pair_key(email, ip)).failures == 1
    assert _try(client, email, PASSWORD, ip).status_code == 302


def test_failures_of_unknown_accounts_are_counted_without_keeping_the_email(throttled):
    client = throttled()
    ip = _ip()
    _try(client, "nobody@x.example", "x", ip)
    row = db.session.scalar(select(LoginFailure))
    assert row.key == pair_key("NoBody@x.example ", ip) and "@" not in row.key


@pytest.mark.parametrize("storage", STORAGES)
def test_per_ip_limit_counts_failures_across_accounts(throttled, branch, storage):
    client = throttled(storage)
    assert type(limiter.storage).__name__.lower().startswith(storage.split(":")[0])
    ip = _ip()
    for n in range(12):
        page = _try(client, f"nobody{n}-{secrets.token_hex(3)}@x.example", "x", ip)
        assert page.status_code == 200
    response = _try(client, f"other-{secrets.token_hex(3)}@x.example", "x", ip)
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.text
    # Another address is not affected, and neither is the owner at their own address.
    assert _try(client, _victim(branch), PASSWORD, _ip()).status_code == 302


def test_successful_logins_do_not_use_up_the_limit(throttled, branch):
    client = throttled()
    email, ip = _victim(branch), _ip()
    for _ in range(8):
        assert _try(client, email, PASSWORD, ip).status_code == 302
        client.post("/logout", environ_base={"REMOTE_ADDR": ip})


def test_production_defaults(app):
    from carflow.config import Config

    assert "per" in Config.LOGIN_LIMIT_PER_IP
    assert Config.LOGIN_FREE_FAILURES >= 3 and Config.LOGIN_MAX_DELAY_SECONDS <= 3600
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


@pytest.fixture
def live_server(make_app):
    """The app served by a real threaded WSGI server on 127.0.0.1 (its own requests,
    sessions and database connections, as in production)."""
    served = make_app()
    with LiveServer(served) as server:
        yield served, server.port


def _post_login(port: int, email: str, results: list, start: threading.Barrier) -> None:
    body = urllib.parse.urlencode({"email": email, "password": PASSWORD})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start.wait(timeout=30)
    connection.request(
        "POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    response = connection.getresponse()
    results.append((response.status, response.read().decode()))
    connection.close()


def test_simultaneous_logins_of_one_account_both_succeed(live_server, app, branch):
    served, port = live_server
    email = _victim(branch)
    statuses = []
    for _ in range(5):
        results: list = []
        start = threading.Barrier(2)
        threads = [
            threading.Thread(target=_post_login, args=(port, email, results, start))
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        statuses += [status for status, _text in results]
        assert all(status < 500 for status, _text in results), results
    assert statuses == [302] * 10
    user = db.session.scalar(select(User).where(User.email == email))
    db.session.refresh(user)
    assert user.last_login_at is not None and user.version_id == 1
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 0
