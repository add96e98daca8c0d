"""Login and logout views."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from carflow.auth.forms import LoginForm
from carflow.extensions import db, limiter
from carflow.safe_url import safe_next
from carflow.services.users import authenticate, end_all_sessions

bp = Blueprint("auth", __name__)


def _login_account_key() -> str:
    return "account:" + ((request.form.get("email") or "").strip().lower()[:254] or "-")


def _failed(response) -> bool:
    """Only failed attempts count: a successful login answers with a redirect."""
    return response.status_code != 302


def _ip_limit() -> str:
    return current_app.config.get("LOGIN_LIMIT_PER_IP", "20 per 5 minutes")


def _account_limit() -> str:
    return current_app.config.get("LOGIN_LIMIT_PER_ACCOUNT", "10 per 15 minutes")


# Windowed limits, never a lockout: an attacker guessing one account's password can
# delay that account's sign-in for at most one window after they stop.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_ip_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_account_limit, methods=["POST"], key_func=_login_account_key, deduct_when=_failed)
def login():
    """Email + password login; the session is renewed on success."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            flash(_("Invalid email or password, or the account is disabled."), "error")
        else:
            session.clear()
            login_user(user, remember=form.remember.data)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), 200


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End this session and every other session of the user (token rotation)."""
    end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/")
def root():
    return redirect(url_for("admin.index"))
