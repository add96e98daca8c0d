"""Building and delivering email through Flask-Mail (one path for every mail we send)."""

from __future__ import annotations

import smtplib

from flask import current_app
from flask_mail import Message

from carflow.extensions import mail


class MailError(Exception):
    """Delivery failed; `reason` is shown to the user and stored with the message."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def has_header_injection(*values: str) -> bool:
    """True when a header value (recipient, subject) contains CR or LF."""
    return any(v and ("\r" in v or "\n" in v) for v in values)


def build_message(
    subject: str,
    recipients: list[str],
    body: str,
    attachments: list[tuple[str, str, bytes]] = (),
    sender: str | None = None,
    reply_to: str | None = None,
) -> Message:
    """A message with (filename, content type, bytes) attachments."""
    if has_header_injection(subject, *recipients, sender or "", reply_to or ""):
        raise ValueError("line breaks are not allowed in mail headers")
    message = Message(
        subject=subject,
        recipients=list(recipients),
        body=body,
        sender=sender or current_app.config["MAIL_DEFAULT_SENDER"],
        reply_to=reply_to,
    )
    for filename, content_type, data in attachments:
        message.attach(filename=filename, content_type=content_type, data=data)
    return message


def deliver(message: Message) -> None:
    """Send now over SMTP; raises MailError with a readable reason on any failure."""
    try:
        mail.send(message)
    except smtplib.SMTPRecipientsRefused as error:
        refused = ", ".join(sorted(error.recipients))
        raise MailError(f"recipient refused by the mail server: {refused}") from error
    except smtplib.SMTPResponseException as error:
        text = error.smtp_error.decode(errors="replace") if error.smtp_error else ""
        raise MailError(f"mail server answered {error.smtp_code} {text}".strip()) from error
    except (TimeoutError, smtplib.SMTPException, OSError) as error:
        raise MailError(f"mail server unreachable: {error}") from error
