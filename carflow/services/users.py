"""Users: authentication and session control."""

from __future__ import annotations

from sqlalchemy import func, select

from carflow.extensions import db
from carflow.models import User, utcnow
from carflow.models.user import new_session_token
from carflow.passwords import hash_password, needs_rehash, verify_password


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same cost either way)."""
    email = (email or "").strip().lower()
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if not verify_password(user.password_hash if user else None, password or ""):
        return None
    if not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def end_all_sessions(user: User) -> None:
    """Rotate the session token: every existing session cookie of the user stops working."""
    user.session_token = new_session_token()
    db.session.flush()


def create_user(
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    role: str = "salesperson",
    branch=None,
    language: str = "en",
    timezone: str = "Europe/Brussels",
) -> User:
    """Create a user with a hashed password."""
    user = User(
        email=email.strip().lower(),
        password_hash=hash_password(password),
        first_name=first_name,
        last_name=last_name,
        role=role,
        branch=branch,
        language=language,
        timezone=timezone,
        permissions_granted=[],
        permissions_revoked=[],
    )
    db.session.add(user)
    db.session.flush()
    return user
