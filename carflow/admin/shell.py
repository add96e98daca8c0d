"""The page shell every back-office page shares: the menu and the asset URLs (issue 8).

Flask-Admin's base template builds the menu with nested Jinja macros and asks `url_for`
for each of its ~20 asset links on every page; that shell alone cost ~2 ms a page. Here the
menu is written in Python (same markup as Flask-Admin's `layout.menu`), and asset URLs are
computed once per process. Every text is escaped. The menu's markup is kept per language,
page and set of visible entries: two users who may see the same entries get the same menu.
"""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import get_locale
from markupsafe import Markup, escape

# Flask-Admin's static files the shell and the list pages load: (key, filename, version).
ADMIN_ASSETS = (
    ("swatch_css", "bootstrap/bootstrap4/swatch/default/bootstrap.min.css", "4.6.2"),
    ("bootstrap_css", "bootstrap/bootstrap4/css/bootstrap.min.css", "4.6.2"),
    ("admin_css", "admin/css/bootstrap4/admin.css", "1.1.1"),
    ("font_awesome", "bootstrap/bootstrap4/css/font-awesome.min.css", "4.7.0"),
    ("jquery", "vendor/jquery.min.js", "3.5.1"),
    ("popper", "bootstrap/bootstrap4/js/popper.min.js", None),
    ("bootstrap_js", "bootstrap/bootstrap4/js/bootstrap.min.js", "4.6.2"),
    ("moment", "vendor/moment.min.js", "2.9.4"),
    ("util", "vendor/bootstrap4/util.js", "4.3.1"),
    ("dropdown", "vendor/bootstrap4/dropdown.js", "4.3.1"),
    ("select2_js", "vendor/select2/select2.min.js", "4.2.1"),
    ("dropdown_ml", "vendor/multi-level-dropdowns-bootstrap/bootstrap4-dropdown-ml-hack.js", None),
    ("helpers", "admin/js/helpers.js", "1.0.0"),
    ("select2_css", "vendor/select2/select2.css", "4.2.1"),
    ("select2_bs4_css", "vendor/select2/select2-bootstrap4.css", "1.4.6"),
    ("daterangepicker_css", "vendor/bootstrap-daterangepicker/daterangepicker-bs4.css", "1.3.22"),
    ("daterangepicker_js", "vendor/bootstrap-daterangepicker/daterangepicker.js", "1.3.22"),
    ("form_js", "admin/js/form.js", "1.0.1"),
    ("modal_js", "admin/js/bs4_modal.js", "1.0.0"),
    ("filters_js", "admin/js/bs4_filters.js", "1.0.0"),
)
_ASSETS_KEY = "carflow.shell_assets"
_MENU_KEY = "carflow.shell_menus"
MENU_CACHE_SIZE = 256


def asset_urls() -> dict[str, str]:
    """The URLs of Flask-Admin's static files, computed once per application."""
    urls = current_app.extensions.get(_ASSETS_KEY)
    if urls is None:
        admin = current_app.extensions["admin"][0]
        endpoint = f"{admin.endpoint}.static"
        urls = {
            key: url_for(endpoint, filename=name, **({"v": version} if version else {}))
            for key, name, version in ADMIN_ASSETS
        }
        current_app.extensions[_ASSETS_KEY] = urls
    return urls


def _icon(item) -> Markup:
    kind = item.get_icon_type()
    if kind == "fa":
        return Markup('<i class="fa {}"></i>').format(item.get_icon_value())
    if kind == "glyph":
        return Markup('<i class="glyphicon {}"></i>').format(item.get_icon_value())
    return Markup("")


def _target(item) -> Markup:
    return Markup(' target="{}"').format(item.target) if item.target else Markup("")


def _child_link(child, admin_view) -> Markup:
    class_name = child.get_class_name() or ""
    if "dropdown-divider" in class_name:
        return Markup('<li class="{}"></li>').format(class_name)
    active = " active" if child.is_active(admin_view) else ""
    return Markup('<li><a class="dropdown-item{} {}" href="{}"{}>{}{}</a></li>').format(
        active, class_name, child.get_url(), _target(child), _icon(child), child.name
    )


def _category(item, admin_view, main: bool) -> Markup:
    children = item.get_children()
    if not children:
        return Markup("")
    class_name = item.get_class_name() or ""
    chevron = "right" if "dropdown-submenu" in class_name else "down"
    parts = [
        _menu_items([child], admin_view, main=False)
        if child.is_category()
        else _child_link(child, admin_view)
        for child in children
    ]
    return Markup(
        '<li class="{}dropdown"><a class="dropdown-toggle {}" data-toggle="dropdown" '
        'href="javascript:void(0)">{}{}{}<i class="glyphicon glyphicon-chevron-{} small"></i>'
        '</a><ul class="dropdown-menu">{}</ul></li>'
    ).format(
        "active " if item.is_active(admin_view) else "",
        "nav-link" if main else "dropdown-item",
        Markup('<span class="{}"></span> ').format(item.class_name) if item.class_name else "",
        _icon(item),
        item.name,
        chevron,
        Markup("").join(parts),
    )


def _menu_items(items, admin_view, main: bool) -> Markup:
    parts = []
    for item in items:
        if item.is_category():
            parts.append(_category(item, admin_view, main))
        elif item.is_accessible() and item.is_visible():
            parts.append(
                Markup('<li{}><a class="nav-link {}" href="{}"{}>{}{}</a></li>').format(
                    Markup(' class="active"') if item.is_active(admin_view) else "",
                    item.get_class_name() or "",
                    item.get_url(),
                    _target(item),
                    _icon(item),
                    item.name,
                )
            )
    return Markup("").join(parts)


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


def render_menu(admin_view) -> Markup:
    """The main menu for the current user: the views they may open, the active one marked.

    The markup depends only on the language, the page's view and which entries this user
    may see, so it is kept per combination of those (a few dozen at most per process).
    """
    items = admin_view.admin.menu()
    visible = tuple(id(item) for item in _visible_leaves(items))  # the admin's own objects
    key = (str(get_locale()), admin_view.endpoint, visible)
    cache = current_app.extensions.setdefault(_MENU_KEY, {})
    html = cache.get(key)
    if html is None:
        if len(cache) >= MENU_CACHE_SIZE:
            cache.clear()
        html = cache[key] = _menu_items(items, admin_view, main=True)
    return html


def render_menu_links(admin_view) -> Markup:
    """The extra menu links (none today), as Flask-Admin's `layout.menu_links` writes them."""
    links = [
        Markup('<li><a class="nav-link {}" href="{}"{}>{}{}</a></li>').format(
            link.get_class_name() or "", link.get_url(), _target(link), _icon(link), link.name
        )
        for link in admin_view.admin.menu_links()
        if link.is_accessible() and link.is_visible()
    ]
    return Markup("").join(links)


def page_title(admin_view) -> Markup:
    """The default page heading: the view's menu icon and name."""
    return Markup('<h4 class="mb-4">{}{}</h4>').format(
        _icon(admin_view.menu) if admin_view.menu else "", escape(admin_view.name)
    )


def install_shell(app) -> None:
    """Make the shell helpers available to every template."""
    app.jinja_env.globals.update(
        carflow_assets=asset_urls,
        carflow_menu=render_menu,
        carflow_menu_links=render_menu_links,
        carflow_page_title=page_title,
    )
