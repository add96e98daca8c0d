"""Hardening: CSRF everywhere, session cookies, headers and CSP, open redirects."""

import re

import pytest
from flask import url_for
from sqlalchemy import select

from carflow.config import ProductionConfig
from carflow.extensions import db
from carflow.models import LeadType
from tests.conftest import IsolatedClient
from tests.factories import PASSWORD, make_lead, make_user


@pytest.fixture
def csrf_client(make_app, app):
    """A client of an app with CSRF protection ON (as in production)."""
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    csrf_app.test_client_class = IsolatedClient
    return csrf_app.test_client()


def _sign_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def _token(client, path):
    page = client.get(path).data.decode()
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


# Issue 15: endpoints authenticated by an API key or a form token, not by the session cookie
# (CSRF-exempt by design): a signed-in browser's post without the key is refused all the same.
KEY_AUTHENTICATED = {"intake_api.post_lead", "intake_api.post_adf_lead", "intake_form.receive"}


def test_every_state_changing_endpoint_refuses_a_post_without_csrf_token(app, csrf_client, branch):
    admin = make_user("admin", branch=branch)
    lead = make_lead(owner=admin)
    db.session.commit()
    checked = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        values = {arg: lead.id for arg in rule.arguments}
        if "export_type" in values:
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **values)
        _sign_in(csrf_client, admin)
        response = csrf_client.post(url, data={"name": "x", "edition": "go", "rowid": lead.id})
        if rule.endpoint in KEY_AUTHENTICATED:  # no session, no CSRF: a key is required
            assert response.status_code in (400, 401, 404, 415), url
        else:
            assert response.status_code == 400, url
        checked.append(url)
    assert len(checked) >= 20
    db.session.refresh(admin)
    assert admin.active and db.session.get(type(lead), lead.id) is not None


def test_csrf_token_lets_a_real_form_through(csrf_client, login_as, branch):
    admin = make_user("admin", branch=branch)
    db.session.commit()
    _sign_in(csrf_client, admin)
    token = _token(csrf_client, "/admin/lead_type/new/")
    response = csrf_client.post(
        "/admin/lead_type/new/", data={"csrf_token": token, "name": "Lease", "position": "0"}
    )
    assert response.status_code == 302
    assert db.session.query(LeadType).filter_by(name="Lease").count() == 1


def test_login_without_token_is_refused_with_a_clear_page(csrf_client):
    response = csrf_client.post("/login", data={"email": "a@b.c", "password": "x"})
    assert response.status_code == 400
    assert b"The form expired" in response.data


def test_session_cookie_is_httponly_and_samesite_lax(client, branch):
    make_user(email="cookie@carflow.example", branch=branch)
    db.session.commit()
    response = client.post("/login", data={"email": "cookie@carflow.example", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True


def test_secure_cookie_when_configured_like_production(make_app, app, branch):
    prod_like = make_app(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    prod_like.test_client_class = IsolatedClient
    secure_client = prod_like.test_client()
    make_user(email="secure@carflow.example", branch=branch)
    db.session.commit()
    response = secure_client.post(
        "/login",
        data={"email": "secure@carflow.example", "password": PASSWORD, "remember": "y"},
    )
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c and "HttpOnly" in c for c in cookies)


def test_login_renews_the_session(client, branch):
    make_user(email="renew@carflow.example", branch=branch)
    db.session.commit()
    with client.session_transaction() as session:
        session["planted_by_attacker"] = "fixation"
    client.post("/login", data={"email": "renew@carflow.example", "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted_by_attacker" not in session
        assert session["_user_id"].endswith(":" + session["_user_id"].split(":")[1])


def test_remember_cookie_replayed_after_logout_is_refused(app, client, branch):
    make_user(email="remember@carflow.example", branch=branch)
    db.session.commit()
    client.post(
        "/login", data={"email": "remember@carflow.example", "password": PASSWORD, "remember": "y"}
    )
    remember = client.get_cookie("remember_token")
    assert remember is not None
    client.post("/logout")
    replay = app.test_client()
    replay.set_cookie("remember_token", remember.value)
    assert replay.get("/admin/lead/").status_code == 302


def test_security_headers_on_every_response(client, login_as):
    for path in ("/login", "/static/css/carflow.css"):
        with client.get(path) as response:
            headers = response.headers
            assert headers["X-Frame-Options"] == "DENY"
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert headers["Referrer-Policy"] == "same-origin"
            assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    login_as("admin")
    response = client.get("/admin/lead/")
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    for part in ("object-src 'none'", "base-uri 'none'", "form-action 'self'"):
        assert part in csp
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    page = response.data.decode()
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts), scripts
    # a new nonce per request
    again = client.get("/admin/lead/").headers["Content-Security-Policy"]
    assert nonce not in again


@pytest.mark.parametrize(
    "path",
    [
        "/login",
        "/admin/lead/",
        "/admin/lead/new/",
        "/admin/users/",
        "/admin/account/",
        "/admin/lead_type/new/",
        "/admin/branches/new/",
        "/admin/profile/",
    ],
)
def test_pages_have_no_inline_script_or_event_handler(client, login_as, path):
    login_as("admin")
    page = client.get(path).data.decode()
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert "src=" in tag, f"inline script on {path}: {tag}"
    # Flask-Admin's filter menu carries a no-op `onclick="return false;"` that the CSP
    # blocks harmlessly (its filters.js click handler does the work); nothing else may.
    page = page.replace('onclick="return false;"', "")
    handlers = re.findall(r"<(?:form|input|button|a|select|body)\b[^>]*\son[a-z]+=", page)
    assert not handlers, f"inline handler on {path}: {handlers}"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_flask_admin_url_parameter_stays_on_site(client, login_as, target):
    """An off-site return address is refused with a 400 before Flask-Admin sees it (its own
    check lets `/\\evil.example` through, which a browser follows to another site)."""
    login_as("admin")
    response = client.post(
        "/admin/lead_type/new/", query_string={"url": target}, data={"name": "T", "position": "0"}
    )
    assert response.status_code == 400
    assert "The return address of this page is not a page of this site." in response.text
    assert db.session.scalars(select(LeadType).filter_by(name="T")).all() == []
    form = client.get("/admin/lead_type/new/", query_string={"url": target})
    assert form.status_code == 400 and "evil.example" not in form.text
    assert "javascript:alert" not in form.text
    page = client.get("/admin/lead_type/new/", query_string={"url": "/admin/lead_type/"})
    assert page.status_code == 200 and 'href="/admin/lead_type/"' in page.text


def test_login_next_parameter_with_encoded_tricks_stays_on_site(client, branch):
    make_user(email="next@carflow.example", branch=branch)
    db.session.commit()
    for target in ("/%2F%2Fevil.example", "https:evil.example", " //evil.example"):
        response = client.post(
            "/login",
            query_string={"next": target},
            data={"email": "next@carflow.example", "password": PASSWORD},
        )
        location = response.headers["Location"]
        # Only a path on this site: never a scheme, a host or a protocol-relative URL.
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location
        client.post("/logout")
