"""Building and delivering email: Flask-Mail builds the message, we talk SMTP with a timeout.

Flask-Mail 0.10 opens `smtplib.SMTP(host, port)` without a timeout, so a server that
accepts and never answers hangs the caller for minutes. Every connection here is opened
by `open_smtp()` with `MAIL_TIMEOUT` (seconds) for the connect and for every reply.
"""

from __future__ import annotations

import smtplib
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from flask_mail import Message, sanitize_address

MAIL_ERRORS = (TimeoutError, smtplib.SMTPException, OSError)


class MailError(Exception):
    """Delivery failed; `reason` is shown to the user and stored with the message.

    `permanent`: the server refused for good (a 5xx answer); trying again will not help.
    """

    def __init__(self, reason: str, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


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


def _is_permanent(error: BaseException) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _mail_error(error: BaseException) -> MailError:
    return MailError(_reason(error), permanent=_is_permanent(error))


def _reason(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "recipient refused by the mail server: " + ", ".join(sorted(error.recipients))
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode(errors="replace") if error.smtp_error else ""
        return f"mail server answered {error.smtp_code} {text}".strip()
    if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
        return f"mail server did not answer within {mail_timeout():g} s"
    return f"mail server unreachable: {error}"


def mail_timeout() -> float:
    """Seconds to wait for the connection and for each reply of the mail server."""
    return float(current_app.config.get("MAIL_TIMEOUT") or 10)


def _connect() -> smtplib.SMTP:
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), mail_timeout()
    if config.get("MAIL_USE_SSL"):
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME") and config.get("MAIL_PASSWORD"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except BaseException:
        smtp.close()
        raise
    return smtp


class SMTPConnection:
    """An open SMTP session; `send` delivers one message (MailError with a reason)."""

    def __init__(self, smtp: smtplib.SMTP):
        self.smtp = smtp

    def send(self, message: Message) -> None:
        """Send one message now; raises MailError with a readable reason on any failure."""
        if message.date is None:
            message.date = time.time()
        try:
            self.smtp.sendmail(
                sanitize_address(message.sender),
                [sanitize_address(address) for address in message.send_to],
                message.as_bytes(),
                message.mail_options,
                message.rcpt_options,
            )
        except MAIL_ERRORS as error:
            raise _mail_error(error) from error


@contextmanager
def open_smtp() -> Iterator[SMTPConnection]:
    """Connect (with MAIL_TIMEOUT) and log in; MailError if the server cannot be reached.

    Leaving the block says QUIT; a failure then is ignored (what was sent is sent).
    """
    try:
        smtp = _connect()
    except MAIL_ERRORS as error:
        raise _mail_error(error) from error
    try:
        yield SMTPConnection(smtp)
    finally:
        try:
            smtp.quit()
        except MAIL_ERRORS:
            smtp.close()


def deliver(message: Message) -> None:
    """Send one message in its own SMTP session; raises MailError with a readable reason."""
    with open_smtp() as connection:
        connection.send(message)
