"""Login and logout views."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from carflow.auth.forms import LoginForm
from carflow.auth.throttle import (
    client_address,
    pair_key,
    record_failure,
    reset_failures,
    seconds_to_wait,
)
from carflow.extensions import limiter
from carflow.safe_url import safe_next
from carflow.services.users import authenticate, end_all_sessions
from carflow.unit_of_work import run_action

bp = Blueprint("auth", __name__)


def _failed(response) -> bool:
    """Only failed attempts count: a successful login answers with a redirect."""
    return response.status_code != 302


def _ip_limit() -> str:
    return current_app.config.get("LOGIN_LIMIT_PER_IP", "20 per 5 minutes")


# Two layers, neither of which lets anyone lock the owner out (issue 12):
# - per address (Flask-Limiter): failed attempts from one address, whatever the account;
# - per (account, address) (`carflow.auth.throttle`): a delay that doubles with each
#   consecutive failure of the pair, reset by a success. Guesses from elsewhere never
#   delay the owner's own address.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_ip_limit, methods=["POST"], deduct_when=_failed)
def login():
    """Email + password login; the session is renewed on success."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        key = pair_key(form.email.data, client_address())
        wait = seconds_to_wait(key)
        if wait:
            return _wait_page(wait)
        user, error = run_action(lambda: _check_password(form, key))
        if user is not None:
            session.clear()
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")))
        if error is not None:
            flash(str(error.message), "error")
        else:
            flash(_("Invalid email or password, or the account is disabled."), "error")
    return render_template("auth/login.html", form=form), 200


def _check_password(form: LoginForm, key: str):
    """The user when the password is right (the pair's failures reset), else None (one
    more failure counted for the pair)."""
    user = authenticate(form.email.data, form.password.data)
    if user is None:
        record_failure(key)
    else:
        reset_failures(key)
    return user


def _wait_page(seconds: int):
    message = _(
        "Too many failed sign-ins for this account from your address. "
        "Try again in %(n)s seconds.",
        n=seconds,
    )
    response = make_response(render_template("auth/too_many.html", message=message), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End this session and every other session of the user (token rotation)."""
    run_action(lambda: end_all_sessions(current_user))
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/")
def root():
    return redirect(url_for("admin.index"))
