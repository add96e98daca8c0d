"""Contacts: create, update and search, with the rules every form shares."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from carflow.extensions import db
from carflow.models import Contact, ContactKind

CONTACT_FIELDS = (
    "kind",
    "salutation",
    "first_name",
    "last_name",
    "company_registration",
    "email",
    "phone",
    "mobile",
    "street",
    "postal_code",
    "city",
    "country",
    "language",
    "vat_percentage",
    "vat_number",
    "notes",
)

SEARCHED_FIELDS = {"first_name", "last_name", "email", "phone", "mobile"}


def _clean(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def validate_contact_fields(fields: dict) -> dict:
    """Normalise contact fields and enforce the rules (name; email or phone)."""
    from carflow.services.errors import ServiceError

    clean = {k: _clean(v) for k, v in fields.items() if k in CONTACT_FIELDS}
    if not clean.get("last_name"):
        raise ServiceError(_l("A name is required."), field="last_name")
    if not (clean.get("email") or clean.get("phone") or clean.get("mobile")):
        raise ServiceError(_l("Give at least an email address or a phone number."), field="email")
    if clean.get("email"):
        clean["email"] = clean["email"].lower()
    kind = clean.get("kind") or ContactKind.person
    clean["kind"] = ContactKind(kind)
    if clean["kind"] == ContactKind.company:
        clean["first_name"] = None
    return clean


def create_contact(actor, branch_id: int | None = None, **fields) -> Contact:
    """Create a contact after validation; raises ServiceError on bad input."""
    clean = validate_contact_fields(fields)
    contact = Contact(branch_id=branch_id, **clean)
    if not contact.language:
        contact.language = "en"
    db.session.add(contact)
    db.session.flush()
    return contact


def edit_contact(contact: Contact, actor, version, **fields) -> dict:
    """Edit a contact from its own page; logs the changed fields on the leads it is main of."""
    from carflow.models import Lead
    from carflow.services.errors import check_version
    from carflow.services.events import record_event

    check_version(contact, version)
    changes = update_contact(contact, actor, **fields)
    if changes:
        data = {"contact": contact.display_name, "fields": sorted(changes)}
        for lead in db.session.scalars(select(Lead).where(Lead.contact_id == contact.id)):
            record_event(lead, actor, "contact_updated", data, ref=contact)
    return changes


#: Fewer digits than this are not compared (an extension, a typo).
MIN_PHONE_DIGITS = 6
#: Numbers this long also match on their last digits: '+32 470 11 22 33' = '0470 11 22 33'.
PHONE_TAIL_DIGITS = 8
_PHONE_PUNCTUATION = (" ", "-", ".", "/", "(", ")", "+")


def phone_digits(value: str | None) -> str:
    """The digits of a phone number ('+32 470/11.22.33' -> '32470112233')."""
    return "".join(ch for ch in (value or "") if ch.isdigit())


def _digits_sql(column):
    """`phone_digits` in SQL, portable to SQLite and PostgreSQL (nested REPLACE)."""
    expression = column
    for char in _PHONE_PUNCTUATION:
        expression = func.replace(expression, char, "")
    return expression


def find_duplicate_contacts(email, phone, mobile, user, limit: int = 10) -> list[Contact]:
    """Contacts `user` may see with the same email (any case) or phone digits (see above)."""
    from sqlalchemy import and_

    from carflow.permissions import scope_contacts

    conditions = []
    email = (email or "").strip().lower()
    if email:
        conditions.append(func.lower(Contact.email) == email)
    numbers = {phone_digits(n) for n in (phone, mobile)}
    numbers = sorted(n for n in numbers if len(n) >= MIN_PHONE_DIGITS)
    tails = sorted({n[-PHONE_TAIL_DIGITS:] for n in numbers if len(n) >= PHONE_TAIL_DIGITS})
    for column in (Contact.phone, Contact.mobile):
        digits = _digits_sql(column)
        if numbers:
            conditions.append(digits.in_(numbers))
        if tails:
            tail = func.substr(digits, func.length(digits) - (PHONE_TAIL_DIGITS - 1))
            conditions.append(and_(func.length(digits) >= PHONE_TAIL_DIGITS, tail.in_(tails)))
    if not conditions:
        return []
    query = select(Contact).where(or_(*conditions)).order_by(Contact.last_name, Contact.id)
    return list(db.session.scalars(scope_contacts(query, user).limit(limit)))


def refuse_duplicate_contacts(fields: dict, user) -> None:
    """Refuse a new contact matching existing ones, listing them (the caller offers them)."""
    from carflow.services.errors import DuplicateContactError

    matches = find_duplicate_contacts(
        fields.get("email"), fields.get("phone"), fields.get("mobile"), user
    )
    if matches:
        raise DuplicateContactError(
            _l(
                "This contact may already exist: the same email address or phone number is "
                "used by the contacts below. Use one of them, or create a new contact anyway."
            ),
            matches=[
                {
                    "id": c.id,
                    "name": c.display_name,
                    "email": c.email or "",
                    "phone": ", ".join(n for n in (c.phone, c.mobile) if n),
                }
                for c in matches
            ],
        )


def update_contact(contact: Contact, actor, **fields) -> dict:
    """Apply changed fields to a contact; returns {field: (old, new)} of what changed."""
    current = {k: getattr(contact, k) for k in CONTACT_FIELDS}
    merged = {**current, **fields}
    clean = validate_contact_fields(merged)
    changes = {}
    for key, value in clean.items():
        if getattr(contact, key) != value:
            changes[key] = (getattr(contact, key), value)
            setattr(contact, key, value)
    db.session.flush()
    if SEARCHED_FIELDS & changes.keys():
        from carflow.services.search import reindex_contact

        reindex_contact(contact.id)
    return changes


_PHONE_SEPARATORS = (" ", ".", "/", "-", "(", ")")


def _phone_digits(column):
    """The phone column without its separators, as typed digits compare against it."""
    for separator in _PHONE_SEPARATORS:
        column = func.replace(column, separator, "")
    return column


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _word_condition(word: str):
    """One search word: a name word (first, last or company name), an e-mail or a phone prefix."""
    escaped = _escape_like(word)
    conditions = []
    for column in (Contact.first_name, Contact.last_name):
        lowered = func.lower(column)
        conditions += [
            lowered.like(f"{escaped}%", escape="\\"),
            lowered.like(f"% {escaped}%", escape="\\"),
            lowered.like(f"%-{escaped}%", escape="\\"),
        ]
    conditions.append(func.lower(Contact.email).like(f"{escaped}%", escape="\\"))
    digits = "".join(ch for ch in word if ch.isdigit() or ch == "+")
    if len(digits) >= 3 and len(digits) == len(word):
        prefixes = {digits}
        if digits.startswith("0") and not digits.startswith("00"):  # national form, as
            prefixes.add("+32" + digits[1:])  # search.phone_terms reads Belgian numbers
        for prefix in prefixes:
            conditions += [
                _phone_digits(Contact.phone).like(f"{prefix}%"),
                _phone_digits(Contact.mobile).like(f"{prefix}%"),
            ]
    return or_(*conditions)


def contact_search_words(term: str | None) -> list[str]:
    """Lower-case words of a search; digit groups typed with spaces ('0477 12 34') are one."""
    words: list[str] = []
    for word in (term or "").lower().split():
        if word.isdigit() and words and words[-1].lstrip("+").isdigit():
            words[-1] += word
        else:
            words.append(word)
    return words


def search_contacts(term: str, limit: int = 20, user=None) -> list[Contact]:
    """Find contacts whose name, e-mail or phone match every word of `term` (F4), in scope."""
    words = contact_search_words(term)
    if len("".join(words)) < 2:
        return []
    query = (
        select(Contact)
        .where(and_(*(_word_condition(word) for word in words)))
        .order_by(Contact.last_name, Contact.id)
        .limit(limit)
    )
    if user is not None:
        from carflow.permissions import scope_contacts

        query = scope_contacts(query, user)
    return list(db.session.scalars(query))


def find_contact_by_email_or_phone(
    email: str | None, phones_e164: list[str] | tuple[str, ...]
) -> Contact | None:
    """The contact with this normalized e-mail, else one of these E.164 numbers (issue 15,
    F4): the oldest match, across all branches (an intake has no user scope). Each lookup
    reads an index (the lower-cased `email`, the E.164 columns); the oldest of the matches
    is chosen here, not by `ORDER BY id LIMIT 1`, which PostgreSQL may answer by walking
    the whole primary key."""
    if email:
        found = _oldest(select(Contact).where(Contact.email == email))
        if found is not None:
            return found
    numbers = [n for n in phones_e164 if n]
    if not numbers:
        return None
    return _oldest(
        select(Contact).where(
            or_(Contact.phone_e164.in_(numbers), Contact.mobile_e164.in_(numbers))
        )
    )


MAX_MATCHES_READ = 50


def _oldest(query) -> Contact | None:
    matches = db.session.scalars(query.limit(MAX_MATCHES_READ)).all()
    return min(matches, key=lambda contact: contact.id, default=None)
