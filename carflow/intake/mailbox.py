"""The intake mailbox polled over IMAP (issue 15, item 1: ADF by e-mail).

`poll_mailbox()` (the worker's periodic job, every minute, only when the mailbox is
configured) reads every message of the polled folder that is not marked deleted — read
or not: a message someone opened in a mail client is still a lead — with `BODY.PEEK`,
and for each one:
- hands it to `ingest_email` (its own unit of work);
- accepted → moved to the processed folder; refused → moved to the bounce folder, the
  reason recorded (`EmailRejection`, shown in Settings › Intake mailbox) and logged;
- a temporary failure (database down…) → left in place for the next poll.
A crash between the commit and the move leaves the message in the folder: the next poll
reads it again and `receive_lead` replays the first result (idempotency by Message-ID),
so it is moved without a second lead. Moves use MOVE when the server has it, else
COPY + STORE \\Deleted + (UID) EXPUNGE. Every socket operation has a timeout.
"""

from __future__ import annotations

import imaplib
import logging
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import update

from carflow.extensions import db
from carflow.intake.email_ingest import TemporaryIntakeFailure, ingest_email
from carflow.models import utcnow
from carflow.models.mailbox import IntakeMailbox
from carflow.unit_of_work import unit_of_work

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
DEFAULT_BATCH = 200
NETWORK_ERRORS = (imaplib.IMAP4.error, OSError, ssl.SSLError, socket.timeout)


@dataclass(frozen=True)
class MailboxConfig:
    """The settings a poll needs, read once as plain values (no session held open)."""

    host: str
    port: int
    security: str
    username: str
    password: str
    folder: str
    processed_folder: str
    bounce_folder: str
    branch_id: int | None
    source_id: int | None


@dataclass
class PollReport:
    """What one poll did."""

    accepted: int = 0
    refused: int = 0
    deferred: int = 0
    error: str | None = None
    reasons: list[str] = field(default_factory=list)


def poll_mailbox() -> PollReport | None:
    """Read the intake mailbox once; None when it is not configured."""
    config = _read_config()
    if config is None:
        return None
    report = PollReport()
    try:
        with connect(config) as imap:
            _poll(imap, config, report)
    except NETWORK_ERRORS as error:
        report.error = f"{type(error).__name__}: {error}"[:500]
        log.warning("intake mailbox %s: %s", config.host, report.error)
    _record_poll(report.error)
    if report.accepted or report.refused or report.deferred:
        log.info(
            "intake mailbox: %s accepted, %s refused, %s deferred",
            report.accepted,
            report.refused,
            report.deferred,
        )
    return report


def _read_config() -> MailboxConfig | None:
    with unit_of_work():
        mailbox = IntakeMailbox.get()
        if not mailbox.is_configured:
            return None
        return MailboxConfig(
            host=mailbox.host,
            port=mailbox.port,
            security=mailbox.security,
            username=mailbox.username,
            password=mailbox.password or "",
            folder=mailbox.folder,
            processed_folder=mailbox.processed_folder,
            bounce_folder=mailbox.bounce_folder,
            branch_id=mailbox.branch_id,
            source_id=mailbox.source_id,
        )


def _record_poll(error: str | None) -> None:
    """When the mailbox was last read and its error, without bumping its version (a
    poll every minute must not make an open settings form stale)."""
    with unit_of_work():
        db.session.execute(
            update(IntakeMailbox)
            .where(IntakeMailbox.id == 1)
            .values(last_polled_at=utcnow(), last_error=error)
        )


@contextmanager
def connect(config: MailboxConfig) -> Iterator[imaplib.IMAP4]:
    """An IMAP session, logged in, with a timeout on every socket operation; logged out
    (or, failing that, closed) at the end."""
    timeout = float(current_app.config.get("CARFLOW_IMAP_TIMEOUT", DEFAULT_TIMEOUT))
    if config.security == "tls":
        imap = imaplib.IMAP4_SSL(
            config.host, config.port, ssl_context=tls_context(), timeout=timeout
        )
    else:
        imap = imaplib.IMAP4(config.host, config.port, timeout=timeout)
    try:
        if config.security == "starttls":
            imap.starttls(tls_context())
        imap.login(config.username, config.password)
        # the greeting's capabilities are those before the login (no MOVE, no UIDPLUS)
        _kind, data = imap.capability()
        imap.capabilities = tuple(data[-1].decode().upper().split())
    except BaseException:
        imap.shutdown()
        raise
    try:
        yield imap
    finally:
        try:
            imap.logout()
        except NETWORK_ERRORS:
            imap.shutdown()


def tls_context() -> ssl.SSLContext:
    """Certificates verified against the system's CAs, or CARFLOW_IMAP_CA_FILE's (a
    private CA); the host name must match."""
    return ssl.create_default_context(cafile=current_app.config.get("CARFLOW_IMAP_CA_FILE"))


def _poll(imap: imaplib.IMAP4, config: MailboxConfig, report: PollReport) -> None:
    _ok(imap.select(quote(config.folder)), f"select {config.folder}")
    for name in (config.processed_folder, config.bounce_folder):
        imap.create(quote(name))  # NO when it exists: that is fine
    _kind, data = _ok(imap.uid("SEARCH", None, "UNDELETED"), "search")
    uids = (data[0] or b"").split()
    batch = int(current_app.config.get("CARFLOW_IMAP_BATCH", DEFAULT_BATCH))
    for uid in uids[:batch]:
        _handle(imap, uid.decode(), config, report)


def _handle(imap: imaplib.IMAP4, uid: str, config: MailboxConfig, report: PollReport) -> None:
    raw = fetch_message(imap, uid)
    if raw is None:
        return
    try:
        outcome = ingest_email(
            raw, via="imap", branch_id=config.branch_id, source_id=config.source_id
        )
    except TemporaryIntakeFailure as error:
        report.deferred += 1
        report.error = str(error)[:500]
        return
    except Exception:  # a fault of ours: keep the message, go on with the others
        log.exception("intake mailbox: message uid %s left in %s", uid, config.folder)
        report.deferred += 1
        report.error = "unexpected error: see the worker's log"
        return
    if outcome.accepted:
        move_message(imap, uid, config.processed_folder)
        report.accepted += 1
    else:
        move_message(imap, uid, config.bounce_folder)
        report.refused += 1
        report.reasons.append(outcome.reason or "")


def fetch_message(imap: imaplib.IMAP4, uid: str) -> bytes | None:
    """The whole message, without setting \\Seen; None when it vanished meanwhile."""
    _kind, data = _ok(imap.uid("FETCH", uid, "(BODY.PEEK[])"), f"fetch {uid}")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None


def move_message(imap: imaplib.IMAP4, uid: str, folder: str) -> None:
    """MOVE (RFC 6851) when offered, else COPY, flag \\Deleted and expunge."""
    if "MOVE" in imap.capabilities:
        _ok(imap.uid("MOVE", uid, quote(folder)), f"move {uid}")
        return
    _ok(imap.uid("COPY", uid, quote(folder)), f"copy {uid}")
    _ok(imap.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)"), f"flag {uid}")
    if "UIDPLUS" in imap.capabilities:
        _ok(imap.uid("EXPUNGE", uid), f"expunge {uid}")
    else:
        _ok(imap.expunge(), "expunge")


def quote(name: str) -> str:
    """A mailbox name as an IMAP quoted string (spaces and quotes allowed)."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ok(answer: tuple, what: str) -> tuple:
    kind, _data = answer
    if kind != "OK":
        raise imaplib.IMAP4.error(f"{what}: {answer[1]!r}")
    return answer
