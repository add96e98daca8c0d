"""The page shell's one cost kept per process: the menu's markup (issues 8 and 14).

The shell is Flask-Admin's own base template, extended by blocks
(`templates/admin/carflow_base.html`), and the menu is its `layout.menu()` macro. That
macro asks every entry `is_accessible()`, `is_visible()`, `is_active()` and `get_url()` on
every page; its markup depends only on the language, the page's view and the entries this
user may see, so `cached_menu` keeps it per combination of those (a few dozen at most).
"""

from __future__ import annotations

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

_MENU_KEY = "carflow.shell_menus"
MENU_CACHE_SIZE = 256


def _visible_leaves(items) -> list:
    """The menu entries (views and links) this user may open, categories walked through
    Flask-Admin's public `get_children()` (their accessible, visible entries)."""
    found = []
    for item in items:
        if item.is_category():
            found.extend(_visible_leaves(item.get_children()))
        elif item.is_accessible() and item.is_visible():
            found.append(item)
    return found


def cached_menu(admin_view, caller) -> Markup:
    """`{% call cached_menu(admin_view) %}{{ layout.menu() }}{% endcall %}`: what the call
    block renders, kept per (language, page's view, entries this user may see)."""
    visible = tuple(id(item) for item in _visible_leaves(admin_view.admin.menu()))
    key = (str(get_locale()), admin_view.endpoint, visible)
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
