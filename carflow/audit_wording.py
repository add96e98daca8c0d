"""How the account administration history reads: what was done, and each changed field
with its label and its values in words (branch names, role and permission labels,
language names) in the reader's language — never `branch_id: 2`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from carflow.extensions import db
from carflow.models import Branch
from carflow.permissions import PERMISSION_LABELS, ROLE_LABELS

ACTION_LABELS = {
    "user_created": _l("User created"),
    "user_changed": _l("User changed"),
    "password_changed": _l("Password changed by the user"),
    "password_reset": _l("Password reset by an administrator"),
    "user_deactivated": _l("User deactivated"),
    "user_reactivated": _l("User reactivated"),
}

FIELD_LABELS = {
    "email": _l("Email"),
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "role": _l("Role"),
    "branch_id": _l("Branch"),
    "language": _l("Language"),
    "timezone": _l("Time zone"),
    "permissions_granted": _l("Permissions added to the role"),
    "permissions_revoked": _l("Permissions withdrawn from the role"),
}


@dataclass
class AuditChange:
    label: str
    old: str | None
    new: str


@dataclass
class AuditLine:
    at: datetime
    actor: str | None
    action: str
    css: str
    changes: list[AuditChange] = field(default_factory=list)


def _language_name(code: str) -> str:
    try:
        return Locale.parse(code).get_display_name(get_locale()) or code
    except (UnknownLocaleError, ValueError):
        return code


def _value_text(name: str, value, branches: dict[int, str]) -> str:
    """One stored value in words."""
    if value is None or value == "" or value == []:
        return "—"
    if name == "branch_id":
        return branches.get(value, f"#{value}")
    if name == "role":
        return str(ROLE_LABELS.get(value, value))
    if name.startswith("permissions_"):
        return ", ".join(str(PERMISSION_LABELS.get(p, p)) for p in value)
    if name == "language":
        return _language_name(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def _branch_names(entries) -> dict[int, str]:
    ids = set()
    for entry in entries:
        value = (entry.details or {}).get("branch_id")
        ids.update(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, int))
    if not ids:
        return {}
    return dict(db.session.execute(select(Branch.id, Branch.name).where(Branch.id.in_(ids))).all())


def _changes(entry, branches) -> list[AuditChange]:
    changes = []
    for name, value in (entry.details or {}).items():
        label = str(FIELD_LABELS.get(name, name.replace("_", " ")))
        is_pair = entry.action.endswith("_changed") and isinstance(value, list) and len(value) == 2
        if is_pair:  # [old, new]
            old = _value_text(name, value[0], branches)
            changes.append(AuditChange(label, old, _value_text(name, value[1], branches)))
        else:
            changes.append(AuditChange(label, None, _value_text(name, value, branches)))
    return changes


def describe_history(entries) -> list[AuditLine]:
    """The history's lines in words (one query for the branch names of the whole page)."""
    branches = _branch_names(entries)
    return [
        AuditLine(
            at=entry.at,
            actor=entry.actor.full_name if entry.actor else None,
            action=str(ACTION_LABELS.get(entry.action, entry.action.replace("_", " "))),
            css=entry.action,
            changes=_changes(entry, branches),
        )
        for entry in entries
    ]
