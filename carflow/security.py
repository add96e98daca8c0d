"""Session loading and HTTP security headers."""

from __future__ import annotations

from flask import Flask, redirect, request, url_for

from carflow.extensions import db, login_manager


@login_manager.user_loader
def load_user(session_id: str):
    """Load the user of a session id `"<id>:<token>"`; a changed token ends the session."""
    from carflow.models import User

    user_id, _, token = (session_id or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    """Anonymous visitors of a protected page go to the login form."""
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def init_security(app: Flask) -> None:
    """Attach the security headers to every response."""
    app.after_request(_security_headers)
