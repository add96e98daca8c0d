"""F30: login, logout, disabled users, safe `next`, anonymous access refused."""

import pytest

from carflow.extensions import db
from tests.factories import PASSWORD, make_user


@pytest.fixture
def user(app, branch):
    user = make_user("salesperson", branch=branch, email="anna@carflow.example")
    db.session.commit()
    return user


def _login(client, email, password, next_url=None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password})


def test_login_with_good_password_opens_the_back_office(client, user):
    response = _login(client, "Anna@carflow.example", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert client.get("/admin/lead/").status_code == 200


def test_password_is_stored_as_argon2_hash(user):
    assert user.password_hash.startswith("$argon2id$")


def test_bad_password_is_refused_with_a_message(client, user):
    response = _login(client, "anna@carflow.example", "wrong")
    assert response.status_code == 200
    assert b"Invalid email or password" in response.data
    assert client.get("/admin/lead/").status_code == 302


def test_unknown_email_gets_the_same_message(client, user):
    response = _login(client, "nobody@carflow.example", PASSWORD)
    assert b"Invalid email or password" in response.data


def test_disabled_user_cannot_log_in(client, user):
    user.active = False
    db.session.commit()
    response = _login(client, "anna@carflow.example", PASSWORD)
    assert b"Invalid email or password" in response.data
    assert client.get("/admin/lead/").status_code == 302


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"],
)
def test_next_never_leaves_the_site(client, user, target):
    response = _login(client, "anna@carflow.example", PASSWORD, next_url=target)
    assert response.headers["Location"] == "/admin/"


def test_next_within_the_site_is_followed(client, user):
    response = _login(client, "anna@carflow.example", PASSWORD, next_url="/admin/lead/")
    assert response.headers["Location"] == "/admin/lead/"


def test_logout_ends_the_session_and_old_cookie_is_refused(client, user):
    _login(client, "anna@carflow.example", PASSWORD)
    with client.session_transaction() as session:
        captured = dict(session)
    client.post("/logout")
    assert client.get("/admin/lead/").status_code == 302
    with client.session_transaction() as session:
        session.update(captured)
    assert client.get("/admin/lead/").status_code == 302


def test_every_admin_url_requires_login(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or "static" in rule.endpoint:
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "1")
        url = url.replace("<path:filename>", "x")
        response = client.get(url) if "GET" in rule.methods else client.post(url)
        assert response.status_code in (302, 401, 403, 404, 405), url
        if response.status_code == 302:
            assert "/login" in response.headers["Location"], url
        checked += 1
    assert checked > 10


def test_cookie_replayed_after_deactivation_is_refused(app, client, user):
    from carflow.services.users import deactivate_user

    _login(client, "anna@carflow.example", PASSWORD)
    with client.session_transaction() as session:
        captured = dict(session)
    admin = make_user("admin")
    deactivate_user(admin, user)
    db.session.commit()
    replay = app.test_client()
    with replay.session_transaction() as session:
        session.update(captured)
    assert replay.get("/admin/lead/").status_code == 302
    assert client.get("/admin/lead/").status_code == 302


def test_the_favicon_fetched_beside_the_sign_in_page_leaves_the_session_alone(make_app):
    """Browsers fetch /favicon.ico on their own while the sign-in form may be posted. Its
    answer must not send the session cookie back: arriving after the sign-in's answer, the
    visitor's old session would replace the new one (the user signed out at once)."""
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    sign_in_page = client.get("/login")  # its form's CSRF token starts the session
    assert sign_in_page.status_code == 200 and "Set-Cookie" in sign_in_page.headers
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200
        assert icon.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
        assert icon.data.startswith(b"\x00\x00\x01\x00")  # an ICO file
        assert "Set-Cookie" not in icon.headers
        assert "no-store" not in icon.headers.get("Cache-Control", "")
    # What answered /favicon.ico before: the 404 page, which rewrites this session.
    missing = client.get("/no-such-file.ico")
    assert missing.status_code == 404 and "Set-Cookie" in missing.headers
