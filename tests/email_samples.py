"""E-mails carrying ADF the ways real senders send it (issue 15 tests), built with the
standard library so each is a valid RFC 5322 message."""

from __future__ import annotations

import html
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

SAMPLES = Path(__file__).parent / "data" / "adf"


def adf_sample(name: str = "buy_used.xml") -> bytes:
    return (SAMPLES / name).read_bytes()


def _message(subject: str, message_id: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "leads@autoscout24.example"
    message["To"] = "intake@carflow.example"
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="autoscout24.example")
    return message


def whole_body(adf: bytes | None = None, message_id: str | None = None) -> bytes:
    """The ADF is the whole text/plain body."""
    message = _message("New lead", message_id)
    message.set_content((adf or adf_sample()).decode("utf-8-sig"))
    return message.as_bytes()


def as_attachment(adf: bytes | None = None, message_id: str | None = None) -> bytes:
    """A short note, the ADF attached as lead.xml (application/xml)."""
    message = _message("Lead attached", message_id)
    message.set_content("Please find a new lead attached.\n")
    message.add_attachment(
        adf or adf_sample(), maintype="application", subtype="xml", filename="lead.xml"
    )
    return message.as_bytes()


def in_html(adf: bytes | None = None, message_id: str | None = None, escaped=True) -> bytes:
    """A plain-text alternative without ADF and an HTML alternative with the ADF in a
    <pre>, escaped (as most portals do) or not."""
    text = (adf or adf_sample()).decode("utf-8-sig")
    shown = html.escape(text) if escaped else text
    message = _message("Lead (HTML)", message_id)
    message.set_content("Your mail client does not show HTML.\n")
    message.add_alternative(
        f"<html><body><p>New lead from <b>AutoScout24</b>:</p><pre>{shown}</pre>"
        "<p>Kind regards</p></body></html>",
        subtype="html",
    )
    return message.as_bytes()


def in_plain_text(adf: bytes | None = None, message_id: str | None = None) -> bytes:
    """The ADF among other text of a plain-text body, with an HTML alternative that
    repeats it (one lead, not two)."""
    text = (adf or adf_sample()).decode("utf-8-sig")
    message = _message("Lead in text", message_id)
    message.set_content(f"Hello,\n\nA customer wrote:\n\n{text}\n\n-- \nLead robot\n")
    message.add_alternative(f"<html><body><pre>{html.escape(text)}</pre></body></html>", "html")
    return message.as_bytes()


def without_adf(message_id: str | None = None) -> bytes:
    message = _message("Out of office", message_id)
    message.set_content("I am away until Monday.\n")
    return message.as_bytes()
