"""Secured Flask-Admin base views: login required, permission checked, CSRF forms."""

from __future__ import annotations

from flask import g, redirect, request, url_for
from flask_admin import AdminIndexView, BaseView, expose
from flask_admin.contrib.sqla import ModelView
from flask_login import current_user
from flask_wtf import FlaskForm

from carflow.permissions import can, refuse


def _login_redirect():
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


class SecuredMixin:
    """`required_action` is checked with `can()`; anonymous users are sent to login."""

    required_action: str | None = None

    def is_accessible(self) -> bool:
        # The menu asks every view twice on every page: one can() per action and request,
        # for the request's user (Flask-Login keeps it in g._login_user).
        cache = g.get("accessible_actions")
        if cache is None or cache[0] is not g.get("_login_user"):
            user = current_user._get_current_object()
            cache = g.accessible_actions = (user, {})
        user, answers = cache
        if not user.is_authenticated:
            return False
        if self.required_action is None:
            return True
        if self.required_action not in answers:
            answers[self.required_action] = can(user, self.required_action)
        return answers[self.required_action]

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return _login_redirect()
        refuse(self.required_action)

    def is_visible(self) -> bool:
        return self.is_accessible()


class SecuredBaseView(SecuredMixin, BaseView):
    """A custom page of the back office."""


class HiddenView(SecuredBaseView):
    """Endpoints without a menu entry (lead actions, item pages)."""

    def is_visible(self) -> bool:
        return False


class SecuredModelView(SecuredMixin, ModelView):
    """A model view with CSRF-protected Flask-WTF forms (CSRFProtect rejects SecureForm)."""

    form_base_class = FlaskForm
    can_export = False
    page_size = 50

    def edit_form(self, obj=None):
        """Flask-WTF forms lack Flask-Admin's `_obj`, which its Unique validator needs."""
        form = super().edit_form(obj)
        form._obj = obj
        return form


class SecuredIndexView(SecuredMixin, AdminIndexView):
    """The home page: login required, then on to the leads overview when allowed."""

    @expose("/")
    def index(self):
        if can(current_user, "lead.view"):
            return redirect(url_for("lead.index_view"))
        return self.render("admin/carflow_index.html")
