"""Users admin (F31) and each user's own profile.

Managing users needs "users.manage". Every permission, role, branch, activation and
password change goes to the AuditLog and is listed on the user's page.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from sqlalchemy import select

from carflow.admin.actions import form_status, press_button, submit_form
from carflow.admin.base import HiddenView, SecuredBaseView
from carflow.admin.user_forms import (
    ChangePasswordForm,
    NewUserForm,
    ProfileForm,
    ResetPasswordForm,
    UserForm,
)
from carflow.audit_wording import describe_history
from carflow.extensions import db
from carflow.models import Branch, User
from carflow.permissions import (
    PERMISSION_LABELS,
    ROLE_LABELS,
    ROLE_PRESETS,
    effective_permissions,
)
from carflow.services import users as user_service


def _branch_choices():
    branches = db.session.scalars(select(Branch).order_by(Branch.name))
    return [(None, _("No branch"))] + [(b.id, b.name) for b in branches]


def _admin_fields(form) -> dict:
    return {
        "email": form.email.data,
        "first_name": form.first_name.data,
        "last_name": form.last_name.data,
        "branch_id": form.branch_id.data,
        "language": form.language.data,
        "timezone": form.timezone.data,
        "role": form.role.data,
        "absent_from": form.absent_from.data,
        "absent_until": form.absent_until.data,
        "max_open_leads": form.max_open_leads.data,
    }


class UserAdminView(SecuredBaseView):
    """List, create, edit, deactivate/reactivate users and reset their passwords."""

    required_action = "users.manage"

    def _get_user(self, user_id: int) -> User:
        user = db.session.get(User, user_id)
        if user is None:
            abort(404)
        return user

    def _render_form(self, form, user=None, outcome=None):
        page = self.render(
            "admin/users/form.html",
            form=form,
            user=user,
            presets={k: sorted(v) for k, v in ROLE_PRESETS.items()},
            permission_labels=PERMISSION_LABELS,
            role_labels=ROLE_LABELS,
        )
        return page, form_status(form, outcome)

    @expose("/")
    def index(self):
        return self.render(
            "admin/users/list.html",
            users=user_service.list_users(),
            role_labels=ROLE_LABELS,
        )

    @expose("/new/", methods=("GET", "POST"))
    def create(self):
        form = NewUserForm()
        form.branch_id.choices = _branch_choices()
        if request.method == "GET":
            form.role.data = "salesperson"
            form.permissions.data = sorted(ROLE_PRESETS["salesperson"])
            form.branch_id.data = current_user.branch_id
            form.timezone.data = current_user.timezone
        outcome = None
        if form.validate_on_submit():
            outcome = submit_form(
                form,
                lambda: user_service.add_user(
                    current_user,
                    form.password.data,
                    permissions=set(form.permissions.data or ()),
                    **_admin_fields(form),
                ),
            )
            if outcome.ok:
                user = outcome.result
                flash(_("User %(name)s created.", name=user.full_name), "success")
                return redirect(url_for(".details", user_id=user.id))
        return self._render_form(form, outcome=outcome)

    @expose("/<int:user_id>")
    def details(self, user_id: int):
        user = self._get_user(user_id)
        return self.render(
            "admin/users/details.html",
            user=user,
            permissions=effective_permissions(user),
            preset=ROLE_PRESETS.get(user.role, frozenset()),
            permission_labels=PERMISSION_LABELS,
            role_labels=ROLE_LABELS,
            history=describe_history(user_service.user_history(user)),
            reset_form=ResetPasswordForm(),
        )

    @expose("/<int:user_id>/edit", methods=("GET", "POST"))
    def edit(self, user_id: int):
        user = self._get_user(user_id)
        form = UserForm(obj=user if request.method == "GET" else None)
        form.branch_id.choices = _branch_choices()
        if request.method == "GET":
            form.version.data = user.version_id
            form.permissions.data = sorted(effective_permissions(user))
        outcome = None
        if form.validate_on_submit():
            outcome = submit_form(
                form,
                lambda: user_service.update_user(
                    current_user,
                    user,
                    form.version.data,
                    permissions=set(form.permissions.data or ()),
                    **_admin_fields(form),
                ),
            )
            if outcome.ok:
                flash(_("Changes saved."), "success")
                return redirect(url_for(".details", user_id=user.id))
        return self._render_form(form, user, outcome)

    def _act(self, user_id: int, operation, message: str):
        user = self._get_user(user_id)
        press_button(lambda: operation(current_user, user), message)
        return redirect(url_for(".details", user_id=user_id))

    @expose("/<int:user_id>/deactivate", methods=("POST",))
    def deactivate(self, user_id: int):
        return self._act(user_id, user_service.deactivate_user, _("User deactivated."))

    @expose("/<int:user_id>/reactivate", methods=("POST",))
    def reactivate(self, user_id: int):
        return self._act(user_id, user_service.reactivate_user, _("User reactivated."))

    @expose("/<int:user_id>/password", methods=("POST",))
    def reset_password(self, user_id: int):
        form = ResetPasswordForm()
        if not form.validate_on_submit():
            flash(_("Use a password of at least 10 characters."), "error")
            return redirect(url_for(".details", user_id=user_id))
        return self._act(
            user_id,
            lambda actor, user: user_service.reset_password(actor, user, form.password.data),
            _("Password changed; the user's sessions were ended."),
        )


class ProfileView(HiddenView):
    """Any signed-in user: own names, language, time zone and password."""

    required_action = None

    def _render(self, form, password_form):
        return self.render("admin/users/profile.html", form=form, password_form=password_form)

    @expose("/", methods=("GET", "POST"))
    def index(self):
        form = ProfileForm(obj=current_user if request.method == "GET" else None)
        if form.validate_on_submit():
            outcome = submit_form(
                form,
                lambda: user_service.update_own_profile(
                    current_user,
                    first_name=form.first_name.data,
                    last_name=form.last_name.data,
                    language=form.language.data,
                    timezone=form.timezone.data,
                ),
            )
            if outcome.ok:
                flash(_("Changes saved."), "success")
                return redirect(url_for(".index"))
            return self._render(form, ChangePasswordForm(formdata=None)), outcome.status
        return self._render(form, ChangePasswordForm(formdata=None))

    @expose("/password", methods=("POST",))
    def password(self):
        form = ChangePasswordForm()
        if form.validate_on_submit():
            outcome = submit_form(
                form,
                lambda: user_service.change_own_password(
                    current_user, form.current_password.data, form.new_password.data
                ),
            )
            if outcome.ok:
                logout_user()
                flash(_("Password changed. Sign in with the new password."), "success")
                return redirect(url_for("auth.login"))
        return self._render(ProfileForm(obj=current_user, formdata=None), form), 400
