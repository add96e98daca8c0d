"""Erasure, "forget this person" (issue 17 item 3): anonymize a contact and what holds
their personal data, keep the anonymous leads for the reports.

What is cleared, on the leads the person is the main contact of: the lead's comment and
lost-reason text; trade-ins' VIN, plate and notes (their photos deleted); test drives'
licence numbers and notes (also on other leads where the person drove); offers' notes;
tasks' titles and descriptions; deadline outcome notes; e-mails' subjects, bodies and
addresses; documents (rows now, files after the commit); the personal values in timeline
events; every linked-contact relation; the consent history. On leads the person is only
linked to, their address is taken out of e-mail recipients and their identifiers out of
the events. Kept: each lead's status, dates, type, source, branch, owner, amounts and
counters, so the reports' counts do not change. The search index is rewritten in the same
transaction. Refused while a legal hold applies (`legal_hold`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update

from carflow.extensions import db
from carflow.models import (
    AuditLog,
    Communication,
    Contact,
    Deadline,
    Document,
    Event,
    Lead,
    LeadAlert,
    LeadContact,
    LeadIntake,
    LeadStatus,
    Offer,
    OfferStatus,
    Task,
    TestDrive,
    TradeIn,
    TradeInPhoto,
    utcnow,
)
from carflow.models.privacy import ConsentRecord, PrivacyLog, PrivacySettings
from carflow.services.errors import ServiceError
from carflow.services.events import record_event
from carflow.storage import delete_stored
from carflow.timeline import register_event_kind
from carflow.unit_of_work import after_commit

#: What erased text becomes (stored, the same in every language).
ERASED = "—"
#: Reason categories of the audit log: a fixed list, so the log holds no free text.
REASONS = {
    "request": _l("The person asked to be forgotten"),
    "objection": _l("The person objected to the processing"),
    "no_longer_needed": _l("The data is no longer needed"),
    "retention": _l("Retention period over (automatic)"),
}
#: Event data keys that hold free text or people's names (the timeline's sentences).
PERSONAL_EVENT_KEYS = frozenset(
    {"contact", "text", "subject", "recipients", "note", "old", "new", "file", "filename"}
    | {"title", "reason", "relation", "summary", "message", "kept", "merged"}
)
#: Kinds whose "from"/"to" are contacts' names (elsewhere they are statuses).
NAME_CHANGE_KINDS = frozenset({"main_contact_changed"})

HOLD_WON = _l(
    "This contact is under a legal hold until %(date)s: one of their leads was won less than "
    "%(years)s years ago (accounting and warranty records)."
)
HOLD_ACCEPTED = _l(
    "This contact is under a legal hold until %(date)s: an offer to them was accepted less "
    "than %(years)s years ago (accounting and warranty records)."
)

register_event_kind("personal_data_erased", "fa-user-times", lambda d: _("Personal data erased"))


def erased_name(contact_id: int) -> str:
    """The name an erased contact keeps: "Erased contact #12"."""
    return f"Erased contact #{contact_id}"


@dataclass(frozen=True)
class LegalHold:
    """Why the contact may not be erased yet, and until when."""

    message: str
    until: date


def add_years(moment: datetime, years: int) -> date:
    day = moment.date()
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def legal_hold(contact: Contact, now: datetime | None = None) -> LegalHold | None:
    """The legal hold on `contact`: a won lead or an accepted offer of theirs younger than
    the settings' legal-hold years; the hold ends with the youngest one."""
    years = PrivacySettings.get().legal_hold_years
    today = (now or utcnow()).date()
    main_leads = select(Lead.id).where(Lead.contact_id == contact.id)
    won_at = db.session.scalar(
        select(func.max(func.coalesce(Lead.closed_at, Lead.created_at))).where(
            Lead.contact_id == contact.id, Lead.status == LeadStatus.won
        )
    )
    accepted_at = db.session.scalar(
        select(func.max(Offer.created_at)).where(
            Offer.lead_id.in_(main_leads), Offer.status == OfferStatus.accepted
        )
    )
    holds = [
        (add_years(at, years), message)
        for at, message in ((won_at, HOLD_WON), (accepted_at, HOLD_ACCEPTED))
        if at is not None and add_years(at, years) > today
    ]
    if not holds:
        return None
    until, message = max(holds, key=lambda hold: hold[0])  # the hold that ends last
    return LegalHold(str(message % {"date": format_date(until, "long"), "years": years}), until)


def is_erased(contact_id: int) -> bool:
    """True once the contact was erased (the privacy log says so)."""
    query = select(PrivacyLog.id).where(
        PrivacyLog.contact_id == contact_id, PrivacyLog.action == "erasure"
    )
    return db.session.scalar(query.limit(1)) is not None


@dataclass(frozen=True)
class PersonScope:
    """The ids of what the person's data sits in."""

    main_leads: list[int]
    linked_leads: list[int]


def person_scope(contact: Contact) -> PersonScope:
    """The leads the contact is the main contact of, and those they are linked to."""
    main = list(db.session.scalars(select(Lead.id).where(Lead.contact_id == contact.id)))
    linked = list(
        db.session.scalars(select(LeadContact.lead_id).where(LeadContact.contact_id == contact.id))
    )
    return PersonScope(main, [lead_id for lead_id in linked if lead_id not in main])


def _count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


def erasure_preview(contact: Contact) -> dict[str, int]:
    """How many records of each kind an erasure clears or deletes (the confirm page)."""
    scope = person_scope(contact)
    main = scope.main_leads
    drives = or_(TestDrive.lead_id.in_(main), TestDrive.driver_contact_id == contact.id)
    return {
        "leads": len(main),
        "linked_leads": len(scope.linked_leads),
        "events": _count(Event, Event.lead_id.in_(main)),
        "communications": _count(Communication, Communication.lead_id.in_(main)),
        "trade_ins": _count(TradeIn, TradeIn.lead_id.in_(main)),
        "photos": _count(TradeInPhoto, TradeInPhoto.trade_in.has(TradeIn.lead_id.in_(main))),
        "test_drives": _count(TestDrive, drives),
        "offers": _count(Offer, Offer.lead_id.in_(main)),
        "tasks": _count(Task, Task.lead_id.in_(main)),
        "documents": _count(Document, Document.lead_id.in_(main)),
        "consents": _count(ConsentRecord, ConsentRecord.contact_id == contact.id),
        "received_requests": _count(LeadIntake, LeadIntake.lead_id.in_(main)),
        "relations": _count(
            LeadContact,
            or_(LeadContact.contact_id == contact.id, LeadContact.lead_id.in_(main)),
        ),
    }


def _check_erasable(contact: Contact, reason: str, now: datetime | None) -> None:
    if reason not in REASONS:
        raise ServiceError(_l("Choose the reason for the erasure."), field="reason")
    if is_erased(contact.id):
        raise ServiceError(_l("This contact was already erased."))
    hold = legal_hold(contact, now)
    if hold is not None:
        raise ServiceError(hold.message)


def erase_contact(actor, contact: Contact, *, reason: str, now: datetime | None = None):
    """Anonymize `contact` and the personal data linked to them (see the module's doc).

    `reason` is one of REASONS. Refused (ServiceError) while a legal hold applies or when
    the contact was already erased. Documents' and photos' files are deleted after the
    commit. Writes a "personal data erased" line on each anonymous lead and one row in the
    privacy log (no personal data). Flushes; returns the log row.
    """
    _check_erasable(contact, reason, now)
    counts = erasure_preview(contact)
    scope = person_scope(contact)
    identifiers = _identifiers(contact, scope.main_leads)
    files = _delete_files(scope.main_leads)
    _clear_lead_records(contact, scope.main_leads)
    db.session.flush()
    db.session.expire_all()  # the bulk UPDATEs above changed rows the session may hold
    _clear_communications(contact, scope)
    _clear_intake_and_alerts(contact, scope.main_leads)
    _scrub_merge_audit(contact.id)
    _scrub_events(scope, identifiers)
    db.session.execute(
        delete(LeadContact).where(
            or_(LeadContact.contact_id == contact.id, LeadContact.lead_id.in_(scope.main_leads))
        )
    )
    db.session.execute(delete(ConsentRecord).where(ConsentRecord.contact_id == contact.id))
    _anonymize_contact(contact)
    db.session.flush()
    _reindex(scope.main_leads + scope.linked_leads)
    at = now or utcnow()
    for lead in db.session.scalars(select(Lead).where(Lead.id.in_(scope.main_leads))):
        record_event(lead, actor, "personal_data_erased", {"reason": reason}, at=at)
    log = PrivacyLog(
        at=at,
        actor_id=actor.id if actor is not None else None,
        contact_id=contact.id,
        action="erasure",
        reason=reason,
        counts=counts,
    )
    db.session.add(log)
    db.session.flush()
    for name in files:
        after_commit(lambda name=name: delete_stored(name))
    return log


def _identifiers(contact: Contact, main_leads: list[int]) -> re.Pattern | None:
    """The person's own values as one pattern of whole words (so that "Jan" does not take
    "Janssens" away), to find them in texts of leads they are only linked to."""
    values = {
        contact.display_name,
        contact.first_name,
        contact.last_name,
        contact.email,
        contact.phone,
        contact.mobile,
        contact.street,
        contact.vat_number,
        contact.company_registration,
    }
    values |= set(
        db.session.scalars(
            select(TestDrive.licence_number).where(TestDrive.driver_contact_id == contact.id)
        )
    )
    for row in db.session.execute(
        select(TradeIn.vin, TradeIn.plate).where(TradeIn.lead_id.in_(main_leads))
    ):
        values |= set(row)
    words = sorted({v.strip() for v in values if v and len(v.strip()) >= 3}, key=len, reverse=True)
    if not words:
        return None
    alternatives = "|".join(re.escape(word) for word in words)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _delete_files(main_leads: list[int]) -> list[str]:
    """Delete the documents' and trade-in photos' rows; their stored names, for after commit."""
    documents = select(Document.id).where(Document.lead_id.in_(main_leads))
    photos = select(TradeInPhoto.id).join(TradeIn).where(TradeIn.lead_id.in_(main_leads))
    names = list(db.session.scalars(select(Document.stored_name).where(Document.id.in_(documents))))
    names += db.session.scalars(select(TradeInPhoto.stored_name).where(TradeInPhoto.id.in_(photos)))
    db.session.execute(
        update(Event)
        .where(Event.ref_type == Document.__tablename__, Event.ref_id.in_(documents))
        .values(ref_type=None, ref_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(TradeInPhoto)
        .where(TradeInPhoto.id.in_(list(db.session.scalars(photos))))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(Document)
        .where(Document.lead_id.in_(main_leads))
        .execution_options(synchronize_session=False)
    )
    return names


def _bulk(model, condition, **values) -> None:
    """One UPDATE that also moves the version, so a form opened before is refused."""
    db.session.execute(
        update(model)
        .where(condition)
        .values(version_id=model.version_id + 1, **values)
        .execution_options(synchronize_session=False)
    )


def _clear_lead_records(contact: Contact, main: list[int]) -> None:
    _bulk(Lead, Lead.id.in_(main), comment=None, lost_reason_text=None)
    _bulk(TradeIn, TradeIn.lead_id.in_(main), vin=None, plate=None, condition_notes=None)
    drives = or_(TestDrive.lead_id.in_(main), TestDrive.driver_contact_id == contact.id)
    _bulk(TestDrive, drives, licence_number=None, notes=None)
    _bulk(Offer, Offer.lead_id.in_(main), notes=None)
    _bulk(Task, Task.lead_id.in_(main), title=ERASED, description=None)
    _bulk(Deadline, Deadline.lead_id.in_(main), outcome_note=None)
    _bulk(
        Communication,
        Communication.lead_id.in_(main),
        subject=ERASED,
        body="",
        recipients=[],
        error=None,
    )


def _clear_intake_and_alerts(contact: Contact, main: list[int]) -> None:
    """The requests as received (issue 15: raw JSON, ADF or form payloads) and the
    alert e-mails of the person's leads lose their text; an automatic reply's address
    (the person's own) goes too. The rows stay: they count for replays and reports."""
    _bulk_plain(LeadIntake, LeadIntake.lead_id.in_(main), raw_payload=ERASED)
    _bulk_plain(LeadAlert, LeadAlert.lead_id.in_(main), subject=ERASED, body="")
    if contact.email:
        address = func.lower(LeadAlert.recipient) == contact.email.lower()
        _bulk_plain(LeadAlert, LeadAlert.lead_id.in_(main) & address, recipient=ERASED)


def _bulk_plain(model, condition, **values) -> None:
    """One UPDATE of a table without a version column."""
    db.session.execute(update(model).where(condition).values(**values))


def _scrub_merge_audit(contact_id: int) -> None:
    """A contact merge's audit entry keeps both contacts as they were (issue 15). When
    this person is the kept contact, both sides are theirs (the merged record was a
    duplicate of them): keep only the ids."""
    for entry in db.session.scalars(select(AuditLog).where(AuditLog.action == "contact_merged")):
        details = dict(entry.details or {})
        if (details.get("kept") or {}).get("id") != contact_id:
            continue
        for key in ("kept", "merged"):
            details[key] = {"id": (details.get(key) or {}).get("id"), "erased": True}
        entry.details = details
        entry.message = ERASED


def _clear_communications(contact: Contact, scope: PersonScope) -> None:
    """Main leads' e-mails lose subject, body and addresses; on linked leads the person's
    address leaves the recipients."""
    if not contact.email:
        return
    address = contact.email.lower()
    query = select(Communication).where(Communication.lead_id.in_(scope.linked_leads))
    for communication in db.session.scalars(query):
        kept = [r for r in communication.recipients or [] if r.lower() != address]
        if kept != list(communication.recipients or []):
            communication.recipients = kept


def _scrub_value(value, identifiers: re.Pattern | None):
    if isinstance(value, str):
        return ERASED if identifiers is not None and identifiers.search(value) else value
    if isinstance(value, list):
        return [_scrub_value(v, identifiers) for v in value]
    return value


def _scrubbed(event: Event, main: bool, identifiers: re.Pattern | None) -> dict:
    data = dict(event.data or {})
    for key, value in data.items():
        personal = key in PERSONAL_EVENT_KEYS or (
            event.kind in NAME_CHANGE_KINDS and key in ("from", "to")
        )
        if main and personal and value not in (None, ""):
            data[key] = ERASED
        else:
            data[key] = _scrub_value(value, identifiers)
    return data


def _scrub_events(scope: PersonScope, identifiers: re.Pattern | None) -> None:
    """Take the person's values out of the events of their leads."""
    lead_ids = scope.main_leads + scope.linked_leads
    main = set(scope.main_leads)
    query = select(Event).where(Event.lead_id.in_(lead_ids))
    for event in db.session.scalars(query):
        data = _scrubbed(event, event.lead_id in main, identifiers)
        if data != (event.data or {}):
            event.data = data


def _anonymize_contact(contact: Contact) -> None:
    contact.salutation = None
    contact.first_name = None
    contact.last_name = erased_name(contact.id)
    for name in ("company_registration", "email", "phone", "mobile", "street", "postal_code"):
        setattr(contact, name, None)
    for name in ("city", "country", "vat_number", "notes"):
        setattr(contact, name, None)


def _reindex(lead_ids: list[int]) -> None:
    from carflow.services.search import reindex_lead

    for lead_id in lead_ids:
        reindex_lead(lead_id)
