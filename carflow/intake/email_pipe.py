"""`flask --app app carflow ingest-email < message.eml`: an MTA's pipe (issue 15).

The exit code tells the MTA what to do with the message (sysexits.h):
0 accepted (also a message received before: its leads are not made twice);
65 EX_DATAERR, refused for good — the reason on stderr, which the MTA puts in its bounce;
75 EX_TEMPFAIL, a temporary fault (database down, intake not configured): the MTA keeps
the message and retries, so nothing is lost.

Postfix, in master.cf:
    carflow unix - n n - - pipe flags=Rq user=carflow argv=/srv/carflow/.venv/bin/flask
        --app /srv/carflow/app.py carflow ingest-email
"""

from __future__ import annotations

import logging
import os

from sqlalchemy import select

from carflow.extensions import db
from carflow.intake.email_ingest import TemporaryIntakeFailure, ingest_email
from carflow.intake.email_intake import MAX_EMAIL_BYTES
from carflow.models import Branch, LeadSource
from carflow.models.mailbox import IntakeMailbox
from carflow.unit_of_work import unit_of_work

log = logging.getLogger(__name__)

EX_OK = getattr(os, "EX_OK", 0)
EX_DATAERR = getattr(os, "EX_DATAERR", 65)
EX_TEMPFAIL = getattr(os, "EX_TEMPFAIL", 75)


def run_pipe(raw: bytes, branch_name: str | None, source_name: str | None, err) -> int:
    """Receive the message `raw`; write the outcome to `err`; return the exit code.
    Branch and source: the names given, else those of Settings › Intake mailbox."""
    try:
        branch_id, source_id = _branch_and_source(branch_name, source_name)
        if len(raw) > MAX_EMAIL_BYTES:
            err.write(f"refused: the message is larger than {MAX_EMAIL_BYTES} bytes\n")
            return EX_DATAERR
        outcome = ingest_email(raw, via="pipe", branch_id=branch_id, source_id=source_id)
    except TemporaryIntakeFailure as error:
        err.write(f"temporary failure, try again later: {error}\n")
        return EX_TEMPFAIL
    except Exception as error:  # any other fault: keep the message for a retry
        log.exception("ingest-email failed")
        err.write(f"temporary failure, try again later: {type(error).__name__}\n")
        return EX_TEMPFAIL
    if not outcome.accepted:
        err.write(f"refused: {outcome.reason}\n")
        return EX_DATAERR
    codes = ", ".join(result.lead_code for result in outcome.results)
    err.write(f"accepted: {codes}\n")
    return EX_OK


def _branch_and_source(branch_name, source_name) -> tuple[int | None, int | None]:
    with unit_of_work():
        mailbox = IntakeMailbox.get()
        branch_id = _id_by_name(Branch, branch_name, "branch") or mailbox.branch_id
        source_id = _id_by_name(LeadSource, source_name, "source") or mailbox.source_id
    return branch_id, source_id


def _id_by_name(model, name: str | None, what: str) -> int | None:
    if not name:
        return None
    found = db.session.scalar(select(model.id).where(model.name == name))
    if found is None:
        raise TemporaryIntakeFailure(f"no {what} named {name!r}")
    return found
