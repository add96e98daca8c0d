"""Issue 12/13: refused, missing and failed requests answer with the app's page, the right
status and the user's language; a database outage is a 503 that heals by itself."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from carflow.extensions import db
from tests.tcp_proxy import TcpProxy, database_server_address, proxied_app


def test_a_missing_page_for_a_signed_in_user_has_the_menu(client, login_as):
    login_as("salesperson")
    response = client.get("/admin/leads/987654")
    assert response.status_code == 404
    assert "Page not found" in response.text and "Back to Carflow" in response.text
    assert 'href="/admin/lead/"' in response.text  # the menu's Leads entry
    assert "Log out" in response.text


def test_a_missing_page_for_a_visitor_is_plain_and_translated(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "fr-BE,fr;q=0.9"})
    assert response.status_code == 404
    assert "Page introuvable" in response.text and "Retour à Carflow" in response.text
    assert "Log out" not in response.text


def test_a_wrong_method_is_405_with_allow(client, login_as):
    login_as("salesperson")
    response = client.get("/admin/offers/1/delete")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]
    assert "does not accept this kind of request" in response.text


def _app_with_failing_route(app, error: Exception):
    def fail():
        raise error

    app.add_url_rule("/test-fail", "test_fail", fail)
    return app


def test_an_escaped_stale_error_is_the_one_409(fresh_app):
    app = _app_with_failing_route(fresh_app, StaleDataError("UPDATE matched 0 rows"))
    response = app.test_client().get("/test-fail")
    assert response.status_code == 409
    assert "Someone else changed this record" in response.text


def test_an_escaped_integrity_error_is_a_400_not_a_500(fresh_app):
    error = IntegrityError("INSERT …", {}, Exception("UNIQUE constraint failed"))
    app = _app_with_failing_route(fresh_app, error)
    response = app.test_client().get("/test-fail")
    assert response.status_code == 400
    assert "a value is invalid or too large" in response.text


def _unreachable_url(database_url: str, tmp_path) -> str:
    if make_url(database_url).get_backend_name() == "sqlite":
        return "sqlite:///" + str(tmp_path / "missing-folder" / "carflow.sqlite")
    return make_url(database_url).set(host="127.0.0.1", port=1).render_as_string(False)


def _signed_in_client(app, user_id: str = "1:token"):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    return client


def test_database_down_is_a_503_without_the_menu(app, make_app, database_url, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=_unreachable_url(database_url, tmp_path))
    response = _signed_in_client(app).get(
        "/admin/lead/", headers={"Accept-Language": "nl-BE,nl;q=0.9"}
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Dienst niet beschikbaar" in response.text
    assert "navbar" not in response.text and "Log out" not in response.text


def test_sqlite_outage_heals_without_a_restart(app, make_app, database_url, tmp_path):
    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip("the PostgreSQL variant cuts the connection instead")
    url = _unreachable_url(database_url, tmp_path)
    app = make_app(SQLALCHEMY_DATABASE_URI=url)
    client = app.test_client()
    assert client.get("/login").status_code == 200  # no database needed
    assert _signed_in_client(app).get("/admin/lead/").status_code == 503
    (tmp_path / "missing-folder").mkdir()  # the disk is back
    with app.app_context():
        db.create_all()
    assert client.get("/admin/lead/").status_code == 302  # to the login: answered again


def test_postgresql_outage_heals_without_a_restart(app, make_app, database_url, login_as):
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("needs a database server to cut")
    user = login_as("salesperson")
    proxy = TcpProxy(database_server_address(database_url)).start()
    try:
        client = _signed_in_client(proxied_app(make_app, database_url, proxy), user.get_id())
        assert client.get("/admin/lead/").status_code == 200
        proxy.stop()
        down = client.get("/admin/lead/")
        assert down.status_code == 503 and "cannot reach its database" in down.text
        proxy.start()
        back = client.get("/admin/lead/")
        assert back.status_code == 200 and "Leads" in back.text
    finally:
        proxy.stop()


def _count_pings(monkeypatch, app) -> list:
    """The pings the pool sends (carflow/db_setup.py calls the dialect's do_ping)."""
    with app.app_context():
        dialect = db.engine.dialect
    pings: list = []
    real_ping = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda conn: pings.append(conn) or real_ping(conn))
    return pings


def test_a_busy_server_sends_no_ping_before_each_request(
    make_app, database_url, login_as, monkeypatch
):
    """Issue 14 item 8: no `pool_pre_ping` round trip for a connection back in the pool a
    moment ago; the pages answer as before."""
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("SQLite has no connection to lose")
    user = login_as("salesperson")
    proxy = TcpProxy(database_server_address(database_url)).start()
    try:
        client = _signed_in_client(proxied_app(make_app, database_url, proxy), user.get_id())
        assert client.get("/admin/lead/").status_code == 200
        pings = _count_pings(monkeypatch, client.application)
        for _ in range(3):
            page = client.get("/admin/lead/")
            assert page.status_code == 200 and "Leads" in page.text
        assert pings == []
    finally:
        proxy.stop()


def test_a_connection_lost_while_idle_is_replaced_before_the_request_uses_it(
    make_app, database_url, login_as, monkeypatch
):
    """The server went away and came back while the pooled connection waited (restart,
    firewall): the request still answers 200, the dead connection pinged and replaced."""
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("SQLite has no connection to lose")
    user = login_as("salesperson")
    proxy = TcpProxy(database_server_address(database_url)).start()
    try:
        app = proxied_app(make_app, database_url, proxy, CARFLOW_DB_PING_AFTER_IDLE=0)
        client = _signed_in_client(app, user.get_id())
        assert client.get("/admin/lead/").status_code == 200
        pings = _count_pings(monkeypatch, app)
        proxy.stop()  # every connection through the proxy is cut...
        proxy.start()  # ...and the server is reachable again
        page = client.get("/admin/lead/")
        assert page.status_code == 200 and "Leads" in page.text
        assert pings  # the idle connection was checked before use
    finally:
        proxy.stop()


def test_a_refusal_has_the_menu_and_speaks_the_users_language(client, login_as):
    login_as("read_only", language="fr")
    response = client.get("/admin/users/")
    assert response.status_code == 403
    assert "Non autorisé" in response.text and "Retour à Carflow" in response.text
    assert "navbar" in response.text  # the app's layout, with its menu


def test_an_expired_form_is_a_400_page_with_a_way_back(make_app, login_as):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/login", data={"email": "x@example.com", "password": "y"})
    assert response.status_code == 400
    assert "The form expired or was sent from elsewhere" in response.text
    assert "Back to Carflow" in response.text
