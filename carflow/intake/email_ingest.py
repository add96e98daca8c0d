"""One e-mail → leads: the path shared by the IMAP poll and the MTA pipe (issue 15).

`ingest_email(raw, via=…)` finds the ADF documents of a message, parses them and hands
each to `receive_lead` (channel "adf_email"), all in ONE unit of work: a message is
accepted whole or refused whole. Each document's idempotency key comes from the
Message-ID, so reading the same message again (a poll after a crash between the commit
and the move, an MTA retrying) replays the first result instead of making a second lead.

Three outcomes:
- accepted (`EmailOutcome.accepted`): the leads were created, extended or replayed;
- refused (`accepted` False, `reason` set): the message is not a valid lead — no ADF,
  invalid ADF, refused by the service — and an `EmailRejection` row records why;
- `TemporaryIntakeFailure` raised: nothing is stored and the message must be kept and
  tried again (the database is unreachable, the intake is not configured, the same
  request is being received right now).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError

from carflow.extensions import db
from carflow.intake.adf import decode_document, parse_adf
from carflow.intake.email_intake import MAX_EMAIL_BYTES, IncomingEmail, read_email
from carflow.intake.incoming import IntakeError
from carflow.intake.service import IntakeConflict, IntakeResult, receive_lead
from carflow.models import Branch, LeadSource
from carflow.models.mailbox import EmailRejection
from carflow.services.errors import ServiceError
from carflow.unit_of_work import unit_of_work

log = logging.getLogger(__name__)

CHANNEL = "adf_email"
CONTENT_TYPE = "text/plain; charset=utf-8"


class TemporaryIntakeFailure(Exception):
    """Keep the message and try again later; nothing was stored."""


@dataclass(frozen=True)
class EmailOutcome:
    """What became of one message."""

    accepted: bool
    results: tuple[IntakeResult, ...] = ()
    reason: str | None = None


def ingest_email(
    raw: bytes, *, via: str, branch_id: int | None, source_id: int | None
) -> EmailOutcome:
    """Receive the leads of one message (`via`: "imap" or "pipe", recorded on a refusal),
    in the branch and with the source given (the mailbox settings or the pipe's options)."""
    if len(raw) > MAX_EMAIL_BYTES:
        headers = read_email(raw, headers_only=True)
        return _refuse(headers, via, f"the message is larger than {MAX_EMAIL_BYTES} bytes")
    email = read_email(raw)
    if not email.documents:
        return _refuse(email, via, "no ADF document found in the message")
    try:
        with unit_of_work():
            results = _receive_all(email, branch_id, source_id)
    except IntakeConflict as error:
        raise TemporaryIntakeFailure(error.message) from error
    except IntakeError as error:
        return _refuse(email, via, f"{error.field}: {error.message}")
    except ServiceError as error:
        return _refuse(email, via, str(error.message))
    except (OperationalError, DBAPIError) as error:
        raise TemporaryIntakeFailure(f"database unavailable: {error.orig}") from error
    return EmailOutcome(True, results)


def _receive_all(email: IncomingEmail, branch_id, source_id) -> tuple[IntakeResult, ...]:
    branch = db.session.get(Branch, branch_id) if branch_id else None
    source = db.session.get(LeadSource, source_id) if source_id else None
    if branch is None or not branch.active or source is None:
        raise TemporaryIntakeFailure(
            "no active branch or no source is set for e-mailed leads (Settings › Intake mailbox)"
        )
    results = []
    for index, document in enumerate(email.documents):
        try:
            incoming = parse_adf(document.data, default_zone=branch.timezone)
        except IntakeError as error:
            where = f"document {index + 1} ({document.description}), "
            raise IntakeError(where + error.field, error.message) from None
        results.append(
            receive_lead(
                incoming,
                channel=CHANNEL,
                raw_payload=raw_payload(email, document.description, document.data),
                content_type=CONTENT_TYPE,
                branch=branch,
                source=source,
                idempotency_key=document.idempotency_key,
            )
        )
    return tuple(results)


def raw_payload(email: IncomingEmail, description: str, data: bytes) -> str:
    """What the lead keeps as received: the message's headers, then the ADF document."""
    header = (
        f"Message-ID: {email.message_id or '-'}\n"
        f"From: {email.sender}\nSubject: {email.subject}\nADF found in: {description}\n\n"
    )
    return header + decode_document(data)


def _refuse(email: IncomingEmail, via: str, reason: str) -> EmailOutcome:
    """Record why the message was refused (one row per message) and say so."""
    log.warning("e-mail %s refused (%s): %s", email.message_key, via, reason)
    try:
        with unit_of_work():
            record_rejection(email.message_key, via, email, reason)
    except (OperationalError, DBAPIError) as error:
        raise TemporaryIntakeFailure(f"database unavailable: {error.orig}") from error
    return EmailOutcome(False, reason=reason)


def record_rejection(key: str, via: str, email: IncomingEmail, reason: str) -> None:
    """The refusal of one message, recorded once (a second refusal updates the reason)."""
    row = db.session.scalars(select(EmailRejection).where(EmailRejection.message_key == key))
    rejection = row.first() or EmailRejection(message_key=key[:300])
    rejection.channel = via
    rejection.reason = reason
    rejection.sender = email.sender[:300] or None
    rejection.subject = email.subject[:300] or None
    db.session.add(rejection)
    db.session.flush()
