"""Emailing the customer with the offer's PDFs (F15): stored before sending, sent once.

A Communication is committed as `pending` before any attempt, so a failure never loses
it. An attempt first *claims* the row with a conditional UPDATE (status still pending or
failed, attempts still what the sender saw) and keeps that row locked until the outcome
is committed: a second sender (a retry, the periodic sweep, a second worker) finds
nothing to claim and leaves it alone, so each message goes out exactly once. Sending
happens on the job queue (carflow/jobs.py), never inside a web request.
"""

from __future__ import annotations

import re
from contextlib import ExitStack
from datetime import datetime

from babel.dates import format_date
from babel.numbers import format_currency
from email_validator import EmailNotValidError, validate_email
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_mail import Message
from sqlalchemy import and_, or_, select, update

from carflow.extensions import db
from carflow.mailer import MailError, build_message, has_header_injection, open_smtp
from carflow.models import (
    AccountSettings,
    Communication,
    CommunicationStatus,
    Lead,
    LeadContact,
    Offer,
    OfferStatus,
    utcnow,
)
from carflow.pdf import offer_pdf_filename, render_offer_pdf
from carflow.services.errors import ServiceError
from carflow.services.events import record_event
from carflow.timeline import register_event_kind
from carflow.unit_of_work import after_commit

CLAIMABLE = (CommunicationStatus.pending, CommunicationStatus.failed)
EMAIL_LANGUAGES = ("en", "fr", "nl")
MAX_RECIPIENTS = 20
SUBJECT_MAX = 255

register_event_kind(
    "communication_queued",
    "fa-clock-o",
    lambda d: _(
        "Email “%(subject)s” to %(recipients)s queued",
        subject=d.get("subject", ""),
        recipients=d.get("recipients", ""),
    ),
)
register_event_kind(
    "communication_sent",
    "fa-envelope",
    lambda d: _(
        "Email “%(subject)s” sent to %(recipients)s",
        subject=d.get("subject", ""),
        recipients=d.get("recipients", ""),
    ),
)
register_event_kind(
    "communication_failed",
    "fa-exclamation-triangle",
    lambda d: _(
        "Email “%(subject)s” to %(recipients)s could not be sent: %(reason)s",
        subject=d.get("subject", ""),
        recipients=d.get("recipients", ""),
        reason=d.get("reason", ""),
    ),
)


def lead_offers(lead: Lead) -> list[Offer]:
    """The lead's offers, newest first."""
    query = select(Offer).where(Offer.lead_id == lead.id).order_by(Offer.id.desc())
    return list(db.session.scalars(query))


def contact_recipients(lead: Lead) -> list[tuple[str, str]]:
    """(email, label) of the lead's contacts that have an email address, main contact first."""
    linked = db.session.scalars(
        select(LeadContact).where(LeadContact.lead_id == lead.id).order_by(LeadContact.position)
    )
    contacts = [lead.contact] + [link.contact for link in linked]
    seen, choices = set(), []
    for contact in contacts:
        if contact.email and contact.email.lower() not in seen:
            seen.add(contact.email.lower())
            choices.append((contact.email, f"{contact.display_name} <{contact.email}>"))
    return choices


def email_language(lead: Lead) -> str:
    """The customer's language when we have templates for it, else English."""
    language = (lead.contact.language or "en")[:2].lower()
    return language if language in EMAIL_LANGUAGES else "en"


def default_message(lead: Lead, offer: Offer, sender) -> tuple[str, str]:
    """Subject and body from templates/email/offer_<lang>.txt in the customer's language."""
    language = email_language(lead)
    text = render_template(
        f"email/offer_{language}.txt",
        lead=lead,
        contact=lead.contact,
        offer=offer,
        vehicle=offer.vehicle_title,
        total=format_currency(offer.total_amount, "EUR", locale=language),
        valid_until=format_date(offer.valid_until, "long", locale=language)
        if offer.valid_until
        else None,
        sender=sender,
        branch=lead.branch,
        company=AccountSettings.get().company_name,
    )
    subject, _sep, body = text.partition("\n")
    return " ".join(subject.split())[:SUBJECT_MAX], body.strip("\n") + "\n"


def _check_address(address: str, field: str) -> str:
    if has_header_injection(address):
        raise ServiceError(_l("Line breaks are not allowed in email addresses."), field=field)
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ServiceError(
            _l("“%(address)s” is not a valid email address.", address=address), field=field
        ) from None


def parse_addresses(text: str | None) -> list[str]:
    """Free addresses typed by the user (comma, semicolon or space separated), validated."""
    if has_header_injection(text or ""):
        raise ServiceError(
            _l("Line breaks are not allowed in email addresses."), field="other_addresses"
        )
    parts = [p for p in re.split(r"[,;\s]+", text or "") if p]
    return [_check_address(p, "other_addresses") for p in parts]


def clean_recipients(addresses) -> list[str]:
    """Validated, de-duplicated recipients; at least one, at most MAX_RECIPIENTS."""
    result, seen = [], set()
    for address in addresses:
        address = _check_address(address.strip(), "recipients")
        if address.lower() not in seen:
            seen.add(address.lower())
            result.append(address)
    if not result:
        raise ServiceError(_l("Choose at least one recipient."), field="recipients")
    if len(result) > MAX_RECIPIENTS:
        raise ServiceError(
            _l("At most %(n)s recipients.", n=MAX_RECIPIENTS), field="other_addresses"
        )
    return result


def _clean_subject_and_body(subject: str | None, body: str | None) -> tuple[str, str]:
    if has_header_injection(subject or ""):
        raise ServiceError(_l("Line breaks are not allowed in the subject."), field="subject")
    subject = (subject or "").strip()
    if not subject:
        raise ServiceError(_l("Give the email a subject."), field="subject")
    if len(subject) > SUBJECT_MAX:
        raise ServiceError(_l("The subject is too long."), field="subject")
    if not (body or "").strip():
        raise ServiceError(_l("Write the message."), field="body")
    return subject, body.replace("\r\n", "\n")


def queue_communication(
    lead: Lead,
    actor,
    offer: Offer | None,
    recipients,
    subject: str,
    body: str,
    attach_quote: bool = False,
    attach_purchase_order: bool = False,
    other_addresses: str | None = None,
    purpose: str = "service",
) -> Communication:
    """Validate and store a pending communication about one of the lead's offers (flushes).

    `purpose` "marketing" is refused to any recipient without e-mail marketing consent
    (issue 17); an offer answering the customer's own request is "service"."""
    if not lead.offer_count or offer is None or offer.lead_id != lead.id:
        raise ServiceError(_l("Create an offer on this lead before emailing the customer."))
    addresses = clean_recipients(list(recipients) + parse_addresses(other_addresses))
    _check_purpose(lead, purpose, addresses)
    subject, body = _clean_subject_and_body(subject, body)
    communication = Communication(
        lead_id=lead.id,
        offer_id=offer.id,
        sender_id=actor.id if actor is not None else None,
        recipients=addresses,
        subject=subject,
        body=body,
        attach_quote=bool(attach_quote),
        attach_purchase_order=bool(attach_purchase_order),
        status=CommunicationStatus.pending,
        attempts=0,
    )
    db.session.add(communication)
    db.session.flush()
    return communication


def _check_purpose(lead: Lead, purpose: str, addresses: list[str]) -> None:
    from carflow.services.consent import check_marketing_email_consent

    if purpose not in ("service", "marketing"):
        raise ServiceError(_l("Choose the purpose of the email."), field="purpose")
    if purpose == "marketing":
        check_marketing_email_consent(lead, addresses)


def send_communication(lead: Lead, actor, **fields) -> Communication:
    """Store the email as pending and have the worker send it once this is committed (F15).

    The job is enqueued only after the commit, so a worker never looks for a row that is
    not there yet; if the queue is down the row stays pending for the periodic sweep.
    """
    communication = queue_communication(lead, actor, **fields)
    data = {"subject": communication.subject, "recipients": ", ".join(communication.recipients)}
    if fields.get("purpose") == "marketing":
        data["purpose"] = "marketing"
    record_event(lead, actor, "communication_queued", data, ref=communication)
    communication_id = communication.id
    after_commit(lambda: _schedule_delivery(communication_id))
    return communication


def retry_communication(communication: Communication) -> Communication:
    """Queue a failed (or stuck pending) email again; refused once it has been sent."""
    if communication.status not in CLAIMABLE:
        raise ServiceError(_l("This email was already sent or is being sent."))
    db.session.execute(
        update(Communication)
        .where(
            Communication.id == communication.id,
            Communication.status == CommunicationStatus.failed,
        )
        .values(status=CommunicationStatus.pending)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(communication, ["status"])
    communication_id = communication.id
    after_commit(lambda: _schedule_delivery(communication_id))
    return communication


def _schedule_delivery(communication_id: int) -> None:
    from carflow.jobs import enqueue_delivery  # the jobs module imports this one

    enqueue_delivery(communication_id)


def _prepare_message(communication: Communication) -> Message:
    """The MIME message with the chosen PDFs, rendered in the customer's language."""
    offer = communication.offer
    kinds = [
        kind
        for kind, wanted in (
            ("quote", communication.attach_quote),
            ("purchase_order", communication.attach_purchase_order),
        )
        if wanted
    ]
    if kinds and offer is None:
        raise ValueError("the offer of this email no longer exists")
    with force_locale(email_language(communication.lead)):
        attachments = [
            (offer_pdf_filename(offer, kind), "application/pdf", render_offer_pdf(offer, kind))
            for kind in kinds
        ]
    sender = communication.sender
    return build_message(
        communication.subject,
        list(communication.recipients),
        communication.body,
        attachments,
        reply_to=sender.email if sender is not None and sender.email else None,
    )


def _claim(communication_id: int, seen: int) -> bool:
    """Take this attempt: only one sender's UPDATE matches (the row stays locked)."""
    result = db.session.execute(
        update(Communication)
        .where(
            Communication.id == communication_id,
            Communication.status.in_(CLAIMABLE),
            Communication.attempts == seen,
        )
        .values(attempts=seen + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _mark_offer_sent(offer_id: int | None) -> None:
    """draft → sent, bumping the offer's version so an open edit form becomes stale."""
    if offer_id is None:
        return
    db.session.execute(
        update(Offer)
        .where(Offer.id == offer_id, Offer.status == OfferStatus.draft)
        .values(status=OfferStatus.sent, version_id=Offer.version_id + 1)
        .execution_options(synchronize_session=False)
    )
    offer = db.session.get(Offer, offer_id)
    if offer is not None:
        db.session.expire(offer, ["status", "version_id"])


def _record_outcome(
    communication: Communication, actor, message, failure: str | None, final: bool
) -> None:
    data = {"subject": communication.subject, "recipients": ", ".join(communication.recipients)}
    if failure is None:
        communication.status = CommunicationStatus.sent
        communication.sent_at = utcnow()
        communication.message_id = message.msgId
        communication.error = None
        _mark_offer_sent(communication.offer_id)
        record_event(communication.lead, actor, "communication_sent", data, ref=communication)
    elif not final:  # the worker tries again later: still queued, the reason kept
        communication.status = CommunicationStatus.pending
        communication.error = failure[:2000]
    else:
        already_failed = communication.status == CommunicationStatus.failed
        communication.status = CommunicationStatus.failed
        communication.error = failure[:2000]
        data["reason"] = communication.error
        if not already_failed:  # the sweep trying a failed email again adds no event
            record_event(communication.lead, actor, "communication_failed", data, ref=communication)


def _prepare(communication: Communication) -> tuple[Message | None, str | None]:
    try:
        return _prepare_message(communication), None
    except Exception as error:
        current_app.logger.exception("communication %s could not be prepared", communication.id)
        return None, f"the message could not be prepared: {error}"


def deliver_communication(
    communication: Communication, actor, seen: int | None = None, final: bool = True
) -> bool | None:
    """One attempt: claim the row, send, record the outcome (flushes; the caller commits).

    The message is rendered and the SMTP session opened before the claim, so the row is
    locked only while the server takes the message. Returns True (sent), False (failed:
    reason stored; status `failed` when `final` or refused for good, e.g. a 5xx answer,
    else still pending for the next try) or None when there was nothing to do: already
    sent, or another sender claimed it first.
    """
    seen = communication.attempts if seen is None else seen
    if communication.status not in CLAIMABLE or communication.attempts != seen:
        return None
    message, failure = _prepare(communication)
    final = final or failure is not None  # a message that cannot be built never will be
    with ExitStack() as stack:
        connection = None
        if failure is None:
            try:
                connection = stack.enter_context(open_smtp())
            except MailError as error:
                failure, final = error.reason, final or error.permanent
        if not _claim(communication.id, seen):
            return None
        db.session.expire(communication, ["attempts"])
        if connection is not None:
            try:
                connection.send(message)
            except MailError as error:
                failure, final = error.reason, final or error.permanent
    _record_outcome(communication, actor, message, failure, final)
    db.session.flush()
    return failure is None


def retryable_communications(
    max_attempts: int, pending_before: datetime | None = None
) -> list[tuple[int, int]]:
    """(id, attempts) of the failed emails, and of the pending ones created before
    `pending_before` (all when None), tried fewer than `max_attempts` times."""
    pending = Communication.status == CommunicationStatus.pending
    if pending_before is not None:
        pending = and_(pending, Communication.created_at <= pending_before)
    rows = db.session.execute(
        select(Communication.id, Communication.attempts)
        .where(
            or_(Communication.status == CommunicationStatus.failed, pending),
            Communication.attempts < max_attempts,
        )
        .order_by(Communication.id)
    )
    return [(row.id, row.attempts) for row in rows]
