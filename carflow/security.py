"""Session loading, HTTP security headers and the answers to refused requests."""

from __future__ import annotations

import functools

from flask import Flask, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from carflow.extensions import db, login_manager
from carflow.permissions import remember_edition


@login_manager.user_loader
def load_user(session_id: str):
    """Load the user of a session id `"<id>:<token>"`; a changed token ends the session.

    The same statement reads the account's edition, which every permission check of the
    request needs (`permissions.current_edition`): one round trip instead of two."""
    user_id, _sep, token = (session_id or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    row = db.session.execute(_user_and_edition(), {"user_id": int(user_id)}).first()
    if row is None:
        return None
    user, edition = row
    if edition is not None:
        remember_edition(edition)
    if not user.active or user.session_token != token:
        return None
    return user


@functools.cache
def _user_and_edition():
    """SELECT the user and the settings row's edition (NULL before the row exists)."""
    from carflow.models import AccountSettings, User

    return (
        select(User, AccountSettings.edition)
        .outerjoin(AccountSettings, AccountSettings.id == 1)
        .where(User.id == bindparam("user_id"))
    )


@login_manager.unauthorized_handler
def unauthorized():
    """Anonymous visitors of a protected page go to the login form."""
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def content_security_policy(nonce: str) -> str:
    """Scripts only from this site and with this request's nonce; no framing, no plugins.

    Flask-Admin's templates carry `style="..."` attributes, which a nonce cannot cover,
    hence `'unsafe-inline'` for styles only.
    """
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        )
    )


def _security_headers(response):
    from carflow.admin import csp_nonce

    response.headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.endpoint not in (None, "static", "admin.static", "favicon"):
        response.headers.setdefault("Cache-Control", "no-store")
    hsts = current_app.config.get("HSTS_SECONDS") or 0
    if hsts > 0:  # ProductionConfig: the site is served over HTTPS only
        response.headers.setdefault(
            "Strict-Transport-Security", f"max-age={int(hsts)}; includeSubDomains"
        )
    return response


def _too_many_requests(error):
    """429 with a page that says what happened and when to retry."""
    message = _("Too many sign-in attempts. Wait a few minutes, then try again.")
    return render_template("auth/too_many.html", message=message), 429


def _refused(error):
    """403 with a clear message (F19), on the app's page with its menu."""
    from carflow.error_pages import render_error

    message = getattr(error, "description", None)
    if not message or message == type(error).description:
        message = None  # the page's own "You do not have permission to do this."
    return render_error(403, message)


def _csrf_error(error):
    from carflow.error_pages import render_error

    message = _("The form expired or was sent from elsewhere. Reload the page and try again.")
    return render_error(400, message)


def init_security(app: Flask) -> None:
    """Attach the security headers to every response and the error pages."""
    from flask_wtf.csrf import CSRFError

    app.after_request(_security_headers)
    app.register_error_handler(429, _too_many_requests)
    app.register_error_handler(403, _refused)
    app.register_error_handler(CSRFError, _csrf_error)
