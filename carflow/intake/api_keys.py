"""API keys of the senders of leads (issue 15): created (shown once), found, revoked.

A key is `cfk_` + 32 random bytes (URL-safe base64). Only its SHA-256 is stored: a key
that random needs no slow hash, and a lookup by hash is one indexed query per request.
The first characters (`prefix`) tell keys apart in lists. Each creation and revocation
is a line of the account administration history.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from carflow.audit_wording import ACTION_LABELS
from carflow.audit_wording import FIELD_LABELS as AUDIT_FIELD_LABELS
from carflow.extensions import db
from carflow.models import ApiKey, Branch, LeadSource, LeadType, User, utcnow
from carflow.services.errors import ServiceError, check_version
from carflow.services.users import write_audit

KEY_PREFIX = "cfk_"
SHOWN_PREFIX_LENGTH = 12
NAME_MAX_LENGTH = 120
ORIGINS_MAX_LENGTH = 2000
#: `last_used_at` is written at most this often per key (a busy key is not a hot row).
LAST_USED_PRECISION = timedelta(minutes=1)

ACTION_LABELS.update(
    {"api_key_created": _l("API key created"), "api_key_revoked": _l("API key revoked")}
)
AUDIT_FIELD_LABELS.setdefault("name", _l("Name"))
AUDIT_FIELD_LABELS.setdefault("prefix", _l("Key"))


def hash_key(key: str) -> str:
    """The stored form of a key: its SHA-256, in hex."""
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def _clean_origins(text: str | None) -> str | None:
    """One origin per line, each `scheme://host[:port]` (no path); None when empty."""
    origins = []
    for line in (text or "").splitlines():
        origin = line.strip().rstrip("/")
        if not origin:
            continue
        scheme, sep, rest = origin.partition("://")
        if scheme not in ("http", "https") or not sep or not rest or "/" in rest:
            raise ServiceError(
                _l("One origin per line, like https://www.example.com (no path)."),
                field="allowed_origins",
            )
        origins.append(origin.lower())
    text = "\n".join(dict.fromkeys(origins))
    if len(text) > ORIGINS_MAX_LENGTH:
        raise ServiceError(_l("Too many origins."), field="allowed_origins")
    return text or None


def create_api_key(
    actor: User | None,
    name: str,
    source: LeadSource,
    branch: Branch,
    lead_type: LeadType | None = None,
    allowed_origins: str | None = None,
) -> tuple[ApiKey, str]:
    """Create a key for one sender of leads; returns (key row, the key itself). The key
    is shown to the user once and never stored."""
    clean_name = (name or "").strip()
    if not clean_name:
        raise ServiceError(_l("This field is required."), field="name")
    if len(clean_name) > NAME_MAX_LENGTH:
        raise ServiceError(_l("At most %(n)s characters, please.", n=NAME_MAX_LENGTH), field="name")
    if source is None:
        raise ServiceError(_l("Choose a lead source."), field="source")
    if branch is None or not branch.active:
        raise ServiceError(_l("Choose an active branch."), field="branch")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        name=clean_name,
        prefix=key[:SHOWN_PREFIX_LENGTH],
        key_hash=hash_key(key),
        form_token=secrets.token_urlsafe(16),
        allowed_origins=_clean_origins(allowed_origins),
        source=source,
        branch=branch,
        lead_type=lead_type,
        created_at=utcnow(),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(row)
    db.session.flush()
    write_audit(actor, "api_key_created", details={"name": clean_name, "prefix": row.prefix})
    return row, key


def revoke_api_key(actor: User | None, api_key: ApiKey, version=None) -> ApiKey:
    """Refuse every later request made with this key (its leads stay)."""
    if version is not None:
        check_version(api_key, version)
    if api_key.revoked_at is not None:
        raise ServiceError(_l("This key is already revoked."), field="key")
    api_key.revoked_at = utcnow()
    api_key.revoked_by_id = actor.id if actor else None
    db.session.flush()
    write_audit(actor, "api_key_revoked", details={"name": api_key.name, "prefix": api_key.prefix})
    return api_key


def update_allowed_origins(actor: User | None, api_key: ApiKey, text: str | None, version) -> None:
    """Set the origins whose pages may post the website form with this key (CORS)."""
    check_version(api_key, version)
    api_key.allowed_origins = _clean_origins(text)
    db.session.flush()


def find_active_key(key: str | None) -> ApiKey | None:
    """The unrevoked key row for a key presented by a client, or None."""
    key = (key or "").strip()
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    query = (
        select(ApiKey)
        .options(joinedload(ApiKey.branch), joinedload(ApiKey.source), joinedload(ApiKey.lead_type))
        .where(ApiKey.key_hash == hash_key(key))
    )
    row = db.session.scalars(query).first()
    return row if row is not None and row.revoked_at is None else None


def find_form_key(form_token: str | None) -> ApiKey | None:
    """The unrevoked key of a website form, by the public token in the form's URL."""
    token = (form_token or "").strip()
    if not token or len(token) > 32:
        return None
    row = db.session.scalars(select(ApiKey).where(ApiKey.form_token == token)).first()
    return row if row is not None and row.revoked_at is None else None


def touch_api_key(api_key: ApiKey) -> None:
    """Record that the key was used now (at most once a minute; no version change)."""
    now = utcnow()
    if api_key.last_used_at is not None and api_key.last_used_at >= now - LAST_USED_PRECISION:
        return
    db.session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == api_key.id,
            or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - LAST_USED_PRECISION),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )


def list_api_keys() -> list[ApiKey]:
    """Every key, active ones first, newest first (the Settings page)."""
    query = select(ApiKey).order_by(ApiKey.revoked_at.isnot(None), ApiKey.created_at.desc())
    return list(db.session.scalars(query))
