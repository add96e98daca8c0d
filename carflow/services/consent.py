"""Consent per channel and purpose (issue 17 item 1): an append-only history per contact.

`record_consent` adds one row (and a timeline line on the contact's open leads); the
current state of a (channel, purpose) is its latest row. Intake channels (the website
form) call `record_consent(None, contact, ..., source="website")`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from carflow.extensions import db
from carflow.models import Contact, Lead, LeadContact, LeadStatus, User, utcnow
from carflow.models.privacy import ConsentRecord
from carflow.models.user import person_name
from carflow.services.errors import ServiceError
from carflow.services.events import record_event
from carflow.timeline import register_event_kind

CHANNELS = {
    "email": lazy_pgettext("consent channel", "Email"),
    "phone": lazy_pgettext("consent channel", "Phone"),
    "sms": lazy_pgettext("consent channel", "SMS"),
    "post": lazy_pgettext("consent channel", "Post"),
}
PURPOSES = {
    "marketing": lazy_pgettext("consent purpose", "Marketing"),
    "service": lazy_pgettext("consent purpose", "Service"),
}
SOURCES = {
    "form": _l("Paper or signed form"),
    "phone": _l("By phone"),
    "in_person": _l("In person"),
    "email": _l("By email"),
    "website": _l("Website form"),
    "intake": _l("Lead intake"),
    "import": _l("Import"),
}
NOTE_MAX = 500
HISTORY_LIMIT = 100


def _consent_sentence(data: dict) -> str:
    values = {
        "channel": str(CHANNELS.get(data.get("channel"), data.get("channel", ""))),
        "purpose": str(PURPOSES.get(data.get("purpose"), data.get("purpose", ""))),
    }
    if data.get("granted"):
        return _("Consent granted: %(channel)s, %(purpose)s", **values)
    return _("Consent withdrawn: %(channel)s, %(purpose)s", **values)


register_event_kind("consent_recorded", "fa-check-square-o", _consent_sentence)


def source_label(source: str) -> str:
    """The shown name of a consent source ("intake:api" → "Lead intake (api)")."""
    if source.startswith("intake:"):
        return f"{SOURCES['intake']} ({source.split(':', 1)[1]})"
    label = SOURCES.get(source)
    return str(label) if label is not None else source


def _check_choice(value: str, choices: dict, field: str, message) -> str:
    if value not in choices:
        raise ServiceError(message, field=field)
    return value


def _check_source(source: str | None) -> str:
    source = (source or "").strip()
    if source in SOURCES or (source.startswith("intake:") and 7 < len(source) <= 40):
        return source
    raise ServiceError(_l("Choose where the consent comes from."), field="source")


def record_consent(
    actor: User | None,
    contact: Contact,
    *,
    channel: str,
    purpose: str,
    granted: bool,
    source: str,
    note: str | None = None,
    at: datetime | None = None,
) -> ConsentRecord:
    """Record that `contact` granted or withdrew consent for `channel` × `purpose`.

    `channel`: email, phone, sms or post; `purpose`: marketing or service; `source`: one
    of SOURCES or "intake:<channel name>"; `actor` None for intake channels. Adds a row
    to the history (never changes one) and a line on the timeline of the contact's open
    leads; refused for an erased contact. Flushes.
    """
    from carflow.services.erasure import is_erased

    if is_erased(contact.id):
        raise ServiceError(_l("This contact was erased: record the person as a new contact."))
    _check_choice(channel, CHANNELS, "channel", _l("Choose a channel."))
    _check_choice(purpose, PURPOSES, "purpose", _l("Choose a purpose."))
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise ServiceError(_l("The note is too long."), field="note")
    row = ConsentRecord(
        contact_id=contact.id,
        channel=channel,
        purpose=purpose,
        granted=bool(granted),
        at=at or utcnow(),
        source=_check_source(source),
        recorded_by_id=actor.id if actor is not None else None,
        note=note,
    )
    db.session.add(row)
    db.session.flush()
    data = {"channel": channel, "purpose": purpose, "granted": bool(granted)}
    for lead in _open_leads(contact):
        record_event(lead, actor, "consent_recorded", data, at=row.at)
    return row


def _open_leads(contact: Contact) -> list[Lead]:
    linked = select(LeadContact.lead_id).where(LeadContact.contact_id == contact.id)
    query = select(Lead).where(
        (Lead.contact_id == contact.id) | Lead.id.in_(linked), Lead.status == LeadStatus.open
    )
    return list(db.session.scalars(query))


def has_consent(contact_id: int, channel: str, purpose: str) -> bool:
    """The current state: True when the latest row for this channel and purpose grants it."""
    query = (
        select(ConsentRecord.granted)
        .where(
            ConsentRecord.contact_id == contact_id,
            ConsentRecord.channel == channel,
            ConsentRecord.purpose == purpose,
        )
        .order_by(ConsentRecord.at.desc(), ConsentRecord.id.desc())
        .limit(1)
    )
    return bool(db.session.scalar(query))


@dataclass(frozen=True)
class ConsentCell:
    """The current state of one channel × purpose (None: never recorded)."""

    channel: str
    purpose: str
    granted: bool | None = None
    at: datetime | None = None
    source: str | None = None
    recorded_by: str | None = None


def consent_history(contact_id: int, limit: int = HISTORY_LIMIT) -> list[ConsentRecord]:
    """The contact's consent rows, newest first (with who recorded them), at most `limit`."""
    query = (
        select(ConsentRecord)
        .options(selectinload(ConsentRecord.recorded_by))
        .where(ConsentRecord.contact_id == contact_id)
        .order_by(ConsentRecord.at.desc(), ConsentRecord.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def consent_grid(contact_id: int) -> list[ConsentCell]:
    """The current state of each channel × purpose, in CHANNELS × PURPOSES order.

    One query whatever the history's length: the rows ranked per pair (latest `at`, then
    `id`, as `has_consent` reads them), the first of each with its recorder's name.
    """
    rank = (
        func.row_number()
        .over(
            partition_by=(ConsentRecord.channel, ConsentRecord.purpose),
            order_by=(ConsentRecord.at.desc(), ConsentRecord.id.desc()),
        )
        .label("rank")
    )
    ranked = select(ConsentRecord.id, rank).where(ConsentRecord.contact_id == contact_id).subquery()
    query = (
        select(ConsentRecord, User.first_name, User.last_name)
        .join(ranked, ranked.c.id == ConsentRecord.id)
        .outerjoin(User, User.id == ConsentRecord.recorded_by_id)
        .where(ranked.c.rank == 1)
    )
    rows = {}
    for record, first, last in db.session.execute(query):
        rows[(record.channel, record.purpose)] = ConsentCell(
            record.channel,
            record.purpose,
            record.granted,
            record.at,
            record.source,
            person_name(first, last) or None,
        )
    return [
        rows.get((channel, purpose), ConsentCell(channel, purpose))
        for channel in CHANNELS
        for purpose in PURPOSES
    ]


def check_marketing_email_consent(lead: Lead, addresses: list[str]) -> None:
    """Refuse a marketing email to any address that is not a contact of `lead` whose latest
    e-mail marketing consent is granted (issue 17: no consent, no marketing)."""
    linked = select(LeadContact.contact_id).where(LeadContact.lead_id == lead.id)
    contacts = db.session.scalars(
        select(Contact).where((Contact.id == lead.contact_id) | Contact.id.in_(linked))
    )
    by_address = {(c.email or "").lower(): c.id for c in contacts if c.email}
    refused = [
        address
        for address in addresses
        if address.lower() not in by_address
        or not has_consent(by_address[address.lower()], "email", "marketing")
    ]
    if refused:
        raise ServiceError(
            _l(
                "A marketing email needs the recipient's consent to marketing by email: "
                "%(addresses)s did not give it. Send it as a service email only if it "
                "answers the customer's own request.",
                addresses=", ".join(refused),
            ),
            field="purpose",
        )
