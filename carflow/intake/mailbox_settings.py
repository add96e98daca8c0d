"""Settings › Intake mailbox: the IMAP mailbox polled for ADF e-mails (issue 15, item 1).

`update_mailbox_settings` is the one service that changes them; the password is
write-only (an empty field keeps the stored one; "forget" clears it).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from carflow.extensions import db
from carflow.models import AuditLog, Branch, LeadSource
from carflow.models.mailbox import SECURITY_CHOICES, IntakeMailbox
from carflow.services.errors import ServiceError, check_version

DEFAULT_PORTS = {"tls": 993, "starttls": 143, "plain": 143}


@dataclass(frozen=True)
class MailboxValues:
    """What the settings form sends, as plain values."""

    enabled: bool
    host: str | None
    port: int | None
    security: str
    username: str | None
    password: str | None  # None or "": keep the stored password
    forget_password: bool
    folder: str
    processed_folder: str
    bounce_folder: str
    branch_id: int | None
    source_id: int | None


def update_mailbox_settings(actor, values: MailboxValues, version) -> IntakeMailbox:
    """Save the intake mailbox settings (audit-logged, the password never written to
    the log). Enabling needs a host, a user, a password, a branch and a source."""
    mailbox = IntakeMailbox.get()
    check_version(mailbox, version)
    _check(values, has_password=bool(values.password or mailbox.password))
    mailbox.enabled = values.enabled
    mailbox.host = _clean(values.host)
    mailbox.security = values.security
    mailbox.port = values.port or DEFAULT_PORTS[values.security]
    mailbox.username = _clean(values.username)
    if values.forget_password:
        mailbox.password = None
    elif values.password:
        mailbox.password = values.password
    mailbox.folder = values.folder.strip()
    mailbox.processed_folder = values.processed_folder.strip()
    mailbox.bounce_folder = values.bounce_folder.strip()
    mailbox.branch_id = values.branch_id
    mailbox.source_id = values.source_id
    details = {
        key: getattr(mailbox, key)
        for key in ("enabled", "host", "port", "security", "username", "folder")
    }
    details["password_changed"] = bool(values.password) or values.forget_password
    db.session.add(
        AuditLog(actor_id=actor and actor.id, action="intake_mailbox_changed", details=details)
    )
    db.session.flush()
    return mailbox


def _check(values: MailboxValues, has_password: bool) -> None:
    if values.security not in SECURITY_CHOICES:
        raise ServiceError(_l("Choose how to connect."), field="security")
    if values.port is not None and not 1 <= values.port <= 65535:
        raise ServiceError(_l("A port is between 1 and 65535."), field="port")
    folders = (values.folder, values.processed_folder, values.bounce_folder)
    names = [(name or "").strip() for name in folders]
    if not all(names):
        raise ServiceError(_l("Name the three folders."), field="folder")
    if len(set(names)) != 3:
        raise ServiceError(
            _l("The processed and bounce folders must differ from the polled folder."),
            field="processed_folder",
        )
    if values.branch_id is not None and db.session.get(Branch, values.branch_id) is None:
        raise ServiceError(_l("Choose a branch."), field="branch_id")
    if values.source_id is not None and db.session.get(LeadSource, values.source_id) is None:
        raise ServiceError(_l("Choose a lead source."), field="source_id")
    if values.enabled:
        _check_complete(values, has_password and not values.forget_password)


def _check_complete(values: MailboxValues, has_password: bool) -> None:
    """What polling needs before the mailbox can be switched on."""
    required = (
        ("host", values.host, _l("Enter the IMAP server to poll.")),
        ("username", values.username, _l("Enter the mailbox user.")),
        ("password", has_password, _l("Enter the mailbox password.")),
        ("branch_id", values.branch_id, _l("Choose the branch that receives these leads.")),
        ("source_id", values.source_id, _l("Choose the source of these leads.")),
    )
    for field, value, message in required:
        if not (value.strip() if isinstance(value, str) else value):
            raise ServiceError(message, field=field)


def _clean(value: str | None) -> str | None:
    return (value or "").strip() or None
