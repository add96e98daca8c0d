"""The page shell is Flask-Admin's base template extended by blocks (issue 14 item 1)."""

from __future__ import annotations

from pathlib import Path

from carflow.admin.shell import _MENU_KEY
from tests.test_static_files import FLASK_ADMIN_STATIC, versioned

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
BOOTSTRAP_CSS = versioned(FLASK_ADMIN_STATIC, "bootstrap/bootstrap4/css/bootstrap.min.css")
JQUERY = versioned(FLASK_ADMIN_STATIC, "vendor/jquery.min.js")


def test_the_master_extends_flask_admins_base_template_and_copies_none():
    master = (TEMPLATES / "admin" / "carflow_base.html").read_text()
    assert master.startswith("{% extends 'admin/base.html' %}")
    assert not (TEMPLATES / "admin" / "carflow_master.html").exists()
    assert not (TEMPLATES / "admin" / "base.html").exists()


def test_a_page_has_the_users_language_the_frameworks_assets_and_ours(client, login_as):
    login_as("sales_manager", language="fr")
    response = client.get("/admin/lead/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<!DOCTYPE html>\n<html lang="fr">')
    assert f"/admin/static/{BOOTSTRAP_CSS}" in html
    assert f"/admin/static/{JQUERY}" in html
    assert "/static/css/carflow.css?v=" in html and "/static/js/carflow.js?v=" in html
    assert 'class="nav-link mr-2 user-name"' in html  # the signed-in user's link (our block)


def test_the_menu_is_rendered_once_per_language_page_and_visible_entries(app, client, login_as):
    login_as("sales_manager")
    app.extensions.pop(_MENU_KEY, None)  # the session's app: earlier tests' menus out
    first = client.get("/admin/lead/").get_data(as_text=True)
    cache = app.extensions[_MENU_KEY]
    kept = len(cache)
    second = client.get("/admin/lead/").get_data(as_text=True)
    assert kept >= 1 and len(cache) == kept
    menu = next(iter(cache.values()))
    assert 'href="/admin/contact/"' in menu and str(menu) in first and str(menu) in second
    assert client.get("/admin/contact/").status_code == 200
    assert len(cache) == kept + 1  # another page: its own active entry


def test_the_frameworks_asset_links_carry_each_requests_csp_nonce(client, login_as):
    login_as("sales_manager")
    for _ in range(2):  # the second page comes from the kept asset links
        response = client.get("/admin/lead/")
        nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert f'{BOOTSTRAP_CSS}" rel="stylesheet" nonce="{nonce}"' in html
        assert f'<script nonce="{nonce}" src="/admin/static/{JQUERY}"' in html
        assert "\x00" not in html


def test_a_kept_menu_never_shows_an_entry_the_user_may_not_open(client, login_as):
    """The menu is kept per (language, page, access key): an administrator's menu is not
    served to a salesperson, and a salesperson granted "manage users" gets the entry."""
    login_as("admin")
    assert 'href="/admin/users/"' in client.get("/admin/lead/").text
    login_as("salesperson")
    page = client.get("/admin/lead/")
    assert page.status_code == 200 and 'href="/admin/contact/"' in page.text
    assert 'href="/admin/users/"' not in page.text
    login_as("salesperson", permissions_granted=["manage_users"])
    assert 'href="/admin/users/"' in client.get("/admin/lead/").text
