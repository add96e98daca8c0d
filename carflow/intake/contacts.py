"""The customer of an incoming lead: checked, normalized, then found or created (issue 15).

An incoming contact is matched to an existing one by its normalized e-mail address, then
by any of its phone numbers in E.164 (read in the branch's country); when none matches it
is created through `services.contacts.create_contact`, the service of the UI.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from carflow.intake.incoming import IncomingContact, IntakeError
from carflow.intake.normalize import normalize_email, normalize_phone
from carflow.models import Contact, ContactKind
from carflow.services.contacts import create_contact, find_contact_by_email_or_phone
from carflow.services.errors import ServiceError

#: Longest accepted value per contact field (the columns' sizes).
MAX_LENGTHS = {
    "first_name": 80,
    "last_name": 120,
    "company": 120,
    "street": 200,
    "postal_code": 20,
    "city": 120,
}
MAX_PHONES = 5


@dataclass(frozen=True)
class CheckedContact:
    """An incoming contact after the checks: e-mail lower-cased, phones in E.164."""

    fields: dict
    email: str | None
    phones: tuple[str, ...]


def _text(value: str | None, name: str) -> str | None:
    clean = (value or "").strip() or None
    limit = MAX_LENGTHS.get(name)
    if clean and limit and len(clean) > limit:
        raise IntakeError(f"contact.{name}", f"At most {limit} characters.")
    return clean


def _phones(raw_phones: tuple[str, ...], region: str) -> tuple[str, ...]:
    if len(raw_phones) > MAX_PHONES:
        raise IntakeError("contact.phones", f"At most {MAX_PHONES} phone numbers.")
    numbers: list[str] = []
    for index, raw in enumerate(raw_phones):
        if not (raw or "").strip():
            continue
        number = normalize_phone(raw, region)
        if number is None:
            raise IntakeError(f"contact.phones[{index}]", "Not a valid phone number.")
        if number not in numbers:
            numbers.append(number)
    return tuple(numbers)


def _email(raw: str | None) -> str | None:
    if not (raw or "").strip():
        return None
    email = normalize_email(raw)
    if email is None or len(email) > 254:
        raise IntakeError("contact.email", "Not a valid e-mail address.")
    return email


def _names(contact: IncomingContact, email: str | None, phones: tuple[str, ...]) -> dict:
    """First and last name; a company alone is a company contact. With no name at all the
    e-mail address (or phone number) stands for it: a lead is never refused for a name."""
    first = _text(contact.first_name, "first_name")
    last = _text(contact.last_name, "last_name")
    company = _text(contact.company, "company")
    if not first and not last and company:
        return {"kind": ContactKind.company, "first_name": None, "last_name": company}
    if not last:
        first, last = None, first or email or phones[0]
    return {"kind": ContactKind.person, "first_name": first, "last_name": last}


def _country(raw: str | None) -> str | None:
    text = (raw or "").strip().upper()
    if not text:
        return None
    if len(text) != 2 or not text.isalpha():
        raise IntakeError("contact.country", "A two-letter country code (ISO 3166), please.")
    return text


def _language(raw: str | None) -> str:
    text = (raw or "").strip().lower()[:2]
    return text if text in current_app.config["CARFLOW_LANGUAGES"] else "en"


def check_contact(contact: IncomingContact, region: str) -> CheckedContact:
    """Check and normalize an incoming contact (IntakeError naming the field).

    It needs an e-mail address or a phone number; phones without a country code are
    read in `region` (the branch's country)."""
    email = _email(contact.email)
    phones = _phones(contact.phones, region)
    if not email and not phones:
        raise IntakeError("contact", "Give an e-mail address or a phone number.")
    fields = _names(contact, email, phones)
    fields.update(
        email=email,
        phone=phones[0] if phones else None,
        mobile=phones[1] if len(phones) > 1 else None,
        street=_text(contact.street, "street"),
        postal_code=_text(contact.postal_code, "postal_code"),
        city=_text(contact.city, "city"),
        country=_country(contact.country),
        language=_language(contact.language),
    )
    return CheckedContact(fields=fields, email=email, phones=phones)


def find_or_create_contact(checked: CheckedContact, branch_id: int) -> tuple[Contact, bool]:
    """The existing contact with this e-mail or phone, else a new one: (contact, created)."""
    found = find_contact_by_email_or_phone(checked.email, checked.phones)
    if found is not None:
        return found, False
    try:
        return create_contact(None, branch_id=branch_id, **checked.fields), True
    except ServiceError as error:  # the checks above should leave nothing to refuse
        raise IntakeError(f"contact.{error.field or 'name'}", str(error.message)) from None
