"""Users: authentication, session control and account administration (F30, F31).

Every change of a user's permissions, role, branch, activation or password is written
to the AuditLog in the same transaction (who, when, what).
"""

from __future__ import annotations

from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from carflow.extensions import db
from carflow.models import AuditLog, Branch, User, utcnow
from carflow.models.user import new_session_token
from carflow.passwords import hash_password, needs_rehash, verify_password
from carflow.permissions import ALL_PERMISSIONS, ROLE_PRESETS, Perm, effective_permissions
from carflow.services.errors import ServiceError, check_version

PASSWORD_MIN_LENGTH = 10
LANGUAGES = ("en", "fr", "nl")
# What an administrator may edit on a user (anything else posted is ignored).
PROFILE_FIELDS = ("first_name", "last_name", "language", "timezone")
ADMIN_FIELDS = (*PROFILE_FIELDS, "email", "role", "branch_id")
# Automatic assignment (issue 15): absence dates and the user's own open-lead limit.
ADMIN_FIELDS = (*ADMIN_FIELDS, "absent_from", "absent_until", "max_open_leads")
AUDITED_FIELDS = ("email", "role", "branch_id", "permissions_granted", "permissions_revoked")


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same cost either way)."""
    email = (email or "").strip().lower()
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if not verify_password(user.password_hash if user else None, password or ""):
        return None
    if not user.active:
        return None
    values = {"last_login_at": utcnow()}
    if needs_rehash(user.password_hash):
        values["password_hash"] = hash_password(password)
    # A plain UPDATE that leaves version_id alone: two simultaneous sign-ins of one account
    # must not collide as a stale edit (StaleDataError) (issue 12).
    table = User.__table__
    db.session.execute(table.update().where(table.c.id == user.id).values(**values))
    for name, value in values.items():
        set_committed_value(user, name, value)
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


def write_audit(actor, action: str, target: User | None = None, details: dict | None = None):
    """Append one line to the account administration history."""
    entry = AuditLog(
        actor_id=actor.id if actor is not None else None,
        target_user_id=target.id if target is not None else None,
        action=action,
        details=details or {},
        at=utcnow(),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def check_password_policy(password: str, field: str = "password") -> None:
    """Refuse passwords shorter than PASSWORD_MIN_LENGTH characters."""
    if len(password or "") < PASSWORD_MIN_LENGTH:
        raise ServiceError(
            _l("Use a password of at least %(n)s characters.", n=PASSWORD_MIN_LENGTH),
            field=field,
        )


def _clean_fields(fields: dict, allowed: tuple[str, ...]) -> dict:
    """Keep only `allowed` keys; strip strings; validate each known field."""
    clean = {}
    for key in allowed:
        if key not in fields:
            continue
        value = fields[key]
        clean[key] = value.strip() if isinstance(value, str) else value
    if "email" in clean:
        clean["email"] = (clean["email"] or "").lower()
        if "@" not in clean["email"]:
            raise ServiceError(_l("Enter a valid email address."), field="email")
    for name in ("first_name", "last_name"):
        if name in clean and not clean[name]:
            raise ServiceError(_l("This field is required."), field=name)
    if "language" in clean and clean["language"] not in LANGUAGES:
        raise ServiceError(_l("Choose a language."), field="language")
    if "timezone" in clean and clean["timezone"] not in available_timezones():
        raise ServiceError(_l("Choose a valid time zone."), field="timezone")
    if "role" in clean and clean["role"] not in ROLE_PRESETS:
        raise ServiceError(_l("Choose a role."), field="role")
    if clean.get("branch_id") is not None and db.session.get(Branch, clean["branch_id"]) is None:
        raise ServiceError(_l("Choose a branch."), field="branch_id")
    starts, ends = clean.get("absent_from"), clean.get("absent_until")
    if starts is not None and ends is not None and ends < starts:
        raise ServiceError(_l("The absence ends before it starts."), field="absent_until")
    return clean


def _check_email_free(email: str, user: User | None = None) -> None:
    query = select(User.id).where(func.lower(User.email) == email.lower())
    if user is not None:
        query = query.where(User.id != user.id)
    if db.session.scalar(query) is not None:
        raise ServiceError(_l("A user with this email exists already."), field="email")


def _adjustments(role: str, permissions: set[str]) -> tuple[list[str], list[str]]:
    """The grants and revocations that turn `role`'s preset into `permissions`."""
    base = ROLE_PRESETS[role]
    wanted = set(permissions) & ALL_PERMISSIONS
    return sorted(wanted - base), sorted(base - wanted)


def add_user(actor: User, password: str, permissions: set[str] | None = None, **fields) -> User:
    """Create a user (unique email, password policy) and log it."""
    clean = _clean_fields(fields, ADMIN_FIELDS)
    for name in ("email", "first_name", "last_name", "role"):
        if not clean.get(name):
            raise ServiceError(_l("This field is required."), field=name)
    _check_email_free(clean["email"])
    check_password_policy(password)
    user = User(
        password_hash=hash_password(password),
        permissions_granted=[],
        permissions_revoked=[],
        **{"language": "en", "timezone": "Europe/Brussels", **clean},
    )
    if permissions is not None:
        user.permissions_granted, user.permissions_revoked = _adjustments(user.role, permissions)
    db.session.add(user)
    db.session.flush()
    details = {k: getattr(user, k) for k in AUDITED_FIELDS}
    write_audit(actor, "user_created", user, details)
    return user


def update_user(
    actor: User, user: User, version, permissions: set[str] | None = None, **fields
) -> dict:
    """Apply an administrator's edit; returns {field: [old, new]} of audited changes."""
    check_version(user, version)
    clean = _clean_fields(fields, ADMIN_FIELDS)
    if "email" in clean:
        _check_email_free(clean["email"], user)
    before = {k: getattr(user, k) for k in AUDITED_FIELDS}
    for key, value in clean.items():
        setattr(user, key, value)
    if permissions is not None:
        user.permissions_granted, user.permissions_revoked = _adjustments(user.role, permissions)
    if user.id == actor.id and Perm.MANAGE_USERS not in effective_permissions(user):
        raise ServiceError(
            _l("You cannot remove your own permission to manage users."), field="permissions"
        )
    changes = {
        k: [before[k], getattr(user, k)] for k in AUDITED_FIELDS if before[k] != getattr(user, k)
    }
    db.session.flush()
    if changes:
        write_audit(actor, "user_changed", user, changes)
    return changes


def update_own_profile(user: User, **fields) -> None:
    """A user edits their own names, language and time zone (nothing else)."""
    clean = _clean_fields(fields, PROFILE_FIELDS)
    for key, value in clean.items():
        setattr(user, key, value)
    db.session.flush()


def change_own_password(user: User, current: str, new: str) -> None:
    """A user changes their password; every other session ends."""
    if not verify_password(user.password_hash, current or ""):
        raise ServiceError(_l("The current password is not correct."), field="current_password")
    check_password_policy(new, field="new_password")
    user.password_hash = hash_password(new)
    end_all_sessions(user)
    write_audit(user, "password_changed", user)


def reset_password(actor: User, user: User, password: str) -> None:
    """An administrator sets a new password; the user's sessions end."""
    check_password_policy(password)
    user.password_hash = hash_password(password)
    end_all_sessions(user)
    write_audit(actor, "password_reset", user)


def deactivate_user(actor: User, user: User) -> None:
    """Disable a user (history is kept); their sessions end at once."""
    if user.id == actor.id:
        raise ServiceError(_l("You cannot deactivate your own account."))
    if not user.active:
        return
    user.active = False
    end_all_sessions(user)
    write_audit(actor, "user_deactivated", user)


def reactivate_user(actor: User, user: User) -> None:
    """Enable a disabled user again."""
    if user.active:
        return
    user.active = True
    db.session.flush()
    write_audit(actor, "user_reactivated", user)


def user_history(user: User, limit: int = 200) -> list[AuditLog]:
    """The audit lines about `user`, newest first."""
    query = (
        select(AuditLog)
        .where(AuditLog.target_user_id == user.id)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def list_users() -> list[User]:
    """Every user, active first, by name."""
    query = select(User).order_by(User.active.desc(), User.last_name, User.first_name)
    return list(db.session.scalars(query))
