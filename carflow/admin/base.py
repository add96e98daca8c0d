"""Secured Flask-Admin base views: login required, permission checked, CSRF forms."""

from __future__ import annotations

from flask import current_app, g, redirect, request, url_for
from flask_admin import AdminIndexView, BaseView, expose
from flask_admin.contrib.sqla import ModelView
from flask_admin.form import BaseForm
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import escape

from carflow.admin.list_args import bounded_list_args
from carflow.converters import is_valid_id
from carflow.permissions import can, refuse
from carflow.safe_form import SafeForm

_STATIC_URLS_KEY = "carflow.admin_static_urls"


def _login_redirect():
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


class SecuredMixin:
    """`required_action` is checked with `can()`; anonymous users are sent to login."""

    required_action: str | None = None

    def is_accessible(self) -> bool:
        # The menu asks every view twice on every page: one can() per action and request,
        # for the request's user (keyed by Flask-Login's public `get_id()`: None when
        # anonymous, another id after a log-in within the request).
        user_id = current_user.get_id()
        cache = g.get("accessible_actions")
        if cache is None or cache[0] != user_id:
            cache = g.accessible_actions = (user_id, {})
        answers = cache[1]
        if user_id is None:
            return False
        if self.required_action is None:
            return True
        if self.required_action not in answers:
            answers[self.required_action] = can(current_user, self.required_action)
        return answers[self.required_action]

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return _login_redirect()
        refuse(self.required_action)

    def is_visible(self) -> bool:
        return self.is_accessible()

    def get_url(self, endpoint, **kwargs):
        """Flask-Admin's public URL hook (its templates' `get_url`). The framework's static
        files, linked ~13 times a page by its base template, are looked up once per app."""
        if not endpoint.endswith(".static"):
            return super().get_url(endpoint, **kwargs)
        cache = current_app.extensions.setdefault(_STATIC_URLS_KEY, {})
        key = (endpoint, tuple(sorted(kwargs.items())))
        url = cache.get(key)
        if url is None:
            url = cache[key] = super().get_url(endpoint, **kwargs)
        return url

    def render(self, template, **kwargs):
        """Flask-Admin's `render`, with the page's language on `<html>`: its base template
        has no block around that tag (issue 14 item 1; asked upstream for one)."""
        return with_page_language(super().render(template, **kwargs))


def with_page_language(html: str) -> str:
    """`<html>` → `<html lang="fr">` (the first one only: the page's own tag)."""
    return html.replace("<html>", f'<html lang="{escape(str(get_locale()))}">', 1)


class SecuredBaseView(SecuredMixin, BaseView):
    """A custom page of the back office."""


class HiddenView(SecuredBaseView):
    """Endpoints without a menu entry (lead actions, item pages)."""

    def is_visible(self) -> bool:
        return False


class ModelViewForm(SafeForm, BaseForm):
    """Flask-WTF (CSRF) + hostile input refused (issue 12), on Flask-Admin's documented
    form base: its constructor keeps the edited record, which its Unique validator reads.
    Flask-WTF comes first, so its CSRF, form data and translations win."""


class SecuredModelView(SecuredMixin, ModelView):
    """A model view with CSRF-protected Flask-WTF forms (CSRFProtect rejects SecureForm)."""

    form_base_class = ModelViewForm
    can_export = False
    page_size = 50

    @expose("/")
    def index_view(self):
        """Flask-Admin's list page, its arguments bounded first (issue 12): a hostile list
        URL (a negative or huge page, a NUL byte in the search) is redirected to the same
        list within bounds (`list_args.bounded_list_args`)."""
        bounded = bounded_list_args(request.args)
        if bounded is not None:
            return redirect(url_for(".index_view", **bounded.to_dict(flat=False)))
        return super().index_view()

    def get_one(self, id):
        """None (Flask-Admin: "record does not exist") for an id no integer column holds:
        PostgreSQL would refuse the number with an error (issue 12)."""
        if not is_valid_id(id):
            return None
        return super().get_one(id)


class SecuredIndexView(SecuredMixin, AdminIndexView):
    """The home page: login required, then on to the leads overview when allowed."""

    @expose("/")
    def index(self):
        if can(current_user, "lead.view"):
            return redirect(url_for("lead.index_view"))
        return self.render("admin/carflow_index.html")
