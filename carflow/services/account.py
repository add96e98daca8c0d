"""Account settings: license edition, legal data, logo, branches (F33, settings)."""

from __future__ import annotations

import re
from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from carflow.extensions import db
from carflow.models import AccountSettings, Branch, Edition
from carflow.services.errors import ServiceError, check_version
from carflow.services.users import write_audit
from carflow.storage import IMAGE_TYPES, delete_stored, save_upload

COMPANY_FIELDS = ("company_name", "official_name", "vat_number", "bank", "iban", "bic")
BRANCH_FIELDS = (
    "name",
    "street",
    "postal_code",
    "city",
    "country",
    "phone",
    "email",
    "lead_notification_email",
    "website",
    "timezone",
    "active",
)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


def _strip(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def change_edition(actor, edition: str) -> AccountSettings:
    """Switch the license edition (F33); logged."""
    try:
        new = Edition(edition)
    except ValueError:
        raise ServiceError(_l("Choose an edition."), field="edition") from None
    settings = AccountSettings.get()
    old = settings.edition
    if old != new:
        settings.edition = new
        db.session.flush()
        write_audit(actor, "edition_changed", details={"edition": [old.value, new.value]})
    return settings


def update_company(actor, version, **fields) -> dict:
    """Edit the company's legal data; returns {field: [old, new]}; logged."""
    settings = AccountSettings.get()
    check_version(settings, version)
    clean = {k: _strip(v) for k, v in fields.items() if k in COMPANY_FIELDS}
    if "company_name" in clean and not clean["company_name"]:
        raise ServiceError(_l("This field is required."), field="company_name")
    if clean.get("iban"):
        clean["iban"] = clean["iban"].replace(" ", "").upper()
        if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{8,30}", clean["iban"]):
            raise ServiceError(_l("Enter a valid IBAN."), field="iban")
    if clean.get("bic"):
        clean["bic"] = clean["bic"].replace(" ", "").upper()
        if not re.fullmatch(r"[A-Z0-9]{8}([A-Z0-9]{3})?", clean["bic"]):
            raise ServiceError(_l("Enter a valid BIC."), field="bic")
    changes = {}
    for key, value in clean.items():
        if getattr(settings, key) != value:
            changes[key] = [getattr(settings, key), value]
            setattr(settings, key, value)
    db.session.flush()
    if changes:
        write_audit(actor, "company_changed", details=changes)
    return changes


def set_logo(actor, stream, filename: str) -> str | None:
    """Store a new logo image; returns the previous stored name (delete it after commit)."""
    stored = save_upload(stream, filename, IMAGE_TYPES)
    settings = AccountSettings.get()
    previous = settings.logo_stored_name
    settings.logo_stored_name = stored.stored_name
    db.session.flush()
    write_audit(actor, "logo_changed", details={"filename": stored.original_filename})
    return previous


def discard_logo(stored_name: str | None) -> None:
    """Remove a replaced logo file (after the commit)."""
    if stored_name:
        delete_stored(stored_name)


def parse_opening_hours(texts: dict[str, str], field: str) -> dict:
    """{"mon": "09:00-12:30,13:30-18:00"} → {"mon": [["09:00","12:30"],["13:30","18:00"]]}."""
    hours = {}
    for day in DAYS:
        text = (texts.get(day) or "").replace(" ", "")
        spans = []
        for part in filter(None, text.split(",")):
            match = _SPAN.match(part)
            if not match or part[:5] >= part[6:]:
                raise ServiceError(
                    _l("Write opening hours like 09:00-12:30,13:30-18:00."),
                    field=f"{field}_{day}",
                )
            spans.append([part[:5], part[6:]])
        if spans:
            hours[day] = spans
    return hours


def format_opening_hours(hours: dict | None) -> dict[str, str]:
    """The inverse of parse_opening_hours, for the form."""
    hours = hours or {}
    return {day: ",".join(f"{a}-{b}" for a, b in hours.get(day, [])) for day in DAYS}


def _clean_branch(fields: dict, branch: Branch | None) -> dict:
    clean = {k: _strip(v) for k, v in fields.items() if k in BRANCH_FIELDS}
    if not clean.get("name"):
        raise ServiceError(_l("This field is required."), field="name")
    query = select(Branch.id).where(func.lower(Branch.name) == clean["name"].lower())
    if branch is not None:
        query = query.where(Branch.id != branch.id)
    if db.session.scalar(query) is not None:
        raise ServiceError(_l("A branch with this name exists already."), field="name")
    if clean.get("timezone") not in available_timezones():
        raise ServiceError(_l("Choose a valid time zone."), field="timezone")
    if clean.get("country"):
        clean["country"] = clean["country"].upper()
    clean["active"] = bool(clean.get("active"))
    return clean


def save_branch(actor, branch: Branch | None, sales: dict, aftersales: dict, **fields) -> Branch:
    """Create (branch=None) or update a branch with its opening hours; logged."""
    clean = _clean_branch(fields, branch)
    clean["opening_hours_sales"] = parse_opening_hours(sales, "sales")
    clean["opening_hours_aftersales"] = parse_opening_hours(aftersales, "aftersales")
    created = branch is None
    if created:
        branch = Branch()
        db.session.add(branch)
    changes = {}
    for key, value in clean.items():
        if getattr(branch, key) != value:
            changes[key] = [getattr(branch, key), value]
            setattr(branch, key, value)
    db.session.flush()
    if changes:
        action = "branch_created" if created else "branch_changed"
        write_audit(actor, action, details={"branch_id": branch.id, **changes})
    return branch


def list_branches() -> list[Branch]:
    """Every branch, active first, by name."""
    return list(db.session.scalars(select(Branch).order_by(Branch.active.desc(), Branch.name)))
