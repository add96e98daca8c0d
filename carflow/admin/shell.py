"""The page shell's one cost kept per process: the menu's markup (issues 8 and 14).

The shell is Flask-Admin's own base template, extended by blocks
(`templates/admin/carflow_base.html`), and the menu is its `layout.menu()` macro. That
macro asks every entry `is_accessible()`, `is_visible()`, `is_active()` and `get_url()` on
every page; its markup depends only on the language, the page's view and what this user
may do, so `cached_menu` keeps it per combination of those (a few dozen at most).
"""

from __future__ import annotations

from flask import current_app
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from carflow.permissions import access_key

_MENU_KEY = "carflow.shell_menus"
MENU_CACHE_SIZE = 256


def cached_menu(admin_view, caller) -> Markup:
    """`{% call cached_menu(admin_view) %}{{ layout.menu() }}{% endcall %}`: what the call
    block renders, kept per (language, page's view, the user's `access_key`). Every menu
    entry is a `SecuredMixin` view (visible when `can(user, required_action)`) or a plain
    link, so the entries a user sees depend on that key only: a page asks no entry
    `is_accessible()` once its menu is kept (70-80 calls before, issue 14 item 8)."""
    key = (str(get_locale()), admin_view.endpoint, access_key(current_user))
    cache = current_app.extensions.setdefault(_MENU_KEY, {})
    html = cache.get(key)
    if html is None:
        if len(cache) >= MENU_CACHE_SIZE:
            cache.clear()
        html = cache[key] = Markup(caller())
    return html


_ASSETS_KEY = "carflow.shell_assets"
_NONCE_MARK = "\x00nonce\x00"


def cached_assets(admin_view, block: str, nonce: str, caller) -> Markup:
    """`{% call cached_assets(admin_view, 'head_css', nonce) %}{{ super() }}{% endcall %}`:
    the framework's asset links of a block (13 `admin_static.url` calls a page), kept per
    page's view and block, with this request's CSP nonce put back in."""
    cache = current_app.extensions.setdefault(_ASSETS_KEY, {})
    key = (admin_view.endpoint, block)
    html = cache.get(key)
    if html is None:
        html = cache[key] = str(caller()).replace(nonce, _NONCE_MARK)
    return Markup(html.replace(_NONCE_MARK, nonce))


def install_shell(app) -> None:
    """Make the menu and asset caches available to every template."""
    app.jinja_env.globals.update(cached_menu=cached_menu, cached_assets=cached_assets)
